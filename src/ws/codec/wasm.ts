// The WASM codec: the host copies bytes into the WS window, one WASM call masks or validates them
// there, and (for masking) the result is copied back — the figures in bench/suites/ws-mask.js
// include both copies. Inputs are processed CODEC_BLOCK bytes at a time, so the window's copy stays
// in L1 between the copy in, the WASM pass and the copy out; the block size is a multiple of 4, so
// the key rotation carries over unchanged.
import type { WasmExports, WasmInstance } from '../../wasm/instance.js';
import { regionOf, type RegionTenant, type SharedRegion } from '../../wasm/region.js';
import { maskJs, utf8StepJs } from './js.js';
import type { Utf8Validator, WsCodec } from './types.js';

/**
 * Below this many bytes the JS codec beats copy-in + WASM call + copy-out (ws keeps masking under
 * ~32–48 bytes in JS for the same reason; our copies cost more than its native call). Figures from
 * bench/suites/ws-mask.js on this machine (median ns per unmask): 64 B js codec 150 vs wasm-simd
 * with copies 330; 512 B 354 vs 356 (the crossover); 1 KiB 617 vs 400; 16 KiB 6,271 vs 985.
 * The two copies cost ~180–300 ns whatever the size, which is what sets the threshold.
 */
export const WASM_MASK_MIN = 512;
/** Same crossover for UTF-8 validation (bench/suites/ws-utf8.js, ASCII text): 64 B js 158 ns vs
 *  wasm-simd with copy 200 ns; 512 B 537 vs 119 ns. */
export const WASM_UTF8_MIN = 128;

/**
 * Bytes per WASM call. Copy in + wsMask + copy out over 64 KiB / 1 MiB (best of 15, /tmp blockbench
 * on this machine, L1d 48 KiB): 16 KiB blocks 25 / 24 GB/s, 32 KiB 17 / 17, 256 KiB (the whole
 * window, the old block) 16 / 17. The frame decoder's bulk path uses the same size (BULK_BLOCK).
 */
export const CODEC_BLOCK = 16384;

export class WasmWsCodec implements WsCodec, RegionTenant {
  readonly engine: WasmInstance['kind'];
  private readonly u8: Uint8Array;
  private readonly fns: WasmExports;
  private readonly window: number;
  /** The WS window is shared with the frame decoders of this instance (src/wasm/region.ts). */
  private readonly region: SharedRegion;
  /** The window's first CODEC_BLOCK bytes, to copy a full block out without a new view. */
  private readonly block: Uint8Array;

  constructor(instance: WasmInstance) {
    this.engine = instance.kind;
    this.u8 = instance.u8;
    this.fns = instance.exports;
    this.window = this.fns.wsWindowPtr();
    this.region = regionOf(instance, 'ws');
    this.block = this.u8.subarray(this.window, this.window + CODEC_BLOCK);
  }

  /** The codec keeps nothing in the window between calls. */
  regionLost(): void {}

  unmask(buf: Uint8Array, offset: number, length: number, key: number, keyOffset: number): void {
    if (length < WASM_MASK_MIN) return maskJs(buf, offset, length, buf, offset, key, keyOffset);
    this.maskWasm(buf, offset, length, buf, offset, key, keyOffset);
  }

  mask(src: Uint8Array, srcOffset: number, length: number, dst: Uint8Array, dstOffset: number, key: number): void {
    if (length < WASM_MASK_MIN) return maskJs(src, srcOffset, length, dst, dstOffset, key, 0);
    this.maskWasm(src, srcOffset, length, dst, dstOffset, key, 0);
  }

  /** The WASM path whatever the size (tests and benchmarks; the threshold is applied above). */
  maskWasm(
    src: Uint8Array, srcOff: number, len: number, dst: Uint8Array, dstOff: number, key: number, keyOffset: number,
  ): void {
    const { u8, window } = this;
    // A plain Uint8Array view: its subarray() is the builtin, several times cheaper than a Buffer's.
    const from = new Uint8Array(src.buffer, src.byteOffset + srcOff, len);
    this.region.acquire(this);
    for (let done = 0; done < len; done += CODEC_BLOCK) {
      const n = Math.min(CODEC_BLOCK, len - done);
      u8.set(from.subarray(done, done + n), window);
      this.fns.wsMask(window, n, key | 0, keyOffset);
      dst.set(n === CODEC_BLOCK ? this.block : u8.subarray(window, window + n), dstOff + done);
    }
  }

  /** Validate continuing from `state` (0 boundary, -1 invalid); returns the new state. */
  utf8Step(buf: Uint8Array, offset: number, length: number, state: number): number {
    if (length < WASM_UTF8_MIN || state < 0) return utf8StepJs(buf, offset, length, state);
    return this.utf8StepWasm(buf, offset, length, state);
  }

  /** The WASM path whatever the size (tests and benchmarks). */
  utf8StepWasm(buf: Uint8Array, offset: number, length: number, state: number): number {
    const { u8, window } = this;
    const from = new Uint8Array(buf.buffer, buf.byteOffset + offset, length);
    this.region.acquire(this);
    for (let done = 0; done < length && state >= 0; done += CODEC_BLOCK) {
      const n = Math.min(CODEC_BLOCK, length - done);
      u8.set(from.subarray(done, done + n), window);
      state = this.fns.wsUtf8(window, n, state);
    }
    return state;
  }

  isUtf8(buf: Uint8Array, offset: number, length: number): boolean {
    return this.utf8Step(buf, offset, length, 0) === 0;
  }

  utf8Validator(): Utf8Validator {
    let state = 0;
    return {
      push: (buf, offset, length) => (state = this.utf8Step(buf, offset, length, state)) >= 0,
      end: () => state === 0,
      reset: () => { state = 0; },
    };
  }
}
