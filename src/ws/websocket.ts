// The WebSocket connection object, the same class on both sides (server route handlers and the client
// returned by connect()). It owns the socket after the handshake, feeds bytes to a Receiver, writes
// frames, and runs the closing handshake (RFC 6455 §5.5.1, §7), the heartbeat and write backpressure.
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import type { Receiver } from './receiver.js';
import { Heartbeat } from './heartbeat.js';
import type { Flow } from './flow.js';
import { buildLayers } from './layers.js';
import type { UpgradeVerdict, WebSocketInit } from './websocket-types.js';
import type { UpgradeRequest } from '../http/stream-types.js';
import { WasmlaneError } from '../errors.js';
import { checkUserClose, closePayload } from './close-codes.js';
import type { ResolvedWebSocketOptions } from './options.js';
import type { EngineKind } from '../wasm/instance.js';
import { toPayload, type PublishedMessage, type TopicRegistry, type TopicSubscriber } from '../pubsub.js';
import { OP_BINARY, OP_CLOSE, OP_PING, OP_TEXT, type FrameWriter } from './wire.js';
import { CLOSED, CLOSING, CONNECTING, OPEN, type WebSocketEvents, type WebSocketListener } from './events.js';
import { TickCork } from './tick-cork.js';

export type { WebSocketInit, UpgradeVerdict } from './websocket-types.js';
export type { WebSocketEvents, WebSocketListener } from './events.js';

const EMPTY = Buffer.alloc(0);

/**
 * Route handlers (server.ws(path, handlers, options)); all optional. `D` is the type of `ws.data`,
 * inferred from what `upgrade` returns as `{ data }`; `P` the route's params (request.params).
 */
export interface WebSocketHandlers<D = unknown, P extends Readonly<Record<string, string>> = Readonly<Record<string, string>>> {
  /** Accept or refuse the upgrade (see UpgradeVerdict); `{ data }` becomes ws.data. May return a promise. */
  upgrade?: (request: UpgradeRequest<P>) => UpgradeVerdict<D> | PromiseLike<UpgradeVerdict<D>>;
  open?: (ws: WebSocket<D>) => void;
  message?: (ws: WebSocket<D>, data: Buffer, isBinary: boolean) => void;
  close?: (ws: WebSocket<D>, code: number, reason: Buffer) => void;
  drain?: (ws: WebSocket<D>) => void;
  ping?: (ws: WebSocket<D>, data: Buffer) => void;
  pong?: (ws: WebSocket<D>, data: Buffer) => void;
}

// Typed listener methods, merged into the class below: `ws.on('message', (data, isBinary) => …)`
// gets Buffer and boolean, and an event name that does not exist is a compile error.
export interface WebSocket<D = unknown> {
  on<K extends keyof WebSocketEvents>(event: K, listener: WebSocketListener<K>): this;
  once<K extends keyof WebSocketEvents>(event: K, listener: WebSocketListener<K>): this;
  off<K extends keyof WebSocketEvents>(event: K, listener: WebSocketListener<K>): this;
  addListener<K extends keyof WebSocketEvents>(event: K, listener: WebSocketListener<K>): this;
  prependListener<K extends keyof WebSocketEvents>(event: K, listener: WebSocketListener<K>): this;
  prependOnceListener<K extends keyof WebSocketEvents>(event: K, listener: WebSocketListener<K>): this;
  removeListener<K extends keyof WebSocketEvents>(event: K, listener: WebSocketListener<K>): this;
}

// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class WebSocket<D = unknown> extends EventEmitter implements TopicSubscriber {
  static readonly CONNECTING = CONNECTING;
  static readonly OPEN = OPEN;
  static readonly CLOSING = CLOSING;
  static readonly CLOSED = CLOSED;

  readyState: number = CONNECTING;
  readonly protocol: string;
  readonly extensions: string;
  readonly remoteAddress: string | undefined;
  readonly isServer: boolean;
  /** The engine this connection's frame decoder and codec run on, chosen once by the Server or connect(). */
  readonly engine: EngineKind;
  /** Who validates its text as UTF-8: Node ('native', the default) or the engine (WebSocketOptions.utf8). */
  readonly utf8Validator: 'native' | EngineKind;
  /** Application data: what the route's upgrade hook returned as `{ data }` (undefined otherwise). */
  data: D;

  private readonly socket: Socket;
  private readonly options: ResolvedWebSocketOptions;
  // <any>: the handlers take WebSocket<D>, which would make WebSocket<D> invariant in D.
  private readonly handlers: WebSocketHandlers<any>;
  private readonly registry: TopicRegistry | undefined;
  private readonly receiver: Receiver;
  private readonly writer: FrameWriter;
  private readonly flow: Flow;
  private closeFrameSent = false;
  private closeFrameReceived = false;
  private closeCode = 1006;
  private closeReason: Buffer = EMPTY;
  /** Set when we closed for a policy (1008): reported if the peer never answers with its close frame. */
  private policyCode: number | undefined;
  private closeTimer: NodeJS.Timeout | undefined;
  private heartbeat: Heartbeat | undefined;
  private needDrain = false;
  /** Publishes of one tick leave in one write (src/ws/tick-cork.ts). */
  private readonly tickCork: TickCork;

  constructor(init: WebSocketInit, handlers: WebSocketHandlers<any, any> = {}) {
    super();
    this.socket = init.socket;
    this.isServer = init.isServer;
    this.engine = init.engine;
    this.utf8Validator = init.options.utf8 === 'engine' ? init.engine : 'native';
    this.options = init.options;
    this.protocol = init.protocol ?? '';
    this.extensions = init.extensions ?? '';
    this.handlers = handlers;
    this.registry = init.registry;
    this.data = init.data as D;
    this.remoteAddress = init.socket.remoteAddress;
    this.tickCork = new TickCork(init.socket);
    ({ receiver: this.receiver, writer: this.writer, flow: this.flow } = buildLayers(init, {
      message: (data, isBinary) => this.onMessage(data, isBinary),
      ping: (data) => this.onPing(data),
      pong: (data) => this.onPong(data),
      close: (code, reason) => this.onCloseFrame(code, reason),
      error: (err) => this.onProtocolError(err),
      drain: () => this.onSocketDrain(),
      tooManyPongs: () => this.closeForPolicy('WL_WS_TOO_MANY_PENDING_PONGS', 'too many pending pongs'),
    }));
  }

  /**
   * Go OPEN: install socket listeners, call open(), then process `head` (bytes that arrived with the
   * handshake). Called by the upgrade code after the 101 is written, and by connect() after the 101 is read.
   */
  start(head: Buffer): void {
    const socket = this.socket;
    this.readyState = OPEN;
    socket.setNoDelay(true);
    socket.setTimeout(0);
    // After a close frame (or a protocol error) the rest of the input is ignored (§5.5.1), but still
    // read, so the peer's FIN is seen and 'close' fires without waiting for closeTimeoutMs.
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('drain', () => this.onSocketDrain());
    socket.on('end', () => this.onSocketEnd());
    socket.on('error', (err) => this.onSocketError(err));
    socket.on('close', () => this.onSocketClose());
    if (socket.destroyed) process.nextTick(() => this.onSocketClose()); // died before start (client gap)
    const interval = this.options.heartbeatIntervalMs;
    if (interval > 0) this.heartbeat = new Heartbeat(interval, () => this.ping(), () => this.onHeartbeatTimeout());
    this.dispatch('open', () => this.handlers.open?.(this));
    this.receive(head);
  }

  /** Process bytes from the socket ('data', and the handshake's leftovers). */
  receive(bytes: Buffer): void {
    if (bytes.length === 0 || this.closeFrameReceived || this.readyState === CLOSED) return;
    // Batch the replies the chunk's messages trigger (echoes, pongs, the frames of a publish to
    // this socket): they leave in one syscall instead of one per frame (src/ws/wire.ts batchStart).
    // Then apply read backpressure (src/ws/flow.ts) to what they left queued.
    const writer = this.writer;
    writer.batchStart();
    this.flow.begin();
    try {
      this.receiver.write(bytes);
    } finally {
      this.flow.end();
      writer.batchEnd();
    }
    if (this.readyState === OPEN) this.flow.check(); // closing: keep reading for the peer's close
  }

  /** Bytes queued on the socket plus messages still being compressed. */
  get bufferedAmount(): number {
    return this.socket.writableLength + this.writer.pendingBytes + this.writer.heldBytes;
  }

  get maxBufferedAmount(): number {
    return this.options.maxBufferedAmount;
  }

  get slowConsumerPolicy(): 'drop' | 'close' {
    return this.options.slowConsumerPolicy;
  }

  /**
   * Send one message: strings as text, anything else as binary unless `isBinary` says otherwise.
   * Returns false when the socket's buffer is over its high-water mark (a 'drain' follows) or when
   * the connection is not OPEN (the message is then discarded, as browsers do after close()).
   */
  send(data: string | Buffer | ArrayBufferView | ArrayBuffer, isBinary?: boolean): boolean {
    if (this.readyState !== OPEN) return false;
    const binary = isBinary ?? typeof data !== 'string';
    const ok = this.writer.message(toPayload(data), binary ? OP_BINARY : OP_TEXT);
    if (!ok) this.needDrain = true;
    return ok;
  }

  /** Send a ping (§5.5.2); `data` up to 125 bytes. */
  ping(data: string | Buffer = EMPTY): void {
    if (this.readyState !== OPEN) return;
    const payload = toPayload(data);
    if (payload.length > 125) throw new RangeError('wasmlane: ping payload is over 125 bytes');
    this.writer.control(OP_PING, payload);
  }

  /**
   * Start the closing handshake (§7.1.2). `code` must be 1000 or 3000–4999; `reason` at most 123 bytes
   * of UTF-8 (a control payload is ≤ 125 bytes, 2 of them the code). No code sends an empty close
   * frame, which the peer reports as 1005.
   */
  close(code?: number, reason: string | Buffer = EMPTY): void {
    const reasonBytes = toPayload(reason);
    checkUserClose(code, reasonBytes);
    this.closeWith(code, reasonBytes);
  }

  /** Close with 1001 Going Away (§7.4.1): the server is shutting down. */
  goAway(): void {
    this.closeWith(1001, EMPTY);
  }

  /** Drop the TCP connection without a closing handshake (the close event reports 1006). */
  terminate(): void {
    if (this.readyState === CLOSED) return;
    this.readyState = CLOSING;
    this.socket.destroy();
  }

  // --- topics (src/pubsub.ts) ----------------------------------------------------------------------

  subscribe(topic: string): boolean {
    return this.requireRegistry().subscribe(this, topic);
  }

  unsubscribe(topic: string): boolean {
    return this.requireRegistry().unsubscribe(this, topic);
  }

  isSubscribed(topic: string): boolean {
    return this.registry?.isSubscribed(this, topic) ?? false;
  }

  get topics(): string[] {
    return this.registry?.topicsOf(this) ?? [];
  }

  /** Publish to a topic of this connection's server (the sender receives it too when subscribed). */
  publish(topic: string, data: string | Buffer | ArrayBufferView, isBinary?: boolean): number {
    return this.requireRegistry().publish(topic, data, isBinary);
  }

  /** TopicSubscriber: write the message's shared frame (encoded once per publish). */
  deliver(message: PublishedMessage): boolean {
    if (this.readyState !== OPEN) return false;
    this.tickCork.hold();
    if (!this.writer.publish(message)) this.needDrain = true;
    return true;
  }

  closeSlowConsumer(): void {
    this.closeForPolicy('WL_WS_SLOW_CONSUMER', 'slow consumer');
  }

  /**
   * Close with 1008 Policy Violation (§7.4.1) for a resource policy (slow consumer, unread pongs).
   * Frames queued in userland are dropped so our close frame comes right after the bytes already in
   * the socket (a peer that reads again sees it); the close event reports 1008 even on timeout.
   */
  private closeForPolicy(code: 'WL_WS_SLOW_CONSUMER' | 'WL_WS_TOO_MANY_PENDING_PONGS', reason: string): void {
    if (this.readyState !== OPEN) return;
    this.policyCode = 1008;
    this.closeReason = Buffer.from(reason);
    this.writer.discard();
    this.registry?.unsubscribeAll(this);
    this.closeWith(1008, this.closeReason);
    if (this.listenerCount('error') > 0) this.emit('error', new WasmlaneError(code));
  }

  private requireRegistry(): TopicRegistry {
    if (this.registry === undefined) throw new WasmlaneError('WL_WS_NOT_OPEN', 'topics exist on server connections only');
    return this.registry;
  }

  // --- closing handshake ---------------------------------------------------------------------------

  /** Send our close frame once (any code, unchecked: internal callers send 1002/1008/1009/1011). */
  private closeWith(code: number | undefined, reason: Buffer): void {
    if (this.readyState === CLOSED) return;
    if (this.readyState === CONNECTING) return this.terminate();
    this.readyState = CLOSING;
    if (!this.closeFrameSent) {
      this.closeFrameSent = true;
      this.flow.beforeClose(this.policyCode !== undefined);
      this.writer.control(OP_CLOSE, closePayload(code, reason));
    }
    if (this.closeFrameReceived) this.endTcp();
    // §7.1.1: wait a bounded time for the peer's close frame / TCP end, then drop the connection.
    this.closeTimer ??= setTimeout(() => this.socket.destroy(), this.options.closeTimeoutMs).unref();
  }

  /** Both close frames exchanged: the server closes TCP first (§7.1.1); a client ends its side too. */
  private endTcp(): void {
    this.stopHeartbeat();
    this.writer.flush(); // a frame held by the read batch goes before our FIN
    this.socket.end();
  }

  private onCloseFrame(code: number, reason: Buffer): void {
    this.closeFrameReceived = true;
    this.closeCode = code;
    this.closeReason = reason;
    // Echo the code (§5.5.1); a close without a code (1005) is answered without one.
    if (!this.closeFrameSent) this.closeWith(code === 1005 ? undefined : code, EMPTY);
    else this.endTcp();
  }

  private onProtocolError(err: WasmlaneError): void {
    // §7.1.7 "Fail the WebSocket Connection": send close with the error's code, then close TCP.
    const code = err.closeCode ?? 1002;
    this.closeCode = code;
    this.closeReason = EMPTY;
    this.closeFrameReceived = true; // the receiver is dead after an error: ignore further input
    this.closeWith(code, EMPTY); // ends TCP too, since no more frames are read
    if (this.listenerCount('error') > 0) this.emit('error', err);
  }

  /**
   * Run the route handler, then the listeners, for one event. A throwing application callback must
   * not take the server down or leave the Receiver mid-loop: the connection is closed with 1011
   * (Internal Error, §7.4.1) and the error goes to 'error' listeners, or to stderr when there are none.
   */
  private dispatch(event: string, handler: () => void, ...args: unknown[]): void {
    try {
      handler();
      this.emit(event, ...args);
    } catch (err) {
      if (this.readyState === OPEN) this.closeWith(1011, EMPTY);
      if (this.listenerCount('error') > 0) this.emit('error', err);
      else console.error(`wasmlane: WebSocket ${event} handler threw`, err);
    }
  }

  // --- receiver events -----------------------------------------------------------------------------

  private onMessage(data: Buffer, isBinary: boolean): void {
    if (this.closeFrameReceived) return;
    this.dispatch('message', () => this.handlers.message?.(this, data, isBinary), data, isBinary);
  }

  private onPing(data: Buffer): void {
    // §5.5.2: answer a ping with a pong carrying the same application data, as soon as practical
    // (at the end of the read chunk, one pong for its last ping, §5.5.3: src/ws/flow.ts).
    if (this.readyState === OPEN) this.flow.ping(data);
    this.dispatch('ping', () => this.handlers.ping?.(this, data), data);
  }

  private onPong(data: Buffer): void {
    this.heartbeat?.pong();
    this.dispatch('pong', () => this.handlers.pong?.(this, data), data);
  }

  // --- socket events -------------------------------------------------------------------------------

  private onSocketDrain(): void {
    if (!this.needDrain) return;
    this.needDrain = false;
    this.dispatch('drain', () => this.handlers.drain?.(this));
  }

  private onSocketEnd(): void {
    // The peer sent FIN: finish our side too (its close frame, if any, has been processed by now).
    if (this.readyState === OPEN) this.readyState = CLOSING;
    this.writer.flush();
    this.socket.end();
  }

  private onSocketError(err: Error): void {
    // ECONNRESET and friends end in 'close' (1006); only listeners that asked see the error.
    if (this.listenerCount('error') > 0) this.emit('error', err);
  }

  private onSocketClose(): void {
    if (this.readyState === CLOSED) return;
    this.readyState = CLOSED;
    this.stopHeartbeat();
    if (this.closeTimer !== undefined) clearTimeout(this.closeTimer);
    this.receiver.destroy(); // both release their zlib streams' native memory
    this.writer.destroy();
    this.registry?.unsubscribeAll(this);
    // 1006 when the TCP connection ended without a close frame (§7.1.5), unless we closed for a policy.
    const code = this.closeFrameReceived ? this.closeCode : (this.policyCode ?? 1006);
    const reason = this.closeFrameReceived || this.policyCode !== undefined ? this.closeReason : EMPTY;
    this.dispatch('close', () => this.handlers.close?.(this, code, reason), code, reason);
  }

  private onHeartbeatTimeout(): void {
    if (this.listenerCount('error') > 0) this.emit('error', new WasmlaneError('WL_WS_HEARTBEAT_TIMEOUT'));
    this.terminate(); // the close event reports 1006: no close frame was exchanged
  }

  private stopHeartbeat(): void {
    this.heartbeat?.stop();
    this.heartbeat = undefined;
  }
}
