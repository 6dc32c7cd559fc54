// Body bytes received and not yet handed to the reader, in arrival order, at a memory cost bounded by
// their size whatever the TCP segment sizes.
//
// Keeping every socket chunk as its own Buffer view (zero copy) costs a JS object plus a backing store
// per chunk: a body sent in 1-byte segments costs ~150-200 bytes of memory per body byte (a 1 MiB body
// ~150 MB). So small pieces are copied into segments that grow by doubling up to SEGMENT bytes (a
// segment is at least half full once grown, hence ≤ 2× the bytes it holds), and larger pieces are kept
// as zero-copy views, under one rule: the views of one socket read (one ArrayBuffer) must together
// cover at least half of it, or they are replaced by a copy.
//   - VIEW_FROM = 1 KiB: below it a view's object (~200 bytes) would be a large share of its bytes;
//     above it a copy costs memory bandwidth for nothing. A chunked upload's data spans (e.g. 16 KiB
//     chunks in 64 KiB reads) are thus kept without a copy: copying them into segments, and joining
//     the segments again in take(), cost twice node:http's CPU per request on a 1 MiB chunked upload.
//   - The views taken from one ArrayBuffer form a *run* (consecutive pieces: the reads arrive in
//     order). When the next read's ArrayBuffer arrives, a run whose views cover less than half of its
//     buffer is joined into one copy (at most half a read); shift() hands out a copy of a view of the
//     current run while the run is that sparse. So views never retain more than 2× their bytes, plus
//     the one read being taken apart.
//   - The first piece of an empty buffer is a view whatever its size: a small body that came with its
//     head (the common case) costs no copy, and take() returns it as is.
// take() joins everything once (the pieces and the joined copy: 2× the body for a moment).

/** Pieces at least this long (bytes) are kept as zero-copy views (see the run rule above). */
export const VIEW_FROM = 1024;
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
  /** The ArrayBuffer the current run's views share, the bytes they cover, and how many pieces
   *  (views and sealed segments) were added since the run started: the tail of #pieces. */
  #runBuffer: ArrayBufferLike | null = null;
  #runBytes = 0;
  #runPieces = 0;

  /** Add buf[start, end). */
  push(buf: Uint8Array, start: number, end: number): void {
    const length = end - start;
    if (length <= 0) return;
    const wasEmpty = this.size === 0;
    this.size += length;
    const arrayBuffer = buf.buffer;
    if (arrayBuffer !== this.#runBuffer) this.#endRun(arrayBuffer);
    if (wasEmpty || length >= VIEW_FROM) {
      this.#seal();
      (this.#pieces ??= []).push(Buffer.from(arrayBuffer, buf.byteOffset + start, length));
      this.#runBytes += length;
      this.#runPieces++;
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

  /** The current run is over (`next` is the next read's ArrayBuffer): join it into one copy when its
   *  views cover less than half of the buffer they keep alive. */
  #endRun(next: ArrayBufferLike): void {
    const run = this.#runBuffer;
    const count = this.#pieces === null ? 0 : Math.min(this.#runPieces, this.#pieces.length);
    if (run !== null && count > 0 && this.#runBytes * 2 < run.byteLength) {
      const pieces = this.#pieces!;
      const tail = pieces.splice(pieces.length - count, count);
      pieces.push(tail.length === 1 ? Buffer.from(tail[0]!) : Buffer.concat(tail));
    }
    this.#runBuffer = next;
    this.#runBytes = 0;
    this.#runPieces = 0;
  }

  /** Move the open segment's unread bytes to the pieces (it must precede what comes next). */
  #seal(): void {
    const open = this.#open;
    if (open === null) return;
    if (this.#openEnd > this.#openStart) {
      (this.#pieces ??= []).push(open.subarray(this.#openStart, this.#openEnd));
      this.#runPieces++;
    }
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
      // A view of the read being taken apart, while its views cover less than half of it: a copy.
      if (piece.buffer === this.#runBuffer && this.#runBytes * 2 < piece.buffer.byteLength) piece = Buffer.from(piece);
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
    this.#runBuffer = null;
    this.#runBytes = 0;
    this.#runPieces = 0;
    this.#open = null;
    this.#openStart = 0;
    this.#openEnd = 0;
  }
}
