// The request-head parser interface: one implementation per engine (WASM SIMD, WASM scalar, the
// TypeScript twin), all filling the same result table laid out in src/abi.ts.
//
// Contract (picohttpparser's stateless ABI, taken to byte-granular resumption):
//   parse(buf, start, end, lastLen) parses the head that begins at buf[start], with bytes available up
//   to buf[end]. It returns the head's length in bytes (> 0, CRLFCRLF included) when complete, 0 when
//   more bytes are needed, or a negative abi.E_* code. `lastLen` is 0 for a fresh head; after a call
//   returned 0 the caller passes the number of bytes that call saw (end - start) and the parser
//   resumes exactly where it stopped without rescanning. The caller must keep buf[start, start+lastLen)
//   unchanged between such calls (it may move the whole head to a new `start`).
//   A call that completes (> 0) or fails (< 0) sets `result` to a new HeadResult (result.ts), never
//   written again: method, target, version, flags, Content-Length, fields, error position — no slot
//   indices. Its offsets are relative to `start`, so they apply to the caller's own buffer.
//   The raw table stays readable for tools and the conformance tests (the ABI of src/abi.ts): slot S
//   is `table[base + S]`. The WASM engines share one table per module instance: read it before the
//   next parse on any parser of the same engine (`result` is the parser's own copy).
import * as abi from '../../abi.js';
import type { EngineKind } from '../../wasm/instance.js';
import type { HeadResult } from './result.js';

// Imported values bound to module-local constants: V8 (Node 20) folds a module's own `const`
// bindings into optimized code, but reads an imported binding through its cell, with a TDZ check,
// at every use (docs/parser.md, "Hot-path notes").
const { R_LIMIT_HEAD, R_LIMIT_HEADERS, R_LIMIT_NAME, R_LIMIT_TARGET, R_LIMIT_VALUE, R_STRICT_TARGET } = abi;

export interface HeadLimits {
  /** Max request-target bytes (RequestConfig.maxPathSize) → 414. */
  readonly maxTargetLength: number;
  /** Max field lines (RequestConfig.maxHeaderCount, ≤ abi.MAX_HEADERS) → 431. */
  readonly maxHeaderCount: number;
  /** Max field-name bytes (RequestConfig.maxHeaderKeySize) → 431. */
  readonly maxHeaderNameLength: number;
  /** Max field-value bytes (RequestConfig.maxHeaderValueSize) → 431. */
  readonly maxHeaderValueLength: number;
  /** Max head bytes including the request line and the final CRLF (≤ abi.INPUT_SIZE) → 431. */
  readonly maxHeadSize: number;
  /** RequestConfig.strictTarget: request-target bytes limited to RFC 3986; false also accepts
   *  `| ^ { } \` and backtick, which browsers send unencoded (else 400 WL_INVALID_TARGET). */
  readonly strictTarget: boolean;
}

export const DEFAULT_HEAD_LIMITS: HeadLimits = Object.freeze({
  maxTargetLength: 8192,
  maxHeaderCount: 100,
  maxHeaderNameLength: 256,
  maxHeaderValueLength: 8192,
  maxHeadSize: 16384,
  strictTarget: false,
});

export interface HeadParser {
  readonly engine: EngineKind;
  readonly limits: HeadLimits;
  /** The last completed or failed parse, read out of the table (a new, sealed result per parse). */
  readonly result: HeadResult;
  /** The raw result table (the ABI view); slot S of the last parse is `table[base + S]`. */
  readonly table: Int32Array;
  readonly base: number;
  /**
   * See the contract above. `unchanged` (default false) is the caller's promise that `buf` has not been
   * written since this parser last saw it (a socket chunk being read through, head after head): the
   * WASM engines then parse a pipelined head from the bytes of `buf` they already copied.
   */
  parse(buf: Uint8Array, start: number, end: number, lastLen: number, unchanged?: boolean): number;
  /** Copy header slots [R_FIXED, R_FIXED + 4 * count) of the last parse into `into` (from index 0). */
  copyHeaders(into: Int32Array): void;
  /** Forget any partial head (e.g. the connection closed). */
  reset(): void;
}

/** Write the limits into a table's R_LIMIT_* and R_STRICT_TARGET slots (both engines, before a parse). */
export function writeLimits(table: Int32Array, base: number, limits: HeadLimits): void {
  table[base + R_LIMIT_TARGET] = limits.maxTargetLength;
  table[base + R_LIMIT_HEADERS] = limits.maxHeaderCount;
  table[base + R_LIMIT_NAME] = limits.maxHeaderNameLength;
  table[base + R_LIMIT_VALUE] = limits.maxHeaderValueLength;
  table[base + R_LIMIT_HEAD] = limits.maxHeadSize;
  table[base + R_STRICT_TARGET] = limits.strictTarget ? 1 : 0;
}
