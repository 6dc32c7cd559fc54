// The response side of a connection: the chain's outcome (done, failed, error answers through the
// onRequestError / onPanic hooks of ErrorAnswers), the response phase (response middleware on every
// response, src/phases.ts), onResponse reporting, streamed responses, the keep-alive decision, and
// the hand-over of the socket on upgrade. Responses leave in request order (one at a time, RFC 9112
// §9.3.2), each as one corked write; pipelined ones of one input chunk share a write (output.ts).
import type { Socket } from 'node:net';
import * as abi from '../../abi.js';
import type { ErrorAnswers } from '../../answers.js';
import { PHASE_REQUEST, PHASE_RESPONSE } from '../../context.js';
import type { BodyProducer, Context, ContextOwner } from '../../context.js';
import { WasmlaneError } from '../../errors.js';
import { runResponseChain } from '../../hooks.js';
import type { Step } from '../../hooks.js';
import type { Lifecycle } from '../../lifecycle.js';
import { connectionLine, serializeHead, FRAME_CHUNKED, FRAME_CLOSE, FRAME_LENGTH, writeResponse } from '../response.js';
import { ResponseStreamImpl } from '../response-stream.js';
import type { StreamOwner } from '../response-stream.js';
import type { ResponseStream } from '../stream-types.js';
import { statusHasNoBody } from '../status-lines.js';
import { ConnectionBase, destroyOnError, P_WRITE, S_UPGRADED } from './base.js';
import { T_NONE } from './deadlines.js';
import type { ConnectionHost } from './host.js';

const NO_STEPS: readonly Step<Context>[] = Object.freeze([]);

export abstract class ResponseWriter extends ConnectionBase implements StreamOwner, ContextOwner {
  protected readonly answers: ErrorAnswers;
  protected readonly lifecycle: Lifecycle;
  protected keepAlive = true;
  protected http10 = false;
  /** A HEAD request: the response carries no body (RFC 9110 §9.3.2). */
  protected omitBody = false;
  protected continueSent = false;
  protected stream: ResponseStreamImpl | null = null;
  /** The response middleware of the request in flight (its path's phase, then its route's own). */
  protected responseSteps: readonly Step<Context>[] = NO_STEPS;
  /** The pre-routing chain is running: when it ends without Reject, the request is routed. */
  protected preRouting = false;
  /** performance.now() when the request started; taken only when responses are reported. */
  protected startedAt = 0;
  #connectionId = 0;
  #streamFrom = 0;

  constructor(socket: Socket, host: ConnectionHost) {
    super(socket, host);
    this.answers = host.answers;
    this.lifecycle = host.lifecycle;
  }

  /** The response is done and the body read: go on with the next request (or wait for one). */
  protected abstract next(): void;

  /** Pre-routing middleware let the request through: route it and run its chain (index.ts). */
  protected abstract routeRequest(ctx: Context): void;

  /** ContextOwner: the request chain (pre-routing, or route middleware and handler) is over. */
  chainDone(ctx: Context, rejected: boolean): void {
    if (ctx.finished || ctx !== this.ctx || ctx.phase !== PHASE_REQUEST) return;
    try {
      if (this.preRouting) {
        this.preRouting = false;
        if (!rejected) return this.routeRequest(ctx);
      }
      this.respond(ctx);
    } catch (error) {
      this.fatal(error); // also called from promise callbacks: never leave a rejection unhandled
    }
  }

  /** ContextOwner: a step threw or rejected. */
  chainFailed(ctx: Context, error: unknown): void {
    if (ctx.finished || ctx !== this.ctx || ctx.phase !== PHASE_REQUEST) return;
    this.preRouting = false;
    if (ctx.stream_ !== null) {
      // The head is on the wire: no way to turn this into an error response. Report it (a silent
      // destroy hides bugs such as a response middleware setting a field after ctx.stream()).
      this.answers.reportPanic(ctx, error);
      this.socket.destroy();
      return;
    }
    try {
      if (error instanceof WasmlaneError && error.status !== undefined && error.code !== 'WL_HANDLER_PANIC'
        && error.code !== 'WL_INVALID_RESPONSE_HEADER' && error.code !== 'WL_RESPONSE_ALREADY_SENT') {
        // A coded client error surfaced through the handler (body too large, invalid JSON, timeout).
        this.respondError(ctx, error);
        return;
      }
      ctx.error = error;
      this.answers.fillPanic(ctx, error);
      this.respond(ctx);
    } catch (failure) {
      this.fatal(failure);
    }
  }

  /** Answer with an error (onRequestError hooks may customise it), then the response phase. */
  respondError(ctx: Context, error: WasmlaneError, allow?: string): void {
    if (ctx.finished) return;
    this.preRouting = false;
    ctx.error = error;
    this.answers.fillError(ctx, error, allow);
    // Response middleware that failed to finish in time (or a body that failed meanwhile) has had
    // its turn: the error answer goes out as it is.
    if (ctx.phase === PHASE_RESPONSE) this.#send(ctx);
    else this.respond(ctx);
  }

  /** The response phase: response middleware (every response goes through it once), then the write. */
  protected respond(ctx: Context): void {
    ctx.phase = PHASE_RESPONSE;
    const steps = this.responseSteps;
    if (steps.length === 0) return this.#send(ctx);
    runResponseChain(ctx, steps, 0);
  }

  /** ContextOwner: the response middleware is over. */
  responseDone(ctx: Context): void {
    if (ctx.finished || ctx !== this.ctx) return;
    this.#send(ctx);
  }

  /** ContextOwner: a response middleware threw: contained, the response as it stands goes out once
   *  (a stream whose head is already out is cut, as a failing request step does). */
  responseFailed(ctx: Context, error: unknown): void {
    if (ctx.finished || ctx !== this.ctx) return;
    this.answers.reportPanic(ctx, error);
    if (ctx.stream_ !== null) {
      this.socket.destroy();
      return;
    }
    this.#send(ctx);
  }

  #send(ctx: Context): void {
    try {
      if (ctx.stream_ !== null) return; // the stream's end() finishes the response
      const deferred = ctx.takeDeferred();
      if (deferred !== null) return this.#startDeferred(ctx, deferred);
      this.flush(ctx);
    } catch (error) {
      this.fatal(error);
    }
  }

  /** ctx.sendStream(): the head goes out now (after response middleware), then produce() writes. */
  #startDeferred(ctx: Context, deferred: { readonly length: number; readonly produce: BodyProducer }): void {
    try {
      const stream = this.startStream(ctx, deferred.length);
      ctx.stream_ = stream;
      deferred.produce(stream);
    } catch (error) {
      if (ctx.finished) return;
      if (ctx.stream_ !== null) {
        this.answers.reportPanic(ctx, error);
        this.socket.destroy();
        return;
      }
      ctx.error = error;
      this.answers.fillPanic(ctx, error);
      this.flush(ctx);
    }
  }

  /** onResponse hooks and the log line (lifecycle.timed only). */
  #report(ctx: Context, bytes: number): void {
    try {
      if (this.#connectionId === 0) this.#connectionId = this.lifecycle.nextConnectionId();
      this.lifecycle.responded(ctx, ctx.response.status, bytes, this.startedAt, this.#connectionId, this.requestCount);
    } catch (error) {
      this.lifecycle.failed('response report failed', error);
    }
  }

  /** ContextOwner: ctx.stream(). */
  startStream(ctx: Context, length = -1): ResponseStream {
    const state = ctx.response;
    const noBody = this.omitBody || statusHasNoBody(state.status);
    // HTTP/1.0 has no chunked coding: the body ends when the connection closes (RFC 9112 §6.3),
    // unless its length is known up front (Content-Length, RFC 9112 §6.2).
    const chunked = !this.http10;
    if (!chunked && length < 0) this.keepAlive = false;
    this.resolveKeepAlive(ctx);
    this.disarmHandler();
    const framing = length >= 0 ? FRAME_LENGTH : chunked ? FRAME_CHUNKED : FRAME_CLOSE;
    if (this.lifecycle.timed) {
      this.output.flush(); // earlier responses of a pipelined batch are not this one's bytes
      this.#streamFrom = this.socket.bytesWritten ?? 0;
    }
    const head = serializeHead(state, framing, length, connectionLine(this.keepAlive, this.http10, state.connection));
    this.output.latin1(head);
    this.hookDrain();
    const stream = new ResponseStreamImpl(this.socket, this, chunked, noBody, length);
    this.stream = stream;
    return stream;
  }

  /** StreamOwner: the stream ended. */
  streamEnded(stream: ResponseStreamImpl): void {
    const ctx = this.ctx;
    if (stream !== this.stream || ctx === null) return;
    this.stream = null;
    ctx.finished = true;
    if (this.lifecycle.timed) this.#report(ctx, (this.socket.bytesWritten ?? 0) - this.#streamFrom);
    this.finished();
  }

  protected resolveKeepAlive(ctx: Context): void {
    // A peer that half-closed gets answers to what it already sent, then we close.
    if (ctx.response.closeRequested || this.host.closing || (this.peerEnded && this.pend === null)) this.keepAlive = false;
    const body = this.body;
    if (!body.complete) {
      // Unread body: drain it only when the client is actually sending it and it fits the limit;
      // otherwise closing is cheaper than reading (RFC 9112 §9.6).
      if (body.limit === Infinity) body.limit = this.host.requestConfig.maxBodySize;
      const waitingForContinue = (ctx.request.flags & abi.F_EXPECT_CONTINUE) !== 0 && !this.continueSent;
      if (waitingForContinue || body.error !== null || body.received + body.remaining > body.limit) this.keepAlive = false;
    }
  }

  protected flush(ctx: Context): void {
    ctx.finished = true;
    this.resolveKeepAlive(ctx);
    this.output.batchStart(); // head and body in one write even outside a pipelined batch
    const bytes = writeResponse(this.output, ctx.response, this.omitBody, connectionLine(this.keepAlive, this.http10, ctx.response.connection));
    this.output.batchEnd();
    if (this.lifecycle.timed) this.#report(ctx, bytes);
    this.finished();
  }

  /** The response is complete on the wire (as far as we are concerned). */
  protected finished(): void {
    this.ctx = null;
    this.disarmHandler();
    if (this.socket.writableLength >= this.host.highWaterMark) this.pause(P_WRITE);
    if (!this.keepAlive) return this.close();
    const body = this.body;
    if (!body.complete) {
      body.discard(); // drained (bounded by the body limit) before the next request
      return;
    }
    this.next();
  }

  // --- upgrade -------------------------------------------------------------------------------------

  /** Stop treating the socket as HTTP; returns the bytes that followed the head. */
  detachForUpgrade(): Buffer {
    const ctx = this.ctx;
    if (ctx !== null) ctx.finished = true;
    this.ctx = null;
    this.state = S_UPGRADED;
    this.arm(T_NONE, 0);
    this.output.flush();
    const head = this.pend === null ? Buffer.alloc(0) : this.pend.subarray(this.pendPos);
    this.pend = null;
    const socket = this.socket;
    socket.removeAllListeners('data');
    socket.removeAllListeners('end');
    socket.removeAllListeners('drain');
    socket.removeAllListeners('error');
    socket.removeAllListeners('close');
    // Until the new owner attaches its handlers, errors must not crash the process.
    socket.on('error', destroyOnError);
    this.host.connectionUpgraded(this);
    return head;
  }

  protected override onDrain(): void {
    super.onDrain();
    this.stream?.drained();
  }
}
