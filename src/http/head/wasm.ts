// The WASM head parser (SIMD or scalar build): copies the head into the module's INPUT region and
// makes one call to parseHead, which fills the shared result table at RESULT_PTR.
//
// The table and INPUT belong to the module instance, shared by every parser of that engine: the
// instance's 'head' SharedRegion (src/wasm/region.ts) names the parser that called last. A parser with
// a partial head pending (last call returned 0) that loses the region has its fixed slots and header
// entries snapshotted first, and restores them (and re-copies its bytes) when it resumes — so
// interleaved connections never see each other's state.
import { INPUT_SIZE, RESULT_SLOTS, R_FIXED, R_HEADER_COUNT, R_ERROR_POS, R_STATUS, E_HEAD_TOO_LARGE } from '../../abi.js';
import type { WasmInstance } from '../../wasm/instance.js';
import { regionOf, type RegionTenant, type SharedRegion } from '../../wasm/region.js';
import { writeLimits, type HeadLimits, type HeadParser } from './parser.js';
import { HeadResult } from './result.js';

// Buffer's copy is several times faster than set(subarray()) for head-sized copies (no view is
// allocated) and accepts any Uint8Array as its receiver.
const copyBytes = Buffer.prototype.copy as (this: Uint8Array, target: Uint8Array, targetStart: number,
  sourceStart: number, sourceEnd: number) => number;

export class WasmHeadParser implements HeadParser, RegionTenant {
  readonly engine: WasmInstance['kind'];
  readonly limits: HeadLimits;
  result = HeadResult.empty();
  readonly table: Int32Array;
  readonly base: number;
  private readonly wasm: WasmInstance;
  private readonly region: SharedRegion;
  private readonly inputPtr: number;
  private readonly cap: number;
  /** True while our last call returned 0 (a partial head is pending). */
  private pending = false;
  /** Our slots, saved when another parser took the table while we were pending. */
  private saved: Int32Array | null = null;
  private savedValid = false;

  constructor(wasm: WasmInstance, limits: HeadLimits) {
    this.wasm = wasm;
    this.region = regionOf(wasm, 'head');
    this.engine = wasm.kind;
    this.limits = limits;
    this.table = wasm.i32;
    this.base = wasm.exports.resultPtr() >>> 2;
    this.inputPtr = wasm.exports.inputPtr();
    // One byte past the head limit is enough to tell "too large" from "incomplete".
    this.cap = Math.min(limits.maxHeadSize + 1, INPUT_SIZE);
  }

  parse(buf: Uint8Array, start: number, end: number, lastLen: number): number {
    const avail = end - start;
    const n = avail < this.cap ? avail : this.cap;
    const wasm = this.wasm;
    let from = 0;
    if (this.region.acquire(this)) {
      if (lastLen > 0 && this.savedValid) this.restore();
    } else if (lastLen > 0 && this.pending) {
      from = lastLen; // INPUT still holds our first lastLen bytes: copy only the new ones
    }
    if (n > from) copyBytes.call(buf, wasm.u8, this.inputPtr + from, start + from, start + n);
    // Always (six stores): code that calls parseHead directly may have left other limits there.
    writeLimits(this.table, this.base, this.limits);
    let rc = wasm.exports.parseHead(this.inputPtr, n, lastLen);
    if (rc === 0 && avail > n && n === INPUT_SIZE) {
      // Only when maxHeadSize == INPUT_SIZE: no room for the extra byte, the head is too large anyway.
      rc = E_HEAD_TOO_LARGE;
      this.table[this.base + R_STATUS] = rc;
      this.table[this.base + R_ERROR_POS] = INPUT_SIZE;
    }
    this.pending = rc === 0;
    this.savedValid = false;
    if (rc > 0) this.result = HeadResult.read(this.table, this.base, buf, start);
    else if (rc < 0) this.result = HeadResult.failed(this.table, this.base);
    return rc;
  }

  /** Another parser takes the table: keep a pending partial head's slots (restored on resume). */
  regionLost(): void {
    if (this.pending) this.snapshot();
  }

  private snapshot(): void {
    const t = this.table;
    const b = this.base;
    const count = R_FIXED + 4 * t[b + R_HEADER_COUNT]!;
    if (this.saved === null) this.saved = new Int32Array(RESULT_SLOTS);
    this.saved.set(t.subarray(b, b + count));
    this.savedValid = true;
  }

  private restore(): void {
    const saved = this.saved!;
    const count = R_FIXED + 4 * saved[R_HEADER_COUNT]!;
    this.table.set(saved.subarray(0, count), this.base);
  }

  copyHeaders(into: Int32Array): void {
    const t = this.table;
    const b = this.base + R_FIXED;
    into.set(t.subarray(b, b + 4 * t[this.base + R_HEADER_COUNT]!));
  }

  reset(): void {
    this.pending = false;
    this.savedValid = false;
    this.region.release(this);
  }
}
