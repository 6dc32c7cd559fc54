// Assembles request heads from socket chunks for the HeadParser. A head inside one chunk is parsed
// in place (zero copy). A head split over chunks is gathered in one per-connection scratch buffer:
// each new chunk copies only its own bytes behind the ones already scanned, and the parser resumes
// with lastLen instead of rescanning (picohttpparser's last_len) — a head trickled byte by byte costs
// O(n), and never more than maxHeadSize bytes are held.
import * as abi from '../../abi.js';
import type { HeadParser } from './parser.js';
import type { HeadResult } from './result.js';

export class HeadReader {
  readonly #parser: HeadParser;
  #scratch: Buffer | null = null;
  #partLen = 0;
  /** After read() > 0: bytes of the input the head used (the rest follows the head). */
  consumed = 0;

  constructor(parser: HeadParser) {
    this.#parser = parser;
  }

  /** After read() > 0 the head (over its own bytes); after read() < 0 the error position. */
  get result(): HeadResult {
    return this.#parser.result;
  }

  /** Part of a head is held, waiting for more bytes. */
  get partial(): boolean {
    return this.#partLen > 0;
  }

  /**
   * Parse a head from input[pos..]: > 0 complete (result/consumed set), 0 incomplete (the
   * input was taken in whole), < 0 an abi.E_* code.
   */
  read(input: Buffer, pos: number): number {
    const parser = this.#parser;
    const maxHead = parser.limits.maxHeadSize;
    const part = this.#partLen;
    let buf = input;
    let start = pos;
    let end = input.length;
    if (part > 0) {
      const scratch = this.#scratch!;
      const take = Math.min(scratch.length - part, input.length - pos);
      input.copy(scratch, part, pos, pos + take);
      buf = scratch;
      start = 0;
      end = part + take;
    }
    // A fresh head is read straight from a socket chunk (or a concatenation of them), which nothing
    // writes after it arrived: the WASM parser may reuse the chunk's bytes it already holds.
    const rc = parser.parse(buf, start, end, part, part === 0);
    if (rc === 0) {
      // RFC 9112 §2.3 leaves the limit to us: a head that does not end within maxHeadSize is refused.
      if (end - start >= maxHead) return abi.E_HEAD_TOO_LARGE;
      if (part === 0) input.copy((this.#scratch ??= Buffer.allocUnsafe(maxHead)), 0, pos, end);
      this.#partLen = end - start;
      return 0;
    }
    if (rc < 0) return rc;
    if (part > 0) {
      parser.result.moveTo(Buffer.from(buf.subarray(0, rc)), 0); // the scratch is reused: the request keeps a copy
      this.consumed = rc - part;
      this.#partLen = 0;
    } else {
      this.consumed = rc;
    }
    return rc;
  }

  /** Forget a partial head. */
  reset(): void {
    this.#partLen = 0;
  }
}
