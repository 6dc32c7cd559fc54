// Route registration shared by Server and its groups: get/post/…/route, group(prefix), middleware
// per level, ws(). A group only records its prefix and its own hook level; the steps of each route
// (server hooks → group hooks → route hooks around the handler) are resolved by the server at
// listen/first request and re-resolved only when hooks change.
import type { Context, Params } from './context.js';
import type { HookLevel, Middleware } from './hooks.js';
import { joinPaths } from './router.js';
import type { JoinPattern, RouteParams } from './router.js';
import type { WebSocketOptions } from './ws/options.js';
import type { WebSocketHandlers } from './ws/websocket.js';

export type AnyContext = Context<any>;
export type Handler<C = AnyContext> = (ctx: C) => unknown;

/**
 * Options of one route. `P` is the route's params type (inferred from its pattern), so route-level
 * middleware sees `ctx.params` typed like the handler does.
 */
export interface RouteOptions<P extends Params = Params> {
  /** Body limit for this route (bytes), overriding request.maxBodySize → 413 above it. */
  maxBodySize?: number;
  /** Time this route's middleware and handler have to start a response (ms), overriding
   *  request.handlerTimeoutMs → 503 WL_HANDLER_TIMEOUT and close; 0 = off for this route. */
  handlerTimeoutMs?: number;
  /** Middleware run before the handler, after the server's and the groups'. */
  requestMiddleware?: Middleware<Context<P>>[];
  /** Middleware run after the handler, after the server's and the groups'. */
  responseMiddleware?: Middleware<Context<P>>[];
}

/**
 * A battery's middleware (cors(), compress() …): the same shape as the middleware part of
 * RouteOptions, so one value serves `server.use(x)`, `group.use(x)` and `{ ...x }` in route options.
 */
export interface MiddlewarePlugin {
  requestMiddleware?: Middleware<AnyContext>[];
  responseMiddleware?: Middleware<AnyContext>[];
}

/** Where registrations go (the Server). */
export interface RouteSink {
  addRoute(method: string, pattern: string, handler: Handler, options: RouteOptions<any> | undefined, levels: readonly HookLevel<AnyContext>[]): void;
  addWebSocket(pattern: string, handlers: unknown, options: WebSocketOptions | undefined, levels: readonly HookLevel<AnyContext>[]): void;
  /** A group was created (its middleware runs before routing for paths under its prefix). */
  addGroup(prefix: string, level: HookLevel<AnyContext>): void;
  hooksChanged(): void;
}

/** A handler of pattern `P` (the full pattern, group prefixes included). */
export type RouteHandler<P extends string> = (ctx: Context<RouteParams<P>>) => unknown;

/**
 * The context server and group middleware see: `Params`, not the params of a pattern. Such middleware
 * serves many routes, and with hook phases (issue 9) its request middleware runs before routing, and
 * its response middleware also on 404s, where ctx.params is empty — so even a group prefix's params
 * are not promised there (`noUncheckedIndexedAccess` makes each lookup `string | undefined`).
 * Route-level middleware (RouteOptions) runs after the match and sees the route's params.
 */
export type LevelContext = Context<Params>;

/**
 * Registration methods shared by the Server and its groups. `Prefix` is the group's prefix pattern
 * ('' for the server): its routes' handlers and route-level middleware see the params it names
 * besides their own.
 */
export abstract class RouteRegistrar<Prefix extends string = ''> {
  /** @internal This level's own hooks. */
  protected readonly level: HookLevel<AnyContext> = { request: [], response: [] };
  /** @internal */
  protected abstract readonly prefix: string;
  /** @internal Hook levels from the server down to this one (inclusive). */
  protected abstract readonly levels: readonly HookLevel<AnyContext>[];
  /** @internal */
  protected abstract readonly sink: RouteSink;

  get<P extends string>(pattern: P, handler: RouteHandler<JoinPattern<Prefix, P>>, options?: RouteOptions<RouteParams<JoinPattern<Prefix, P>>>): this {
    return this.#add('GET', pattern, handler, options);
  }

  post<P extends string>(pattern: P, handler: RouteHandler<JoinPattern<Prefix, P>>, options?: RouteOptions<RouteParams<JoinPattern<Prefix, P>>>): this {
    return this.#add('POST', pattern, handler, options);
  }

  put<P extends string>(pattern: P, handler: RouteHandler<JoinPattern<Prefix, P>>, options?: RouteOptions<RouteParams<JoinPattern<Prefix, P>>>): this {
    return this.#add('PUT', pattern, handler, options);
  }

  patch<P extends string>(pattern: P, handler: RouteHandler<JoinPattern<Prefix, P>>, options?: RouteOptions<RouteParams<JoinPattern<Prefix, P>>>): this {
    return this.#add('PATCH', pattern, handler, options);
  }

  delete<P extends string>(pattern: P, handler: RouteHandler<JoinPattern<Prefix, P>>, options?: RouteOptions<RouteParams<JoinPattern<Prefix, P>>>): this {
    return this.#add('DELETE', pattern, handler, options);
  }

  head<P extends string>(pattern: P, handler: RouteHandler<JoinPattern<Prefix, P>>, options?: RouteOptions<RouteParams<JoinPattern<Prefix, P>>>): this {
    return this.#add('HEAD', pattern, handler, options);
  }

  options<P extends string>(pattern: P, handler: RouteHandler<JoinPattern<Prefix, P>>, options?: RouteOptions<RouteParams<JoinPattern<Prefix, P>>>): this {
    return this.#add('OPTIONS', pattern, handler, options);
  }

  /** A route for any method (or for one extension method: `on('PROPFIND', …)`). */
  route<P extends string>(pattern: P, handler: RouteHandler<JoinPattern<Prefix, P>>, options?: RouteOptions<RouteParams<JoinPattern<Prefix, P>>>): this {
    return this.#add('*', pattern, handler, options);
  }

  /** A route for one method given by name (e.g. an extension method, RFC 9110 §9.1). */
  on<P extends string>(
    method: string, pattern: P, handler: RouteHandler<JoinPattern<Prefix, P>>, options?: RouteOptions<RouteParams<JoinPattern<Prefix, P>>>,
  ): this {
    return this.#add(method, pattern, handler, options);
  }

  /** Routes under a common prefix with their own middleware: its request middleware runs before
   *  routing for every path under the prefix (registered or not), its response middleware on every
   *  response to such a path. */
  group<G extends string>(prefix: G, define: (group: RouteGroup<JoinPattern<Prefix, G>>) => void): this {
    define(new RouteGroup<JoinPattern<Prefix, G>>(this.sink, joinPaths(this.prefix, prefix), this.levels));
    return this;
  }

  /** fn(ctx) → Status | void | Promise: runs before the handler; Status.Reject answers now with what
   *  ctx holds. Server and group level: before routing (also for paths that will 404/405/501). */
  requestMiddleware(fn: Middleware<LevelContext>): this {
    this.level.request.push(fn as Middleware<AnyContext>);
    this.sink.hooksChanged();
    return this;
  }

  /** fn(ctx) → Status | void | Promise: runs for every response (handler, Reject, error answers,
   *  panics, timeouts; ctx.error says why the server answered) before it is written. A throw is
   *  contained: the response still goes out and the error goes to onPanic / the logger. */
  responseMiddleware(fn: Middleware<LevelContext>): this {
    this.level.response.push(fn as Middleware<AnyContext>);
    this.sink.hooksChanged();
    return this;
  }

  /** Register a battery's request and response middleware at this level, in that order. */
  use(plugin: MiddlewarePlugin): this {
    for (const fn of plugin.requestMiddleware ?? []) this.requestMiddleware(fn);
    for (const fn of plugin.responseMiddleware ?? []) this.responseMiddleware(fn);
    return this;
  }

  /**
   * A WebSocket route (GET + Upgrade: websocket); a plain GET to it is answered 426. `ws.data` is typed
   * from what `upgrade` returns as `{ data }`; `options` are checked at registration too (an unknown
   * key or a bad value throws WL_INVALID_CONFIG).
   */
  ws<P extends string, D = unknown>(
    pattern: P, handlers: WebSocketHandlers<D, RouteParams<JoinPattern<Prefix, P>>>, options?: WebSocketOptions,
  ): this {
    this.sink.addWebSocket(joinPaths(this.prefix, pattern), handlers, options, this.levels);
    return this;
  }

  #add(method: string, pattern: string, handler: Handler<any>, options: RouteOptions<any> | undefined): this {
    if (typeof handler !== 'function') throw new TypeError(`wasmlane: handler for ${method} ${pattern} is not a function`);
    this.sink.addRoute(method, this.prefix === '' ? pattern : joinPaths(this.prefix, pattern), handler, options, this.levels);
    return this;
  }
}

/** A group of routes under a prefix (server.group(prefix, (group) => …)); `Prefix` types its params. */
export class RouteGroup<Prefix extends string = string> extends RouteRegistrar<Prefix> {
  /** @internal */
  protected readonly prefix: string;
  /** @internal */
  protected readonly levels: readonly HookLevel<AnyContext>[];
  /** @internal */
  protected readonly sink: RouteSink;

  constructor(sink: RouteSink, prefix: string, parentLevels: readonly HookLevel<AnyContext>[]) {
    super();
    this.sink = sink;
    this.prefix = prefix;
    this.levels = [...parentLevels, this.level];
    sink.addGroup(prefix, this.level);
  }
}
