// The WASM codec: the host copies bytes into the WS window, one WASM call masks or validates them
// there, and (for masking) the result is copied back — the figures in bench/suites/ws-mask.js
// include both copies. Inputs larger than the window are processed window by window; the window
// size is a multiple of 4, so the key rotation carries over unchanged.
import { WS_WINDOW_SIZE } from '../../abi.js';
import type { WasmInstance } from '../../wasm/instance.js';
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

interface WsExports {
  wsWindowPtr(): number;
  wsMask(ptr: number, len: number, key: number, keyOffset: number): void;
  wsUtf8(ptr: number, len: number, state: number): number;
}

export class WasmWsCodec implements WsCodec {
  readonly engine: WasmInstance['kind'];
  private readonly u8: Uint8Array;
  private readonly fns: WsExports;
  private readonly window: number;

  constructor(instance: WasmInstance) {
    this.engine = instance.kind;
    this.u8 = instance.u8;
    this.fns = instance.exports as unknown as WsExports;
    this.window = this.fns.wsWindowPtr();
  }

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
    for (let done = 0; done < len; done += WS_WINDOW_SIZE) {
      const n = Math.min(WS_WINDOW_SIZE, len - done);
      u8.set(src.subarray(srcOff + done, srcOff + done + n), window);
      wsWindow.owner = this;
      this.fns.wsMask(window, n, key | 0, keyOffset);
      dst.set(u8.subarray(window, window + n), dstOff + done);
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
    for (let done = 0; done < length && state >= 0; done += WS_WINDOW_SIZE) {
      const n = Math.min(WS_WINDOW_SIZE, length - done);
      u8.set(buf.subarray(offset + done, offset + done + n), window);
      wsWindow.owner = this;
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

/** Who last wrote the window: a frame decoder may reuse bytes it copied only if it still owns it. */
export const wsWindow: { owner: unknown } = { owner: null };
