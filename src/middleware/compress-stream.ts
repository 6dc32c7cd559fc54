// A ResponseStream that compresses what the handler writes (compress() on ctx.stream()). Flow:
// handler → write() → zlib (node:zlib Transform) → 'data' → the connection's stream → socket.
// Backpressure at both joints keeps memory bounded whatever the handler writes:
// - socket side: when the connection's stream says false, zlib is paused; its readable buffer fills,
//   zlib stops transforming, and its writable side backs up. The connection's onDrain resumes it.
// - handler side: write() returns false while zlib's writable buffer is over its high-water mark or
//   the socket side is blocked; onDrain listeners run once both have room again.
// Bytes held: zlib's two buffers (16 KiB high-water marks, plus one chunk each) + the socket's own.
import type { Transform } from 'node:stream';
import type { ResponseStream } from '../http/stream-types.js';

export class CompressedStream implements ResponseStream {
  readonly #inner: ResponseStream;
  readonly #zlib: Transform;
  #ended = false;
  /** The connection's stream returned false: zlib is paused until it drains. */
  #blocked = false;
  /** Our write() returned false: onDrain listeners are owed a call. */
  #owesDrain = false;
  #drainListeners: (() => void)[] = [];

  constructor(inner: ResponseStream, zlib: Transform) {
    this.#inner = inner;
    this.#zlib = zlib;
    zlib.on('data', (chunk: Buffer) => {
      if (!inner.write(chunk) && !inner.closed) {
        this.#blocked = true;
        zlib.pause();
      }
    });
    zlib.on('drain', () => this.#maybeDrain());
    zlib.on('end', () => inner.end());
    // Compression itself does not fail on valid options; a failure here (a bug) must not leave the
    // response hanging: end what was sent (the client sees a truncated coding and reports it).
    zlib.on('error', () => inner.end());
    inner.onDrain(() => {
      if (!this.#blocked) return;
      this.#blocked = false;
      zlib.resume();
      this.#maybeDrain();
    });
    // Client gone (or normal end): release zlib's memory now rather than at garbage collection.
    inner.onClose(() => {
      this.#drainListeners = [];
      if (!zlib.destroyed) zlib.destroy();
    });
  }

  get closed(): boolean {
    return this.#ended || this.#inner.closed;
  }

  /** Input bytes waiting in zlib, compressed bytes waiting for the socket, and the socket's queue. */
  get bufferedAmount(): number {
    if (this.closed) return 0;
    return this.#zlib.writableLength + this.#zlib.readableLength + this.#inner.bufferedAmount;
  }

  write(chunk: string | Uint8Array): boolean {
    if (this.closed) return false;
    const length = typeof chunk === 'string' ? chunk.length : chunk.byteLength;
    if (length === 0) return !this.#blocked; // zlib would treat an empty write as nothing anyway
    const ok = this.#zlib.write(chunk) && !this.#blocked;
    if (!ok) this.#owesDrain = true;
    return ok;
  }

  end(): void {
    if (this.closed) return;
    this.#ended = true;
    this.#zlib.end(); // its 'end' (after the last compressed bytes went out) ends the response
  }

  onClose(listener: () => void): void {
    this.#inner.onClose(listener);
  }

  onDrain(listener: () => void): void {
    this.#drainListeners.push(listener);
  }

  #maybeDrain(): void {
    if (!this.#owesDrain || this.#blocked || this.#zlib.writableNeedDrain || this.closed) return;
    this.#owesDrain = false;
    for (const listener of this.#drainListeners) listener();
  }
}
