// The TypeScript head parser: the same state machine as the WASM builds (core.ts), run over the
// caller's own bytes (no copy) into a private table with base 0.
import * as abi from '../../../abi.js';
import * as parserModule from '../parser.js';
import type { HeadLimits, HeadParser } from '../parser.js';
import * as resultModule from '../result.js';
import * as core from './core.js';

// Imported values bound to module-local constants: V8 (Node 20) folds a module's own `const`
// bindings into optimized code, but reads an imported binding through its cell, with a TDZ check,
// at every use (docs/parser.md, "Hot-path notes").
const { RESULT_SLOTS, R_FIXED, R_HEADER_COUNT } = abi;
const { writeLimits } = parserModule;
const { HeadResult } = resultModule;
const { parseHeadJs } = core;

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
