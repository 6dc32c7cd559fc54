// The App: registration. Routes, groups, middleware and error hooks go into a route table whose hook
// phases are frozen at registration (fastify's buildHooks): per request, phaseFor() hands back the
// pre-routing and response middleware of the path (src/phases.ts) and routeFor() only matches and
// hands back the route record with its frozen steps and limits (or the error answer). The listening half
// (sockets, sweeper, shutdown, WebSocket bridge) is the Server (src/server.ts), which extends this.
import * as abi from './abi.js';
import { ErrorAnswers } from './answers.js';
import type { PanicHook, RequestErrorHook } from './answers.js';
import { MAX_TIMER_MS, resolveServerConfig } from './config.js';
import type { ServerConfig, ServerOptions } from './config.js';
import type { Context, Params } from './context.js';
import { WasmlaneError } from './errors.js';
import { buildSteps } from './hooks.js';
import type { HookLevel, Step } from './hooks.js';
import type { RouteRecord, Routed } from './http/connection/host.js';
import type { Request } from './http/request.js';
import { Lifecycle } from './lifecycle.js';
import type { ConnectionHook, ResponseHook } from './lifecycle.js';
import { PhaseTable } from './phases.js';
import type { Phase } from './phases.js';
import { RouteRegistrar } from './route-registrar.js';
import type { AnyContext, Handler, RouteOptions, RouteSink } from './route-registrar.js';
import { Router } from './router.js';
import { resolveWebSocketOptions } from './ws/options.js';
import type { ResolvedWebSocketOptions } from './ws/options.js';

export type { PanicHook, RequestErrorHook } from './answers.js';

/** A route as registered; its steps are (re)built when hooks change. */
interface Registered extends RouteRecord {
  readonly own: HookLevel<AnyContext>;
  readonly handler: Step<AnyContext>;
  readonly websocket: boolean;
  steps: readonly Step<AnyContext>[];
}

/** One entry of server.routes(). */
export interface RouteInfo {
  /** 'GET', 'POST' …, '*' for route() (any method). A WebSocket route is 'GET' with websocket true. */
  readonly method: string;
  /** The full pattern (group prefixes joined). */
  readonly pattern: string;
  readonly websocket: boolean;
  readonly maxBodySize: number;
  readonly handlerTimeoutMs: number;
  /** How many route-level request / response middleware the route has (server and group ones apart). */
  readonly requestMiddleware: number;
  readonly responseMiddleware: number;
}

/** routeFor()'s answer, refilled per call (no allocation per request). */
interface RoutedSlot {
  route: RouteRecord | null;
  params: Params;
  error: WasmlaneError | null;
  allow: string | undefined;
}

const NO_PARAMS: Params = Object.freeze({});

// Not declared `implements RouteSink`: its members are internal (stripped from dist/*.d.ts); the
// registrar's `sink` field checks the shape.
export abstract class App extends RouteRegistrar {
  readonly config: ServerConfig;
  /** @internal onRequestError / onPanic hooks and the default error answers. */
  readonly answers = new ErrorAnswers();
  /** @internal onResponse / onConnection / onClose hooks and the logger. */
  readonly lifecycle: Lifecycle;
  protected readonly prefix = '';
  protected readonly levels: readonly HookLevel<AnyContext>[];
  protected readonly sink: RouteSink = this;
  readonly #router = new Router<Registered>();
  readonly #routes: Registered[] = [];
  readonly #groups: { prefix: string; level: HookLevel<AnyContext> }[] = [];
  #phases: PhaseTable | null = null;
  #maxBodySize = 0;
  /** Methods some route registered by name: an unknown method outside this set is a 501. */
  readonly #methods = new Set<string>();
  readonly #routed: RoutedSlot = { route: null, params: NO_PARAMS, error: null, allow: undefined };
  #dirty = true;

  constructor(options?: ServerOptions) {
    super();
    this.levels = [this.level];
    this.config = resolveServerConfig(options);
    this.lifecycle = new Lifecycle(this.config.logger);
    this.answers.logger = this.config.logger;
  }

  /** @internal The step a WebSocket route runs (the Server bridges it to its sockets, engines and topics). */
  protected abstract webSocketStep(handlers: unknown, options: ResolvedWebSocketOptions): Step<AnyContext>;

  /** @internal The hook phase of `request`'s path: pre-routing request middleware and response middleware. */
  phaseFor(request: Request): Phase {
    if (this.#dirty) this.resolveSteps();
    return this.#phases!.forPath(request.path); // the root phase at once when no group has middleware
  }

  /** @internal The largest body any route accepts: the bound while pre-routing middleware runs. */
  get maxBodySizeAny(): number {
    return this.#maxBodySize;
  }

  /** Requests that reached routing (cluster workers report it in their stats). */
  requestsRouted = 0;

  /** @internal Match `request`: its route and params, or the error to answer with (404, 405 + Allow, 501). */
  routeFor(request: Request): Routed {
    this.requestsRouted++;
    if (this.#dirty) this.resolveSteps();
    const out = this.#routed;
    const match = this.#router.match(request.method, request.path);
    if (match.kind === 'found') {
      out.route = match.value;
      out.params = match.params;
      out.error = null;
      out.allow = undefined;
      return out;
    }
    out.route = null;
    out.params = NO_PARAMS;
    out.allow = undefined;
    if (request.methodId === abi.METHOD_OTHER && !this.#methods.has(request.method)) {
      // RFC 9110 §15.6.2: a method no route could ever serve is not implemented here.
      out.error = new WasmlaneError('WL_NOT_IMPLEMENTED', request.method);
    } else if (match.kind === 'method-not-allowed') {
      // RFC 9110 §15.5.6: 405 carries Allow.
      out.error = new WasmlaneError('WL_METHOD_NOT_ALLOWED');
      out.allow = match.allow.join(', ');
    } else {
      out.error = new WasmlaneError('WL_NOT_FOUND');
    }
    return out;
  }

  // --- RouteSink -----------------------------------------------------------------------------------

  /** @internal RouteSink */
  addRoute(method: string, pattern: string, handler: Handler, options: RouteOptions | undefined,
    levels: readonly HookLevel<AnyContext>[]): void {
    this.#addRoute(method, pattern, handler, options, false);
  }

  #addRoute(method: string, pattern: string, handler: Handler, options: RouteOptions | undefined, websocket: boolean): void {
    const own: HookLevel<AnyContext> = {
      request: [...(options?.requestMiddleware ?? [])],
      response: [...(options?.responseMiddleware ?? [])],
    };
    const limit = options?.maxBodySize;
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) {
      throw new WasmlaneError('WL_INVALID_CONFIG', `maxBodySize of ${method} ${pattern} must be a non-negative integer`);
    }
    const handlerTimeoutMs = options?.handlerTimeoutMs ?? this.config.request.handlerTimeoutMs;
    if (!Number.isInteger(handlerTimeoutMs) || handlerTimeoutMs < 0 || handlerTimeoutMs > MAX_TIMER_MS) {
      throw new WasmlaneError('WL_INVALID_CONFIG', `handlerTimeoutMs of ${method} ${pattern} must be an integer in 0..${MAX_TIMER_MS} (0 = off)`);
    }
    const record: Registered = {
      method, pattern, own, handler, websocket,
      maxBodySize: limit ?? this.config.request.maxBodySize, handlerTimeoutMs, steps: [],
      response: { own: Object.freeze([...own.response]), byPhase: new Map() },
    };
    this.#router.add(method, pattern, record);
    this.#routes.push(record);
    if (method !== '*') this.#methods.add(method);
    this.#dirty = true;
  }

  /** @internal RouteSink */
  addWebSocket(pattern: string, handlers: unknown, options: unknown, _levels: readonly HookLevel<AnyContext>[]): void {
    const resolved = resolveWebSocketOptions(options); // invalid options throw here, at registration
    this.#addRoute('GET', pattern, this.webSocketStep(handlers, resolved), undefined, true);
  }

  /** @internal RouteSink */
  addGroup(prefix: string, level: HookLevel<AnyContext>): void {
    this.#groups.push({ prefix, level });
    this.#dirty = true;
  }

  /** @internal RouteSink */
  hooksChanged(): void {
    this.#dirty = true;
  }

  // --- public API ----------------------------------------------------------------------------------

  /** The registered routes in registration order (group prefixes joined into the pattern). */
  routes(): RouteInfo[] {
    return this.#routes.map((r) => Object.freeze({
      method: r.method, pattern: r.pattern, websocket: r.websocket,
      maxBodySize: r.maxBodySize, handlerTimeoutMs: r.handlerTimeoutMs,
      requestMiddleware: r.own.request.length, responseMiddleware: r.own.response.length,
    }));
  }

  /** fn(ctx, { status, bytes, durationMs, requestId, error }) once a response is written (access
   *  logs, metrics). A throw is logged, never affects the connection. */
  onResponse(fn: ResponseHook<Context<any>>): this {
    this.lifecycle.addResponseHook(fn);
    return this;
  }

  /** fn({ id, remoteAddress, remotePort, socket }) when a connection is accepted. */
  onConnection(fn: ConnectionHook): this {
    this.lifecycle.connectionHooks.push(fn);
    return this;
  }

  /** fn(info) when an accepted connection closes (also an upgraded WebSocket's), with the
   *  onConnection info. Per connection: the server's own shutdown is server.close(). */
  onClose(fn: ConnectionHook): this {
    this.lifecycle.closeHooks.push(fn);
    return this;
  }

  /** fn(err, ctx) may set status, fields and body of an error response (404, 405, 413, parse errors …). */
  onRequestError(fn: RequestErrorHook): this {
    this.answers.errorHooks.push(fn);
    return this;
  }

  /** fn(ctx, error) when a middleware or handler throws or rejects; 500 unless fn sends something. */
  onPanic(fn: PanicHook): this {
    this.answers.panicHooks.push(fn);
    return this;
  }

  // --- for the Server ------------------------------------------------------------------------------

  /** @internal Freeze every route's steps and the pre-routing / response phases (src/phases.ts). */
  protected resolveSteps(): void {
    let max = this.config.request.maxBodySize;
    for (const route of this.#routes) {
      route.steps = buildSteps(route.own, route.handler);
      route.response.byPhase.clear();
      if (route.maxBodySize > max) max = route.maxBodySize;
    }
    this.#maxBodySize = max;
    this.#phases = new PhaseTable(this.level, this.#groups);
    this.#dirty = false;
  }

  /** @internal Every route's handlerTimeoutMs (the sweeper's period follows the shortest timeout). */
  protected handlerTimeouts(): number[] {
    return this.#routes.map((route) => route.handlerTimeoutMs);
  }
}
