// UTF-8 validation by Node itself: buffer.isUtf8 (simdutf, C++). On every input of bench/suites/
// ws-utf8.js it is faster than the WASM validator (ASCII ≈ 1.6×, mixed scripts ≈ 4.4× on resident
// bytes; more once the WASM copy-in is counted), so it is what connections use by default
// (WebSocketOptions.utf8 'native'); the engines' validators (./js.ts, assembly/ws/utf8.ts) remain as
// the twins it is compared with (test/ws/codec/codec.test.ts) and run when utf8 is 'engine'.
//
// isUtf8 checks a whole buffer; a text message arrives in pieces (fragments §5.4, TCP reads), and a
// character may straddle two of them. The incremental validator below finishes a straddling
// character with the byte automaton of the TS twin (at most 3 bytes), hands everything up to the
// last, possibly cut, character to isUtf8, and carries that character's bytes in the automaton.
import { isUtf8 } from 'node:buffer';
import { utf8StepJs } from './js.js';
import type { Utf8Validator } from './types.js';

/**
 * Below these many bytes the TS automaton (ASCII fast path) beats the native call. Best of 5 on this
 * machine (/tmp u8x, u8y), ASCII: a whole Buffer 16 B js 31 ns vs isUtf8 38, 24 B 53 vs 24; a range
 * inside a Buffer (isUtf8 of a subarray) 64 B 107 vs 114, 128 B 188 vs 140.
 */
export const NATIVE_UTF8_MIN = 24;
export const NATIVE_UTF8_MIN_RANGE = 128;

/** Whole-range validity: buf[offset, +length) is complete, valid UTF-8 (RFC 3629 §4). */
export function isUtf8Native(buf: Uint8Array, offset: number, length: number): boolean {
  const whole = offset === 0 && length === buf.length;
  if (length < (whole ? NATIVE_UTF8_MIN : NATIVE_UTF8_MIN_RANGE)) return utf8StepJs(buf, offset, length, 0) === 0;
  return isUtf8(whole ? buf : buf.subarray(offset, offset + length));
}

/** Bytes a sequence with lead byte `b` (≥ 0xC0) has in all; invalid leads count 4 (the automaton rejects them). */
const sequenceLength = (b: number): number => (b < 0xe0 ? 2 : b < 0xf0 ? 3 : 4);

/** Start of the last character of buf[from, end) when it is cut short by `end`, else `end`. */
function cutPoint(buf: Uint8Array, from: number, end: number): number {
  for (let i = end - 1; i >= from && i >= end - 3; i--) {
    const b = buf[i]!;
    if (b < 0x80) return end; //                       ASCII: nothing is cut
    if (b >= 0xc0) return end - i < sequenceLength(b) ? i : end; // the lead byte
  }
  return end; // three continuation bytes: complete if their lead is the 4th byte back, else invalid (isUtf8 says)
}

export class NativeUtf8Validator implements Utf8Validator {
  /** The TS automaton's state (./js.ts): 0 at a character boundary, -1 invalid. */
  private state = 0;

  push(buf: Uint8Array, offset: number, length: number): boolean {
    let state = this.state;
    const end = offset + length;
    let p = offset;
    // Finish a character begun in an earlier piece (at most 3 bytes).
    while (state > 0 && p < end) state = utf8StepJs(buf, p++, 1, state);
    if (state === 0 && p < end) {
      const cut = cutPoint(buf, p, end);
      if (cut > p && !isUtf8Native(buf, p, cut - p)) state = -1;
      else if (cut < end) state = utf8StepJs(buf, cut, end - cut, 0);
    }
    this.state = state;
    return state >= 0;
  }

  /** False when the input stopped inside a character (or was invalid). */
  end(): boolean {
    return this.state === 0;
  }

  reset(): void {
    this.state = 0;
  }
}

/** Node's validator behind the codec's UTF-8 interface (the Receiver's `utf8` when it is 'native'). */
export const nativeUtf8 = {
  engine: 'native' as const,
  isUtf8: isUtf8Native,
  utf8Validator: (): Utf8Validator => new NativeUtf8Validator(),
};
