// Masking (RFC 6455 §5.3): every payload byte i is XORed with key byte (i mod 4). Masking and
// unmasking are the same operation. The host lets a payload be processed piece by piece, so the
// key may start at any of its 4 bytes (`keyOffset`).
//
// The key arrives as a big-endian u32 (the order it has on the wire). Memory loads are little-endian,
// so the word XORed with a little-endian u32 load is the byte-swapped key, rotated by keyOffset.

/** The key as a little-endian word whose first byte is key byte `keyOffset`. */
@inline export function rotatedKeyLE(key: u32, keyOffset: i32): u32 {
  return bswap<u32>(rotl<u32>(key, (<u32>(keyOffset & 3)) << 3));
}

/** XOR [ptr, ptr+len) in place; never touches a byte outside that range. */
export function maskInPlace(ptr: usize, len: i32, key: u32, keyOffset: i32): void {
  if (len <= 0) return;
  const k32 = rotatedKeyLE(key, keyOffset);
  let p = ptr;
  const end = ptr + <usize>len;
  if (ASC_FEATURE_SIMD) {
    // 16 bytes per step: steps are multiples of 4, so the rotation never changes.
    const kv = i32x4.splat(<i32>k32);
    while (p + 64 <= end) {
      v128.store(p, v128.xor(v128.load(p), kv));
      v128.store(p, v128.xor(v128.load(p, 16), kv), 16);
      v128.store(p, v128.xor(v128.load(p, 32), kv), 32);
      v128.store(p, v128.xor(v128.load(p, 48), kv), 48);
      p += 64;
    }
    while (p + 16 <= end) {
      v128.store(p, v128.xor(v128.load(p), kv));
      p += 16;
    }
  } else {
    const k64: u64 = (<u64>k32) | ((<u64>k32) << 32);
    while (p + 32 <= end) {
      store<u64>(p, load<u64>(p) ^ k64);
      store<u64>(p, load<u64>(p, 8) ^ k64, 8);
      store<u64>(p, load<u64>(p, 16) ^ k64, 16);
      store<u64>(p, load<u64>(p, 24) ^ k64, 24);
      p += 32;
    }
    while (p + 8 <= end) {
      store<u64>(p, load<u64>(p) ^ k64);
      p += 8;
    }
  }
  while (p + 4 <= end) {
    store<u32>(p, load<u32>(p) ^ k32);
    p += 4;
  }
  // Byte tail (at most 3 bytes): key bytes continue in order (k32 >> 8 shifts to the next key byte).
  let k = k32;
  while (p < end) {
    store<u8>(p, load<u8>(p) ^ <u8>k);
    k = k >> 8;
    p++;
  }
}
