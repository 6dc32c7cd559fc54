// The fetch handler's Request, built lazily over wasmlane's request view. undici's Request
// constructor costs several µs per call (URL parsing, Headers, webidl conversions), more than the
// rest of a hello-world request on wasmlane, so the handler gets a LazyRequest instead: an object
// whose prototype chain runs through the native Request.prototype (so `instanceof Request` holds)
// and whose own accessors answer from the parsed head —
//   url / method         strings, computed once;
//   headers              a Headers built from the raw head on first access;
//   body                 a pull-based ReadableStream over the connection's body reader;
//   text/json/arrayBuffer/bytes/blob   read the body directly (bounded by maxBodySize);
//   signal               an AbortSignal that aborts when the client disconnects (created on access).
// Anything else (clone(), formData(), cache, mode …) materializes one native Request, built once with
// `duplex: 'half'` over the same body stream, and delegates to it. A native Request constructor
// cannot take a LazyRequest as input or init (undici reads its internal slots): the global Request
// that installFetchGlobals() puts in place unwraps it first (src/fetch/globals.ts).
import type { Context } from '../context.js';
import { bodyStream, exactArrayBuffer } from './body-stream.js';
import { delegateToNative } from './delegate.js';
import { nativeRequest, nativeResponse } from './native.js';

let linked = false;

/**
 * Put the native Request.prototype behind LazyRequest (once, on first use: src/fetch/native.ts says
 * why not at import). Every Request member LazyRequest does not answer itself (cache, credentials,
 * destination, integrity, keepalive, mode, redirect, referrer, referrerPolicy, …) answers from the
 * materialized native Request.
 */
export function linkLazyRequest(): void {
  if (linked) return;
  linked = true;
  delegateToNative(LazyRequest.prototype, nativeRequest().prototype);
}

const NULL_BODY_METHODS = new Set(['GET', 'HEAD']);

/** Fetch's "UTF-8 decode" (a leading BOM is dropped); one instance: decode() without `stream` keeps no state. */
const UTF8 = new TextDecoder();

export class LazyRequest {
  /** @internal */
  readonly ctx: Context<any>;
  #url: string | undefined;
  #headers: Headers | undefined;
  #body: ReadableStream<Uint8Array> | null | undefined;
  #used = false;
  #controller: AbortController | undefined;
  #onClose: (() => void) | undefined;
  #native: Request | undefined;

  constructor(ctx: Context<any>) {
    if (!linked) linkLazyRequest();
    this.ctx = ctx;
  }

  get method(): string {
    return this.ctx.request.method;
  }

  get url(): string {
    if (this.#url === undefined) {
      const request = this.ctx.request;
      const target = request.target;
      // RFC 9112 §3.2.2: an absolute-form target is the URL; otherwise Host names the authority (§3.2).
      this.#url = target.charCodeAt(0) === 0x2f || target === '*'
        ? `${request.protocol}://${request.header('host') ?? 'localhost'}${target}` : target;
    }
    return this.#url;
  }

  get headers(): Headers {
    return (this.#headers ??= new Headers(this.ctx.request.headers as [string, string][]));
  }

  /** Aborts when the client goes away before the response is finished (one 'close' listener,
   *  added only when the signal is first read and removed by release()). */
  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      const controller = new AbortController();
      this.#controller = controller;
      const channel = this.ctx.owner.channel; // the socket, or the HTTP/2 stream
      if (channel.destroyed) {
        controller.abort();
      } else {
        this.#onClose = () => controller.abort();
        channel.once('close', this.#onClose);
      }
    }
    return this.#controller.signal;
  }

  get body(): ReadableStream<Uint8Array> | null {
    if (this.#native !== undefined) return this.#native.body;
    if (this.#body === undefined) {
      this.#body = NULL_BODY_METHODS.has(this.method) ? null : bodyStream(this.ctx.request.body);
    }
    return this.#body;
  }

  get bodyUsed(): boolean {
    if (this.#native !== undefined) return this.#native.bodyUsed;
    return this.#used || (this.#body != null && this.#body.locked);
  }

  get duplex(): 'half' {
    return 'half';
  }

  async bytes(): Promise<Uint8Array> {
    if (this.#native !== undefined || this.#body !== undefined) return new Uint8Array(await this.#materialize().arrayBuffer());
    if (this.#used) throw new TypeError('Body is unusable: Body has already been read');
    this.#used = true;
    if (NULL_BODY_METHODS.has(this.method)) return new Uint8Array(0);
    return this.ctx.request.body.bytes();
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    return exactArrayBuffer(await this.bytes());
  }

  async text(): Promise<string> {
    return UTF8.decode(await this.bytes());
  }

  async json(): Promise<any> {
    return JSON.parse(await this.text());
  }

  async blob(): Promise<Blob> {
    const type = this.ctx.request.header('content-type');
    return new Blob([await this.bytes()], type === undefined ? undefined : { type });
  }

  async formData(): Promise<FormData> {
    // The native parser (urlencoded and multipart), fed the whole body (bounded by maxBodySize).
    const body = await this.bytes();
    const type = this.ctx.request.header('content-type');
    return new (nativeResponse())(body, type === undefined ? undefined : { headers: { 'content-type': type } }).formData();
  }

  clone(): Request {
    return this.#materialize().clone();
  }

  /** @internal The native Request this one stands for (built once). */
  materialize(): Request {
    return this.#materialize();
  }

  /** @internal The response is finished: stop watching the socket. */
  release(): void {
    if (this.#onClose !== undefined) {
      this.ctx.owner.channel.removeListener('close', this.#onClose);
      this.#onClose = undefined;
    }
  }

  #materialize(): Request {
    if (this.#native === undefined) {
      if (this.#used) throw new TypeError('Body is unusable: Body has already been read');
      const body = this.body;
      const init: RequestInit & { duplex?: 'half' } = { method: this.method, headers: this.headers, signal: this.signal };
      if (body !== null) {
        init.body = body;
        init.duplex = 'half';
      }
      this.#native = new (nativeRequest())(this.url, init);
    }
    return this.#native;
  }
}
