// Readers over a head parser's result table: allocation-free except where a string is asked for.
// Header slots are read either from the live table (slots = table, slotBase = base + R_FIXED) or from
// a copy made with HeadParser.copyHeaders (slotBase 0); offsets are relative to the head's start.
import {
  F_CONTENT_LENGTH, H_NAME_LEN, H_NAME_OFF, H_VALUE_LEN, H_VALUE_OFF, METHOD_OTHER, R_CL_HI, R_CL_LO,
  R_FIXED, R_FLAGS, R_HEADER_COUNT, R_HEAD_LEN, R_METHOD, R_METHOD_LEN, R_METHOD_OFF, R_TARGET_FORM,
  R_TARGET_LEN, R_TARGET_OFF, R_VERSION,
} from '../../abi.js';

/** Interned names of the METHOD_* ids (index 0 = METHOD_OTHER, decoded from the bytes instead). */
export const METHOD_NAMES: readonly string[] = Object.freeze(
  ['', 'GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH']);

/** buf[s, e) as a latin1 string (RFC 9110 §5.5: field values are octets). Buffer's native slice is fastest. */
export function latin1(buf: Uint8Array, s: number, e: number): string {
  const b = buf instanceof Buffer ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  return (b as unknown as Latin1Slicer).latin1Slice(s, e);
}

/** Node's undocumented (but long-stable) native slice; @types/node does not declare it. */
interface Latin1Slicer {
  latin1Slice(start: number, end: number): string;
}

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

export function headerName(slots: Int32Array, slotBase: number, i: number, buf: Uint8Array, start: number): string {
  const s = slotBase + 4 * i;
  const off = start + slots[s + H_NAME_OFF]!;
  return latin1(buf, off, off + slots[s + H_NAME_LEN]!);
}

export function headerValue(slots: Int32Array, slotBase: number, i: number, buf: Uint8Array, start: number): string {
  const s = slotBase + 4 * i;
  const off = start + slots[s + H_VALUE_OFF]!;
  return latin1(buf, off, off + slots[s + H_VALUE_LEN]!);
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
export function findHeader(slots: Int32Array, slotBase: number, count: number, buf: Uint8Array, start: number,
  lower: Uint8Array, from = 0): number {
  const n = lower.length;
  outer: for (let i = from; i < count; i++) {
    const s = slotBase + 4 * i;
    if (slots[s + H_NAME_LEN] !== n) continue;
    const off = start + slots[s + H_NAME_OFF]!;
    for (let k = 0; k < n; k++) {
      let c = buf[off + k]!;
      if (c >= 0x41 && c <= 0x5a) c |= 0x20;
      if (c !== lower[k]) continue outer;
    }
    return i;
  }
  return -1;
}

const lowerCache = new Map<string, Uint8Array>();
function cachedLower(name: string): Uint8Array {
  let lower = lowerCache.get(name);
  if (lower === undefined) {
    lower = lowerName(name);
    if (lowerCache.size < 256) lowerCache.set(name, lower);
  }
  return lower;
}

/**
 * A parsed head over the bytes it came from: numbers copied out of the table at construction, header
 * slots copied once (the WASM table is shared), strings decoded only when asked for.
 */
export class ParsedHead {
  readonly buf: Uint8Array;
  readonly start: number;
  readonly headLength: number;
  readonly methodId: number;
  readonly version: number;
  readonly flags: number;
  readonly targetForm: number;
  readonly headerCount: number;
  /** Content-Length, or -1 when absent. */
  readonly contentLength: number;
  /** 4 slots per header (name off/len, value off/len), relative to start. */
  readonly slots: Int32Array;
  private readonly methodOff: number;
  private readonly methodLen: number;
  private readonly targetOff: number;
  private readonly targetLen: number;

  constructor(buf: Uint8Array, start: number, table: Int32Array, base: number) {
    this.buf = buf;
    this.start = start;
    this.headLength = table[base + R_HEAD_LEN]!;
    this.methodId = table[base + R_METHOD]!;
    this.methodOff = table[base + R_METHOD_OFF]!;
    this.methodLen = table[base + R_METHOD_LEN]!;
    this.targetOff = table[base + R_TARGET_OFF]!;
    this.targetLen = table[base + R_TARGET_LEN]!;
    this.targetForm = table[base + R_TARGET_FORM]!;
    this.version = table[base + R_VERSION]!;
    this.flags = table[base + R_FLAGS]!;
    this.contentLength = contentLengthOf(table, base);
    this.headerCount = table[base + R_HEADER_COUNT]!;
    this.slots = table.slice(base + R_FIXED, base + R_FIXED + 4 * this.headerCount);
  }

  get method(): string {
    if (this.methodId !== METHOD_OTHER) return METHOD_NAMES[this.methodId]!;
    const off = this.start + this.methodOff;
    return latin1(this.buf, off, off + this.methodLen);
  }

  get target(): string {
    const off = this.start + this.targetOff;
    return latin1(this.buf, off, off + this.targetLen);
  }

  name(i: number): string {
    return headerName(this.slots, 0, i, this.buf, this.start);
  }

  value(i: number): string {
    return headerValue(this.slots, 0, i, this.buf, this.start);
  }

  /** Index of the first field line named `name` (any case), or -1. */
  indexOf(name: string | Uint8Array, from = 0): number {
    const lower = typeof name === 'string' ? cachedLower(name.toLowerCase()) : name;
    return findHeader(this.slots, 0, this.headerCount, this.buf, this.start, lower, from);
  }

  /** First value of the field `name`, or undefined. */
  get(name: string | Uint8Array): string | undefined {
    const i = this.indexOf(name);
    return i < 0 ? undefined : this.value(i);
  }

  /** Every value of the field `name`, in order (RFC 9110 §5.3). */
  getAll(name: string | Uint8Array): string[] {
    const out: string[] = [];
    const lower = typeof name === 'string' ? cachedLower(name.toLowerCase()) : name;
    for (let i = this.indexOf(lower); i >= 0; i = this.indexOf(lower, i + 1)) out.push(this.value(i));
    return out;
  }

  /** [name, value] pairs as sent. */
  *entries(): IterableIterator<[string, string]> {
    for (let i = 0; i < this.headerCount; i++) yield [this.name(i), this.value(i)];
  }
}
