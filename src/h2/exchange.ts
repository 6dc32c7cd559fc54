// One HTTP/2 stream served as an Exchange (src/http/connection/exchange.ts): the same dispatch, route
// table, hook phases, body limit, error answers and reports as an HTTP/1.1 request — only the head,
// the body and the response ride on the stream:
//   - head: the header list rewritten as an HTTP/1.1 head and parsed by the server's parser (head.ts);
//   - body: DATA frames into the same RequestBody (limit, bytes()/json()/for await); a reader that
//     falls behind pauses the stream, so node:http2 stops granting flow-control window (RFC 9113 §5.2);
//   - response: stream.respond() with the head of response.ts, the body in DATA frames; streamed
//     bodies (ctx.stream(), sendStream(), SSE) through the same ResponseStreamImpl, written into the
//     stream and paced by its 'drain' (the client's window);
//   - a body left unread once the response is complete is refused with RST_STREAM(NO_ERROR), which
//     RFC 9113 §8.1 provides for exactly this (HTTP/1.1 has to drain or close the connection);
//   - a response that cannot be completed is cut with RST_STREAM(INTERNAL_ERROR): the other streams of
//     the session go on.
// Deadlines are per stream (body silence and total request time → 408, handler → 503), ticked by the
// session from the server's sweeper.
import type { Socket } from 'node:net';
import { constants } from 'node:http2';
import type { ServerHttp2Stream } from 'node:http2';
import type { Duplex } from 'node:stream';
import * as abi from '../abi.js';
import { Context } from '../context.js';
import type { Params } from '../context.js';
import { WasmlaneError } from '../errors.js';
import { BODY_LENGTH, BODY_STREAM, RequestBody } from '../http/body.js';
import type { BodyOwner } from '../http/body.js';
import { T_BODY, T_HANDLER, T_NONE } from '../http/connection/deadlines.js';
import { EMPTY_BODY, Exchange } from '../http/connection/exchange.js';
import type { ConnectionHost } from '../http/connection/host.js';
import type { HeadParser } from '../http/head/parser.js';
import { Request } from '../http/request.js';
import type { ResponseState } from '../http/response.js';
import { ResponseStreamImpl } from '../http/response-stream.js';
import type { StreamOwner } from '../http/response-stream.js';
import type { ResponseStream } from '../http/stream-types.js';
import { statusHasNoBody } from '../http/status-lines.js';
import { parseStreamHead } from './head.js';
import { responseHeaders } from './response.js';

const { NGHTTP2_NO_ERROR } = constants;
/** What abort() destroys a stream with: node:http2 resets it with INTERNAL_ERROR and no END_STREAM.
 *  (stream.close(code) would end the body first: a cut response would look complete.) Not logged. */
const CUT = new Error('wasmlane: response cut short (RST_STREAM INTERNAL_ERROR)');
const NO_PARAMS: Params = Object.freeze({});
const EMPTY = Buffer.alloc(0);

/** What a stream's exchange needs from its session (session.ts). */
export interface StreamSession {
  /** The TLS socket the session runs on. */
  readonly socket: Socket;
  readonly host: ConnectionHost;
  /** The session's head parser (heads are parsed whole, one at a time). */
  readonly parser: HeadParser;
  readonly remoteAddress: string | undefined;
  readonly remotePort: number | undefined;
  /** The connection's number in request ids. */
  connectionNumber(): number;
  /** The stream closed: the exchange is over. */
  exchangeClosed(exchange: H2Exchange): void;
  /** ctx.closeAfter(): end the connection once its open streams are done (session.ts). */
  drain(): void;
}

/** The stream property that leads a shared listener back to its exchange (no closure per stream). */
const EXCHANGE = Symbol('wasmlane.h2.exchange');
type Linked = { [EXCHANGE]: H2Exchange };

function onData(this: ServerHttp2Stream, chunk: Buffer): void {
  (this as unknown as Linked)[EXCHANGE].data(chunk);
}

function onEnd(this: ServerHttp2Stream): void {
  (this as unknown as Linked)[EXCHANGE].ended();
}

function onDrain(this: ServerHttp2Stream): void {
  (this as unknown as Linked)[EXCHANGE].drained();
}

function onClose(this: ServerHttp2Stream): void {
  (this as unknown as Linked)[EXCHANGE].closed();
}

function onError(this: ServerHttp2Stream, error: Error): void {
  // A stream reset with an error code, or one that failed: it closes next; nothing to answer.
  if (error !== CUT) (this as unknown as Linked)[EXCHANGE].host.lifecycle.socketError(error);
}

export class H2Exchange extends Exchange implements BodyOwner, StreamOwner {
  readonly socket: Socket;
  /** Peer: requests on this exchange say httpVersion '2.0'. */
  readonly http2 = true;
  /** Peer: HTTP/2 is served over TLS only (no cleartext h2c). */
  readonly secure = true;
  readonly #stream: ServerHttp2Stream;
  readonly #session: StreamSession;
  #response: ResponseStreamImpl | null = null;
  /** A HEAD request: the response carries no body (RFC 9110 §9.3.2). */
  #omitBody = false;
  #continueSent = false;

  constructor(session: StreamSession, stream: ServerHttp2Stream, seq: number) {
    super(session.host);
    this.socket = session.socket;
    this.#session = session;
    this.#stream = stream;
    this.requestCount = seq;
    (stream as unknown as Linked)[EXCHANGE] = this;
    stream.on('close', onClose);
    stream.on('error', onError);
  }

  /** ServerLink: the stream's 'close' means this client is gone (the session may go on). */
  get channel(): Duplex {
    return this.#stream;
  }

  get wasPaused(): boolean {
    return false;
  }

  /** StreamOwner: write() reports false above this many buffered bytes. */
  get highWaterMark(): number {
    return this.host.highWaterMark;
  }

  get remoteAddress(): string | undefined {
    return this.#session.remoteAddress;
  }

  get remotePort(): number | undefined {
    return this.#session.remotePort;
  }

  /** Serve the stream: its head becomes a Request that goes the way of every request. */
  start(raw: readonly string[], endStream: boolean): void {
    if (this.lifecycle.timed) this.startedAt = performance.now();
    const head = parseStreamHead(this.#session.parser, raw);
    if (head instanceof WasmlaneError) return this.#headError(head);
    const body = endStream ? EMPTY_BODY : this.#openBody(head.contentLength);
    this.body = body;
    const request = new Request(head, this, body);
    this.#omitBody = request.methodId === abi.METHOD_HEAD;
    const ctx = new Context(request, this, NO_PARAMS);
    this.ctx = ctx;
    const phase = this.enterPhase(ctx);
    if (phase === null) return; // refused on its head (417, CONNECT with content)
    this.dispatch(ctx, phase);
  }

  /** A head the parser refused (400, 414, 431 …): answered as on HTTP/1.1, by the root phase. */
  #headError(error: WasmlaneError): void {
    const ctx = new Context(Request.empty(this, EMPTY_BODY), this, NO_PARAMS);
    this.ctx = ctx;
    this.responseSteps = this.host.phaseFor(ctx.request).response;
    this.respondError(ctx, error);
  }

  #openBody(contentLength: number): RequestBody {
    // node:http2 checks DATA against Content-Length (RFC 9113 §8.1.1), so a declared length is exact.
    const body = contentLength >= 0 ? new RequestBody(this, BODY_LENGTH, contentLength) : new RequestBody(this, BODY_STREAM, 0);
    const stream = this.#stream;
    stream.on('data', onData);
    stream.on('end', onEnd);
    if (!body.complete) this.arm(T_BODY, this.host.requestConfig.readTimeoutMs);
    return body;
  }

  /** A DATA frame's payload. */
  data(chunk: Buffer): void {
    const body = this.body;
    if (body.complete || body.discarding) return; // discarding: the response is out, the reset follows
    if (body.kind === BODY_LENGTH) body.feedLength(chunk, 0);
    else body.push(chunk, 0, chunk.length);
    if (body.error !== null) return this.#bodyFailed(body.error);
    if (body.complete) this.arm(T_NONE, 0);
    else this.arm(T_BODY, this.host.requestConfig.readTimeoutMs); // readTimeoutMs measures silence
  }

  /** END_STREAM: the body is complete. */
  ended(): void {
    // A stream destroyed (reset by the client, or its session gone) also ends its readable side:
    // that is not END_STREAM, and closed() fails the body instead.
    if (this.#stream.destroyed) return;
    this.body.finish();
    this.arm(T_NONE, 0);
  }

  #bodyFailed(error: WasmlaneError): void {
    // Answer if we still can; the stream is reset after the response (the body is incomplete).
    const ctx = this.ctx;
    if (ctx !== null && !ctx.finished && ctx.stream_ === null) this.respondError(ctx, error);
  }

  // --- BodyOwner -----------------------------------------------------------------------------------

  bodyReadStarted(): void {
    const ctx = this.ctx;
    if (ctx !== null && !this.#continueSent && (ctx.request.flags & abi.F_EXPECT_CONTINUE) !== 0) {
      // RFC 9110 §10.1.1 (also on HTTP/2, RFC 9113 §8.1): the client waits for this interim response.
      this.#continueSent = true;
      if (!this.#stream.headersSent && !this.#stream.closed) this.#stream.additionalHeaders({ ':status': 100 });
    }
  }

  bodyPressure(paused: boolean): void {
    // A paused stream is not read, so node:http2 stops sending WINDOW_UPDATE: the client waits.
    if (paused) this.#stream.pause();
    else this.#stream.resume();
  }

  // --- responses -----------------------------------------------------------------------------------

  /** The whole response in one HEADERS (+ DATA) exchange. */
  protected flush(ctx: Context): void {
    ctx.finished = true;
    this.disarmHandler();
    let bytes: number;
    try {
      bytes = this.#writeWhole(ctx.response);
    } catch (error) {
      if (this.#stream.headersSent) throw error;
      // node:http2 refused the head (e.g. a field that takes one value, set twice): 500, as a
      // handler's failure is answered.
      ctx.error = error;
      this.answers.fillPanic(ctx, error);
      bytes = this.#writeWhole(ctx.response);
    }
    if (this.lifecycle.timed) this.report(ctx, bytes);
    this.#finish(ctx);
  }

  /** HEADERS (+ DATA) for a recorded response; returns the body bytes sent. */
  #writeWhole(state: ResponseState): number {
    const body = statusHasNoBody(state.status) ? null : state.body;
    const bytes = body === null ? EMPTY : typeof body === 'string' ? Buffer.from(body) : body;
    const stream = this.#stream;
    if (stream.closed || stream.destroyed) return 0; // the client is gone: nothing to write
    stream.respond(responseHeaders(state, bytes.byteLength, typeof body === 'string'),
      { endStream: this.#omitBody || bytes.byteLength === 0 });
    // node:http2 ends the stream itself for HEAD, 204, 205 and 304.
    if (stream.writableEnded) return 0;
    stream.end(bytes);
    return bytes.byteLength;
  }

  /** ContextOwner: ctx.stream(): the head goes out now, the body as it is written. */
  startStream(ctx: Context, length = -1): ResponseStream {
    const state = ctx.response;
    const noBody = this.#omitBody || statusHasNoBody(state.status);
    this.disarmHandler();
    const stream = this.#stream;
    const response = new ResponseStreamImpl(stream, this, false, noBody, length);
    this.#response = response;
    if (stream.closed || stream.destroyed) {
      response.aborted(); // the client is gone: the writer sees a closed stream
      return response;
    }
    stream.respond(responseHeaders(state, length, false), { endStream: noBody });
    stream.on('drain', onDrain);
    return response;
  }

  /** StreamOwner: the streamed body ended. */
  streamEnded(response: ResponseStreamImpl): void {
    const ctx = this.ctx;
    if (response !== this.#response || ctx === null) return;
    this.#response = null;
    ctx.finished = true;
    if (!this.#stream.writableEnded) this.#stream.end();
    if (this.lifecycle.timed) this.report(ctx, response.bytesWritten);
    this.#finish(ctx);
  }

  /** The stream's 'drain': the client opened its window again. */
  drained(): void {
    this.#response?.drained();
  }

  /** The response is complete (as far as we are concerned). */
  #finish(ctx: Context): void {
    this.ctx = null;
    this.disarmHandler();
    const body = this.body;
    if (!body.complete) {
      // RFC 9113 §8.1: after a complete response the server may ask the client to stop sending the
      // request with RST_STREAM(NO_ERROR); node:http2 sends it after the response's last frame.
      body.discard();
      this.arm(T_NONE, 0);
      const stream = this.#stream;
      if (!stream.closed) stream.close(NGHTTP2_NO_ERROR);
    }
    if (ctx.response.closeRequested) this.#session.drain(); // ctx.closeAfter(): this connection ends
  }

  /** Exchange: nothing to decide on HTTP/2: a body still unread when the response is complete is
   *  always refused (#finish), and the other streams are not affected. */
  protected refuseBody(): void {}

  /** ServerLink / StreamOwner: cut the response (and the request) with RST_STREAM(INTERNAL_ERROR). */
  abort(): void {
    const stream = this.#stream;
    if (!stream.destroyed) stream.destroy(CUT);
  }

  protected fatal(error: unknown): void {
    this.lifecycle.failed('HTTP/2 stream failed', error);
    this.abort();
  }

  protected override connectionNumber(): number {
    return this.#session.connectionNumber();
  }

  detachForUpgrade(): Buffer {
    // RFC 9113 §8.6: no Upgrade in HTTP/2 (a WebSocket route answers 426 before this is reached).
    throw new WasmlaneError('WL_H2_NO_UPGRADE');
  }

  // --- deadlines, close ----------------------------------------------------------------------------

  /** The session's sweeper tick: fire a deadline that passed. */
  tick(now: number): void {
    const kind = this.expire(now);
    if (kind === T_NONE) return;
    try {
      if (kind === T_HANDLER) {
        this.handlerTimedOut();
      } else if (kind === T_BODY) {
        this.body.fail(new WasmlaneError('WL_REQUEST_TIMEOUT', 'body'));
        this.#bodyFailed(this.body.error!);
      }
    } catch (error) {
      this.fatal(error); // called from the sweeper: a failure must not escape into the interval
    }
  }

  /** The stream closed (response done and body read, reset by either side, or the session ended). */
  closed(): void {
    this.arm(T_NONE, 0);
    this.disarmHandler();
    if (!this.body.complete) this.body.fail(new WasmlaneError('WL_BODY_ABORTED'));
    this.#response?.aborted();
    this.#response = null;
    const ctx = this.ctx;
    if (ctx !== null) ctx.finished = true;
    this.ctx = null;
    this.#session.exchangeClosed(this);
  }
}
