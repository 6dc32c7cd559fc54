// The pure-TypeScript codec twin: masking (RFC 6455 §5.3) and UTF-8 validation (RFC 3629 §4).
// Same interface and results as the WASM builds (assembly/ws/mask.ts, assembly/ws/utf8.ts);
// test/ws/codec/codec.test.ts runs one suite over both twins.
import type { Utf8Validator, WsCodec } from './types.js';

/** Key byte `i` (0..3) of a big-endian key word. */
const keyByte = (key: number, i: number): number => (key >>> (24 - ((i & 3) << 3))) & 0xff;

/**
 * XOR src[srcOff, +len) with the key starting at key byte `keyOffset` into dst[dstOff, …).
 * In place: 32-bit words from the first 4-byte-aligned address (a Uint32Array view over the same
 * memory), bytes at the edges. Into another buffer: copy first (memcpy), then the in-place path.
 */
export function maskJs(
  src: Uint8Array, srcOff: number, len: number, dst: Uint8Array, dstOff: number, key: number, keyOffset: number,
): void {
  const ko = keyOffset & 3;
  if (len >= 16) {
    if (src !== dst || srcOff !== dstOff) dst.set(src.subarray(srcOff, srcOff + len), dstOff);
    const addr = dst.byteOffset + dstOff;
    const lead = (4 - (addr & 3)) & 3;
    for (let i = 0; i < lead; i++) dst[dstOff + i] = dst[dstOff + i]! ^ keyByte(key, ko + i);
    // A word XOR is endian-sensitive: assemble the key word in memory order (little-endian).
    const ro = ko + lead;
    const kw = (keyByte(key, ro) | (keyByte(key, ro + 1) << 8) | (keyByte(key, ro + 2) << 16) | (keyByte(key, ro + 3) << 24)) >>> 0;
    const words = (len - lead) >>> 2;
    const w = new Uint32Array(dst.buffer, addr + lead, words);
    for (let j = 0; j < words; j++) w[j] = w[j]! ^ kw;
    for (let i = lead + (words << 2); i < len; i++) dst[dstOff + i] = dst[dstOff + i]! ^ keyByte(key, ko + i);
    return;
  }
  for (let i = 0; i < len; i++) dst[dstOff + i] = src[srcOff + i]! ^ keyByte(key, ko + i);
}

// UTF-8 states (identical to assembly/ws/utf8.ts): 0 boundary; 1..3 continuation bytes expected;
// 4 after E0; 5 after ED; 6 after F0; 7 after F4; -1 invalid.
function step(state: number, b: number): number {
  if (state === 0) {
    if (b < 0x80) return 0;
    if (b < 0xc2) return -1;
    if (b < 0xe0) return 1;
    if (b === 0xe0) return 4;
    if (b === 0xed) return 5;
    if (b < 0xf0) return 2;
    if (b === 0xf0) return 6;
    if (b < 0xf4) return 3;
    if (b === 0xf4) return 7;
    return -1;
  }
  if (state <= 3) return (b & 0xc0) === 0x80 ? state - 1 : -1;
  if (state === 4) return b >= 0xa0 && b <= 0xbf ? 1 : -1;
  if (state === 5) return b >= 0x80 && b <= 0x9f ? 1 : -1;
  if (state === 6) return b >= 0x90 && b <= 0xbf ? 2 : -1;
  return b >= 0x80 && b <= 0x8f ? 2 : -1;
}

/** Validate buf[off, +len) continuing from `state`; returns the state after the last byte. */
export function utf8StepJs(buf: Uint8Array, off: number, len: number, state: number): number {
  if (state < 0) return -1;
  let p = off;
  const end = off + len;
  while (p < end) {
    const b = buf[p]!;
    if (state === 0 && b < 0x80) { p++; continue; } // ASCII fast path
    state = step(state, b);
    if (state < 0) return -1;
    p++;
  }
  return state;
}

class JsUtf8Validator implements Utf8Validator {
  private state = 0;
  push(buf: Uint8Array, offset: number, length: number): boolean {
    this.state = utf8StepJs(buf, offset, length, this.state);
    return this.state >= 0;
  }
  end(): boolean { return this.state === 0; }
  reset(): void { this.state = 0; }
}

export class JsWsCodec implements WsCodec {
  readonly engine = 'js' as const;
  unmask(buf: Uint8Array, offset: number, length: number, key: number, keyOffset: number): void {
    maskJs(buf, offset, length, buf, offset, key, keyOffset);
  }
  mask(src: Uint8Array, srcOffset: number, length: number, dst: Uint8Array, dstOffset: number, key: number): void {
    maskJs(src, srcOffset, length, dst, dstOffset, key, 0);
  }
  isUtf8(buf: Uint8Array, offset: number, length: number): boolean {
    return utf8StepJs(buf, offset, length, 0) === 0;
  }
  utf8Validator(): Utf8Validator { return new JsUtf8Validator(); }
}
