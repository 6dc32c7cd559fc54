// The codec's contract: mask/unmask (RFC 6455 §5.3) and UTF-8 validation (RFC 3629), implemented by
// the TS twin (./js.ts) and the WASM builds (./wasm.ts). Imports nothing, so both twins can share it.
import type { EngineKind } from '../../wasm/instance.js';

export interface WsCodec {
  readonly engine: EngineKind;
  /** XOR buf[offset, offset+length) in place with `key` (4 bytes, big-endian in a u32), starting
   *  at key byte `keyOffset` (0..3) — lets a payload be unmasked piece by piece as it arrives. */
  unmask(buf: Uint8Array, offset: number, length: number, key: number, keyOffset: number): void;
  /** Write src[srcOffset, +length) XOR key into dst[dstOffset, …) (dst may equal src). */
  mask(src: Uint8Array, srcOffset: number, length: number, dst: Uint8Array, dstOffset: number, key: number): void;
  /** Whole-buffer UTF-8 validity (RFC 3629: no overlongs, no surrogates, ≤ U+10FFFF). */
  isUtf8(buf: Uint8Array, offset: number, length: number): boolean;
  /** Incremental validator for text split across fragments: push() is false at the first invalid
   *  byte; end() is false when the input stopped inside a sequence. */
  utf8Validator(): Utf8Validator;
}

export interface Utf8Validator {
  push(buf: Uint8Array, offset: number, length: number): boolean;
  end(): boolean;
  reset(): void;
}
