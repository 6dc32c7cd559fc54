// The hot inner loops of the head parser: run-length scans over a request-target and a field value.
// With SIMD they look at 16 bytes per step (compare + bitmask + ctz); the scalar tail, and the whole
// scan in the scalar build, give the same answer byte for byte. A 16-byte load is only issued when it
// ends at or before `stop` (≤ the input's end), so the parser never reads past its input.
import { cls, C_TCHAR, C_URI } from './chars';
import { byte } from './head-fields';

/** Out from scanValue: end (exclusive) of the last byte passed that is not OWS. */
export let valueLastNonWs: i32 = 0;

/** First address in [p, stop) whose byte is not a tchar (RFC 9110 §5.6.2), or stop. */
export function scanToken(p: i32, stop: i32): i32 {
  if (ASC_FEATURE_SIMD) {
    // The same nibble lookup as scanTarget, for the tchar set.
    const LOW = i8x16(58, 63, 62, 63, 63, 63, 63, 63, 62, 62, 61, 21, 52, 21, 61, 28);
    const HIGH = i8x16(0, 0, 1, 2, 4, 8, 16, 32, 0, 0, 0, 0, 0, 0, 0, 0);
    const NIBBLE = i8x16.splat(0x0f);
    const ZERO = i8x16.splat(0);
    while (p + 16 <= stop) {
      const v = v128.load(<usize>p);
      const lo = i8x16.swizzle(LOW, v128.and(v, NIBBLE));
      const hi = i8x16.swizzle(HIGH, i8x16.shr_u(v, 4));
      const m = i8x16.bitmask(i8x16.eq(v128.and(lo, hi), ZERO));
      if (m != 0) return p + ctz(m);
      p += 16;
    }
  }
  while (p < stop && (cls(byte(p)) & C_TCHAR) != 0) p++;
  return p;
}

/** First address in [p, stop) whose byte is not a request-target byte (C_URI), or stop. */
export function scanTarget(p: i32, stop: i32): i32 {
  if (ASC_FEATURE_SIMD) {
    // Nibble lookup (the pshufb trick): byte c is allowed iff LOW[c & 15] & HIGH[c >> 4] != 0, where
    // bit h - 2 of LOW[l] says whether (h << 4 | l) is in the set, for h = 2..7; bytes >= 0x80 and
    // < 0x20 have HIGH = 0. Derived from the class table; a test checks all 256 bytes agree.
    const LOW = i8x16(46, 63, 62, 62, 63, 63, 63, 63, 63, 63, 63, 31, 21, 31, 53, 31);
    const HIGH = i8x16(0, 0, 1, 2, 4, 8, 16, 32, 0, 0, 0, 0, 0, 0, 0, 0);
    const NIBBLE = i8x16.splat(0x0f);
    const ZERO = i8x16.splat(0);
    while (p + 16 <= stop) {
      const v = v128.load(<usize>p);
      const lo = i8x16.swizzle(LOW, v128.and(v, NIBBLE));
      const hi = i8x16.swizzle(HIGH, i8x16.shr_u(v, 4));
      const m = i8x16.bitmask(i8x16.eq(v128.and(lo, hi), ZERO));
      if (m != 0) return p + ctz(m);
      p += 16;
    }
  }
  while (p < stop && (cls(byte(p)) & C_URI) != 0) p++;
  return p;
}

/**
 * First address in [p, stop) whose byte cannot be in a field value (CTL other than HTAB, or DEL;
 * RFC 9110 §5.5), or stop. valueLastNonWs = `last`, moved past every passed byte that is not SP/HTAB.
 */
export function scanValue(p: i32, stop: i32, last: i32): i32 {
  if (ASC_FEATURE_SIMD) {
    const SPACE = i8x16.splat(0x20);
    const TAB = i8x16.splat(0x09);
    const DEL = i8x16.splat(0x7f);
    while (p + 16 <= stop) {
      const v = v128.load(<usize>p);
      const tab = i8x16.eq(v, TAB);
      const bad = v128.or(v128.andnot(i8x16.lt_u(v, SPACE), tab), i8x16.eq(v, DEL));
      const m = i8x16.bitmask(bad);
      let text = ~i8x16.bitmask(v128.or(i8x16.eq(v, SPACE), tab)) & 0xffff;
      if (m == 0) {
        if (text != 0) last = p + 32 - clz(text);
        p += 16;
        continue;
      }
      const k = ctz(m);
      text &= (1 << k) - 1;
      if (text != 0) last = p + 32 - clz(text);
      valueLastNonWs = last;
      return p + k;
    }
  }
  while (p < stop) {
    const c = byte(p);
    if (c > 0x20) {
      if (c == 0x7f) break;
      last = p + 1;
    } else if (c != 0x20 && c != 0x09) {
      break;
    }
    p++;
  }
  valueLastNonWs = last;
  return p;
}
