// The per-request context handed to middleware and handlers: the request view, route params,
// attributes for middleware → handler data, and the response being built. One per request (never
// reused), so no value of one request can be seen by the next on the same keep-alive connection.
//
// ctx.send()/json() only record the response: it is written once the chain (handler + response
// middleware) is over, so response middleware can still adjust status and fields. ctx.stream()
// writes the head at once.
import { WasmlaneError } from './errors.js';
import { cookieKeysOf } from './http/cookie-sign.js';
import { serializeClearCookie, serializeCookie } from './http/cookies.js';
import type { CookieOptions } from './http/cookies.js';
import type { Request } from './http/request.js';
import { checkStatus, ResponseState } from './http/response.js';
import type { ResponseBody } from './http/response.js';
import type { ResponseStream, ServerLink } from './http/stream-types.js';
import { openSse } from './sse.js';
import type { SseOptions, SseStream } from './sse.js';

/** What a context needs from the connection that owns it (its socket and server: ServerLink). */
export interface ContextOwner extends ServerLink {
  chainDone(ctx: Context<any>, rejected: boolean): void;
  chainFailed(ctx: Context<any>, error: unknown): void;
  responseDone(ctx: Context<any>): void;
  responseFailed(ctx: Context<any>, error: unknown): void;
  /** `length` ≥ 0: a Content-Length framed stream (see src/http/response-stream.ts). */
  startStream(ctx: Context<any>, length?: number): ResponseStream;
  /** Reading was paused by the connection; whoever takes the socket over must resume it. */
  readonly wasPaused: boolean;
  /** Stop treating the socket as HTTP (an upgrade); returns the bytes that followed the head. */
  detachForUpgrade(): Buffer;
}

/** Writes a body of announced length once the head is out (ctx.sendStream()). */
export type BodyProducer = (stream: ResponseStream) => void;

/** Options of ctx.stream(). */
export interface StreamOptions {
  /** The exact body length: sent as Content-Length instead of chunked framing (also on HTTP/1.0,
   *  keeping the connection). Writing fewer bytes before end() closes the connection. */
  length?: number;
}

export type Params = Readonly<Record<string, string>>;

/** What a StreamFilter calls to write the head and get the connection's stream. */
function startStream(ctx: Context<any>, length?: number): ResponseStream {
  return ctx.owner.startStream(ctx, length);
}

/** @internal Context.phase: the request chain (pre-routing middleware, route middleware, handler) runs. */
export const PHASE_REQUEST = 0;
/** @internal Context.phase: response middleware runs (the request chain is over or was answered in its stead). */
export const PHASE_RESPONSE = 1;

/**
 * Members tagged internal (the owner, the finished/stream state, the phase, the chain callbacks of
 * ChainHost and ResponseChainHost in src/hooks.ts, resetForError, takeDeferred) are for the
 * connection and the runners: tsconfig.build.json strips them from dist/*.d.ts (stripInternal), so
 * they are not part of the published type. The class is not declared `implements ChainHost` for that
 * reason; runChain() and runResponseChain() check it structurally.
 */
export class Context<P extends Params = Params> {
  readonly request: Request;
  /** Route parameters, percent-decoded (typed from the route pattern). */
  params: P;
  /** The response being built (status, fields, body). */
  readonly response = new ResponseState();
  #attributes: Map<unknown, unknown> | undefined;
  #sent = false;
  /** ctx.sendStream(): started after response middleware, when the chain is done. */
  #deferred: { readonly length: number; readonly produce: BodyProducer } | null = null;
  /** @internal The owning connection. */
  readonly owner: ContextOwner;
  /** @internal Written to the socket (or taken over by an error/timeout/upgrade): the chain stops. */
  finished = false;
  /** @internal The stream when ctx.stream() was used. */
  stream_: ResponseStream | null = null;
  /** @internal PHASE_REQUEST or PHASE_RESPONSE. */
  phase = PHASE_REQUEST;
  /**
   * Why the server answered in the handler's stead, for response middleware and onResponse: the
   * WasmlaneError of an error answer (404, 405, 413, 400 parse error, 503 WL_HANDLER_TIMEOUT …) or
   * what a middleware or handler threw (500). null for a response the chain produced.
   */
  error: unknown = null;

  constructor(request: Request, owner: ContextOwner, params: P) {
    this.request = request;
    this.owner = owner;
    this.params = params;
  }

  /** Per-request data shared between middleware and the handler. */
  get attributes(): Map<unknown, unknown> {
    return (this.#attributes ??= new Map());
  }

  /** True once the response head is on the wire (ctx.stream() / ctx.sse() send it at once): response
   *  middleware that sets fields should skip such responses. */
  get headersSent(): boolean {
    return this.stream_ !== null || this.finished;
  }

  /** True once send()/json()/stream() was called (or the server answered in the handler's stead). */
  get sent(): boolean {
    return this.#sent;
  }

  /** @internal ChainHost: the request chain stops once answered in its stead (or written). */
  get halted(): boolean {
    return this.finished || this.phase !== PHASE_REQUEST;
  }

  /** Set the status code (100–599). */
  status(code: number): this {
    this.#assertHeadOpen();
    checkStatus(code);
    this.response.status = code;
    return this;
  }

  /** Set (replace) a response field. Names must be tokens, values free of CR/LF/NUL. */
  header(name: string, value: string | number): this {
    this.#assertHeadOpen();
    this.response.set(name, value, false);
    return this;
  }

  /** Add a response field line, keeping earlier ones with the same name (e.g. set-cookie). */
  appendHeader(name: string, value: string | number): this {
    this.#assertHeadOpen();
    this.response.set(name, value, true);
    return this;
  }

  /** Add a Set-Cookie line (RFC 6265bis §4.1; validated, see src/http/cookies.ts). Each cookie is its
   *  own line: Set-Cookie is never folded (RFC 9110 §5.3). `signed: true` needs cookies({ secrets }). */
  setCookie(name: string, value: string, options?: CookieOptions): this {
    const stored = options?.signed === true ? cookieKeysOf(this.request).sign(name, value) : value;
    return this.appendHeader('set-cookie', serializeCookie(name, stored, options));
  }

  /** Remove a cookie (empty value, Max-Age=0); give the domain/path it was set with. */
  clearCookie(name: string, options?: CookieOptions): this {
    return this.appendHeader('set-cookie', serializeClearCookie(name, options));
  }

  /** Send the response body (string: UTF-8, text/plain unless a content-type was set). */
  send(body?: string | Uint8Array | null): this {
    if (this.#sent) throw new WasmlaneError('WL_RESPONSE_ALREADY_SENT');
    if (body !== undefined && body !== null && typeof body !== 'string' && !(body instanceof Uint8Array)) {
      throw new TypeError('wasmlane: ctx.send() takes a string or a Uint8Array; use ctx.json() for values');
    }
    this.#sent = true;
    this.response.body = (body ?? null) as ResponseBody;
    return this;
  }

  /** Send `value` as JSON (application/json). */
  json(value: unknown): this {
    if (this.#sent) throw new WasmlaneError('WL_RESPONSE_ALREADY_SENT');
    if (!this.response.hasContentType) this.response.setTrusted('content-type', 'application/json', false);
    this.response.hasContentType = true;
    return this.send(JSON.stringify(value) ?? null);
  }

  /** Send `body` as HTML (text/html; charset=utf-8). */
  html(body: string): this {
    if (this.#sent) throw new WasmlaneError('WL_RESPONSE_ALREADY_SENT');
    this.response.setTrusted('content-type', 'text/html; charset=utf-8', false);
    this.response.hasContentType = true;
    return this.send(body);
  }

  /** Start a streamed response now (chunked on HTTP/1.1, close-delimited on 1.0). */
  stream(status?: number, headers?: Record<string, string | number>, options?: StreamOptions): ResponseStream {
    if (this.#sent) throw new WasmlaneError('WL_RESPONSE_ALREADY_SENT');
    if (status !== undefined) this.status(status);
    if (headers !== undefined) for (const name of Object.keys(headers)) this.header(name, headers[name]!);
    const length = options?.length;
    if (length !== undefined && !(Number.isSafeInteger(length) && length >= 0)) {
      throw new TypeError('wasmlane: ctx.stream() length must be a non-negative safe integer');
    }
    this.#sent = true;
    const filter = this.response.streamFilter;
    const stream = filter === undefined ? this.owner.startStream(this, length) : filter.open(this, startStream, length);
    this.stream_ = stream;
    return stream;
  }

  /**
   * Send a body of `length` bytes written later by `produce(stream)`: like send(), the response is
   * only recorded — response middleware still sees an open head (headersSent false) and may set
   * fields — and once the chain is done the head goes out with Content-Length and `produce` writes
   * the bytes (honouring write()/onDrain backpressure) and calls end(). HEAD and 1xx/204/304
   * responses drop what is written. Used by serveStatic() for files on disk.
   */
  sendStream(length: number, produce: BodyProducer): this {
    if (this.#sent) throw new WasmlaneError('WL_RESPONSE_ALREADY_SENT');
    if (!(Number.isSafeInteger(length) && length >= 0)) {
      throw new TypeError('wasmlane: ctx.sendStream() length must be a non-negative safe integer');
    }
    this.#sent = true;
    this.response.body = null;
    this.#deferred = { length, produce };
    return this;
  }

  /** Start a server-sent event stream (200 text/event-stream; see src/sse.ts). */
  sse(options?: SseOptions): SseStream {
    return openSse(this, options);
  }

  /** Close the connection after this response (Connection: close). */
  closeAfter(): this {
    this.response.closeRequested = true;
    return this;
  }

  /** @internal Let the server answer in the handler's stead (errors, panics). */
  resetForError(): void {
    this.#sent = false;
    this.#deferred = null;
    this.response.body = null;
    this.response.fields = null;
    this.response.hasContentType = false;
    this.response.hasDate = false;
    this.response.nonAscii = false;
    this.response.connection = null;
  }

  /** @internal The body recorded by sendStream(), taken once by the connection to start it. */
  takeDeferred(): { readonly length: number; readonly produce: BodyProducer } | null {
    const deferred = this.#deferred;
    this.#deferred = null;
    return deferred;
  }

  /** @internal ChainHost */
  chainDone(rejected: boolean): void {
    this.owner.chainDone(this, rejected);
  }

  /** @internal ChainHost */
  chainFailed(error: unknown): void {
    this.owner.chainFailed(this, error);
  }

  /** @internal ResponseChainHost */
  responseDone(): void {
    this.owner.responseDone(this);
  }

  /** @internal ResponseChainHost */
  responseFailed(error: unknown): void {
    this.owner.responseFailed(this, error);
  }

  #assertHeadOpen(): void {
    if (this.stream_ !== null || this.finished) throw new WasmlaneError('WL_RESPONSE_ALREADY_SENT');
  }
}
