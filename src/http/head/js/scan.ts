// Word-at-a-time byte-class scans for the TypeScript head parser.
//
// A request head is mostly field values, field names and the target, and every byte must be checked
// against its class (RFC 9110 §5.5 field-value, §5.6.2 tchar; RFC 3986 for the target). Loading four
// bytes at once (DataView.getInt32, little-endian, at any alignment) and testing them together costs
// far less than a table lookup per byte:
//   - field values by SWAR arithmetic (outsidePrintable), since C_VALUE is just "not a control": the
//     first byte outside 0x20..0x7E is located from the bits, then judged by CLASS (HTAB, obs-text pass);
//   - names and targets by PAIR_CLASS, the class bits of every two-byte pair (two lookups per word).
// CLASS, the single definition of the classes, decides every byte a word test stops at, and the bytes
// of the last partial word. No byte at or past a scan's `stop` is ever read.
import * as chars from './chars.js';

// Imported values bound to module-local constants: V8 (Node 20) folds a module's own `const`
// bindings into optimized code, but reads an imported binding through its cell, with a TDZ check,
// at every use (docs/parser.md, "Hot-path notes").
const { CLASS, C_VALUE, PAIR_CLASS } = chars;

/**
 * A DataView over the whole ArrayBuffer of the last buffer scanned, and that buffer's byteOffset.
 * Cached on the Uint8Array itself because reading `.buffer` and `.byteOffset` costs more than a short
 * scan, and one buffer is scanned many times per head. (Holds on to that one buffer until the next.)
 */
let viewOf: Uint8Array | null = null;
let view: DataView = new DataView(new ArrayBuffer(0));
let viewOff = 0;

/** The DataView over buf's whole ArrayBuffer; buf[p] is at view offset wordOffset() + p. */
export function wordView(buf: Uint8Array): DataView {
  if (buf !== viewOf) {
    view = new DataView(buf.buffer);
    viewOff = buf.byteOffset;
    viewOf = buf;
  }
  return view;
}

/** buf.byteOffset, cached with wordView(buf) (call that first). */
export function wordOffset(): number {
  return viewOff;
}

/**
 * High bit of each byte of little-endian word x set for the bytes outside 0x20..0x7E (CTL, DEL, HTAB,
 * obs-text), exact up to and including the lowest such byte. Per byte b with no carry in: b - 0x20 sets
 * the high bit iff b < 0x20 or b >= 0xA0, b + 1 iff 0x7F <= b < 0xFF, b itself iff b >= 0x80; a borrow
 * or carry only leaves a byte that is itself flagged, and only disturbs the bytes above it.
 */
export function outsidePrintable(x: number): number {
  return ((x - 0x20202020) | (x + 0x01010101) | x) & -2139062144; // 0x80808080
}

/** Index of the lowest flagged byte of a non-zero outsidePrintable() result. */
export function firstFlagged(flag: number): number {
  return (31 - Math.clz32(flag & -flag)) >>> 3;
}

/** First index in [p, stop) whose byte is not a field-value byte (C_VALUE), or stop. */
export function scanValue(buf: Uint8Array, p: number, stop: number): number {
  const dv = wordView(buf);
  const off = viewOff;
  for (;;) {
    while (p + 8 <= stop &&
      (outsidePrintable(dv.getInt32(off + p, true)) | outsidePrintable(dv.getInt32(off + p + 4, true))) === 0) p += 8;
    let flag = 0;
    while (p + 4 <= stop && (flag = outsidePrintable(dv.getInt32(off + p, true))) === 0) p += 4;
    if (flag === 0) break; // fewer than 4 bytes left
    p += firstFlagged(flag);
    if ((CLASS[buf[p]!]! & C_VALUE) === 0) return p;
    p++; // HTAB or obs-text: the value goes on
  }
  while (p < stop && (CLASS[buf[p]!]! & C_VALUE) !== 0) p++;
  return p;
}

/** First index in [p, stop) whose byte is not in class `k` (a CLASS bit), or stop. */
export function scanClassWords(buf: Uint8Array, p: number, stop: number, k: number): number {
  const dv = wordView(buf);
  const off = viewOff;
  while (p + 4 <= stop) {
    const x = dv.getInt32(off + p, true);
    if ((PAIR_CLASS[x & 0xffff]! & PAIR_CLASS[x >>> 16]! & k) === 0) break;
    p += 4;
  }
  while (p < stop && (CLASS[buf[p]!]! & k) !== 0) p++;
  return p;
}
