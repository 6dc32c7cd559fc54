// Body bytes received and not yet handed to the reader, in arrival order, at a memory cost bounded by
// their size whatever the TCP segment sizes.
//
// Keeping every socket chunk as its own Buffer view (zero copy) costs a JS object plus a backing store
// per chunk: a body sent in 1-byte segments costs ~150-200 bytes of memory per body byte (a 1 MiB body
// ~150 MB). So small pieces are copied into segments that grow by doubling up to SEGMENT bytes (a
// segment is at least half full once grown, hence ≤ 2× the bytes it holds), and only large pieces
// are kept as zero-copy views:
//   - COPY_BELOW = 16 KiB: above it the per-piece overhead (~200 bytes) is ~1% and a copy would cost
//     memory bandwidth for nothing on large uploads (socket reads are up to 64 KiB); below it, a copy
//     of at most 16 KiB is cheap next to the read that brought it.
//   - a view is kept only if it covers at least half of the ArrayBuffer it retains (Node sizes each
//     read's buffer to the bytes read, but a span of a read that also held other data may not), so a
//     view never retains more than 2× its bytes either.
//   - the first piece of an empty buffer is also kept as a view: a small body that came with its
//     head (the common case) costs no copy, and that single view retains at most one socket read.
// take() joins everything once (the pieces and the joined copy: 2× the body for a moment).

/** Pieces at least this long (bytes) may be kept as zero-copy views. */
export const COPY_BELOW = 16 * 1024;
/** Largest copy segment (bytes); a segment grows by doubling up to this. */
export const SEGMENT = 64 * 1024;
/** Smallest copy segment (bytes). */
const FIRST_SEGMENT = 1024;
/** Pieces up to this long are copied byte by byte (cheaper than making a subarray for set()). */
const BYTE_LOOP = 16;

const EMPTY = Buffer.alloc(0);

export class BodyBuffer {
  /** Bytes held (not yet handed out). */
  size = 0;
  /** Finished pieces in arrival order; the open segment's bytes come after them. */
  #pieces: Buffer[] | null = null;
  /** The segment small pieces are copied into; [#openStart, #openEnd) is not handed out yet. */
  #open: Buffer | null = null;
  #openStart = 0;
  #openEnd = 0;

  /** Add buf[start, end). */
  push(buf: Uint8Array, start: number, end: number): void {
    const length = end - start;
    if (length <= 0) return;
    const wasEmpty = this.size === 0;
    this.size += length;
    if (wasEmpty || (length >= COPY_BELOW && length * 2 >= buf.buffer.byteLength)) {
      this.#seal();
      (this.#pieces ??= []).push(Buffer.from(buf.buffer, buf.byteOffset + start, length));
      return;
    }
    let from = start;
    while (from < end) {
      const open = this.#room(end - from);
      const n = Math.min(end - from, open.length - this.#openEnd);
      let at = this.#openEnd;
      if (n <= BYTE_LOOP) {
        for (let i = from; i < from + n; i++) open[at++] = buf[i]!;
      } else {
        open.set(buf.subarray(from, from + n), at);
      }
      this.#openEnd += n;
      from += n;
    }
  }

  /** The open segment, grown or replaced so that it has room for at least one of `want` bytes. */
  #room(want: number): Buffer {
    const open = this.#open;
    if (open !== null && this.#openEnd < open.length) return open;
    if (open !== null && open.length >= SEGMENT) {
      this.#seal(); // full: keep it as a piece, start the next segment
      return this.#newSegment(SEGMENT);
    }
    // Grow by doubling (at least to fit `want`), copying what was not handed out yet.
    const start = this.#openStart;
    const held = this.#openEnd - start;
    let capacity = open === null ? FIRST_SEGMENT : open.length * 2;
    while (capacity < held + want && capacity < SEGMENT) capacity *= 2;
    const next = this.#newSegment(Math.min(capacity, SEGMENT));
    if (held > 0) open!.copy(next, 0, start, start + held);
    this.#openEnd = held;
    return next;
  }

  #newSegment(capacity: number): Buffer {
    const segment = Buffer.allocUnsafe(capacity);
    this.#open = segment;
    this.#openStart = 0;
    this.#openEnd = 0;
    return segment;
  }

  /** Move the open segment's unread bytes to the pieces (it must precede what comes next). */
  #seal(): void {
    const open = this.#open;
    if (open === null) return;
    if (this.#openEnd > this.#openStart) (this.#pieces ??= []).push(open.subarray(this.#openStart, this.#openEnd));
    this.#open = null;
    this.#openStart = 0;
    this.#openEnd = 0;
  }

  /** The oldest bytes not handed out yet (one piece), or null when empty. */
  shift(): Buffer | null {
    const pieces = this.#pieces;
    let piece: Buffer;
    if (pieces !== null && pieces.length > 0) {
      piece = pieces.shift()!;
    } else if (this.#open !== null && this.#openEnd > this.#openStart) {
      // Hand out the filled part; later copies go after it, never over it.
      piece = this.#open.subarray(this.#openStart, this.#openEnd);
      this.#openStart = this.#openEnd;
    } else {
      return null;
    }
    this.size -= piece.length;
    return piece;
  }

  /** Everything held, as one Buffer (joined once), and empty the buffer. */
  take(): Buffer {
    if (this.size === 0) return EMPTY;
    this.#seal();
    const pieces = this.#pieces!;
    const all = pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces, this.size);
    this.clear();
    return all;
  }

  /** Drop everything. */
  clear(): void {
    this.size = 0;
    this.#pieces = null;
    this.#open = null;
    this.#openStart = 0;
    this.#openEnd = 0;
  }
}
