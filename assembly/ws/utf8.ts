// UTF-8 validation (RFC 3629 §4): no overlong forms, no surrogates U+D800–DFFF, nothing above
// U+10FFFF. Incremental: the state says what the next byte must be, so a sequence split across
// fragments (RFC 6455 §5.6, §8.1) or across pieces of one large payload validates correctly.
//
// States: 0 boundary; 1/2/3 = that many continuation bytes (80..BF) still expected;
// 4 after E0 (next A0..BF, then 1); 5 after ED (next 80..9F, then 1; excludes surrogates);
// 6 after F0 (next 90..BF, then 2); 7 after F4 (next 80..8F, then 2; caps at U+10FFFF);
// -1 invalid (sticky).

export const UTF8_INVALID: i32 = -1;

/** One byte through the state machine (the slow path: sequence starts near a piece boundary). */
@inline function step(state: i32, b: u32): i32 {
  if (state == 0) {
    if (b < 0x80) return 0;
    if (b < 0xc2) return -1; //           stray continuation, or C0/C1 (always overlong)
    if (b < 0xe0) return 1;
    if (b == 0xe0) return 4;
    if (b == 0xed) return 5;
    if (b < 0xf0) return 2;
    if (b == 0xf0) return 6;
    if (b < 0xf4) return 3;
    if (b == 0xf4) return 7;
    return -1; //                          F5..FF never appear in UTF-8
  }
  if (state <= 3) return (b & 0xc0) == 0x80 ? state - 1 : -1;
  if (state == 4) return (b >= 0xa0 && b <= 0xbf) ? 1 : -1;
  if (state == 5) return (b >= 0x80 && b <= 0x9f) ? 1 : -1;
  if (state == 6) return (b >= 0x90 && b <= 0xbf) ? 2 : -1;
  return (b >= 0x80 && b <= 0x8f) ? 2 : -1; // state 7
}

@inline function isCont(b: u32): bool { return (b & 0xc0) == 0x80; }

/** Skip ASCII from p while at a boundary; returns the first non-ASCII position (or end). */
@inline function skipAscii(p: usize, end: usize): usize {
  if (ASC_FEATURE_SIMD) {
    while (p + 64 <= end) {
      const any = v128.or(v128.or(v128.load(p), v128.load(p, 16)), v128.or(v128.load(p, 32), v128.load(p, 48)));
      if (i8x16.bitmask(any) != 0) break;
      p += 64;
    }
    while (p + 16 <= end) {
      if (i8x16.bitmask(v128.load(p)) != 0) break;
      p += 16;
    }
  } else {
    while (p + 8 <= end) {
      if ((load<u64>(p) & 0x8080808080808080) != 0) break;
      p += 8;
    }
  }
  while (p < end && load<u8>(p) < 0x80) p++;
  return p;
}

// --- SIMD multi-byte validation (SIMD build only) ---------------------------------------------
// The lookup method of Keiser & Lemire, "Validating UTF-8 In Less Than One Instruction Per Byte"
// (2021): every error is visible in the high nibble of a byte, its low nibble and the high nibble
// of the byte after it, so three 16-entry table lookups (i8x16.swizzle) and an AND classify a
// whole block; a second test requires continuations where 3- and 4-byte sequences need them.
// Written from the paper's description; bit names follow its error classes.
const TOO_SHORT: u8 = 1 << 0; //     lead byte not followed by enough continuations
const TOO_LONG: u8 = 1 << 1; //      ASCII followed by a continuation
const OVERLONG_3: u8 = 1 << 2; //    E0 80..9F
const TOO_LARGE: u8 = 1 << 3; //     F4 90..BF, F5..FF
const SURROGATE: u8 = 1 << 4; //     ED A0..BF
const OVERLONG_2: u8 = 1 << 5; //    C0, C1
const TOO_LARGE_1000: u8 = 1 << 6; // F5..FF 80..8F
const OVERLONG_4: u8 = 1 << 6; //    F0 80..8F (shares the bit: the lead nibbles differ)
const TWO_CONTS: u8 = 1 << 7; //     continuation after continuation (valid only if the 2-/3-back test wants it)
const CARRY: u8 = TOO_SHORT | TOO_LONG | TWO_CONTS;

@inline function lookups(input: v128, prev1: v128): v128 {
  const lowNibble = i8x16.splat(0x0f);
  // Indexed by the high nibble of the previous byte.
  const byte1High = i8x16.swizzle(i8x16(
    TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG,
    TWO_CONTS, TWO_CONTS, TWO_CONTS, TWO_CONTS,
    TOO_SHORT | OVERLONG_2, TOO_SHORT, TOO_SHORT | OVERLONG_3 | SURROGATE,
    TOO_SHORT | TOO_LARGE | TOO_LARGE_1000 | OVERLONG_4), i8x16.shr_u(prev1, 4));
  // Indexed by the low nibble of the previous byte.
  const byte1Low = i8x16.swizzle(i8x16(
    CARRY | OVERLONG_3 | OVERLONG_2 | OVERLONG_4, CARRY | OVERLONG_2, CARRY, CARRY,
    CARRY | TOO_LARGE, CARRY | TOO_LARGE | TOO_LARGE_1000, CARRY | TOO_LARGE | TOO_LARGE_1000,
    CARRY | TOO_LARGE | TOO_LARGE_1000, CARRY | TOO_LARGE | TOO_LARGE_1000,
    CARRY | TOO_LARGE | TOO_LARGE_1000, CARRY | TOO_LARGE | TOO_LARGE_1000,
    CARRY | TOO_LARGE | TOO_LARGE_1000, CARRY | TOO_LARGE | TOO_LARGE_1000,
    CARRY | TOO_LARGE | TOO_LARGE_1000 | SURROGATE, CARRY | TOO_LARGE | TOO_LARGE_1000,
    CARRY | TOO_LARGE | TOO_LARGE_1000), v128.and(prev1, lowNibble));
  // Indexed by the high nibble of the current byte.
  const byte2High = i8x16.swizzle(i8x16(
    TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT,
    TOO_LONG | OVERLONG_2 | TWO_CONTS | OVERLONG_3 | TOO_LARGE_1000 | OVERLONG_4,
    TOO_LONG | OVERLONG_2 | TWO_CONTS | OVERLONG_3 | TOO_LARGE,
    TOO_LONG | OVERLONG_2 | TWO_CONTS | SURROGATE | TOO_LARGE,
    TOO_LONG | OVERLONG_2 | TWO_CONTS | SURROGATE | TOO_LARGE,
    TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT), i8x16.shr_u(input, 4));
  return v128.and(v128.and(byte1High, byte1Low), byte2High);
}

/** Error bits for one 16-byte block given the block before it (zero when nothing is wrong). */
@inline function checkBlock(input: v128, prev: v128): v128 {
  const prev1 = i8x16.shuffle(prev, input, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30);
  const prev2 = i8x16.shuffle(prev, input, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29);
  const prev3 = i8x16.shuffle(prev, input, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28);
  const sc = lookups(input, prev1);
  // A byte 2 after E0..EF or 3 after F0..FF must be a continuation: then (and only then) the
  // TWO_CONTS bit (0x80) is expected, so XOR cancels it.
  const third = i8x16.sub_sat_u(prev2, i8x16.splat(<i8>0xdf));
  const fourth = i8x16.sub_sat_u(prev3, i8x16.splat(<i8>0xef));
  const must23 = i8x16.gt_s(v128.or(third, fourth), i8x16.splat(0));
  return v128.xor(v128.and(must23, i8x16.splat(<i8>0x80)), sc);
}

/**
 * From a boundary at p, validate whole 16-byte blocks while they hold non-ASCII bytes. Returns the
 * position to continue from at a boundary (a trailing sequence cut by the last block is left for the
 * scalar path), or -1 on an error. Stops after the first all-ASCII block (the caller skips ASCII).
 */
@inline function simdBlocks(p: usize, end: usize): isize {
  let prev = i8x16.splat(0);
  let err = i8x16.splat(0);
  while (p + 16 <= end) {
    const input = v128.load(p);
    err = v128.or(err, checkBlock(input, prev));
    prev = input;
    p += 16;
    if (i8x16.bitmask(input) == 0) break; // all ASCII: boundary, nothing cut
  }
  if (v128.any_true(err)) return -1;
  // Back up to the lead byte of a sequence the last block cut short.
  for (let k: usize = 1; k <= 3; k++) {
    const b = <u32>load<u8>(p - k);
    if (b < 0x80) break;
    if (b >= 0xc0) {
      const need: usize = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
      if (k < need) p -= k;
      break;
    }
  }
  return <isize>p;
}

/** Validate [ptr, ptr+len) continuing from `state`; returns the state after the last byte. */
export function utf8Step(ptr: usize, len: i32, state: i32): i32 {
  if (state < 0) return -1;
  let p = ptr;
  const end = ptr + <usize>len;
  // Finish a sequence begun in an earlier piece.
  while (state != 0 && p < end) {
    state = step(state, <u32>load<u8>(p));
    if (state < 0) return -1;
    p++;
  }
  while (p < end) {
    let b0 = <u32>load<u8>(p);
    if (b0 < 0x80) {
      // ASCII: take the run in bulk (SIMD when built with it), then look at what ends it.
      p = skipAscii(p + 1, end);
      if (p >= end) break;
      b0 = <u32>load<u8>(p);
    }
    if (ASC_FEATURE_SIMD) {
      if (p + 16 <= end) {
        const q = simdBlocks(p, end);
        if (q < 0) return -1;
        p = <usize>q;
        continue;
      }
    }
    const avail = end - p;
    // Whole sequences that lie inside the piece are checked directly (branchy, Node/simdutf style).
    if (b0 >= 0xc2 && b0 <= 0xdf && avail >= 2) {
      if (!isCont(<u32>load<u8>(p, 1))) return -1;
      p += 2;
    } else if (b0 >= 0xe0 && b0 <= 0xef && avail >= 3) {
      const b1 = <u32>load<u8>(p, 1);
      if (b0 == 0xe0) { if (b1 < 0xa0 || b1 > 0xbf) return -1; }
      else if (b0 == 0xed) { if (b1 < 0x80 || b1 > 0x9f) return -1; }
      else if (!isCont(b1)) return -1;
      if (!isCont(<u32>load<u8>(p, 2))) return -1;
      p += 3;
    } else if (b0 >= 0xf0 && b0 <= 0xf4 && avail >= 4) {
      const b1 = <u32>load<u8>(p, 1);
      if (b0 == 0xf0) { if (b1 < 0x90 || b1 > 0xbf) return -1; }
      else if (b0 == 0xf4) { if (b1 < 0x80 || b1 > 0x8f) return -1; }
      else if (!isCont(b1)) return -1;
      if (!isCont(<u32>load<u8>(p, 2)) || !isCont(<u32>load<u8>(p, 3))) return -1;
      p += 4;
    } else {
      // Invalid lead byte, or a sequence cut by the end of the piece: byte by byte.
      while (p < end) {
        state = step(state, <u32>load<u8>(p));
        if (state < 0) return -1;
        p++;
        if (state == 0) break;
      }
    }
  }
  return state;
}
