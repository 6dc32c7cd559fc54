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
// answered with one socket write (src/http/connection/output.ts).
//
// The jobs are layered (one file each, each a few hundred lines at most):
//   exchange.ts dispatch, routing, body limit, chain outcome, error answers     (Exchange; HTTP/2 too)
//   base.ts     socket, state, pending input, flow control, sweeper tick, close  (ConnectionBase)
//   writer.ts   responses, streams, keep-alive, upgrade hand-over                (ResponseWriter)
//   body.ts     100-continue, body backpressure and failures                     (BodyReader)
//   index.ts    input: head parsing, request framing, next request               (Connection)
// The request path is straight: parse → Request → host.phaseFor(request) (pre-routing and response
// middleware of the path) → pre-routing chain, if any → host.routeFor(request) (the frozen chain and
// its limits, or an error answer) → run the chain → response middleware → write (writer.ts).
// Nothing calls back into the server mid-request.
import type { Socket } from 'node:net';
import * as abi from '../../abi.js';
import { Context } from '../../context.js';
import type { Params } from '../../context.js';
import { WasmlaneError, errorFromAbi } from '../../errors.js';
import { BODY_CHUNKED, BODY_LENGTH, RequestBody } from '../body.js';
import type { ChunkedDecoder } from '../chunked/decoder.js';
import type { HeadParser } from '../head/parser.js';
import { HeadReader } from '../head/reader.js';
import type { HeadResult } from '../head/result.js';
import { Request } from '../request.js';
import { EMPTY_BODY, P_PIPE, S_BODY, S_CLOSED, S_HEAD, S_WAIT } from './base.js';
import { BodyReader } from './body.js';
import { T_BODY, T_HANDLER, T_HEAD, T_IDLE, T_LINGER, T_NONE } from './deadlines.js';
import type { ConnectionHost } from './host.js';

/** Bytes of pipelined input held while a response is pending before we stop reading. */
const PIPE_HIGH_WATER = 64 * 1024;
const NO_PARAMS: Params = Object.freeze({});

export class Connection extends BodyReader {
  /** this.host, held privately too: the head-parse block below reads it as #host. */
  readonly #host: ConnectionHost;
  readonly #parser: HeadParser;
  #decoder: ChunkedDecoder | null = null;
  readonly #heads: HeadReader;
  #inLoop = false;

  constructor(socket: Socket, host: ConnectionHost) {
    super(socket, host);
    this.#host = host;
    this.#parser = host.createHeadParser();
    this.#heads = new HeadReader(this.#parser);
    this.arm(T_IDLE, host.requestConfig.headTimeoutMs);
  }

  /** No request in progress and no partial input: safe to close now (graceful shutdown). */
  get idle(): boolean {
    return this.state === S_HEAD && this.ctx === null && !this.#heads.partial && this.pend === null;
  }

  // --- input -------------------------------------------------------------------------------------

  protected onData(chunk: Buffer): void {
    try {
      this.#input(chunk);
    } catch (error) {
      this.fatal(error);
    }
  }

  #input(chunk: Buffer): void {
    switch (this.state) {
      case S_HEAD:
        this.#append(chunk);
        this.output.batchStart();
        try {
          this.#processInput();
        } finally {
          this.output.batchEnd();
        }
        return;
      case S_BODY:
        this.arm(T_BODY, this.#host.requestConfig.readTimeoutMs);
        this.#feedBody(chunk, 0);
        return;
      case S_WAIT:
        this.#append(chunk);
        if (this.pend!.length - this.pendPos > PIPE_HIGH_WATER) this.pause(P_PIPE);
        return;
      default:
        return; // CLOSED: drop what the peer still sends
    }
  }

  #append(chunk: Buffer): void {
    const pend = this.pend;
    if (pend === null) {
      this.pend = chunk;
      this.pendPos = 0;
    } else {
      this.pend = Buffer.concat([pend.subarray(this.pendPos), chunk]);
      this.pendPos = 0;
    }
  }

  #processInput(): void {
    if (this.#inLoop) return; // a response finished synchronously inside the loop: it goes on by itself
    this.#inLoop = true;
    try {
      while (this.state === S_HEAD && this.pend !== null && this.#parseHead());
    } finally {
      this.#inLoop = false;
    }
    if (this.state === S_HEAD && this.pend === null && this.peerEnded) this.close();
  }

  /** Parse one head from pend; true when a request started and the loop may go on. */
  #parseHead(): boolean {
    const pend = this.pend!;
    const heads = this.#heads;
    const rc = heads.read(pend, this.pendPos);
    if (rc === 0) {
      this.pend = null;
      // RFC 9112 §9.5 / slowloris: the head timeout runs from its first byte, not from the last one.
      if (this.deadlineKind !== T_HEAD) this.arm(T_HEAD, this.#host.requestConfig.headTimeoutMs);
      return false;
    }
    if (rc < 0) return this.#headError(errorFromAbi(rc, heads.result.errorPosition));
    this.pendPos += heads.consumed;
    if (this.pendPos >= pend.length) this.pend = null;
    this.#startRequest(this.#readRequest(heads.result));
    return true;
  }

  /** The parsed head as a Request (it keeps the sealed HeadResult) with its body reader. */
  #readRequest(head: HeadResult): Request {
    let body = EMPTY_BODY;
    if (head.chunked) {
      body = new RequestBody(this, BODY_CHUNKED, 0);
      this.#decoder ??= this.#host.createChunkedDecoder(this);
      this.#decoder.reset();
    } else if (head.contentLength > 0) {
      body = new RequestBody(this, BODY_LENGTH, head.contentLength);
    }
    // RFC 9112 §6.3: a request with neither Content-Length nor Transfer-Encoding has no body.
    // The request keeps the HeadResult itself: the parser makes a new one for the next head.
    return new Request(head, this, body);
  }

  /**
   * Frame the request, then hand it to the route table once: what comes back (the frozen chain and
   * its limits, or an error answer) is all the connection needs; nothing calls back mid-request.
   */
  #startRequest(request: Request): void {
    const body = request.body;
    const flags = request.flags;
    this.body = body;
    this.requestCount++;
    if (this.lifecycle.timed) this.startedAt = performance.now();
    const max = this.#host.requestConfig.maxRequestsPerConnection;
    this.keepAlive = (flags & abi.F_KEEP_ALIVE) !== 0 && !(max > 0 && this.requestCount >= max);
    this.http10 = request.versionNumber === 10;
    this.omitBody = request.methodId === abi.METHOD_HEAD;
    this.continueSent = false;
    this.state = body.complete ? S_WAIT : S_BODY;
    if (body.complete) this.arm(T_NONE, 0);
    else this.arm(T_BODY, this.#host.requestConfig.readTimeoutMs);
    const ctx = new Context(request, this, NO_PARAMS);
    this.ctx = ctx;
    const phase = this.enterPhase(ctx);
    if (phase === null) return; // refused on its head (417, CONNECT with content)
    // Body bytes that came with the head are queued now (the route's limit is applied in limitBody).
    const pend = this.pend;
    if (pend !== null && !body.complete) {
      this.pend = null;
      this.#feedBody(pend, this.pendPos);
    }
    if (ctx.finished) return;
    this.dispatch(ctx, phase);
  }

  /** Body bytes from chunk[start..]; what is left after the body goes back to pend. */
  #feedBody(chunk: Buffer, start: number): void {
    const body = this.body;
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
    if (body.error !== null) return this.bodyFailed(body.error);
    if (!body.complete) return;
    const rest = start + used;
    if (rest < chunk.length) {
      if (this.pend === null) {
        this.pend = chunk;
        this.pendPos = rest;
      } else {
        this.#append(chunk.subarray(rest));
      }
    }
    this.state = S_WAIT;
    this.arm(T_NONE, 0);
    if (this.ctx === null) this.next(); // the response was finished already: the drain is over
  }

  protected next(): void {
    this.state = S_HEAD;
    this.body = EMPTY_BODY;
    this.resume(P_PIPE);
    if (this.pend === null) {
      if (this.peerEnded) return this.close();
      this.arm(T_IDLE, this.#host.requestConfig.idleTimeoutMs);
      return;
    }
    this.arm(T_HEAD, this.#host.requestConfig.headTimeoutMs);
    if (!this.#inLoop) {
      this.output.batchStart();
      try {
        this.#processInput();
      } finally {
        this.output.batchEnd();
      }
    }
  }

  #headError(error: WasmlaneError): boolean {
    // The head is unusable, so is everything after it (framing lost): answer and close.
    this.pend = null;
    this.#heads.reset();
    this.keepAlive = false;
    this.state = S_WAIT;
    const ctx = new Context(Request.empty(this, EMPTY_BODY), this, NO_PARAMS);
    this.ctx = ctx;
    this.requestCount++;
    // No path to speak of: the server-level response middleware (the root phase) sees the answer.
    this.responseSteps = this.#host.phaseFor(ctx.request).response;
    if (this.lifecycle.timed) this.startedAt = performance.now();
    this.respondError(ctx, error);
    return false;
  }

  // --- deadlines, end of input ----------------------------------------------------------------------

  protected timedOut(kind: number): void {
    switch (kind) {
      case T_IDLE:
        return this.close(); // keep-alive idle or nothing sent at all: close silently
      case T_HEAD:
        if (!this.#heads.partial && this.pend === null) return this.close();
        this.#headError(new WasmlaneError('WL_REQUEST_TIMEOUT', 'head'));
        return;
      case T_BODY:
        this.body.fail(new WasmlaneError('WL_REQUEST_TIMEOUT', 'body'));
        this.bodyFailed(this.body.error!);
        return;
      case T_LINGER:
        this.socket.destroy();
        return;
      case T_HANDLER:
        // No response started in time (starting one disarms this deadline): 503, then close.
        return this.handlerTimedOut();
    }
  }

  protected onEnd(): void {
    this.peerEnded = true;
    if (this.state === S_BODY) {
      this.body.fail(new WasmlaneError('WL_BODY_ABORTED'));
      this.bodyFailed(this.body.error!);
    } else if (this.state === S_HEAD && this.ctx === null && this.pend === null) {
      this.close(); // nothing more can come: a partial head will never complete
    }
  }

  protected onClose(): void {
    this.state = S_CLOSED;
    this.arm(T_NONE, 0);
    if (!this.body.complete) this.body.fail(new WasmlaneError('WL_BODY_ABORTED'));
    this.stream?.aborted();
    this.stream = null;
    const ctx = this.ctx;
    if (ctx !== null) ctx.finished = true;
    this.ctx = null;
    this.#host.connectionClosed(this);
  }
}
