// Readers over a head parser's raw result table (the low-level ABI view; the server reads HeadResult,
// result.ts): allocation-free except where a string is asked for.
// Header slots are read either from the live table (slots = table, slotBase = base + R_FIXED) or from
// a copy (HeadParser.copyHeaders, HeadResult's own; slotBase 0); offsets are relative to the head's start.
import * as abi from '../../abi.js';
import * as latin1Module from '../latin1.js';

// Imported values bound to module-local constants: V8 (Node 20) folds a module's own `const`
// bindings into optimized code, but reads an imported binding through its cell, with a TDZ check,
// at every use (docs/parser.md, "Hot-path notes").
const { F_CONTENT_LENGTH, H_NAME_LEN, H_NAME_OFF, H_VALUE_LEN, H_VALUE_OFF, METHOD_OTHER, R_CL_HI, R_CL_LO, R_FLAGS,
  R_METHOD, R_METHOD_LEN, R_METHOD_OFF, R_TARGET_LEN, R_TARGET_OFF } = abi;
const { latin1 } = latin1Module;

/** Interned names of the METHOD_* ids (index 0 = METHOD_OTHER, decoded from the bytes instead). */
export const METHOD_NAMES: readonly string[] = Object.freeze(
  ['', 'GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH']);

/** The method string: interned for the nine known methods, decoded otherwise. */
export function methodOf(table: Int32Array, base: number, buf: Uint8Array, start: number): string {
  const id = table[base + R_METHOD]!;
  if (id !== METHOD_OTHER) return METHOD_NAMES[id]!;
  const off = start + table[base + R_METHOD_OFF]!;
  return latin1(buf, off, off + table[base + R_METHOD_LEN]!);
}

/** The request-target exactly as sent. */
export function targetOf(table: Int32Array, base: number, buf: Uint8Array, start: number): string {
  const off = start + table[base + R_TARGET_OFF]!;
  return latin1(buf, off, off + table[base + R_TARGET_LEN]!);
}

/** Content-Length as a number (≤ 2^53 - 1), or -1 when the head has none. */
export function contentLengthOf(table: Int32Array, base: number): number {
  if ((table[base + R_FLAGS]! & F_CONTENT_LENGTH) === 0) return -1;
  return table[base + R_CL_HI]! * 4294967296 + (table[base + R_CL_LO]! >>> 0);
}

export function headerName(slots: ArrayLike<number>, slotBase: number, i: number, buf: Uint8Array, start: number): string {
  const s = slotBase + 4 * i;
  const off = start + slots[s + H_NAME_OFF]!;
  return latin1(buf, off, off + slots[s + H_NAME_LEN]!);
}

export function headerValue(slots: ArrayLike<number>, slotBase: number, i: number, buf: Uint8Array, start: number): string {
  const s = slotBase + 4 * i;
  const off = start + slots[s + H_VALUE_OFF]!;
  return latin1(buf, off, off + slots[s + H_VALUE_LEN]!);
}

/** Whether buf[at, at + len) equals `name` ignoring ASCII case (RFC 9110 §5.1); no string is built. */
export function nameEquals(buf: Uint8Array, at: number, len: number, name: string): boolean {
  if (len !== name.length) return false;
  for (let k = 0; k < len; k++) {
    let a = buf[at + k]!;
    let b = name.charCodeAt(k);
    if (a >= 0x41 && a <= 0x5a) a |= 0x20;
    if (b >= 0x41 && b <= 0x5a) b |= 0x20;
    if (a !== b) return false;
  }
  return true;
}

/** Whether buf[at, at + len) equals the lower-case bytes `lower` ignoring ASCII case (RFC 9110 §5.1). */
export function nameEqualsLower(buf: Uint8Array, at: number, len: number, lower: Uint8Array): boolean {
  if (len !== lower.length) return false;
  for (let k = 0; k < len; k++) {
    let c = buf[at + k]!;
    if (c >= 0x41 && c <= 0x5a) c |= 0x20;
    if (c !== lower[k]) return false;
  }
  return true;
}

/** `name` as lower-case bytes, for findHeader (build once, reuse). */
export function lowerName(name: string): Uint8Array {
  const out = new Uint8Array(name.length);
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    out[i] = c >= 0x41 && c <= 0x5a ? c | 0x20 : c & 0xff;
  }
  return out;
}

/**
 * Index of the first header at or after `from` whose name equals `lower` ignoring ASCII case
 * (RFC 9110 §5.1), or -1. Compares bytes in place; no string is built.
 */
export function findHeader(slots: ArrayLike<number>, slotBase: number, count: number, buf: Uint8Array, start: number,
  lower: Uint8Array, from = 0): number {
  for (let i = from; i < count; i++) {
    const s = slotBase + 4 * i;
    if (nameEqualsLower(buf, start + slots[s + H_NAME_OFF]!, slots[s + H_NAME_LEN]!, lower)) return i;
  }
  return -1;
}

const lowerCache = new Map<string, Uint8Array>();
/** `name` lower-cased as bytes, from a small cache (names asked for again cost a map lookup). */
export function cachedLower(name: string): Uint8Array {
  let lower = lowerCache.get(name);
  if (lower === undefined) {
    lower = lowerName(name);
    if (lowerCache.size < 256) lowerCache.set(name, lower);
  }
  return lower;
}
