// One HTTP/2 connection: a TLS socket that negotiated "h2" (ALPN, RFC 7301), served by a node:http2
// session (nghttp2: framing, HPACK, flow control, stream states), whose streams are served by
// H2Exchanges (exchange.ts) through the server's own route table.
//
// To the server it is one connection like an HTTP/1.1 one (HostedConnection): counted by
// maxConnections and connectionCount, ticked by the sweeper (each open stream's deadlines, then the
// connection's idle time), closed gracefully by server.close(), destroyed at its timeout.
// HTTP/1.1's per-connection rules map onto it: headTimeoutMs bounds a fresh connection that sends no
// request, idleTimeoutMs one with no open stream; maxRequestsPerConnection streams, then it ends.
//
// Ending a connection (server.close(), ctx.closeAfter(), maxRequestsPerConnection) drains it, the way
// an HTTP/1.1 connection answers what it is serving with Connection: close: the streams in flight
// finish, a stream opened meanwhile is refused with RST_STREAM(REFUSED_STREAM) (RFC 9113 §8.7: not
// processed, safe to retry), and GOAWAY(NO_ERROR) (RFC 9113 §6.8) goes out once none is open — not
// before, because clients such as undici 7 fail every request in flight on any GOAWAY.
import type { Socket } from 'node:net';
import { constants, performServerHandshake } from 'node:http2';
import type { IncomingHttpHeaders, ServerHttp2Session, ServerHttp2Stream, ServerOptions } from 'node:http2';
import type { ConnectionHost, HostedConnection } from '../http/connection/host.js';
import type { HeadParser } from '../http/head/parser.js';
import { H2Exchange } from './exchange.js';
import type { StreamSession } from './exchange.js';

const { NGHTTP2_FLAG_END_STREAM, NGHTTP2_REFUSED_STREAM } = constants;

/** The session property that leads a shared listener back to its H2Session. */
const SESSION = Symbol('wasmlane.h2.session');
type Linked = { [SESSION]: H2Session };

function onStream(this: ServerHttp2Session, stream: ServerHttp2Stream, _headers: IncomingHttpHeaders, flags: number,
  raw: string[]): void {
  (this as unknown as Linked)[SESSION].stream(stream, flags, raw);
}

function onSessionClose(this: ServerHttp2Session): void {
  (this as unknown as Linked)[SESSION].closed();
}

function onSessionError(this: ServerHttp2Session, error: Error): void {
  // A protocol error of the peer or a failed socket: the session is destroyed next ('close').
  (this as unknown as Linked)[SESSION].host.lifecycle.socketError(error);
}

function ignore(): void {}

/** Idle deadline states (#idleAt): off, or armed and not stamped yet; > 0 is an absolute time. */
const OFF = -1;
const UNSTAMPED = 0;
/** After GOAWAY with no stream open, how long the peer may keep the socket before we destroy it
 *  (node:http2 ends our side and waits for the peer's; as HTTP/1.1's linger, src/http/connection/base.ts). */
const LINGER_MS = 2_000;

export class H2Session implements HostedConnection, StreamSession {
  readonly socket: Socket;
  readonly host: ConnectionHost;
  readonly parser: HeadParser;
  readonly #session: ServerHttp2Session;
  readonly #exchanges = new Set<H2Exchange>();
  /** Streams started on this connection. */
  #streams = 0;
  #connectionId = 0;
  #remote: string | undefined | null = null;
  #tcpKeepAlive = false;
  /** Ending: no new stream is served; GOAWAY once none is open. */
  #draining = false;
  #goingAway = false;
  #idleMs = 0;
  #idleAt = OFF;

  constructor(socket: Socket, host: ConnectionHost, options: ServerOptions) {
    this.socket = socket;
    this.host = host;
    // The listener keeps half-open sockets for HTTP/1.1 (a client may half-close after its request);
    // HTTP/2 has no use for them: a peer that ended its side can send no WINDOW_UPDATE, SETTINGS ACK
    // or stream any more, and node:http2 only notices a peer gone when the socket closes. So its FIN
    // ends our side too, as on node:http2's own servers (allowHalfOpen false).
    socket.allowHalfOpen = false;
    this.parser = host.createHeadParser();
    const session = performServerHandshake(socket, options);
    this.#session = session;
    (session as unknown as Linked)[SESSION] = this;
    session.on('stream', onStream);
    session.on('close', onSessionClose);
    session.on('error', onSessionError);
    // As on HTTP/1.1 (T_IDLE at accept): a connection must start a request within headTimeoutMs.
    this.#armIdle(host.requestConfig.headTimeoutMs);
  }

  get remoteAddress(): string | undefined {
    if (this.#remote === null) this.#remote = this.socket.remoteAddress;
    return this.#remote;
  }

  get remotePort(): number | undefined {
    return this.socket.remotePort;
  }

  /** Streams started on this connection (HostedConnection). */
  get requestCount(): number {
    return this.#streams;
  }

  /** Streams open now. */
  get openStreams(): number {
    return this.#exchanges.size;
  }

  connectionNumber(): number {
    if (this.#connectionId === 0) this.#connectionId = this.host.lifecycle.nextConnectionId();
    return this.#connectionId;
  }

  /** A new stream (its HEADERS arrived): serve it. */
  stream(stream: ServerHttp2Stream, flags: number, raw: readonly string[]): void {
    if (this.#draining) {
      // A reset with an error code makes the stream emit 'error': heard here, never thrown.
      stream.on('error', ignore);
      stream.close(NGHTTP2_REFUSED_STREAM);
      return;
    }
    const seq = ++this.#streams;
    const max = this.host.requestConfig.maxRequestsPerConnection;
    if (max > 0 && seq >= max) this.#draining = true; // this one is served, no more after it
    const exchange = new H2Exchange(this, stream, seq);
    this.#exchanges.add(exchange);
    this.#idleAt = OFF;
    try {
      exchange.start(raw, (flags & NGHTTP2_FLAG_END_STREAM) !== 0);
    } catch (error) {
      this.host.lifecycle.failed('HTTP/2 stream failed', error); // a bug costs the stream, never the process
      exchange.abort();
    }
  }

  exchangeClosed(exchange: H2Exchange): void {
    this.#exchanges.delete(exchange);
    if (this.#exchanges.size !== 0) return;
    if (this.#draining) this.#goAway();
    else this.#armIdle(this.host.requestConfig.idleTimeoutMs);
  }

  /** End the connection once the streams in flight are done (new ones are refused meanwhile). */
  drain(): void {
    this.#draining = true;
    if (this.#exchanges.size === 0) this.#goAway();
  }

  /** GOAWAY (NO_ERROR): node:http2 closes the session, our side of the socket first. */
  #goAway(): void {
    if (this.#goingAway) return;
    this.#goingAway = true;
    if (!this.#session.closed && !this.#session.destroyed) this.#session.close();
    this.#armIdle(LINGER_MS);
  }

  /** The session is over (node:http2 emits 'close' once the socket closed). */
  closed(): void {
    this.#idleAt = OFF;
    this.host.connectionClosed(this);
  }

  #armIdle(ms: number): void {
    this.#idleMs = ms;
    this.#idleAt = ms > 0 ? UNSTAMPED : OFF;
  }

  // --- HostedConnection ----------------------------------------------------------------------------

  enableTcpKeepAlive(delayMs: number): void {
    if (delayMs < 0 || this.#tcpKeepAlive) return;
    this.#tcpKeepAlive = true;
    this.socket.setKeepAlive(true, delayMs);
  }

  /** Sweeper tick: SO_KEEPALIVE once, each stream's deadlines, then the connection's idle time. */
  tick(now: number, keepAliveDelayMs = -1): void {
    if (!this.#tcpKeepAlive) this.enableTcpKeepAlive(keepAliveDelayMs);
    for (const exchange of this.#exchanges) exchange.tick(now);
    const at = this.#idleAt;
    if (at === OFF) return;
    if (at === UNSTAMPED) {
      this.#idleAt = now + this.#idleMs; // stamped lazily, as every deadline (deadlines.ts)
    } else if (now >= at) {
      this.#idleAt = OFF;
      if (this.#goingAway) this.destroy(); // GOAWAY sent, the peer still holds the socket
      else this.drain(); // idle (no stream open): GOAWAY now
    }
  }

  /** Graceful shutdown: drain (GOAWAY now when no stream is open, else after the last one). */
  closeIfIdle(): boolean {
    this.drain();
    return this.#exchanges.size === 0;
  }

  destroy(): void {
    this.#session.destroy();
    this.socket.destroy();
  }
}
