// Middleware and hook composition. A route's steps (request middleware → handler → response
// middleware) are resolved ONCE into a frozen array (fastify's buildHooks habit); per request the
// runner only iterates. A synchronous step costs no promise: we only wait when a step returns a
// thenable.

/** What a middleware may return (Hyperlane's names). */
export enum Status {
  /** Go on with the next step (also what returning nothing means). */
  Continue = 'continue',
  /** Stop the chain for this request; the response set so far (or a default 200) is sent. */
  Reject = 'reject',
}

export type StepResult = Status | void | undefined | PromiseLike<Status | void | undefined>;
/** A request/response middleware or a handler: fn(ctx). */
export type Step<C> = (ctx: C) => unknown;
export type Middleware<C> = (ctx: C) => StepResult;

/** Where the runner reports back (the Context implements it). */
export interface ChainHost {
  /** True when the chain must stop now (e.g. the connection was upgraded or closed). */
  readonly halted: boolean;
  chainDone(): void;
  chainFailed(error: unknown): void;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && typeof value === 'object' && typeof (value as PromiseLike<unknown>).then === 'function';
}

/** Run steps[from..] over ctx; calls ctx.chainDone() or ctx.chainFailed(err) exactly once. */
export function runChain<C extends ChainHost>(ctx: C, steps: readonly Step<C>[], from: number): void {
  for (let i = from; i < steps.length; i++) {
    if (ctx.halted) return ctx.chainDone();
    let result: unknown;
    try {
      result = steps[i]!(ctx);
    } catch (error) {
      return ctx.chainFailed(error);
    }
    if (result === Status.Reject) break;
    if (isThenable(result)) {
      const next = i + 1;
      // The only place a closure is made per request, and only for asynchronous steps.
      result.then(
        (value) => (value === Status.Reject ? ctx.chainDone() : runChain(ctx, steps, next)),
        (error: unknown) => ctx.chainFailed(error),
      );
      return;
    }
  }
  ctx.chainDone();
}

/** Hooks of one level (server, group or route), in registration order. */
export interface HookLevel<C> {
  readonly request: Middleware<C>[];
  readonly response: Middleware<C>[];
}

/** Resolve the steps for a route: levels from outermost (server) to innermost (route). */
export function buildSteps<C>(levels: readonly HookLevel<C>[], handler: Step<C>): readonly Step<C>[] {
  const steps: Step<C>[] = [];
  for (const level of levels) steps.push(...level.request);
  steps.push(handler);
  for (const level of levels) steps.push(...level.response);
  return Object.freeze(steps);
}
