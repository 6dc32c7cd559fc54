// The request-head parser's public face: createHeadParser (the one way to get a parser for an engine),
// its limits, and the sealed HeadResult it fills.
import { INPUT_SIZE, MAX_HEADERS } from '../../abi.js';
import { WasmlaneError } from '../../errors.js';
import { loadWasm, resolveEngine, type EngineKind } from '../../wasm/instance.js';
import { DEFAULT_HEAD_LIMITS, type HeadLimits, type HeadParser } from './parser.js';
import { JsHeadParser } from './js/parser.js';
import { WasmHeadParser } from './wasm.js';

export { DEFAULT_HEAD_LIMITS, type HeadLimits, type HeadParser } from './parser.js';
export { HeadResult, ParsedHead } from './result.js';
export {
  METHOD_NAMES, methodOf, targetOf, contentLengthOf, headerName, headerValue, findHeader, lowerName,
} from './table.js';

type SizeLimit = Exclude<keyof HeadLimits, 'strictTarget'>;

const MAXIMA: Record<SizeLimit, number> = {
  maxTargetLength: INPUT_SIZE,
  maxHeaderCount: MAX_HEADERS,
  maxHeaderNameLength: INPUT_SIZE,
  maxHeaderValueLength: INPUT_SIZE,
  maxHeadSize: INPUT_SIZE,
};

/** Defaults filled in and every limit checked: an integer in [1, its maximum]; strictTarget a boolean. */
export function resolveHeadLimits(limits?: Partial<HeadLimits>): HeadLimits {
  const out = { ...DEFAULT_HEAD_LIMITS };
  const strict = limits?.strictTarget;
  if (strict !== undefined) {
    if (typeof strict !== 'boolean') {
      throw new WasmlaneError('WL_INVALID_CONFIG', `strictTarget must be a boolean, got ${String(strict)}`);
    }
    out.strictTarget = strict;
  }
  for (const key of Object.keys(MAXIMA) as SizeLimit[]) {
    const value = limits?.[key];
    if (value === undefined) continue;
    if (!Number.isInteger(value) || value < 1 || value > MAXIMA[key]) {
      throw new WasmlaneError('WL_INVALID_CONFIG', `${key} must be an integer in [1, ${MAXIMA[key]}], got ${String(value)}`);
    }
    out[key] = value;
  }
  return Object.freeze(out);
}

/** A head parser on the requested engine ('auto' or undefined: WASMLANE_ENGINE, else the best here). */
export function createHeadParser(engine?: EngineKind | 'auto', limits?: Partial<HeadLimits>): HeadParser {
  const resolved = resolveHeadLimits(limits);
  const kind = resolveEngine(engine);
  if (kind === 'js') return new JsHeadParser(resolved);
  const wasm = loadWasm(kind);
  if (wasm === null) throw new WasmlaneError('WL_INVALID_CONFIG', `engine ${kind} cannot run here`);
  return new WasmHeadParser(wasm, resolved);
}
