// The request body as the handler sees it. The connection feeds it spans of socket chunks:
// Content-Length bodies directly, chunked bodies through the decoder's data spans (RFC 9112 §6.3
// decides which framing applies). What is not read yet waits in a BodyBuffer, which bounds its memory
// by its size whatever the segment sizes. The handler reads it as bytes/text/json (the whole body,
// bounded by maxBodySize) or with `for await` (Buffers in arrival order; the socket is paused while
// more than BODY_HIGH_WATER bytes wait unread). A body nobody reads is drained (discarded) once the
// response is finished.
import { WasmlaneError } from '../errors.js';
import { BodyBuffer } from './body-buffer.js';

/** Hooks into the connection: flow control and 100-continue. */
export interface BodyOwner {
  /** The handler started reading: send 100 Continue if the client is waiting for it. */
  bodyReadStarted(): void;
  /** Too much unread data is queued (true) / the queue drained (false): pause/resume the socket. */
  bodyPressure(paused: boolean): void;
}

export const BODY_NONE = 0;
export const BODY_LENGTH = 1;
export const BODY_CHUNKED = 2;
/** HTTP/2 DATA frames without Content-Length: the body ends with the stream (END_STREAM, RFC 9113 §8.1). */
export const BODY_STREAM = 3;

/** Unread bytes queued before the socket is paused. */
const BODY_HIGH_WATER = 64 * 1024;

type Waiter = { resolve: (value: IteratorResult<Buffer>) => void; reject: (error: unknown) => void };

const DONE: IteratorResult<Buffer> = Object.freeze({ done: true, value: undefined });

export class RequestBody implements AsyncIterable<Buffer> {
  readonly kind: number;
  /** Bytes still expected (Content-Length framing). */
  remaining: number;
  /** Bytes received so far. */
  received = 0;
  /** Limit in bytes (route or server maxBodySize). */
  limit = Infinity;
  complete: boolean;
  error: WasmlaneError | null = null;
  /** True once the response is finished: data is dropped instead of queued. */
  discarding = false;
  /** True once the handler asked for data. */
  started = false;
  readonly #owner: BodyOwner | null;
  readonly #buffer = new BodyBuffer();
  #waiter: Waiter | null = null;
  #paused = false;
  /** bytes() is gathering the whole body: keep reading (no pause), wake the reader only at the end. */
  #collect = false;

  constructor(owner: BodyOwner | null, kind: number, length: number) {
    this.#owner = owner;
    this.kind = kind;
    this.remaining = kind === BODY_LENGTH ? length : 0;
    this.complete = kind === BODY_NONE || (kind === BODY_LENGTH && length === 0);
  }

  /** Content-Length body: take what belongs to it from chunk[start..]; returns bytes taken. */
  feedLength(chunk: Buffer, start: number): number {
    const take = Math.min(this.remaining, chunk.length - start);
    if (take > 0) {
      this.remaining -= take;
      this.push(chunk, start, start + take);
    }
    if (this.remaining === 0) this.finish();
    return take;
  }

  /** A span of body data (also the chunked decoder's sink). */
  push(buf: Uint8Array, start: number, end: number): void {
    const length = end - start;
    if (length === 0 || this.error !== null) return;
    this.received += length;
    if (this.received > this.limit) {
      this.fail(new WasmlaneError('WL_BODY_TOO_LARGE', `more than ${this.limit} bytes`));
      return;
    }
    if (this.discarding) return;
    const waiter = this.#waiter;
    if (waiter !== null && !this.#collect && this.#buffer.size === 0) {
      // A for-await reader is waiting: hand the span over as is (zero copy).
      this.#waiter = null;
      waiter.resolve({ done: false, value: Buffer.from(buf.buffer, buf.byteOffset + start, length) });
      return;
    }
    this.#buffer.push(buf, start, end);
    if (!this.#paused && !this.#collect && this.#buffer.size > BODY_HIGH_WATER && this.#owner !== null) {
      this.#paused = true;
      this.#owner.bodyPressure(true);
    }
  }

  /** The last byte arrived. */
  finish(): void {
    if (this.complete) return;
    this.complete = true;
    const waiter = this.#waiter;
    if (waiter !== null && (this.#collect || this.#buffer.size === 0)) {
      this.#waiter = null;
      waiter.resolve(DONE);
    }
  }

  /** The body cannot complete (limit, timeout, connection lost, decode error). */
  fail(error: WasmlaneError): void {
    if (this.error !== null || this.complete) return;
    this.error = error;
    this.#drop();
    const waiter = this.#waiter;
    if (waiter !== null) {
      this.#waiter = null;
      waiter.reject(error);
    }
  }

  /** The response is finished: drop what is queued and any later data. */
  discard(): void {
    this.discarding = true;
    this.#drop();
    // A reader still waiting (it answered before reading everything) sees the end, not a hang.
    const waiter = this.#waiter;
    if (waiter !== null) {
      this.#waiter = null;
      waiter.resolve(DONE);
    }
  }

  #drop(): void {
    this.#buffer.clear();
    this.#relieve();
  }

  /** Resume the socket if we paused it. */
  #relieve(): void {
    if (this.#paused) {
      this.#paused = false;
      this.#owner?.bodyPressure(false);
    }
  }

  #start(): void {
    if (this.started) return;
    this.started = true;
    if (!this.complete) this.#owner?.bodyReadStarted();
  }

  /** Next piece of the body (the async iterator's next()). */
  next(): Promise<IteratorResult<Buffer>> {
    this.#start();
    const value = this.#buffer.shift();
    if (value !== null) {
      if (this.#buffer.size <= BODY_HIGH_WATER / 2) this.#relieve();
      return Promise.resolve({ done: false, value });
    }
    if (this.error !== null) return Promise.reject(this.error);
    if (this.complete || this.discarding) return Promise.resolve(DONE);
    if (this.#waiter !== null) return Promise.reject(new TypeError('wasmlane: concurrent body reads'));
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject };
    });
  }

  [Symbol.asyncIterator](): AsyncIterator<Buffer> {
    return { next: () => this.next() };
  }

  /** The whole body (what was not read yet) as one Buffer. */
  bytes(): Promise<Buffer> {
    return this.#read(asIs);
  }

  text(): Promise<string> {
    return this.#read(utf8);
  }

  json<T = unknown>(): Promise<T> {
    return this.#read(parseJson) as Promise<T>;
  }

  /**
   * The whole body through `finish`. A body that is already complete (the common small body that came
   * with its head), failed or discarded is answered now: a settled promise, not an async function
   * awaiting another one (each layer costs a promise and a microtask turn per request).
   */
  #read<T>(finish: (bytes: Buffer) => T): Promise<T> {
    if (!this.#settled()) return this.#gather().then(finish);
    try {
      return Promise.resolve(finish(this.#takeAll()));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Nothing more will be queued: the body is complete, failed or discarded. */
  #settled(): boolean {
    return this.complete || this.error !== null || this.discarding;
  }

  /** Gather the rest of the body in the buffer until its last byte (at most the body limit; no pause
   *  meanwhile), then take it all. */
  async #gather(): Promise<Buffer> {
    this.#start();
    if (this.#waiter !== null) throw new TypeError('wasmlane: concurrent body reads');
    this.#collect = true;
    this.#relieve();
    await new Promise<void>((resolve, reject) => {
      this.#waiter = { resolve: () => resolve(), reject };
    });
    return this.#takeAll();
  }

  /** What is held, as one Buffer (the body's error if it failed). */
  #takeAll(): Buffer {
    this.#start();
    if (this.error !== null) throw this.error;
    const all = this.#buffer.take();
    this.#relieve();
    return all;
  }
}

const asIs = (bytes: Buffer): Buffer => bytes;
const utf8 = (bytes: Buffer): string => bytes.toString('utf8');

function parseJson(bytes: Buffer): unknown {
  const text = bytes.toString('utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new WasmlaneError('WL_INVALID_JSON', (error as Error).message);
  }
}
