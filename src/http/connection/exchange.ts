// One request/response exchange as the route table and the hook phases see it, whatever carries it:
// an HTTP/1.1 connection (ConnectionBase and the layers on it, one exchange after another) or one
// HTTP/2 stream (src/h2/exchange.ts, many at once on a session). Everything here is the same for
// both, so a handler cannot tell them apart:
//   - dispatch: refused heads (417, CONNECT with content), pre-routing middleware, routing
//     (404/405/501), the route's body limit (413), the handler deadline, the route's chain;
//   - the chain's outcome (ContextOwner): done, failed, error answers through onRequestError /
//     onPanic (src/answers.ts), the response phase (response middleware on every response,
//     src/phases.ts), deferred bodies (ctx.sendStream()), onResponse reporting.
// What differs is the transport's: how a response is written (flush, startStream), how it is cut
// short (abort), what refusing a body means (refuseBody), and how a failure is contained (fatal).
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import * as abi from '../../abi.js';
import type { ErrorAnswers } from '../../answers.js';
import { PHASE_REQUEST, PHASE_RESPONSE } from '../../context.js';
import type { BodyProducer, Context, ContextOwner } from '../../context.js';
import { WasmlaneError } from '../../errors.js';
import { runChain, runResponseChain } from '../../hooks.js';
import type { Step } from '../../hooks.js';
import type { Lifecycle } from '../../lifecycle.js';
import { routeResponseSteps } from '../../phases.js';
import type { Phase } from '../../phases.js';
import { BODY_NONE, RequestBody } from '../body.js';
import { refuseRequest } from '../refuse.js';
import type { ResponseStream } from '../stream-types.js';
import { Deadlines } from './deadlines.js';
import type { ConnectionHost } from './host.js';

/** The body of a request without one (shared: it holds no state). */
export const EMPTY_BODY = new RequestBody(null, BODY_NONE, 0);

const NO_STEPS: readonly Step<Context>[] = Object.freeze([]);

export abstract class Exchange extends Deadlines implements ContextOwner {
  /** The server that accepted the connection (SSE reaches topics and open streams through it). */
  readonly host: ConnectionHost;
  protected readonly answers: ErrorAnswers;
  protected readonly lifecycle: Lifecycle;
  /** The request in flight (null between requests on HTTP/1.1) and its body. */
  protected ctx: Context | null = null;
  protected body: RequestBody = EMPTY_BODY;
  /** The response middleware of the request in flight (its path's phase, then its route's own). */
  protected responseSteps: readonly Step<Context>[] = NO_STEPS;
  /** The pre-routing chain is running: when it ends without Reject, the request is routed. */
  protected preRouting = false;
  /** Requests started on this connection (the sequence number of the request id; on HTTP/2 the
   *  stream's number on its session). */
  requestCount = 0;
  /** performance.now() when the request started; taken only when responses are reported. */
  protected startedAt = 0;
  /** The connection's number in request ids; 0 until the first report asks for one. */
  protected connectionId = 0;

  constructor(host: ConnectionHost) {
    super(host.requestConfig.requestTimeoutMs);
    this.host = host;
    this.answers = host.answers;
    this.lifecycle = host.lifecycle;
  }

  /** ServerLink: the connection's socket (on HTTP/2 the session's, shared by its streams). */
  abstract readonly socket: Socket;
  /** ServerLink: what emits 'close' once this exchange's client is gone (the socket, or the HTTP/2 stream). */
  abstract readonly channel: Duplex;
  /** ContextOwner: reading was paused by the connection (the upgrade's new owner resumes it). */
  abstract readonly wasPaused: boolean;
  /** ContextOwner: ctx.stream(): the head goes out now. */
  abstract startStream(ctx: Context, length?: number): ResponseStream;
  /** ContextOwner: hand the socket over (an upgrade); only HTTP/1.1 can. */
  abstract detachForUpgrade(): Buffer;
  /** ServerLink: cut the response short: the client sees an incomplete message, never a complete
   *  wrong one (HTTP/1.1: the socket is destroyed, RFC 9112 §8; HTTP/2: RST_STREAM, RFC 9113 §8.1). */
  abstract abort(): void;
  /** Write the recorded response (ctx.response) whole and finish the exchange. */
  protected abstract flush(ctx: Context): void;
  /** The request body will not be read (refused, or the answer went out in the handler's stead):
   *  HTTP/1.1 closes the connection after the response, HTTP/2 resets the stream after it. */
  protected abstract refuseBody(): void;
  /** A bug must cost one connection (or stream), never the process. */
  protected abstract fatal(error: unknown): void;

  // --- dispatch ------------------------------------------------------------------------------------

  /** The hook phase of the request's path (its response middleware is set now), or null when the head
   *  alone refuses the request (answered already). Call once the Context and body are in place. */
  protected enterPhase(ctx: Context): Phase | null {
    const request = ctx.request;
    const phase = this.host.phaseFor(request);
    this.responseSteps = phase.response;
    if ((request.flags & abi.F_EXPECT_OTHER) !== 0 || request.methodId === abi.METHOD_CONNECT) {
      const refused = refuseRequest(request.flags, request.methodId, this.body.complete);
      if (refused !== null) {
        this.refuseBody(); // the body, if any, is never read
        this.respondError(ctx, refused);
        return null;
      }
    }
    return phase;
  }

  /** Run the pre-routing middleware of `phase` (then route), or route at once. */
  protected dispatch(ctx: Context, phase: Phase): void {
    if (phase.request.length !== 0) {
      // Server and group request middleware, before routing: until the route's limit is known, a
      // body such middleware reads is bounded by the largest limit of any route.
      const body = this.body;
      if (body !== EMPTY_BODY) body.limit = this.host.maxBodySizeAny;
      const ms = this.host.requestConfig.handlerTimeoutMs;
      if (ms > 0) this.armHandler(ms);
      this.preRouting = true;
      runChain(ctx, phase.request, 0);
      return;
    }
    this.routeRequest(ctx);
  }

  /** Match the request and run its route's chain (or answer 404/405/501, 413). */
  protected routeRequest(ctx: Context): void {
    const host = this.host;
    const routed = host.routeFor(ctx.request);
    const route = routed.route;
    if (route === null) return this.respondError(ctx, routed.error!, routed.allow);
    ctx.params = routed.params;
    if (route.response.own.length !== 0) this.responseSteps = routeResponseSteps(route.response, host.phaseFor(ctx.request));
    if (!this.limitBody(ctx, route.maxBodySize)) return;
    if (route.handlerTimeoutMs > 0) this.armHandler(route.handlerTimeoutMs);
    else this.disarmHandler(); // a deadline armed for pre-routing middleware; 0 = off for this route
    runChain(ctx, route.steps, 0);
  }

  /** Apply the route's body limit. False when the request was answered already (413). */
  protected limitBody(ctx: Context, limit: number): boolean {
    const body = this.body;
    if (body === EMPTY_BODY) return true;
    body.limit = limit;
    if (body.received + body.remaining > limit) {
      // A Content-Length over the limit is refused before reading the body (RFC 9110 §15.5.14);
      // the rest is not read, even when part of it is already here.
      this.refuseBody();
      this.respondError(ctx, new WasmlaneError('WL_BODY_TOO_LARGE', `${body.received + body.remaining} > ${limit} bytes`));
      return false;
    }
    return true;
  }

  /** The handler deadline passed with no response started: 503 in the handler's stead; what the
   *  handler does later finds ctx finished and is dropped. */
  protected handlerTimedOut(): void {
    const ctx = this.ctx;
    if (ctx === null || ctx.finished || ctx.stream_ !== null) return;
    this.refuseBody();
    this.respondError(ctx, new WasmlaneError('WL_HANDLER_TIMEOUT', `${this.handlerMs} ms`));
  }

  // --- ContextOwner: the chain's outcome -----------------------------------------------------------

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
      // cut hides bugs such as a response middleware setting a field after ctx.stream()).
      this.answers.reportPanic(ctx, error);
      this.abort();
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
    if (ctx.phase === PHASE_RESPONSE) this.send(ctx);
    else this.respond(ctx);
  }

  /** The response phase: response middleware (every response goes through it once), then the write. */
  protected respond(ctx: Context): void {
    ctx.phase = PHASE_RESPONSE;
    const steps = this.responseSteps;
    if (steps.length === 0) return this.send(ctx);
    runResponseChain(ctx, steps, 0);
  }

  /** ContextOwner: the response middleware is over. */
  responseDone(ctx: Context): void {
    if (ctx.finished || ctx !== this.ctx) return;
    this.send(ctx);
  }

  /** ContextOwner: a response middleware threw: contained, the response as it stands goes out once
   *  (a stream whose head is already out is cut, as a failing request step does). */
  responseFailed(ctx: Context, error: unknown): void {
    if (ctx.finished || ctx !== this.ctx) return;
    this.answers.reportPanic(ctx, error);
    if (ctx.stream_ !== null) {
      this.abort();
      return;
    }
    this.send(ctx);
  }

  protected send(ctx: Context): void {
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
        this.abort();
        return;
      }
      ctx.error = error;
      this.answers.fillPanic(ctx, error);
      this.flush(ctx);
    }
  }

  /** The connection's number in request ids, taken on the first report (an HTTP/2 stream asks its session). */
  protected connectionNumber(): number {
    return this.lifecycle.nextConnectionId();
  }

  /** onResponse hooks and the log line (lifecycle.timed only). */
  protected report(ctx: Context, bytes: number): void {
    try {
      if (this.connectionId === 0) this.connectionId = this.connectionNumber();
      this.lifecycle.responded(ctx, ctx.response.status, bytes, this.startedAt, this.connectionId, this.requestCount);
    } catch (error) {
      this.lifecycle.failed('response report failed', error);
    }
  }
}
