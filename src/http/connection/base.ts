// What every job of a connection shares (src/http/connection/index.ts has the state diagram): the
// socket, the state, the pending input; and the socket plumbing — shared listeners, read pausing
// (flow control), SO_KEEPALIVE, the sweeper tick and closing. It stands on Exchange (exchange.ts:
// the request in flight, dispatch and the chain's outcome, shared with HTTP/2 streams). The jobs
// stack on this as small layers: ResponseWriter (writer.ts) → BodyReader (body.ts) → Connection
// (index.ts: input and request framing).
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { T_LINGER, T_NONE } from './deadlines.js';
import { EMPTY_BODY, Exchange } from './exchange.js';
import type { ConnectionHost, HostedConnection } from './host.js';
import { SocketOutput } from './output.js';

export { EMPTY_BODY };

export const S_HEAD = 0;
export const S_BODY = 1;
export const S_WAIT = 2;
export const S_UPGRADED = 3;
export const S_CLOSED = 4;

/** Pause reasons (bit set): the socket reads again only when none is left. */
export const P_WRITE = 1;
export const P_BODY = 2;
export const P_PIPE = 4;

/** After we end our side, how long the peer may keep the socket before we destroy it. */
const LINGER_MS = 2_000;

/** The socket property that leads a shared listener back to its connection. */
const CONNECTION = Symbol('wasmlane.connection');
type Linked = { [CONNECTION]: ConnectionBase };

/** The 'error' listener of a socket no one else handles yet: a failed socket is just closed. */
export function destroyOnError(this: Socket): void {
  this.destroy();
}

export abstract class ConnectionBase extends Exchange implements HostedConnection {
  readonly socket: Socket;
  protected readonly output: SocketOutput;
  protected state = S_HEAD;
  /** Unconsumed input (from pendPos): the rest of a chunk after a head or body. */
  protected pend: Buffer | null = null;
  protected pendPos = 0;
  protected paused = 0;
  protected peerEnded = false;
  /** Peer: the socket is TLS (read once: a TLSSocket's `encrypted` is true from construction). */
  readonly secure: boolean;
  private remote: string | undefined | null = null;
  private tcpKeepAlive = false;
  /** The 'drain' listener is added only once a write backs up or a stream starts (most never need it). */
  private drainHooked = false;

  constructor(socket: Socket, host: ConnectionHost) {
    super(host);
    this.socket = socket;
    this.output = new SocketOutput(socket);
    this.secure = (socket as TLSSocket).encrypted === true;
    // Shared listeners that find the connection on the socket: no closure per connection.
    (socket as unknown as Linked)[CONNECTION] = this;
    socket.on('data', ConnectionBase.#dataListener);
    socket.on('end', ConnectionBase.#endListener);
    socket.on('error', ConnectionBase.#errorListener);
    socket.on('close', ConnectionBase.#closeListener);
  }

  /** ServerLink: on HTTP/1.1 the socket's 'close' means the client is gone. */
  get channel(): Socket {
    return this.socket;
  }

  /** ServerLink: cut the response short (RFC 9112 §8: the client sees an incomplete message). */
  abort(): void {
    this.socket.destroy();
  }

  /** A failed socket is closed; the error goes to the logger when the server has one. */
  static #errorListener(this: Socket, error: Error): void {
    (this as unknown as Linked)[CONNECTION].host.lifecycle.socketError(error);
    this.destroy();
  }

  static #dataListener(this: Socket, chunk: Buffer): void {
    (this as unknown as Linked)[CONNECTION].onData(chunk);
  }

  static #endListener(this: Socket): void {
    (this as unknown as Linked)[CONNECTION].onEnd();
  }

  static #drainListener(this: Socket): void {
    (this as unknown as Linked)[CONNECTION].onDrain();
  }

  static #closeListener(this: Socket): void {
    (this as unknown as Linked)[CONNECTION].onClose();
  }

  protected abstract onData(chunk: Buffer): void;
  protected abstract onEnd(): void;
  protected abstract onClose(): void;
  /** A deadline passed (deadlines.ts T_*): answer or close. */
  protected abstract timedOut(kind: number): void;
  /** No request in progress and no partial input: safe to close now (graceful shutdown). */
  abstract readonly idle: boolean;

  get highWaterMark(): number {
    return this.host.highWaterMark;
  }

  /** The peer's address, read once (socket.remoteAddress is a getpeername call each time). */
  get remoteAddress(): string | undefined {
    if (this.remote === null) this.remote = this.socket.remoteAddress;
    return this.remote;
  }

  /** The peer's TCP port (net.Socket caches the getpeername result). */
  get remotePort(): number | undefined {
    return this.socket.remotePort;
  }

  /** A bug must cost one connection, never the process. */
  protected fatal(error: unknown): void {
    this.host.lifecycle.failed('connection failed', error);
    this.socket.destroy();
  }

  // --- flow control --------------------------------------------------------------------------------

  protected hookDrain(): void {
    if (this.drainHooked) return;
    this.drainHooked = true;
    this.socket.on('drain', ConnectionBase.#drainListener);
  }

  protected pause(reason: number): void {
    if (reason === P_WRITE) this.hookDrain();
    if (this.paused === 0) this.socket.pause();
    this.paused |= reason;
  }

  protected resume(reason: number): void {
    if ((this.paused & reason) === 0) return;
    this.paused &= ~reason;
    if (this.paused === 0 && this.state !== S_UPGRADED) this.socket.resume();
  }

  protected onDrain(): void {
    this.resume(P_WRITE);
  }

  /** Reading was paused by us; the new owner must resume once it listens. */
  get wasPaused(): boolean {
    return this.paused !== 0;
  }

  // --- deadlines, close ----------------------------------------------------------------------------

  /**
   * Turn SO_KEEPALIVE on once (delayMs < 0: off by configuration). Done lazily, from the sweeper or
   * at upgrade, rather than at accept: a connection that ends within one sweeper period skips it.
   */
  enableTcpKeepAlive(delayMs: number): void {
    if (delayMs < 0 || this.tcpKeepAlive) return;
    this.tcpKeepAlive = true;
    // inject() drives a connection over a plain Duplex, which has no TCP options.
    if (typeof this.socket.setKeepAlive === 'function') this.socket.setKeepAlive(true, delayMs);
  }

  /** Sweeper tick: SO_KEEPALIVE for a connection that lived a period; stamp fresh deadlines or fire a passed one. */
  tick(now: number, keepAliveDelayMs = -1): void {
    if (!this.tcpKeepAlive) this.enableTcpKeepAlive(keepAliveDelayMs);
    const kind = this.expire(now);
    if (kind === T_NONE) return;
    try {
      this.timedOut(kind);
    } catch (error) {
      this.fatal(error); // called from the sweeper: a failure must not escape into the interval
    }
  }

  /** Close our side after what is written; the peer gets LINGER_MS to go away. */
  protected close(): void {
    if (this.state === S_CLOSED || this.state === S_UPGRADED) return;
    this.state = S_CLOSED;
    this.pend = null;
    this.ctx = null;
    this.output.flush();
    this.socket.end();
    this.arm(T_LINGER, LINGER_MS);
    if (this.paused !== 0) {
      this.paused = 0;
      this.socket.resume(); // read and drop until the peer closes
    }
  }

  /** Graceful shutdown: close now if idle, else after the in-flight response. */
  closeIfIdle(): boolean {
    if (this.idle) {
      this.close();
      return true;
    }
    return false;
  }

  destroy(): void {
    this.socket.destroy();
  }
}
