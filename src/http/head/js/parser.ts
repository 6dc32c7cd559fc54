// The TypeScript head parser: the same state machine as the WASM builds (core.ts), run over the
// caller's own bytes (no copy) into a private table with base 0.
import { RESULT_SLOTS, R_FIXED, R_HEADER_COUNT } from '../../../abi.js';
import { writeLimits, type HeadLimits, type HeadParser } from '../parser.js';
import { HeadResult } from '../result.js';
import { parseHeadJs } from './core.js';

export class JsHeadParser implements HeadParser {
  readonly engine = 'js' as const;
  readonly limits: HeadLimits;
  result = HeadResult.empty();
  readonly table = new Int32Array(RESULT_SLOTS);
  readonly base = 0;

  constructor(limits: HeadLimits) {
    this.limits = limits;
    writeLimits(this.table, 0, limits);
  }

  parse(buf: Uint8Array, start: number, end: number, lastLen: number): number {
    const rc = parseHeadJs(buf, start, end - start, lastLen, this.table);
    if (rc > 0) this.result = HeadResult.read(this.table, 0, buf, start);
    else if (rc < 0) this.result = HeadResult.failed(this.table, 0);
    return rc;
  }

  copyHeaders(into: Int32Array): void {
    const t = this.table;
    into.set(t.subarray(R_FIXED, R_FIXED + 4 * t[R_HEADER_COUNT]!));
  }

  reset(): void {
    // Nothing is pending outside the table; the next parse with lastLen 0 starts afresh.
  }
}
