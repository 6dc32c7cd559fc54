// A lightweight Response for the fast path. undici's Response constructor costs ~10 µs for a string
// body (it wraps the body in a ReadableStream at once), and once built, its body can only be read
// back through that stream. FetchResponse records what it was given instead — status, statusText,
// the HeadersLike and the body — and the adapter (src/fetch/write.ts) writes a string or bytes body
// with one ctx.send(), and a ReadableStream body straight from the stream, without a native object.
// Any other use (reading the body, clone(), type, url …) builds the native Response once and
// delegates to it; later reads see that native object, so the two never disagree.
//
// Opt-in: installFetchGlobals() (serve()'s default, like @hono/node-server's) makes it the global
// Response so frameworks that call `new Response(...)` (hono's c.text()/c.json()) get it.
// `instanceof Response` holds both ways: FetchResponse's prototype chain runs through the native
// prototype, and its Symbol.hasInstance accepts native responses.
import { delegateToNative } from './delegate.js';
import { nativeResponse } from './native.js';

/** Fetch's HeadersInit (not a global type name in @types/node 20). */
export type HeadersLike = ConstructorParameters<typeof Headers>[0];

/** Body kinds written without a native Response. */
export type FastBody = string | Uint8Array | ArrayBuffer | ReadableStream<Uint8Array> | null;

/** Fetch's null body statuses (§2.2.3) among those a Response may have. */
const NULL_BODY_STATUSES = new Set([204, 205, 304]);

const STATE = Symbol('wasmlane.fetchResponse');

/** What the adapter reads from an unmaterialized FetchResponse. */
export interface FastParts {
  status: number;
  /** The HeadersLike as given, or the live Headers once `headers` was read. */
  headers: HeadersLike | undefined;
  body: FastBody;
  /** `new Response(null, getResponse)` (how hono answers HEAD): the byte length of the GET
   *  response's string/bytes body, for the HEAD response's Content-Length. */
  headLength?: number;
  /** Set once anything forced the native Response into being: use it instead. */
  native: Response | undefined;
}

function isFastBody(body: unknown): body is FastBody {
  return body === null || typeof body === 'string' || body instanceof Uint8Array || body instanceof ArrayBuffer
    || body instanceof ReadableStream;
}

export class FetchResponse {
  /** @internal */
  readonly [STATE]: FastParts;
  #body: unknown;
  #init: ResponseInit | undefined;
  #statusText: string;

  static [Symbol.hasInstance](value: unknown): boolean {
    return value instanceof nativeResponse() || Function.prototype[Symbol.hasInstance].call(FetchResponse, value);
  }

  // Response.json(), Response.redirect(), Response.error(): the native statics (they return native
  // responses). Spelled out, not inherited, so they work before the class is linked.
  static json(data: unknown, init?: ResponseInit): Response {
    return nativeResponse().json(data, init);
  }

  static redirect(url: string | URL, status?: number): Response {
    return nativeResponse().redirect(url, status as Parameters<typeof Response.redirect>[1]);
  }

  static error(): Response {
    return nativeResponse().error();
  }

  constructor(body?: unknown, init?: ResponseInit) {
    if (!linked) linkFetchResponse();
    const status = init?.status ?? 200;
    if (!Number.isInteger(status) || status < 200 || status > 599) {
      throw new RangeError(`init["status"] must be in the range of 200 to 599, inclusive.`);
    }
    if (body != null && NULL_BODY_STATUSES.has(status)) {
      throw new TypeError(`Response constructor: Invalid response status code ${status}`); // Fetch §6.4
    }
    this.#body = body ?? null;
    this.#init = init;
    this.#statusText = init?.statusText ?? '';
    // A body the adapter cannot write by itself (Blob, FormData, URLSearchParams, iterables) is
    // encoded by the native Response from the start.
    const fast = isFastBody(this.#body);
    this[STATE] = { status, headers: init?.headers, body: fast ? this.#body as FastBody : null, native: undefined };
    if (!fast) this.#native();
    else if (body == null && init !== undefined) {
      const from = (init as { [STATE]?: FastParts })[STATE];
      const source = from?.native === undefined ? from?.body : undefined;
      if (typeof source === 'string') this[STATE].headLength = Buffer.byteLength(source);
      else if (source instanceof Uint8Array || source instanceof ArrayBuffer) this[STATE].headLength = source.byteLength;
    }
  }

  get status(): number {
    return this[STATE].status;
  }

  get ok(): boolean {
    const status = this[STATE].status;
    return status >= 200 && status < 300;
  }

  get statusText(): string {
    return this.#statusText;
  }

  get headers(): Headers {
    const state = this[STATE];
    if (state.native !== undefined) return state.native.headers;
    if (!(state.headers instanceof Headers)) {
      const headers = new Headers(state.headers);
      // What the native constructor would add (Fetch §5.5 "extract a body"); the space before
      // charset matches what hono itself writes for c.text().
      if (typeof state.body === 'string' && !headers.has('content-type')) headers.set('content-type', 'text/plain; charset=UTF-8');
      state.headers = headers;
    }
    return state.headers;
  }

  /** @internal The native Response (built once, with the live headers). */
  materialize(): Response {
    return this.#native();
  }

  #native(): Response {
    const state = this[STATE];
    if (state.native === undefined) {
      const headers = state.headers !== undefined || typeof this.#body === 'string' ? this.headers : undefined;
      const init: ResponseInit = { status: state.status, statusText: this.#statusText, headers };
      state.native = new (nativeResponse())(this.#body as ConstructorParameters<typeof Response>[0], init);
      state.headers = undefined;
    }
    return state.native;
  }
}

let linked = false;

/**
 * The rest of Response (body, bodyUsed, type, url, redirected, clone(), text() …) is the native
 * one's, and the native class sits behind FetchResponse for anything static it does not spell out.
 * Linked once, on first use (src/fetch/native.ts says why not at import).
 */
export function linkFetchResponse(): void {
  if (linked) return;
  linked = true;
  const native = nativeResponse();
  delegateToNative(FetchResponse.prototype, native.prototype);
  Object.setPrototypeOf(FetchResponse, native);
}

/** The recorded parts of an unmaterialized FetchResponse, or undefined for anything else. */
export function fastParts(response: unknown): FastParts | undefined {
  if (typeof response !== 'object' || response === null) return undefined;
  const state = (response as { [STATE]?: FastParts })[STATE];
  return state === undefined || state.native !== undefined ? undefined : state;
}

/** The native Response behind a materialized FetchResponse, or `response` itself. */
export function nativeOf(response: Response): Response {
  const state = (response as unknown as { [STATE]?: FastParts })[STATE];
  return state?.native ?? response;
}
