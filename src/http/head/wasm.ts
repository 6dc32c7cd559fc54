// The WASM head parser (SIMD or scalar build): copies the head into the module's INPUT region and
// makes one call to parseHead, which fills the shared result table at RESULT_PTR.
//
// Pipelined heads are copied once per chunk, not once per head: a fresh head is parsed from a window
// of at most RESIDENT_WINDOW bytes copied into INPUT, and when the caller says its bytes are unchanged
// (a socket chunk being read through: parse(…, unchanged = true)) the next head that starts inside
// the bytes still resident is parsed in place, at its offset in INPUT. Copying everything that followed
// each head (up to the head limit) made the copies quadratic in the pipeline depth (8% of a pipelined
// request's CPU, mostly the per-call cost of Buffer#copy). A head longer than the window resumes where
// the window ended (lastLen), so no byte is scanned twice; one that runs past the resident bytes is
// parsed again from a fresh window.
//
// The table and INPUT belong to the module instance, shared by every parser of that engine: the
// instance's 'head' SharedRegion (src/wasm/region.ts) names the parser that called last. A parser with
// a partial head pending (last call returned 0) that loses the region has its fixed slots and header
// entries snapshotted first, and restores them (and re-copies its bytes) when it resumes — so
// interleaved connections never see each other's state.
import * as abi from '../../abi.js';
import type { WasmInstance } from '../../wasm/instance.js';
import { regionOf, type RegionTenant, type SharedRegion } from '../../wasm/region.js';
import * as parserModule from './parser.js';
import type { HeadLimits, HeadParser } from './parser.js';
import * as resultModule from './result.js';
import * as copyModule from '../../wasm/copy.js';

// Imported values bound to module-local constants: V8 (Node 20) folds a module's own `const`
// bindings into optimized code, but reads an imported binding through its cell, with a TDZ check,
// at every use (docs/parser.md, "Hot-path notes").
const { INPUT_SIZE, RESULT_SLOTS, R_FIXED, R_HEADER_COUNT, R_ERROR_POS, R_STATUS, E_HEAD_TOO_LARGE } = abi;
const { writeLimits } = parserModule;
const { HeadResult } = resultModule;
const { copyBytes } = copyModule;

/** Bytes copied into INPUT for a fresh head: several pipelined heads, without copying a large body. */
const RESIDENT_WINDOW = 4096;

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
  /** While we hold the region, INPUT[0, end - start) holds residentBuf[start, end) (a fresh window). */
  #residentBuf: Uint8Array | null = null;
  #residentStart = 0;
  #residentEnd = 0;

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

  parse(buf: Uint8Array, start: number, end: number, lastLen: number, unchanged = false): number {
    const avail = end - start;
    const n = avail < this.cap ? avail : this.cap;
    if (lastLen === 0) {
      if (unchanged && buf === this.#residentBuf && start >= this.#residentStart && start < this.#residentEnd
        && this.region.holds(this)) {
        const resident = this.#residentEnd - start;
        const rc = this.#call(buf, start, start - this.#residentStart, resident < n ? resident : n, 0);
        if (rc !== 0) return rc;
        // Incomplete within the resident bytes: parsed again below, from a fresh window.
      }
      const window = n < RESIDENT_WINDOW ? n : RESIDENT_WINDOW;
      this.region.acquire(this); // a fresh head: nothing of ours in the region needs restoring
      copyBytes.call(buf, this.wasm.u8, this.inputPtr, start, start + window);
      this.#residentBuf = buf;
      this.#residentStart = start;
      this.#residentEnd = start + window;
      const rc = this.#call(buf, start, 0, window, 0);
      if (rc !== 0 || window === n) return this.#tooLarge(rc, avail, n);
      lastLen = window; // a head longer than the window: INPUT holds its first `window` bytes
    } else if (this.region.acquire(this)) {
      // Another parser wrote the region since our partial head: restore its slots and bytes.
      if (this.savedValid) this.restore();
      copyBytes.call(buf, this.wasm.u8, this.inputPtr, start, start + lastLen);
    }
    this.#residentBuf = null; // INPUT holds a head being resumed now, not a window of a chunk
    if (n > lastLen) copyBytes.call(buf, this.wasm.u8, this.inputPtr + lastLen, start + lastLen, start + n);
    return this.#tooLarge(this.#call(buf, start, 0, n, lastLen), avail, n);
  }

  /** One parseHead call over INPUT[offset, offset + n), the head being buf[start…]; sets the result. */
  #call(buf: Uint8Array, start: number, offset: number, n: number, lastLen: number): number {
    // Always (six stores): code that calls parseHead directly may have left other limits there.
    writeLimits(this.table, this.base, this.limits);
    const rc = this.wasm.exports.parseHead(this.inputPtr + offset, n, lastLen);
    this.pending = rc === 0;
    this.savedValid = false;
    if (rc > 0) this.result = HeadResult.read(this.table, this.base, buf, start);
    else if (rc < 0) this.result = HeadResult.failed(this.table, this.base);
    return rc;
  }

  /** Incomplete with INPUT full (only when maxHeadSize == INPUT_SIZE: no room for the extra byte that
   *  tells "too large" from "incomplete"): the head is too large anyway. */
  #tooLarge(rc: number, avail: number, n: number): number {
    if (rc !== 0 || avail <= n || n !== INPUT_SIZE) return rc;
    this.table[this.base + R_STATUS] = E_HEAD_TOO_LARGE;
    this.table[this.base + R_ERROR_POS] = INPUT_SIZE;
    this.pending = false;
    this.result = HeadResult.failed(this.table, this.base);
    return E_HEAD_TOO_LARGE;
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
    this.#residentBuf = null;
    this.region.release(this);
  }
}
