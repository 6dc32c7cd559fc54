// The hot inner loops of the head parser: run-length scans over a request-target and a field value.
// With SIMD they look at 16 bytes per step (compare + bitmask + ctz); the scalar tail, and the whole
// scan in the scalar build, give the same answer byte for byte. A 16-byte load is only issued when it
// ends at or before `stop` (≤ the input's end), so the parser never reads past its input.
import { cls, C_TARGET, C_TCHAR, C_URI, C_VALUE } from './chars';
import { byte } from './head-fields';

// c >> 4 in every lane. A 16-bit shift plus a mask: V8 has no byte shift on x64 and would emit the
// shift, then rebuild a 0x0f mask constant on every use; this way the mask is one hoisted constant.
// @ts-ignore: decorator
@inline function highNibbles(v: v128): v128 {
  return v128.and(i16x8.shr_u(v, 4), i8x16.splat(0x0f));
}

// Nibble lookup (the pshufb trick): byte c is in a set iff LOW[c & 15] & HIGH[c >> 4] != 0, where bit
// h - 2 of LOW[l] says whether (h << 4 | l) is in the set, for h = 2..7; bytes >= 0x80 and < 0x20
// have HIGH = 0. The LOW rows are derived from the class table; a test checks all 256 bytes agree.
const SET_TCHAR: i32 = 0; // RFC 9110 §5.6.2
const SET_URI: i32 = 1; //   strict request-target bytes (C_URI, RFC 3986)
const SET_TARGET: i32 = 2; // default request-target bytes (C_TARGET: C_URI and "|^{}\`")

// 16-lane mask: bit i set when byte i of v is outside the set (`set` is a constant after inlining,
// so the table is one hoisted constant).
// @ts-ignore: decorator
@inline function outsideSet(v: v128, set: i32): i32 {
  const low = set == SET_TCHAR
    ? i8x16(58, 63, 62, 63, 63, 63, 63, 63, 62, 62, 61, 21, 52, 21, 61, 28)
    : set == SET_URI
      ? i8x16(46, 63, 62, 62, 63, 63, 63, 63, 63, 63, 63, 31, 21, 31, 53, 31)
      : i8x16(62, 63, 62, 62, 63, 63, 63, 63, 63, 63, 63, 63, 61, 63, 61, 31);
  const lo = i8x16.swizzle(low, v128.and(v, i8x16.splat(0x0f)));
  const hi = i8x16.swizzle(i8x16(0, 0, 1, 2, 4, 8, 16, 32, 0, 0, 0, 0, 0, 0, 0, 0), highNibbles(v));
  return i8x16.bitmask(i8x16.eq(v128.and(lo, hi), i8x16.splat(0)));
}

// 16-lane masks for the field-line window of parseHead (SIMD build only): bit i set when byte i is
// not a tchar, or cannot be in a field value (the test of scanValue, HTAB included: the caller
// treats a flagged HTAB as "not simple").
// @ts-ignore: decorator
@inline export function nonTcharMask(v: v128): i32 {
  return outsideSet(v, SET_TCHAR);
}
// @ts-ignore: decorator
@inline export function ctlOrDelMask(v: v128): i32 {
  return i8x16.bitmask(v128.or(i8x16.le_u(v, i8x16.splat(0x1f)), i8x16.eq(v, i8x16.splat(0x7f))));
}

/** First address in [p, stop) whose byte is outside `set` (class bit `bit` in the scalar tail), or stop. */
// @ts-ignore: decorator
@inline function scanSet(p: i32, stop: i32, set: i32, bit: u8): i32 {
  if (ASC_FEATURE_SIMD) {
    while (p + 16 <= stop) {
      const m = outsideSet(v128.load(<usize>p), set);
      if (m != 0) return p + ctz(m);
      p += 16;
    }
  }
  while (p < stop && (cls(byte(p)) & bit) != 0) p++;
  return p;
}

/** First address in [p, stop) whose byte is not a tchar (RFC 9110 §5.6.2), or stop. */
export function scanToken(p: i32, stop: i32): i32 {
  return scanSet(p, stop, SET_TCHAR, C_TCHAR);
}

/**
 * First address in [p, stop) whose byte is not a request-target byte, or stop: C_TARGET by default,
 * C_URI (RFC 3986 only) when `strict` (R_STRICT_TARGET).
 */
export function scanTarget(p: i32, stop: i32, strict: bool): i32 {
  return strict ? scanSet(p, stop, SET_URI, C_URI) : scanSet(p, stop, SET_TARGET, C_TARGET);
}

/**
 * First address in [p, stop) whose byte cannot be in a field value (CTL other than HTAB, or DEL;
 * RFC 9110 §5.5), or stop. Trailing OWS is not tracked here: the caller trims it backwards once the
 * value's CR is found (values rarely end in OWS, so that costs one byte check per field).
 */
export function scanValue(p: i32, stop: i32): i32 {
  if (ASC_FEATURE_SIMD) {
    // A byte is suspect when c <= 0x1f (min_u + eq: cheaper than lt_u) or c == 0x7f. HTAB is suspect
    // too but allowed: it is removed from the mask only when something suspect was found (rare).
    const CTL_MAX = i8x16.splat(0x1f);
    const DEL = i8x16.splat(0x7f);
    const TAB = i8x16.splat(0x09);
    while (p + 32 <= stop) {
      const v = v128.load(<usize>p);
      const w = v128.load(<usize>p, 16);
      const bad = v128.or(
        v128.or(i8x16.le_u(v, CTL_MAX), i8x16.eq(v, DEL)),
        v128.or(i8x16.le_u(w, CTL_MAX), i8x16.eq(w, DEL)));
      if (v128.any_true(bad)) {
        const m = (i8x16.bitmask(v128.or(i8x16.le_u(v, CTL_MAX), i8x16.eq(v, DEL))) |
          (i8x16.bitmask(v128.or(i8x16.le_u(w, CTL_MAX), i8x16.eq(w, DEL))) << 16)) &
          ~(i8x16.bitmask(i8x16.eq(v, TAB)) | (i8x16.bitmask(i8x16.eq(w, TAB)) << 16));
        if (m != 0) return p + ctz(m);
      }
      p += 32;
    }
    if (p + 16 <= stop) {
      const v = v128.load(<usize>p);
      const m = i8x16.bitmask(v128.or(i8x16.le_u(v, CTL_MAX), i8x16.eq(v, DEL))) & ~i8x16.bitmask(i8x16.eq(v, TAB));
      if (m != 0) return p + ctz(m);
      p += 16;
    }
  } else {
    // SWAR, 8 bytes per step: the lowest flagged byte of the classic "has byte < n" / "has zero byte"
    // tests is exact (borrows only propagate upwards), which is all we need. HTAB is stepped over.
    while (p + 8 <= stop) {
      const x = load<u64>(<usize>p);
      const d = x ^ 0x7f7f7f7f7f7f7f7f;
      const m = (((x - 0x2020202020202020) & ~x) | ((d - 0x0101010101010101) & ~d)) & 0x8080808080808080;
      if (m == 0) { p += 8; continue; }
      const k = <i32>(ctz(m) >> 3);
      if (byte(p + k) != 0x09) return p + k;
      p += k + 1;
    }
  }
  while (p < stop && (cls(byte(p)) & C_VALUE) != 0) p++;
  return p;
}

/** End of the value [v0, v1) without trailing OWS (RFC 9112 §5: OWS around the value is not part of it). */
// @ts-ignore: decorator
@inline export function trimValueEnd(v0: i32, v1: i32): i32 {
  while (v1 > v0) {
    const c = byte(v1 - 1);
    if (c != 0x20 && c != 0x09) break;
    v1--;
  }
  return v1;
}

/**
 * A Host value [v0, v1) that is certainly valid (RFC 9112 §3.2, RFC 3986 §3.2.2): letters, digits,
 * "-" and "." (the usual reg-name or IPv4), optionally ":" and digits. false means "not decided
 * here": checkHost then gives the answer and the error position. SIMD build only, and only when 32
 * bytes from v0 are readable (< `readable`); bytes at or past v1 are loaded but masked off.
 */
export function isPlainHost(v0: i32, v1: i32, readable: i32): bool {
  if (!ASC_FEATURE_SIMD) return false;
  const n = v1 - v0;
  if (n > 32 || v0 + 32 > readable) return false;
  const v = v128.load(<usize>v0);
  const w = v128.load(<usize>v0, 16);
  const inValue = n == 32 ? -1 : (1 << n) - 1;
  const other = ~(plainHostMask(v) | (plainHostMask(w) << 16)) & inValue;
  if (other == 0) return true;
  const k = ctz(other);
  if (byte(v0 + k) != 0x3a) return false;
  // port = *DIGIT after the colon
  const digits = digitMask(v) | (digitMask(w) << 16);
  const after = inValue & ~((2 << k) - 1);
  return (after & ~digits) == 0;
}

// @ts-ignore: decorator
@inline function digitMask(v: v128): i32 {
  return i8x16.bitmask(i8x16.le_u(i8x16.sub(v, i8x16.splat(0x30)), i8x16.splat(9)));
}

/** Lanes holding a letter, digit, "-" or ".". */
// @ts-ignore: decorator
@inline function plainHostMask(v: v128): i32 {
  // c | 0x20 maps exactly the two cases of a letter (and nothing else) onto "a".."z".
  const letter = i8x16.le_u(i8x16.sub(v128.or(v, i8x16.splat(0x20)), i8x16.splat(0x61)), i8x16.splat(25));
  const digit = i8x16.le_u(i8x16.sub(v, i8x16.splat(0x30)), i8x16.splat(9));
  const dashDot = i8x16.le_u(i8x16.sub(v, i8x16.splat(0x2d)), i8x16.splat(1)); // 0x2d "-", 0x2e "."
  return i8x16.bitmask(v128.or(v128.or(letter, digit), dashDot));
}
