// One HTTP/1.1 connection: a flat state machine over a socket (ws's receiver habit).
//
//   HEAD ──head parsed──▶ BODY (body bytes still arriving) ──body complete──▶ WAIT ─┐
//     ▲                                                                               │
//     └──────────── response finished (keep-alive) and body complete ◀───────────────┘
//   HEAD/BODY/WAIT ──▶ CLOSED (Connection: close, error, timeout) | UPGRADED (handed to WebSocket)
//
// Requests are handled one at a time: the next head is parsed only after the previous response is
// finished, so pipelined responses go out in order (RFC 9112 §9.3.2) with no reordering queue; the
// bytes that arrived meanwhile wait in `pend`. A batch of pipelined requests from one chunk is
// answered with one socket write (src/http/output.ts).
import type { Socket } from 'node:net';
import * as abi from '../abi.js';
import type { Context } from '../context.js';
import { WasmlaneError, errorFromAbi } from '../errors.js';
import { BODY_CHUNKED, BODY_LENGTH, BODY_NONE, RequestBody } from './body.js';
import type { BodyOwner } from './body.js';
import type { ChunkedDecoder } from './chunked.js';
import type { HeadParser } from './head-parser.js';
import { HeadReader } from './head-reader.js';
import { Request } from './request.js';
import { connectionLine, serializeHead, FRAME_CHUNKED, FRAME_CLOSE, FRAME_LENGTH, writeResponse } from './response.js';
import { SocketOutput } from './output.js';
import { ResponseStreamImpl } from './response-stream.js';
import type { StreamOwner } from './response-stream.js';
import type { ResponseStream } from './stream-types.js';
import { statusHasNoBody } from './status-lines.js';
import type { ConnectionHost } from './connection-host.js';
import { refuseRequest } from './refuse.js';
import { Deadlines, T_BODY, T_HANDLER, T_HEAD, T_IDLE, T_LINGER, T_NONE } from './deadline.js';

const S_HEAD = 0;
const S_BODY = 1;
const S_WAIT = 2;
const S_UPGRADED = 3;
const S_CLOSED = 4;

/** Pause reasons (bit set): the socket reads again only when none is left. */
const P_WRITE = 1;
const P_BODY = 2;
const P_PIPE = 4;

/** Bytes of pipelined input held while a response is pending before we stop reading. */
const PIPE_HIGH_WATER = 64 * 1024;
/** After we end our side, how long the peer may keep the socket before we destroy it. */
const LINGER_MS = 2_000;

const CONTINUE = 'HTTP/1.1 100 Continue\r\n\r\n';

/** The socket property that leads a shared listener back to its connection. */
const CONNECTION = Symbol('wasmlane.connection');
type Linked = { [CONNECTION]: Connection };

function destroyOnError(this: Socket): void {
  this.destroy();
}
const EMPTY_BODY = new RequestBody(null, BODY_NONE, 0);

export class Connection extends Deadlines implements BodyOwner, StreamOwner {
  readonly socket: Socket;
  readonly #host: ConnectionHost;
  readonly #parser: HeadParser;
  #decoder: ChunkedDecoder | null = null;
  #state = S_HEAD;
  /** Unconsumed input (from #pendPos): the rest of a chunk after a head or body. */
  #pend: Buffer | null = null;
  #pendPos = 0;
  readonly #heads: HeadReader;
  #inLoop = false;
  #ctx: Context | null = null;
  #body: RequestBody = EMPTY_BODY;
  #keepAlive = true;
  #http10 = false;
  #omitBody = false;
  #continueSent = false;
  #requests = 0;
  #paused = 0;
  #peerEnded = false;
  #stream: ResponseStreamImpl | null = null;
  readonly #output: SocketOutput;
  #remote: string | undefined | null = null;
  #tcpKeepAlive = false;
  /** The 'drain' listener is added only once a write backs up or a stream starts (most never need it). */
  #drainHooked = false;

  constructor(socket: Socket, host: ConnectionHost) {
    super(host.requestConfig.requestTimeoutMs);
    this.socket = socket;
    this.#host = host;
    this.#output = new SocketOutput(socket);
    this.#parser = host.createHeadParser();
    this.#heads = new HeadReader(this.#parser);
    // Shared listeners that find the connection on the socket: no closure per connection.
    (socket as unknown as Linked)[CONNECTION] = this;
    socket.on('data', Connection.#dataListener);
    socket.on('end', Connection.#endListener);
    socket.on('error', destroyOnError);
    socket.on('close', Connection.#closeListener);
    this.arm(T_IDLE, host.requestConfig.headTimeoutMs);
  }

  static #dataListener(this: Socket, chunk: Buffer): void {
    (this as unknown as Linked)[CONNECTION].#onData(chunk);
  }

  static #endListener(this: Socket): void {
    (this as unknown as Linked)[CONNECTION].#onEnd();
  }

  static #drainListener(this: Socket): void {
    (this as unknown as Linked)[CONNECTION].#onDrain();
  }

  static #closeListener(this: Socket): void {
    (this as unknown as Linked)[CONNECTION].#onClose();
  }

  /** The server that accepted this connection (layers such as SSE reach topics and shutdown hooks through it). */
  get host(): ConnectionHost {
    return this.#host;
  }

  get highWaterMark(): number {
    return this.#host.highWaterMark;
  }

  /** No request in progress and no partial input: safe to close now (graceful shutdown). */
  get idle(): boolean {
    return this.#state === S_HEAD && this.#ctx === null && !this.#heads.partial && this.#pend === null;
  }

  // --- input -------------------------------------------------------------------------------------

  #onData(chunk: Buffer): void {
    try {
      this.#input(chunk);
    } catch (error) {
      this.#fatal(error);
    }
  }

  /** A bug must cost one connection, never the process. */
  #fatal(error: unknown): void {
    console.error('wasmlane: connection failed:', error);
    this.socket.destroy();
  }

  #input(chunk: Buffer): void {
    switch (this.#state) {
      case S_HEAD:
        this.#append(chunk);
        this.#output.batchStart();
        try {
          this.#processInput();
        } finally {
          this.#output.batchEnd();
        }
        return;
      case S_BODY:
        this.arm(T_BODY, this.#host.requestConfig.readTimeoutMs);
        this.#feedBody(chunk, 0);
        return;
      case S_WAIT:
        this.#append(chunk);
        if (this.#pend!.length - this.#pendPos > PIPE_HIGH_WATER) this.#pause(P_PIPE);
        return;
      default:
        return; // CLOSED: drop what the peer still sends
    }
  }

  #append(chunk: Buffer): void {
    const pend = this.#pend;
    if (pend === null) {
      this.#pend = chunk;
      this.#pendPos = 0;
    } else {
      this.#pend = Buffer.concat([pend.subarray(this.#pendPos), chunk]);
      this.#pendPos = 0;
    }
  }

  #processInput(): void {
    if (this.#inLoop) return; // a response finished synchronously inside the loop: it goes on by itself
    this.#inLoop = true;
    try {
      while (this.#state === S_HEAD && this.#pend !== null && this.#parseHead());
    } finally {
      this.#inLoop = false;
    }
    if (this.#state === S_HEAD && this.#pend === null && this.#peerEnded) this.#close();
  }

  /** Parse one head from #pend; true when a request started and the loop may go on. */
  #parseHead(): boolean {
    const pend = this.#pend!;
    const heads = this.#heads;
    const rc = heads.read(pend, this.#pendPos);
    if (rc === 0) {
      this.#pend = null;
      // RFC 9112 §9.5 / slowloris: the head timeout runs from its first byte, not from the last one.
      if (this.deadlineKind !== T_HEAD) this.arm(T_HEAD, this.#host.requestConfig.headTimeoutMs);
      return false;
    }
    if (rc < 0) return this.#headError(errorFromAbi(rc, this.#parser.table[this.#parser.base + abi.R_ERROR_POS]));
    this.#pendPos += heads.consumed;
    if (this.#pendPos >= pend.length) this.#pend = null;
    this.#startRequest(heads.headBuf, heads.headStart);
    return true;
  }

  #startRequest(buf: Buffer, start: number): void {
    const parser = this.#parser;
    const table = parser.table;
    const base = parser.base;
    const count = table[base + abi.R_HEADER_COUNT]!;
    // The WASM table is shared by every connection: copy the field slots out before anything async.
    // Into a plain array of small integers: a new Int32Array costs an ArrayBuffer (off-heap above
    // 64 bytes, i.e. 5+ fields: ~0.6 µs for 10 fields against ~0.1 µs for the array).
    const slotCount = count * abi.R_HEADER_STRIDE;
    const slots = new Array<number>(slotCount);
    const from = base + abi.R_FIXED;
    for (let i = 0; i < slotCount; i++) slots[i] = table[from + i]!;
    const flags = table[base + abi.R_FLAGS]!;
    let body = EMPTY_BODY;
    if ((flags & abi.F_CHUNKED) !== 0) {
      body = new RequestBody(this, BODY_CHUNKED, 0);
      this.#decoder ??= this.#host.createChunkedDecoder(this);
      this.#decoder.reset();
    } else if ((flags & abi.F_CONTENT_LENGTH) !== 0) {
      const length = (table[base + abi.R_CL_LO]! >>> 0) + table[base + abi.R_CL_HI]! * 4294967296;
      if (length > 0) body = new RequestBody(this, BODY_LENGTH, length);
    }
    // RFC 9112 §6.3: a request with neither Content-Length nor Transfer-Encoding has no body.
    const request = new Request(buf, start, table, base, slots, this, body);
    this.#body = body;
    this.#requests++;
    const max = this.#host.requestConfig.maxRequestsPerConnection;
    this.#keepAlive = (flags & abi.F_KEEP_ALIVE) !== 0 && !(max > 0 && this.#requests >= max);
    this.#http10 = request.versionNumber === 10;
    this.#omitBody = request.methodId === abi.METHOD_HEAD;
    this.#continueSent = false;
    this.#state = body.complete ? S_WAIT : S_BODY;
    if (body.complete) this.arm(T_NONE, 0);
    else this.arm(T_BODY, this.#host.requestConfig.readTimeoutMs);
    const ctx = this.#host.createContext(request, this);
    this.#ctx = ctx;
    if ((flags & abi.F_EXPECT_OTHER) !== 0 || request.methodId === abi.METHOD_CONNECT) {
      const refused = refuseRequest(flags, request.methodId, body.complete);
      if (refused !== null) {
        this.#keepAlive = false; // the body, if any, is never read: framing is lost
        this.respondError(ctx, refused);
        return;
      }
    }
    // Body bytes that came with the head are queued now (the route's limit is applied in acceptBody).
    const pend = this.#pend;
    if (pend !== null && !body.complete) {
      this.#pend = null;
      this.#feedBody(pend, this.#pendPos);
    }
    if (!ctx.finished) this.#host.dispatch(this, ctx);
  }

  /**
   * Called by the server once the route is known: apply its body limit. False when the request was
   * answered already (413).
   */
  acceptBody(ctx: Context, limit: number): boolean {
    const body = this.#body;
    if (body === EMPTY_BODY) return true;
    body.limit = limit;
    if (body.received + body.remaining > limit) {
      // A Content-Length over the limit is refused before reading the body (RFC 9110 §15.5.14);
      // we close rather than read it, even when part of it is already here.
      this.#keepAlive = false;
      this.respondError(ctx, new WasmlaneError('WL_BODY_TOO_LARGE', `${body.received + body.remaining} > ${limit} bytes`));
      return false;
    }
    return true;
  }

  /** Body bytes from chunk[start..]; what is left after the body goes back to #pend. */
  #feedBody(chunk: Buffer, start: number): void {
    const body = this.#body;
    let used: number;
    if (body.kind === BODY_LENGTH) {
      used = body.feedLength(chunk, start);
    } else {
      const decoder = this.#decoder!;
      used = decoder.decode(chunk, start, chunk.length);
      if (used < 0) {
        body.fail(errorFromAbi(used));
      } else if (decoder.done) {
        body.finish();
      }
    }
    if (body.error !== null) return this.#bodyFailed(body.error);
    if (!body.complete) return;
    const rest = start + used;
    if (rest < chunk.length) {
      if (this.#pend === null) {
        this.#pend = chunk;
        this.#pendPos = rest;
      } else {
        this.#append(chunk.subarray(rest));
      }
    }
    this.#state = S_WAIT;
    this.arm(T_NONE, 0);
    if (this.#ctx === null) this.#next(); // the response was finished already: the drain is over
  }

  /** ChunkedSink: decoded data spans go straight to the body. */
  data(buf: Uint8Array, start: number, end: number): void {
    this.#body.push(buf, start, end);
  }

  #bodyFailed(error: WasmlaneError): void {
    // Framing is lost (or the client is too slow/too big): answer if we still can, then close.
    this.#keepAlive = false;
    const ctx = this.#ctx;
    if (ctx !== null && !ctx.finished && ctx.stream_ === null) this.respondError(ctx, error);
    else if (ctx === null) this.#close();
  }

  // --- BodyOwner -----------------------------------------------------------------------------------

  bodyReadStarted(): void {
    const ctx = this.#ctx;
    if (ctx !== null && !this.#continueSent && (ctx.request.flags & abi.F_EXPECT_CONTINUE) !== 0) {
      // RFC 9110 §10.1.1: the client waits for this interim response before sending the body.
      this.#continueSent = true;
      this.#output.latin1(CONTINUE);
    }
  }

  bodyPressure(paused: boolean): void {
    if (paused) this.#pause(P_BODY);
    else this.#resume(P_BODY);
  }

  // --- responses -----------------------------------------------------------------------------------

  /** ContextOwner: handler and response middleware are done. */
  chainDone(ctx: Context): void {
    if (ctx.finished || ctx !== this.#ctx) return;
    if (ctx.stream_ !== null) return; // the stream's end() finishes the response
    try {
      this.#flush(ctx);
    } catch (error) {
      this.#fatal(error); // also called from promise callbacks: never leave a rejection unhandled
    }
  }

  /** ContextOwner: a step threw or rejected. */
  chainFailed(ctx: Context, error: unknown): void {
    if (ctx.finished || ctx !== this.#ctx) return;
    if (ctx.stream_ !== null) {
      // The head is on the wire: no way to turn this into an error response. Report it (a silent
      // destroy hides bugs such as a response middleware setting a field after ctx.stream()).
      this.#host.reportPanic(ctx, error);
      this.socket.destroy();
      return;
    }
    if (error instanceof WasmlaneError && error.status !== undefined && error.code !== 'WL_HANDLER_PANIC'
      && error.code !== 'WL_INVALID_RESPONSE_HEADER' && error.code !== 'WL_RESPONSE_ALREADY_SENT') {
      // A coded client error surfaced through the handler (body too large, invalid JSON, timeout).
      this.respondError(ctx, error);
      return;
    }
    try {
      this.#host.fillPanic(ctx, error);
      this.#flush(ctx);
    } catch (failure) {
      this.#fatal(failure);
    }
  }

  /** Answer with an error (onRequestError hooks may customise it). */
  respondError(ctx: Context, error: WasmlaneError, allow?: string): void {
    if (ctx.finished) return;
    this.#host.fillError(ctx, error, allow);
    this.#flush(ctx);
  }

  /** ContextOwner: ctx.stream(). */
  startStream(ctx: Context, length = -1): ResponseStream {
    const state = ctx.response;
    const noBody = this.#omitBody || statusHasNoBody(state.status);
    // HTTP/1.0 has no chunked coding: the body ends when the connection closes (RFC 9112 §6.3),
    // unless its length is known up front (Content-Length, RFC 9112 §6.2).
    const chunked = !this.#http10;
    if (!chunked && length < 0) this.#keepAlive = false;
    this.#resolveKeepAlive(ctx);
    this.disarmHandler();
    const framing = length >= 0 ? FRAME_LENGTH : chunked ? FRAME_CHUNKED : FRAME_CLOSE;
    const head = serializeHead(state, framing, length, connectionLine(this.#keepAlive, this.#http10, state.connection));
    this.#output.latin1(head);
    this.#hookDrain();
    const stream = new ResponseStreamImpl(this.socket, this, chunked, noBody, length);
    this.#stream = stream;
    return stream;
  }

  /** StreamOwner: the stream ended. */
  streamEnded(stream: ResponseStreamImpl): void {
    const ctx = this.#ctx;
    if (stream !== this.#stream || ctx === null) return;
    this.#stream = null;
    ctx.finished = true;
    this.#finished();
  }

  #resolveKeepAlive(ctx: Context): void {
    // A peer that half-closed gets answers to what it already sent, then we close.
    if (ctx.response.closeRequested || this.#host.closing || (this.#peerEnded && this.#pend === null)) this.#keepAlive = false;
    const body = this.#body;
    if (!body.complete) {
      // Unread body: drain it only when the client is actually sending it and it fits the limit;
      // otherwise closing is cheaper than reading (RFC 9112 §9.6).
      if (body.limit === Infinity) body.limit = this.#host.requestConfig.maxBodySize;
      const waitingForContinue = (ctx.request.flags & abi.F_EXPECT_CONTINUE) !== 0 && !this.#continueSent;
      if (waitingForContinue || body.error !== null || body.received + body.remaining > body.limit) this.#keepAlive = false;
    }
  }

  #flush(ctx: Context): void {
    ctx.finished = true;
    this.#resolveKeepAlive(ctx);
    this.#output.batchStart(); // head and body in one write even outside a pipelined batch
    writeResponse(this.#output, ctx.response, this.#omitBody, connectionLine(this.#keepAlive, this.#http10, ctx.response.connection));
    this.#output.batchEnd();
    this.#finished();
  }

  /** The response is complete on the wire (as far as we are concerned). */
  #finished(): void {
    this.#ctx = null;
    this.disarmHandler();
    if (this.socket.writableLength >= this.#host.highWaterMark) this.#pause(P_WRITE);
    if (!this.#keepAlive) return this.#close();
    const body = this.#body;
    if (!body.complete) {
      body.discard(); // drained (bounded by the body limit) before the next request
      return;
    }
    this.#next();
  }

  #next(): void {
    this.#state = S_HEAD;
    this.#body = EMPTY_BODY;
    this.#resume(P_PIPE);
    if (this.#pend === null) {
      if (this.#peerEnded) return this.#close();
      this.arm(T_IDLE, this.#host.requestConfig.idleTimeoutMs);
      return;
    }
    this.arm(T_HEAD, this.#host.requestConfig.headTimeoutMs);
    if (!this.#inLoop) {
      this.#output.batchStart();
      try {
        this.#processInput();
      } finally {
        this.#output.batchEnd();
      }
    }
  }

  #headError(error: WasmlaneError): boolean {
    // The head is unusable, so is everything after it (framing lost): answer and close.
    this.#pend = null;
    this.#heads.reset();
    this.#keepAlive = false;
    this.#state = S_WAIT;
    const ctx = this.#host.createContext(Request.empty(this, EMPTY_BODY), this);
    this.#ctx = ctx;
    this.respondError(ctx, error);
    return false;
  }

  /** The peer's address, read once (socket.remoteAddress is a getpeername call each time). */
  get remoteAddress(): string | undefined {
    if (this.#remote === null) this.#remote = this.socket.remoteAddress;
    return this.#remote;
  }

  // --- upgrade -------------------------------------------------------------------------------------

  /** Stop treating the socket as HTTP; returns the bytes that followed the head. */
  detachForUpgrade(): Buffer {
    const ctx = this.#ctx;
    if (ctx !== null) ctx.finished = true;
    this.#ctx = null;
    this.#state = S_UPGRADED;
    this.arm(T_NONE, 0);
    this.#output.flush();
    const head = this.#pend === null ? Buffer.alloc(0) : this.#pend.subarray(this.#pendPos);
    this.#pend = null;
    const socket = this.socket;
    socket.removeAllListeners('data');
    socket.removeAllListeners('end');
    socket.removeAllListeners('drain');
    socket.removeAllListeners('error');
    socket.removeAllListeners('close');
    // Until the new owner attaches its handlers, errors must not crash the process.
    socket.on('error', destroyOnError);
    this.#host.connectionUpgraded(this);
    return head;
  }

  /** Reading was paused by us; the new owner must resume once it listens. */
  get wasPaused(): boolean {
    return this.#paused !== 0;
  }

  // --- flow control, timeouts, close -----------------------------------------------------------------

  #hookDrain(): void {
    if (this.#drainHooked) return;
    this.#drainHooked = true;
    this.socket.on('drain', Connection.#drainListener);
  }

  #pause(reason: number): void {
    if (reason === P_WRITE) this.#hookDrain();
    if (this.#paused === 0) this.socket.pause();
    this.#paused |= reason;
  }

  #resume(reason: number): void {
    if ((this.#paused & reason) === 0) return;
    this.#paused &= ~reason;
    if (this.#paused === 0 && this.#state !== S_UPGRADED) this.socket.resume();
  }

  #onDrain(): void {
    this.#resume(P_WRITE);
    this.#stream?.drained();
  }

  /**
   * Turn SO_KEEPALIVE on once (delayMs < 0: off by configuration). Done lazily, from the sweeper or
   * at upgrade, rather than at accept: a connection that ends within one sweeper period skips it.
   */
  enableTcpKeepAlive(delayMs: number): void {
    if (delayMs < 0 || this.#tcpKeepAlive) return;
    this.#tcpKeepAlive = true;
    // inject() drives a connection over a plain Duplex, which has no TCP options.
    if (typeof this.socket.setKeepAlive === 'function') this.socket.setKeepAlive(true, delayMs);
  }

  /** Sweeper tick: SO_KEEPALIVE for a connection that lived a period; stamp fresh deadlines or fire a passed one. */
  tick(now: number, keepAliveDelayMs = -1): void {
    if (!this.#tcpKeepAlive) this.enableTcpKeepAlive(keepAliveDelayMs);
    const kind = this.expire(now);
    if (kind === T_NONE) return;
    try {
      this.#timedOut(kind);
    } catch (error) {
      this.#fatal(error); // called from the sweeper: a failure must not escape into the interval
    }
  }

  #timedOut(kind: number): void {
    switch (kind) {
      case T_IDLE:
        return this.#close(); // keep-alive idle or nothing sent at all: close silently
      case T_HEAD:
        if (!this.#heads.partial && this.#pend === null) return this.#close();
        this.#headError(new WasmlaneError('WL_REQUEST_TIMEOUT', 'head'));
        return;
      case T_BODY:
        this.#body.fail(new WasmlaneError('WL_REQUEST_TIMEOUT', 'body'));
        this.#bodyFailed(this.#body.error!);
        return;
      case T_LINGER:
        this.socket.destroy();
        return;
      case T_HANDLER: {
        // No response started in time (starting one disarms this deadline): 503 in the handler's
        // stead, then close; what the handler does later finds ctx finished and is dropped.
        const ctx = this.#ctx;
        if (ctx === null || ctx.finished || ctx.stream_ !== null) return;
        this.#keepAlive = false;
        this.respondError(ctx, new WasmlaneError('WL_HANDLER_TIMEOUT', `${this.handlerMs} ms`));
        return;
      }
    }
  }

  /** Close our side after what is written; the peer gets LINGER_MS to go away. */
  #close(): void {
    if (this.#state === S_CLOSED || this.#state === S_UPGRADED) return;
    this.#state = S_CLOSED;
    this.#pend = null;
    this.#ctx = null;
    this.#output.flush();
    this.socket.end();
    this.arm(T_LINGER, LINGER_MS);
    if (this.#paused !== 0) {
      this.#paused = 0;
      this.socket.resume(); // read and drop until the peer closes
    }
  }

  /** Graceful shutdown: close now if idle, else after the in-flight response. */
  closeIfIdle(): boolean {
    if (this.idle) {
      this.#close();
      return true;
    }
    return false;
  }

  destroy(): void {
    this.socket.destroy();
  }

  #onEnd(): void {
    this.#peerEnded = true;
    if (this.#state === S_BODY) {
      this.#body.fail(new WasmlaneError('WL_BODY_ABORTED'));
      this.#bodyFailed(this.#body.error!);
    } else if (this.#state === S_HEAD && this.#ctx === null && this.#pend === null) {
      this.#close(); // nothing more can come: a partial head will never complete
    }
  }

  #onClose(): void {
    this.#state = S_CLOSED;
    this.arm(T_NONE, 0);
    if (!this.#body.complete) this.#body.fail(new WasmlaneError('WL_BODY_ABORTED'));
    this.#stream?.aborted();
    this.#stream = null;
    const ctx = this.#ctx;
    if (ctx !== null) ctx.finished = true;
    this.#ctx = null;
    this.#host.connectionClosed(this);
  }
}
