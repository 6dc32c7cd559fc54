// The Server: the listening half of the App (src/app.ts holds registration and the route table).
// It owns what lives while it listens: the EngineSet every loop runs on (chosen once), the accepted
// connections and one timeout sweeper for all of them, the topics of publish(), the open WebSockets
// and SSE streams that close() ends, listen/close over node:net or node:tls (src/listener.ts), and inject().
import type { Server as NetServer, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { App } from './app.js';
import type { TopicBroker } from './broker.js';
import { serverClosed, serverListening } from './cluster/registry.js';
import type { RequestConfig, ServerOptions } from './config.js';
import { headLimitsFrom } from './config.js';
import type { Step } from './hooks.js';
import type { ChunkedDecoder, ChunkedSink } from './http/chunked/decoder.js';
import { destroyOnError } from './http/connection/base.js';
import { Connection } from './http/connection/index.js';
import type { ConnectionHost, HostedConnection } from './http/connection/host.js';
import type { HeadLimits, HeadParser } from './http/head/parser.js';
import { resolveHeadLimits } from './http/head/index.js';
import type { Closable } from './http/stream-types.js';
import type { H2Gateway } from './h2/gateway.js';
import { inject } from './inject.js';
import type { ConnectionInfo } from './lifecycle.js';
import { createListener } from './listener.js';
import type { InjectOptions, InjectResponse } from './inject.js';
import { TopicRegistry } from './pubsub.js';
import type { AnyContext } from './route-registrar.js';
import { EngineSet } from './wasm/engines.js';
import type { EngineKind } from './wasm/instance.js';
import { resolveWebSocketOptions } from './ws/options.js';
import type { ResolvedWebSocketOptions } from './ws/options.js';
import type { UpgradeHost } from './ws/upgrade.js';
import type { WebSocket } from './ws/websocket.js';
import { webSocketRoute } from './websocket-route.js';

export type { PanicHook, RequestErrorHook } from './app.js';

/** close(): how long a connection that has not sent its first byte may take to send a request. */
const FRESH_GRACE_MS = 1000;

/** Server options plus the topic broker (src/broker.ts), which is not configuration. */
export interface ServerInit extends ServerOptions {
  /** Carries publish()/subscribe() beyond this process (cluster, Redis); absent = this process only. */
  broker?: TopicBroker;
}

/** A connection refused over maxConnections is destroyed after this long if the peer keeps it. */
const REFUSE_LINGER_MS = 2_000;

// Not declared `implements ConnectionHost, UpgradeHost`: those members are internal (stripped from
// dist/*.d.ts); `new Connection(socket, this)` and the WebSocket bridge check the shapes.
export class Server extends App {
  /** The engine of every loop this server runs (parsers, decoders, WebSocket codec), chosen once. */
  readonly engines: EngineSet;
  readonly engine: EngineKind;
  /** @internal */
  readonly headLimits: HeadLimits;
  /** server.publish() topics, shared by WebSocket and SSE subscribers. */
  readonly topics = new TopicRegistry();
  /** Open WebSockets: close() starts their closing handshakes (1001 Going Away). */
  readonly webSockets = new Set<WebSocket>();
  /** Open SSE streams: close() ends them. */
  readonly openStreams = new Set<Closable>();
  /** Sockets handed over to WebSocket (or another upgrade): terminated by close(). */
  readonly upgradedSockets = new Set<Socket>();
  /** Functions run when close() starts. */
  readonly closeHooks: (() => void)[] = [];
  readonly #connections = new Set<HostedConnection>();
  #parserLimits: HeadLimits | null = null;
  /**
   * Serves the TLS connections that negotiated "h2" (config.http2), else null. Loaded by listen()
   * when configured: node:http2 costs ≈ 1 MB of live heap, which a server without HTTP/2 should not
   * carry (src/fetch/native.ts explains why live heap costs CPU per message).
   */
  #h2: H2Gateway | null = null;
  #h2Loading: Promise<void> | null = null;
  #net: NetServer | null = null;
  /** Destroys sockets still in their TLS handshake (src/listener.ts). */
  #destroyPending: () => void = () => {};
  #sweeper: NodeJS.Timeout | null = null;
  #closing = false;
  #closed: Promise<void> | null = null;
  /** Set while closing: resolves the wait for the last socket. */
  #drained: (() => void) | null = null;

  constructor(options?: ServerInit) {
    const { broker, ...rest } = options ?? {};
    super(rest);
    this.engines = new EngineSet(this.config.engine);
    this.engine = this.engines.kind;
    this.headLimits = headLimitsFrom(this.config.request);
    if (broker !== undefined) this.topics.useBroker(broker);
  }

  // --- ConnectionHost ------------------------------------------------------------------------------

  /** @internal ConnectionHost */
  get requestConfig(): RequestConfig {
    return this.config.request;
  }

  /** @internal ConnectionHost */
  get highWaterMark(): number {
    return this.config.highWaterMark;
  }

  /** @internal ConnectionHost */
  get closing(): boolean {
    return this.#closing;
  }

  /** @internal ConnectionHost */
  createHeadParser(): HeadParser {
    // Limits validated once, on the first connection, not once per accepted connection.
    return this.engines.headParser(this.#parserLimits ??= resolveHeadLimits(this.headLimits));
  }

  /** @internal ConnectionHost */
  createChunkedDecoder(sink: ChunkedSink): ChunkedDecoder {
    return this.engines.chunkedDecoder(sink);
  }

  /** @internal ConnectionHost */
  connectionClosed(conn: HostedConnection): void {
    this.#connections.delete(conn);
    this.#checkDrained();
  }

  /** @internal ConnectionHost */
  connectionUpgraded(conn: HostedConnection): void {
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

  /** @internal */
  protected webSocketStep(handlers: unknown, options: ResolvedWebSocketOptions): Step<AnyContext> {
    // The route's sockets run on the server's engine unless the route named one (resolved at registration).
    return webSocketRoute(handlers, options, this, options.engine ?? this.engines.kind);
  }

  // --- public API ----------------------------------------------------------------------------------

  /** Send `data` to every subscriber of `topic` (ws.subscribe); returns how many got it (src/pubsub.ts). */
  publish(topic: string, data: string | Buffer | ArrayBufferView, isBinary?: boolean): number {
    return this.topics.publish(topic, data, isBinary);
  }

  /** Start accepting connections; resolves with the bound address. */
  listen(): Promise<{ host: string; port: number }> {
    const http2 = this.config.http2;
    if (http2 === null || this.#h2 !== null) return this.#listen();
    this.#h2Loading ??= import('./h2/gateway.js').then(({ H2Gateway }) => {
      this.#h2 = new H2Gateway(this, http2);
    });
    return this.#h2Loading.then(() => this.#listen());
  }

  #listen(): Promise<{ host: string; port: number }> {
    if (this.#net !== null) return Promise.reject(new Error('wasmlane: already listening'));
    this.resolveSteps();
    const { config } = this;
    const listener = createListener(config, this.lifecycle, this.alpnProtocols(), (socket) => this.#accept(socket));
    const net = listener.server;
    this.#net = net;
    this.#destroyPending = listener.destroyPending;
    return new Promise((resolve, reject) => {
      net.once('error', (error) => {
        this.#net = null; // e.g. EADDRINUSE: listen() may be called again
        reject(error);
      });
      net.listen({ host: config.host, port: config.port, backlog: config.backlog }, () => {
        net.removeAllListeners('error');
        // Accept errors (EMFILE …) must not crash the process: logged when a logger is set.
        net.on('error', (error) => this.lifecycle.acceptError(error));
        this.#startSweeper();
        const address = net.address();
        const bound = address === null || typeof address === 'string'
          ? { host: config.host, port: config.port }
          : { host: address.address, port: address.port };
        serverListening(this, bound.port); // a cluster worker drains and counts it (src/cluster/)
        resolve(bound);
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
    serverClosed(this);
    if (net === null) return (this.#closed = Promise.resolve());
    for (const hook of this.closeHooks) {
      try {
        hook();
      } catch {
        // shutdown goes on
      }
    }
    for (const stream of [...this.openStreams]) stream.close();
    for (const ws of this.webSockets) ws.goAway();
    const netClosed = new Promise<void>((resolve) => net.close(() => resolve()));
    const allGone = new Promise<void>((resolve) => (this.#drained = resolve));
    const done = Promise.all([netClosed, allGone]);
    this.#checkDrained();
    // Idle connections that served requests close now. One that has not started a request yet may have
    // its first request in flight (accepted just before close(), e.g. handed over by the cluster primary,
    // or just past its TLS handshake): it gets a grace of up to 1 s (its response says Connection:
    // close), then closes if still idle.
    let fresh = false;
    for (const conn of this.#connections) {
      if (conn.requestCount > 0) conn.closeIfIdle();
      else fresh = true;
    }
    const grace = fresh ? setTimeout(() => {
      for (const conn of this.#connections) conn.closeIfIdle();
    }, Math.min(FRESH_GRACE_MS, options.timeoutMs ?? 10_000)) : undefined;
    const timer = setTimeout(() => {
      for (const conn of this.#connections) conn.destroy();
      for (const socket of this.upgradedSockets) socket.destroy();
      this.#destroyPending();
    }, options.timeoutMs ?? 10_000);
    this.#closed = done.then(() => {
      clearTimeout(timer);
      clearTimeout(grace);
      if (this.#sweeper !== null) clearInterval(this.#sweeper);
      this.#sweeper = null;
    });
    return this.#closed;
  }

  /** Run a request through the server without a socket (tests, tools). */
  inject(options: InjectOptions): Promise<InjectResponse> {
    return inject(this, options); // routeFor() freezes steps changed since the last request
  }

  /** How many subscribers (WebSockets, SSE streams) `topic` has now. */
  topicSize(topic: string): number {
    return this.topics.subscriberCount(topic);
  }

  /** Open HTTP connections (not counting upgraded ones). */
  get connectionCount(): number {
    return this.#connections.size;
  }

  // --- the seam for other protocols over TLS (HTTP/2) ------------------------------------------------

  /** @internal The ALPN protocols offered on TLS, in order of preference (RFC 7301 §3.1); read at listen(). */
  protected alpnProtocols(): string[] {
    // RFC 9113 §3.2: h2 first, so that clients offering both get HTTP/2.
    return this.#h2 === null ? ['http/1.1'] : [this.#h2.protocol, 'http/1.1'];
  }

  /**
   * @internal A TLS connection that negotiated a protocol other than http/1.1 (after the closing check,
   * maxConnections and onConnection): true when the override took the socket; false serves HTTP/1.1.
   */
  protected acceptAlpn(socket: TLSSocket): boolean {
    if (this.#h2 === null || socket.alpnProtocol !== this.#h2.protocol) return false;
    const session = this.#h2.accept(socket); // an HTTP/2 session (src/h2/session.ts)
    if (session !== null) this.#connections.add(session);
    return true;
  }

  // --- internals -----------------------------------------------------------------------------------

  #accept(socket: Socket): void {
    if (this.#closing) {
      socket.destroy();
      return;
    }
    const max = this.config.maxConnections;
    if (max > 0 && this.#connections.size + this.upgradedSockets.size >= max) return this.#refuse(socket);
    const lifecycle = this.lifecycle;
    if (lifecycle.watchesConnections) {
      const info: ConnectionInfo = {
        id: lifecycle.nextConnectionId(), remoteAddress: socket.remoteAddress, remotePort: socket.remotePort, socket,
      };
      lifecycle.connectionOpened(info);
      // One listener per connection, only with onClose hooks; it also hears upgraded sockets close.
      if (lifecycle.closeHooks.length !== 0) socket.once('close', () => lifecycle.connectionClosed(info));
    }
    const alpn = (socket as TLSSocket).alpnProtocol; // undefined on TCP, false without ALPN
    if (typeof alpn === 'string' && alpn !== 'http/1.1' && this.acceptAlpn(socket as TLSSocket)) return;
    this.#connections.add(new Connection(socket, this));
  }

  /**
   * Over maxConnections: close at once, cleanly — FIN without a response (what a full server that
   * stops accepting looks like to a client, without the RST of destroying a socket whose request
   * bytes are unread): whatever the peer sends is read and dropped, and the socket is destroyed
   * when the peer closes its side, or after 2 s.
   */
  #refuse(socket: Socket): void {
    this.lifecycle.connectionRefused(this.config.maxConnections, socket.remoteAddress);
    socket.on('error', destroyOnError);
    socket.once('end', destroyOnError);
    socket.resume();
    socket.end();
    setTimeout(destroyOnError.bind(socket), REFUSE_LINGER_MS).unref();
  }

  /** The initial delay for SO_KEEPALIVE, or -1 when it is off (config.keepAlive). */
  get #tcpKeepAliveMs(): number {
    return this.config.keepAlive ? this.config.keepAliveInitialDelayMs : -1;
  }

  /** One interval for all deadlines (no timer per request); its period is a quarter of the shortest timeout. */
  #startSweeper(): void {
    const { headTimeoutMs, readTimeoutMs, idleTimeoutMs, requestTimeoutMs } = this.config.request;
    const timeouts = [headTimeoutMs, readTimeoutMs, idleTimeoutMs, requestTimeoutMs];
    timeouts.push(...this.handlerTimeouts()); // includes the server's
    const shortest = Math.min(...timeouts.filter((ms) => ms > 0), 4000);
    const period = Math.max(10, Math.min(1000, Math.floor(shortest / 4)));
    const keepAliveMs = this.#tcpKeepAliveMs;
    this.#sweeper = setInterval(() => {
      const now = Date.now();
      for (const conn of this.#connections) conn.tick(now, keepAliveMs);
    }, period);
    this.#sweeper.unref();
  }
}

// The host interfaces are not in the class's `implements` clause (their members are stripped from the
// published types); this keeps the compile-time check that the Server still provides them.
type Hosts<T extends ConnectionHost & UpgradeHost> = T;
// eslint-disable-next-line @typescript-eslint/no-unused-vars
type ServerIsHost = Hosts<Server>;
