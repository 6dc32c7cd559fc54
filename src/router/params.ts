// Type-level extraction of route parameters from a pattern literal, so that a handler registered on
// '/users/{id}/files/{name:[a-z]+}/{*rest}' sees `{ id: string; name: string; rest: string }`.
// Patterns are split on '/' (a parameter's regex may not contain '/', so this split is exact), then
// every segment of the form `{…}` names one parameter.

/** The parameter named by one segment, or never for a static segment. */
type SegmentParam<S extends string> = S extends `{*${infer Name}}`
  ? Name
  : S extends `{${infer Inner}}`
    ? Inner extends `${infer Name}:${string}`
      ? Name
      : Inner
    : never;

/** Union of the parameter names in a pattern. */
export type ParamNames<P extends string> = P extends `${infer Seg}/${infer Rest}`
  ? SegmentParam<Seg> | ParamNames<Rest>
  : SegmentParam<P>;

/** Params object for a pattern; `{}` when it has none, `Record<string, string>` for a non-literal. */
export type RouteParams<P extends string> = string extends P
  ? Record<string, string>
  : { [K in ParamNames<P>]: string };

/**
 * The pattern a route registered in a group is matched against, for typing: `${prefix}/${pattern}`
 * (a doubled '/' only adds an empty segment, which names no parameter). A non-literal prefix or
 * pattern gives `string`, hence `Record<string, string>` params.
 */
export type JoinPattern<Prefix extends string, P extends string> = string extends Prefix
  ? string
  : string extends P
    ? string
    : Prefix extends ''
      ? P
      : `${Prefix}/${P}`;
