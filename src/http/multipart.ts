// A push parser for multipart bodies (RFC 2046 §5.1.1, as used by multipart/form-data, RFC 7578).
// It is fed body pieces of any size, split anywhere, and reports each part's header bytes, the spans
// of its content (views into the pieces it was given, never a copy of the content) and its end. It
// holds at most one part-header section (maxHeaderSize) and the few bytes of a delimiter that may
// continue in the next piece, whatever the upload size.
//
// The body is: preamble, then delimiters "CRLF--boundary" each followed by transport padding (LWSP)
// and CRLF then a part (header fields, CRLF, content), and a close delimiter "CRLF--boundary--" then
// an epilogue. The first delimiter may open the body without a CRLF before it: we behave as if the
// body were preceded by a CRLF (the usual "virtual CRLF" trick), so one search handles both.
//
// Search across piece boundaries: the delimiter starts with CR, and a boundary has no CR (bchars,
// RFC 2046 §5.1.1; checked by parseBoundary), so CR occurs in the delimiter only at index 0. Hence a
// partial match carried from the previous piece either completes at the start of the next piece or
// all its bytes are content: no other alignment can start inside it.
import { WasmlaneError } from '../errors.js';

export interface MultipartSink {
  /** A part starts; `head` is its header section without the final CRLF CRLF (empty when none). */
  partBegin(head: Buffer): void;
  /** Content bytes of the current part: buf[start, end) (a view; the parser never writes to it). */
  partData(buf: Buffer, start: number, end: number): void;
  /** The current part ended (a delimiter followed its content). */
  partEnd(): void;
}

const CR = 13;
const LF = 10;
const DASH = 45;
const SP = 32;
const HT = 9;

const S_PREAMBLE = 0; // discarding until the first delimiter
const S_AFTER = 1; // just after a delimiter: "--", padding or CRLF
const S_AFTER_DASH = 2; // saw one "-" after the delimiter
const S_PADDING = 3; // transport padding (SP / HT) before the CRLF
const S_AFTER_CR = 4; // CR after the delimiter, LF next
const S_HEAD = 5; // a part's header section, up to CRLF CRLF
const S_BODY = 6; // a part's content, up to the next delimiter
const S_END = 7; // after the close delimiter: the epilogue is ignored

/** bchars (RFC 2046 §5.1.1): DIGIT / ALPHA / "'()+_,-./:=?" and space (not last). */
const BCHAR = /^[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]$/;

/** True when `boundary` is a valid multipart boundary (1–70 bchars, not ending in space). */
export function isValidBoundary(boundary: string): boolean {
  return BCHAR.test(boundary);
}

export class MultipartParser {
  readonly #sink: MultipartSink;
  /** CRLF "--" boundary. */
  readonly #delim: Buffer;
  readonly #maxHeaderSize: number;
  #state = S_PREAMBLE;
  /** Delimiter bytes matched at the end of the input so far (held back, not reported yet). The
   *  virtual CRLF before the body counts as 2 matched bytes. */
  #matched = 2;
  /** The header section being collected, with a leading CRLF (the one that ended the delimiter line)
   *  so that an empty section ("CRLF" right away) is found by the same CRLF CRLF match. */
  #head: Buffer | null = null;
  #headLength = 0;
  /** Bytes of CR LF CR LF matched at the end of #head. */
  #headMatch = 0;

  constructor(boundary: string, maxHeaderSize: number, sink: MultipartSink) {
    if (!isValidBoundary(boundary)) throw new WasmlaneError('WL_FORM_INVALID', 'invalid boundary');
    this.#sink = sink;
    this.#delim = Buffer.from(`\r\n--${boundary}`, 'latin1');
    this.#maxHeaderSize = maxHeaderSize;
  }

  /** True once the close delimiter was seen. */
  get done(): boolean {
    return this.#state === S_END;
  }

  /** Feed the next piece of the body. Throws WL_FORM_INVALID / WL_FORM_PART_HEADER_TOO_LARGE. */
  write(chunk: Buffer): void {
    const n = chunk.length;
    let i = 0;
    while (i < n) {
      const state = this.#state;
      if (state === S_BODY || state === S_PREAMBLE) {
        i = this.#scan(chunk, i);
        continue;
      }
      if (state === S_HEAD) {
        i = this.#headBytes(chunk, i);
        continue;
      }
      if (state === S_END) return;
      const c = chunk[i++]!;
      switch (state) {
        case S_AFTER:
          if (c === DASH) this.#state = S_AFTER_DASH;
          else if (c === SP || c === HT) this.#state = S_PADDING;
          else if (c === CR) this.#state = S_AFTER_CR;
          else throw invalid('delimiter not followed by CRLF or "--"');
          break;
        case S_AFTER_DASH:
          if (c !== DASH) throw invalid('delimiter followed by a single "-"');
          this.#state = S_END;
          return;
        case S_PADDING:
          if (c === CR) this.#state = S_AFTER_CR;
          else if (c !== SP && c !== HT) throw invalid('delimiter not followed by CRLF or "--"');
          break;
        case S_AFTER_CR:
          if (c !== LF) throw invalid('CR not followed by LF after a delimiter');
          this.#state = S_HEAD;
          this.#head ??= Buffer.allocUnsafe(this.#maxHeaderSize + 6);
          this.#head[0] = CR;
          this.#head[1] = LF;
          this.#headLength = 2;
          this.#headMatch = 2;
          break;
      }
    }
  }

  /** The body ended: it must have ended with the close delimiter. */
  end(): void {
    if (this.#state !== S_END) throw invalid('the body ended before the close delimiter');
  }

  /** Search for the delimiter in chunk[from..]; report content (S_BODY) or drop it (preamble). */
  #scan(chunk: Buffer, from: number): number {
    const delim = this.#delim;
    const length = delim.length;
    const n = chunk.length;
    const body = this.#state === S_BODY;
    const held = this.#matched;
    if (held > 0) {
      const avail = Math.min(length - held, n - from);
      if (delim.compare(chunk, from, from + avail, held, held + avail) === 0) {
        if (held + avail < length) {
          this.#matched = held + avail; // still a prefix: wait for more
          return n;
        }
        this.#matched = 0;
        this.#delimiter();
        return from + avail;
      }
      // The held bytes were content after all (a copy: the sink may keep it; delim must stay intact).
      this.#matched = 0;
      if (body) this.#sink.partData(Buffer.from(delim.subarray(0, held)), 0, held);
    }
    const at = chunk.indexOf(delim, from);
    if (at >= 0) {
      if (body && at > from) this.#sink.partData(chunk, from, at);
      this.#delimiter();
      return at + length;
    }
    // No whole delimiter: hold back the longest tail that is a delimiter prefix (it starts with CR).
    let keep = n;
    for (let j = Math.max(from, n - length + 1); j < n; j++) {
      if (chunk[j] === CR && delim.compare(chunk, j, n, 0, n - j) === 0) {
        keep = j;
        break;
      }
    }
    if (body && keep > from) this.#sink.partData(chunk, from, keep);
    this.#matched = n - keep;
    return n;
  }

  #delimiter(): void {
    if (this.#state === S_BODY) this.#sink.partEnd();
    this.#state = S_AFTER;
  }

  /** Collect header bytes up to CRLF CRLF (RFC 2046 §5.1.1: header fields, then a blank line). */
  #headBytes(chunk: Buffer, from: number): number {
    const head = this.#head!;
    const limit = this.#maxHeaderSize + 6; // the leading CRLF and the final CRLF CRLF do not count
    const n = chunk.length;
    let length = this.#headLength;
    let match = this.#headMatch;
    let i = from;
    while (i < n) {
      const c = chunk[i++]!;
      if (length === limit) throw new WasmlaneError('WL_FORM_PART_HEADER_TOO_LARGE', `more than ${this.#maxHeaderSize} bytes`);
      head[length++] = c;
      if (c === CR) match = match === 2 ? 3 : 1;
      else if (c === LF && (match === 1 || match === 3)) match++;
      else match = 0;
      if (match === 4) {
        this.#state = S_BODY;
        this.#matched = 0;
        this.#headLength = 0;
        this.#headMatch = 0;
        // Copy: the next part's header reuses the buffer.
        this.#sink.partBegin(length > 6 ? Buffer.from(head.subarray(2, length - 4)) : Buffer.alloc(0));
        return i;
      }
    }
    this.#headLength = length;
    this.#headMatch = match;
    return n;
  }
}

function invalid(detail: string): WasmlaneError {
  return new WasmlaneError('WL_FORM_INVALID', detail);
}
