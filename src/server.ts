// The Server: route registration (via RouteRegistrar), hook resolution, request dispatch, the error
// and panic hooks, listen/close over node:net, one timeout sweeper for all connections, inject().
import { createServer } from 'node:net';
import type { Server as NetServer, Socket } from 'node:net';
import * as abi from './abi.js';
import { MAX_TIMER_MS, headLimitsFrom, resolveServerConfig } from './config.js';
import type { RequestConfig, ServerConfig, ServerOptions } from './config.js';
import { Context } from './context.js';
import type { ContextOwner } from './context.js';
import { WasmlaneError } from './errors.js';
import { buildSteps, runChain } from './hooks.js';
import type { HookLevel, Step } from './hooks.js';
import type { ChunkedDecoder, ChunkedSink } from './http/chunked/decoder.js';
import { createChunkedDecoder } from './http/chunked/index.js';
import { Connection } from './http/connection.js';
import type { ConnectionHost } from './http/connection-host.js';
import type { HeadLimits, HeadParser } from './http/head/parser.js';
import { createHeadParser, resolveHeadLimits } from './http/head/index.js';
import { JsHeadParser } from './http/head/js/parser.js';
import { WasmHeadParser } from './http/head/wasm.js';
import type { Request } from './http/request.js';
import type { UpgradeRequest } from './http/stream-types.js';
import { inject } from './inject.js';
import type { InjectOptions, InjectResponse } from './inject.js';
import { RouteRegistrar } from './route-registrar.js';
import type { AnyContext, Handler, RouteOptions, RouteSink } from './route-registrar.js';
import { Router } from './router.js';
import { loadWasm, resolveEngine } from './wasm/instance.js';
import type { EngineKind } from './wasm/instance.js';
import { handleWebSocketUpgrade } from './ws/upgrade.js';
import { topicRegistryFor } from './pubsub.js';
import { resolveWebSocketOptions } from './ws/options.js';

interface RouteRecord {
  readonly method: string;
  readonly pattern: string;
  readonly levels: readonly HookLevel<AnyContext>[];
  readonly handler: Step<AnyContext>;
  readonly maxBodySize: number | undefined;
  /** The route's handlerTimeoutMs, else the server's (0: off). */
  readonly handlerTimeoutMs: number;
  steps: readonly Step<AnyContext>[];
}

export type RequestErrorHook = (error: WasmlaneError, ctx: AnyContext) => void;
export type PanicHook = (ctx: AnyContext, error: unknown) => void;

const NO_PARAMS: Readonly<Record<string, string>> = Object.freeze({});

export class Server extends RouteRegistrar implements ConnectionHost, RouteSink {
  readonly config: ServerConfig;
  readonly engine: EngineKind;
  readonly headLimits: HeadLimits;
  /** Sockets handed over to WebSocket (or another upgrade): terminated by close(). */
  readonly upgradedSockets = new Set<Socket>();
  /** Functions run when close() starts (e.g. the WebSocket layer sends 1001 Going Away). */
  readonly closeHooks: (() => void)[] = [];
  protected readonly prefix = '';
  protected readonly levels: readonly HookLevel<AnyContext>[];
  protected readonly sink: RouteSink = this;
  readonly #router = new Router<RouteRecord>();
  readonly #routes: RouteRecord[] = [];
  /** Methods some route registered by name: an unknown method outside this set is a 501. */
  readonly #methods = new Set<string>();
  readonly #errorHooks: RequestErrorHook[] = [];
  readonly #panicHooks: PanicHook[] = [];
  readonly #connections = new Set<Connection>();
  #dirty = true;
  #makeParser: (() => HeadParser) | null = null;
  #net: NetServer | null = null;
  #sweeper: NodeJS.Timeout | null = null;
  #closing = false;
  #closed: Promise<void> | null = null;
  /** Set while closing: resolves the wait for the last socket. */
  #drained: (() => void) | null = null;

  constructor(options?: ServerOptions) {
    super();
    this.levels = [this.level];
    this.config = resolveServerConfig(options);
    this.engine = resolveEngine(this.config.engine);
    this.headLimits = headLimitsFrom(this.config.request);
  }

  // --- ConnectionHost ------------------------------------------------------------------------------

  get requestConfig(): RequestConfig {
    return this.config.request;
  }

  get highWaterMark(): number {
    return this.config.highWaterMark;
  }

  get closing(): boolean {
    return this.#closing;
  }

  createHeadParser(): HeadParser {
    return (this.#makeParser ??= this.#parserFactory())();
  }

  /** Limits validated and the WASM instance looked up once, not once per accepted connection. */
  #parserFactory(): () => HeadParser {
    const limits = resolveHeadLimits(this.headLimits);
    const engine = this.engine;
    if (engine === 'js') return () => new JsHeadParser(limits);
    const wasm = loadWasm(engine);
    if (wasm === null) return () => createHeadParser(engine, limits); // raises the usual error
    return () => new WasmHeadParser(wasm, limits);
  }

  createChunkedDecoder(sink: ChunkedSink): ChunkedDecoder {
    return createChunkedDecoder(this.engine, sink);
  }

  createContext(request: Request, owner: ContextOwner): Context {
    return new Context(request, owner, NO_PARAMS);
  }

  dispatch(conn: Connection, ctx: Context): void {
    if (this.#dirty) this.#resolveSteps();
    const request = ctx.request;
    const match = this.#router.match(request.method, request.path);
    if (match.kind === 'found') {
      const route = match.value;
      ctx.params = match.params;
      if (!conn.acceptBody(ctx, route.maxBodySize ?? this.config.request.maxBodySize)) return;
      if (route.handlerTimeoutMs > 0) conn.armHandler(route.handlerTimeoutMs);
      runChain(ctx, route.steps, 0);
      return;
    }
    if (request.methodId === abi.METHOD_OTHER && !this.#methods.has(request.method)) {
      // RFC 9110 §15.6.2: a method no route could ever serve is not implemented here.
      conn.respondError(ctx, new WasmlaneError('WL_NOT_IMPLEMENTED', request.method));
    } else if (match.kind === 'method-not-allowed') {
      // RFC 9110 §15.5.6: 405 carries Allow.
      conn.respondError(ctx, new WasmlaneError('WL_METHOD_NOT_ALLOWED'), match.allow.join(', '));
    } else {
      conn.respondError(ctx, new WasmlaneError('WL_NOT_FOUND'));
    }
  }

  fillError(ctx: Context, error: WasmlaneError, allow?: string): void {
    ctx.resetForError();
    ctx.response.status = error.status ?? 500;
    if (allow !== undefined) ctx.response.setTrusted('allow', allow, false);
    for (const hook of this.#errorHooks) {
      try {
        hook(error, ctx);
      } catch {
        // a failing error hook leaves the default answer in place
      }
    }
    if (!ctx.sent) ctx.send(`${error.message}\n`);
  }

  fillPanic(ctx: Context, error: unknown): void {
    ctx.resetForError();
    ctx.response.status = 500;
    this.reportPanic(ctx, error);
    if (!ctx.sent) ctx.send('Internal Server Error\n');
  }

  reportPanic(ctx: Context, error: unknown): void {
    if (this.#panicHooks.length === 0) console.error('wasmlane: handler failed:', error);
    for (const hook of this.#panicHooks) {
      try {
        hook(ctx, error);
      } catch {
        // ignore: a failing hook must not hide the original failure (and the default 500 still goes out)
      }
    }
  }

  connectionClosed(conn: Connection): void {
    this.#connections.delete(conn);
    this.#checkDrained();
  }

  connectionUpgraded(conn: Connection): void {
    this.#connections.delete(conn);
    const socket = conn.socket;
    conn.enableTcpKeepAlive(this.#tcpKeepAliveMs); // upgraded sockets leave the sweeper
    this.upgradedSockets.add(socket);
    socket.once('close', () => {
      this.upgradedSockets.delete(socket);
      this.#checkDrained();
    });
  }

  #checkDrained(): void {
    if (this.#drained !== null && this.#connections.size === 0 && this.upgradedSockets.size === 0) this.#drained();
  }

  // --- RouteSink -----------------------------------------------------------------------------------

  addRoute(method: string, pattern: string, handler: Handler, options: RouteOptions | undefined,
    levels: readonly HookLevel<AnyContext>[]): void {
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
    const record: RouteRecord = { method, pattern, levels: [...levels, own], handler, maxBodySize: limit, handlerTimeoutMs, steps: [] };
    this.#router.add(method, pattern, record);
    this.#routes.push(record);
    if (method !== '*') this.#methods.add(method);
    this.#dirty = true;
  }

  addWebSocket(pattern: string, handlers: unknown, options: unknown, levels: readonly HookLevel<AnyContext>[]): void {
    const resolved = resolveWebSocketOptions(options); // invalid options throw here, at registration
    this.addRoute('GET', pattern, (ctx: AnyContext) => this.#upgrade(ctx, handlers, resolved), undefined, levels);
  }

  hooksChanged(): void {
    this.#dirty = true;
  }

  // --- public API ----------------------------------------------------------------------------------

  /** fn(err, ctx) may set status, fields and body of an error response (404, 405, 413, parse errors …). */
  onRequestError(fn: RequestErrorHook): this {
    this.#errorHooks.push(fn);
    return this;
  }

  /** fn(ctx, error) when a middleware or handler throws or rejects; 500 unless fn sends something. */
  onPanic(fn: PanicHook): this {
    this.#panicHooks.push(fn);
    return this;
  }

  /** Send `data` to every subscriber of `topic` (ws.subscribe); returns how many got it (src/pubsub.ts). */
  publish(topic: string, data: string | Buffer | ArrayBufferView, isBinary?: boolean): number {
    return topicRegistryFor(this).publish(topic, data, isBinary);
  }

  /** Start accepting connections; resolves with the bound address. */
  listen(): Promise<{ host: string; port: number }> {
    if (this.#net !== null) return Promise.reject(new Error('wasmlane: already listening'));
    this.#resolveSteps();
    const { config } = this;
    const net = createServer({
      allowHalfOpen: true, // a client may half-close after its request and still read the response
      noDelay: config.nodelay,
      // SO_KEEPALIVE is set by the sweeper on connections that outlive one period (and on upgrade),
      // not at accept: its setsockopt calls cost ~3 µs per connection, which a one-request
      // connection never benefits from (probes start only after keepAliveInitialDelayMs idle).
      keepAlive: false,
    }, (socket) => this.#accept(socket));
    this.#net = net;
    return new Promise((resolve, reject) => {
      net.once('error', (error) => {
        this.#net = null; // e.g. EADDRINUSE: listen() may be called again
        reject(error);
      });
      net.listen({ host: config.host, port: config.port, backlog: config.backlog }, () => {
        net.removeAllListeners('error');
        net.on('error', () => {}); // accept errors (EMFILE …) must not crash the process
        this.#startSweeper();
        const address = net.address();
        if (address === null || typeof address === 'string') return resolve({ host: config.host, port: config.port });
        resolve({ host: address.address, port: address.port });
      });
    });
  }

  /**
   * Graceful shutdown: stop accepting, close idle keep-alive connections now, let in-flight requests
   * finish (their responses say Connection: close), destroy what remains after timeoutMs.
   */
  close(options: { timeoutMs?: number } = {}): Promise<void> {
    if (this.#closed !== null) return this.#closed;
    const net = this.#net;
    this.#closing = true;
    if (net === null) return (this.#closed = Promise.resolve());
    for (const hook of this.closeHooks) {
      try {
        hook();
      } catch {
        // shutdown goes on
      }
    }
    const netClosed = new Promise<void>((resolve) => net.close(() => resolve()));
    const allGone = new Promise<void>((resolve) => (this.#drained = resolve));
    const done = Promise.all([netClosed, allGone]);
    this.#checkDrained();
    for (const conn of this.#connections) conn.closeIfIdle();
    const timer = setTimeout(() => {
      for (const conn of this.#connections) conn.destroy();
      for (const socket of this.upgradedSockets) socket.destroy();
    }, options.timeoutMs ?? 10_000);
    this.#closed = done.then(() => {
      clearTimeout(timer);
      if (this.#sweeper !== null) clearInterval(this.#sweeper);
      this.#sweeper = null;
    });
    return this.#closed;
  }

  /** Run a request through the server without a socket (tests, tools). */
  inject(options: InjectOptions): Promise<InjectResponse> {
    if (this.#dirty) this.#resolveSteps();
    return inject(this, options);
  }

  /** Open HTTP connections (not counting upgraded ones). */
  get connectionCount(): number {
    return this.#connections.size;
  }

  // --- internals -----------------------------------------------------------------------------------

  #accept(socket: Socket): void {
    if (this.#closing) {
      socket.destroy();
      return;
    }
    this.#connections.add(new Connection(socket, this));
  }

  /** Freeze every route's steps (server → groups → route hooks around the handler). */
  #resolveSteps(): void {
    for (const route of this.#routes) route.steps = buildSteps(route.levels, route.handler);
    this.#dirty = false;
  }

  /** The initial delay for SO_KEEPALIVE, or -1 when it is off (config.keepAlive). */
  get #tcpKeepAliveMs(): number {
    return this.config.keepAlive ? this.config.keepAliveInitialDelayMs : -1;
  }

  /** One interval for all deadlines (no timer per request); its period is a quarter of the shortest timeout. */
  #startSweeper(): void {
    const { headTimeoutMs, readTimeoutMs, idleTimeoutMs, requestTimeoutMs } = this.config.request;
    const timeouts = [headTimeoutMs, readTimeoutMs, idleTimeoutMs, requestTimeoutMs];
    for (const route of this.#routes) timeouts.push(route.handlerTimeoutMs); // includes the server's
    const shortest = Math.min(...timeouts.filter((ms) => ms > 0), 4000);
    const period = Math.max(10, Math.min(1000, Math.floor(shortest / 4)));
    const keepAliveMs = this.#tcpKeepAliveMs;
    this.#sweeper = setInterval(() => {
      const now = Date.now();
      for (const conn of this.#connections) conn.tick(now, keepAliveMs);
    }, period);
    this.#sweeper.unref();
  }

  #upgrade(ctx: AnyContext, handlers: unknown, options: unknown): void {
    const request = ctx.request;
    const flags = request.flags;
    if ((flags & abi.F_CONN_UPGRADE) === 0 || (flags & abi.F_UPGRADE) === 0) {
      // RFC 9110 §15.5.22: 426 names the protocol to switch to, with Connection: upgrade (§7.8).
      ctx.status(426).header('upgrade', 'websocket').header('connection', 'upgrade').send('Upgrade Required\n');
      return;
    }
    const conn = ctx.owner as Connection;
    const socket = conn.socket;
    const paused = conn.wasPaused;
    const head = conn.detachForUpgrade();
    const upgradeRequest: UpgradeRequest = {
      method: request.method,
      path: request.path,
      query: request.query,
      version: request.versionNumber,
      header: (name: string) => request.header(name),
      headers: request.headers,
      params: ctx.params,
      remoteAddress: request.remoteAddress,
    };
    try {
      handleWebSocketUpgrade(upgradeRequest, socket, head, handlers, options, this, this.engine);
    } catch {
      socket.destroy();
    }
    if (paused) socket.resume();
  }
}
