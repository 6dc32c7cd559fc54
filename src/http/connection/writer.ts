// The response side of a connection: writing responses (whole or streamed), the keep-alive decision,
// and the hand-over of the socket on upgrade. The chain's outcome, error answers and the response
// phase are the Exchange's (exchange.ts), shared with HTTP/2 streams. Responses leave in request
// order (one at a time, RFC 9112 §9.3.2), each as one corked write; pipelined ones of one input
// chunk share a write (output.ts).
import * as abi from '../../abi.js';
import type { Context } from '../../context.js';
import { connectionLine, serializeHead, FRAME_CHUNKED, FRAME_CLOSE, FRAME_LENGTH, writeResponse } from '../response.js';
import { ResponseStreamImpl } from '../response-stream.js';
import type { StreamOwner } from '../response-stream.js';
import type { ResponseStream } from '../stream-types.js';
import { statusHasNoBody } from '../status-lines.js';
import { ConnectionBase, destroyOnError, P_WRITE, S_UPGRADED } from './base.js';
import { T_NONE } from './deadlines.js';

export abstract class ResponseWriter extends ConnectionBase implements StreamOwner {
  protected keepAlive = true;
  protected http10 = false;
  /** A HEAD request: the response carries no body (RFC 9110 §9.3.2). */
  protected omitBody = false;
  protected continueSent = false;
  protected stream: ResponseStreamImpl | null = null;
  #streamFrom = 0;

  /** The response is done and the body read: go on with the next request (or wait for one). */
  protected abstract next(): void;

  /** Exchange: the body is not read; the connection closes after the response (framing is lost). */
  protected refuseBody(): void {
    this.keepAlive = false;
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
    if (this.lifecycle.timed) this.report(ctx, (this.socket.bytesWritten ?? 0) - this.#streamFrom);
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
    if (this.lifecycle.timed) this.report(ctx, bytes);
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
