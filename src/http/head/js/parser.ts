// The TypeScript head parser: the same state machine as the WASM builds (src/http/head/js/core.ts),
// run over the caller's own bytes (no copy) into a private table with base 0.
import {
  RESULT_SLOTS, R_FIXED, R_HEADER_COUNT, R_LIMIT_HEAD, R_LIMIT_HEADERS, R_LIMIT_NAME, R_LIMIT_TARGET,
  R_LIMIT_VALUE, R_STRICT_TARGET,
} from '../../../abi.js';
import { parseHeadJs } from './core.js';
import type { HeadLimits, HeadParser } from '../parser.js';

/** Write the limits into a table's R_LIMIT_* and R_STRICT_TARGET slots (shared with the WASM parser). */
export function writeLimits(table: Int32Array, base: number, limits: HeadLimits): void {
  table[base + R_LIMIT_TARGET] = limits.maxTargetLength;
  table[base + R_LIMIT_HEADERS] = limits.maxHeaderCount;
  table[base + R_LIMIT_NAME] = limits.maxHeaderNameLength;
  table[base + R_LIMIT_VALUE] = limits.maxHeaderValueLength;
  table[base + R_LIMIT_HEAD] = limits.maxHeadSize;
  table[base + R_STRICT_TARGET] = limits.strictTarget ? 1 : 0;
}

export class JsHeadParser implements HeadParser {
  readonly engine = 'js' as const;
  readonly limits: HeadLimits;
  readonly table = new Int32Array(RESULT_SLOTS);
  readonly base = 0;

  constructor(limits: HeadLimits) {
    this.limits = limits;
    writeLimits(this.table, 0, limits);
  }

  parse(buf: Uint8Array, start: number, end: number, lastLen: number): number {
    return parseHeadJs(buf, start, end - start, lastLen, this.table);
  }

  copyHeaders(into: Int32Array): void {
    const t = this.table;
    into.set(t.subarray(R_FIXED, R_FIXED + 4 * t[R_HEADER_COUNT]!));
  }

  reset(): void {
    // Nothing is pending outside the table; the next parse with lastLen 0 starts afresh.
  }
}
