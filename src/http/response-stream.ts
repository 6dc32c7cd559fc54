// ctx.stream(): a response whose body is written over time. HTTP/1.1 → chunked transfer coding
// (RFC 9112 §7.1); HTTP/1.0 → close-delimited (RFC 9112 §6.3 rule 8: the connection closes after);
// HTTP/2 → raw bytes into the stream (DATA frames are the framing, RFC 9113 §8.1; src/h2/).
// write() returns false above the sink's high-water mark (the caller waits for onDrain).
// With a known length (ctx.stream(…, { length }), ctx.sendStream()) the head carries Content-Length
// (RFC 9112 §6.2) and the body is written raw: bytes past the length are dropped, and end() before
// the length was reached cuts the response (owner.abort()) — the client then sees an incomplete
// message (RFC 9112 §8, RFC 9113 §8.1) instead of a short body it would take for complete.
import type { Writable } from 'node:stream';
import type { ResponseStream } from './stream-types.js';

/** What the stream needs from its connection (or HTTP/2 stream). */
export interface StreamOwner {
  /** The body ended normally: go on with the next request (or close when framing requires). */
  streamEnded(stream: ResponseStreamImpl): void;
  /** The body cannot be completed: cut the response (destroy the socket, reset the HTTP/2 stream). */
  abort(): void;
  readonly highWaterMark: number;
}

const LAST_CHUNK = '0\r\n\r\n';

export class ResponseStreamImpl implements ResponseStream {
  /** Where the bytes go: the connection's socket, or an HTTP/2 stream. */
  readonly #socket: Writable;
  readonly #owner: StreamOwner;
  /** chunked framing (1.1) vs raw bytes (1.0 close-delimited). */
  readonly #chunked: boolean;
  /** HEAD, 204, 304: the head was sent, the body is dropped. */
  readonly #noBody: boolean;
  #closed = false;
  #closeListeners: (() => void)[] = [];
  #drainListeners: (() => void)[] = [];
  #waitingDrain = false;
  /** Body bytes still owed with a Content-Length head; -1 when the length is not fixed. */
  #remaining: number;
  /** Body bytes handed to the sink (framing not counted). */
  bytesWritten = 0;

  constructor(socket: Writable, owner: StreamOwner, chunked: boolean, noBody: boolean, length = -1) {
    this.#socket = socket;
    this.#owner = owner;
    this.#chunked = chunked && length < 0;
    this.#noBody = noBody;
    this.#remaining = noBody ? -1 : length;
  }

  get closed(): boolean {
    return this.#closed;
  }

  get bufferedAmount(): number {
    return this.#closed ? 0 : this.#socket.writableLength;
  }

  write(chunk: string | Uint8Array): boolean {
    if (this.#closed) return false;
    const socket = this.#socket;
    const length = typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
    if (!this.#noBody && length > 0) {
      this.bytesWritten += length;
      if (this.#remaining >= 0) {
        if (length <= this.#remaining) socket.write(chunk);
        else if (this.#remaining > 0) socket.write(toBytes(chunk).subarray(0, this.#remaining));
        if (length > this.#remaining) this.bytesWritten -= length - this.#remaining;
        this.#remaining = Math.max(0, this.#remaining - length);
      } else if (this.#chunked) {
        // chunk = chunk-size CRLF chunk-data CRLF (RFC 9112 §7.1)
        socket.cork();
        socket.write(`${length.toString(16)}\r\n`, 'latin1');
        socket.write(chunk);
        socket.write('\r\n', 'latin1');
        socket.uncork();
      } else {
        socket.write(chunk);
      }
    }
    const ok = socket.writableLength < this.#owner.highWaterMark;
    if (!ok) this.#waitingDrain = true;
    return ok;
  }

  end(): void {
    if (this.#closed) return;
    if (this.#remaining > 0) {
      // Short of the announced Content-Length: the framing cannot be completed.
      this.#owner.abort();
      this.aborted();
      return;
    }
    if (this.#chunked && !this.#noBody) this.#socket.write(LAST_CHUNK, 'latin1');
    this.#close();
    this.#owner.streamEnded(this);
  }

  onClose(listener: () => void): void {
    if (this.#closed) queueMicrotask(listener);
    else this.#closeListeners.push(listener);
  }

  onDrain(listener: () => void): void {
    this.#drainListeners.push(listener);
  }

  /** The connection saw 'drain'. */
  drained(): void {
    if (!this.#waitingDrain || this.#closed) return;
    this.#waitingDrain = false;
    for (const listener of this.#drainListeners) listener();
  }

  /** The client went away (or the connection is being destroyed). */
  aborted(): void {
    if (!this.#closed) this.#close();
  }

  #close(): void {
    this.#closed = true;
    const listeners = this.#closeListeners;
    this.#closeListeners = [];
    this.#drainListeners = [];
    for (const listener of listeners) {
      try {
        listener();
      } catch {
        // a listener's failure must not break the connection's bookkeeping
      }
    }
  }
}

function toBytes(chunk: string | Uint8Array): Uint8Array {
  return typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
}
