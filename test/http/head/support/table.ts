// Reading and comparing head-parser result tables in tests: a snapshot of the slots that carry the
// result (fixed slots 0..14 and 4 slots per header), a semantic check against a corpus expectation,
// and a hex dump for failure messages. Resume slots (20..26) are internal and never compared.
import * as abi from '../../../../src/abi.js';
import type { HeadParser } from '../../../../src/http/head/parser.js';
import type { HeadCase } from '../../../corpus/head/load.js';

/** Fixed slots that carry the result (R_STATUS .. R_HOST_INDEX). */
export const RESULT_FIXED_SLOTS = abi.R_HOST_INDEX + 1;

const SLOT_NAMES = Object.entries(abi)
  .filter(([name, v]) => name.startsWith('R_') && (v as number) < RESULT_FIXED_SLOTS && name !== 'R_FIXED' && name !== 'R_HEADER_STRIDE')
  .sort((a, b) => (a[1] as number) - (b[1] as number))
  .map(([name]) => name);
const ERROR_NAMES = new Map(Object.entries(abi).filter(([n]) => n.startsWith('E_')).map(([n, v]) => [v as number, n]));
const FLAG_NAMES = Object.entries(abi).filter(([n]) => n.startsWith('F_')) as [string, number][];

export interface TableSnapshot {
  readonly rc: number;
  /** Fixed slots 0..14, then 4 * header-count header slots (header count clamped to MAX_HEADERS). */
  readonly slots: readonly number[];
}

/** Copy the result of the last parse out of the (possibly shared) table. */
export function snapshot(parser: HeadParser, rc: number): TableSnapshot {
  const t = parser.table;
  const b = parser.base;
  const slots: number[] = [];
  for (let i = 0; i < RESULT_FIXED_SLOTS; i++) slots.push(t[b + i]!);
  const count = Math.max(0, Math.min(t[b + abi.R_HEADER_COUNT]!, abi.MAX_HEADERS));
  for (let i = 0; i < 4 * count; i++) slots.push(t[b + abi.R_FIXED + i]!);
  return { rc, slots };
}

/**
 * The result of a parse as one flat array for toEqual: [rc, error position] on an error, [0] when
 * incomplete, else the fixed result slots, the `extra` slots asked for, and the header slots.
 */
export function parseResult(parser: HeadParser, rc: number, extra: readonly number[] = []): number[] {
  const t = parser.table;
  const b = parser.base;
  if (rc < 0) return [rc, t[b + abi.R_ERROR_POS]!];
  if (rc === 0) return [0];
  const out = Array.from(t.subarray(b, b + RESULT_FIXED_SLOTS));
  for (const slot of extra) out.push(t[b + slot]!);
  out.push(...t.subarray(b + abi.R_FIXED, b + abi.R_FIXED + 4 * t[b + abi.R_HEADER_COUNT]!));
  return out;
}

export function rcName(rc: number): string {
  if (rc > 0) return `consumed ${rc}`;
  if (rc === 0) return 'incomplete';
  return ERROR_NAMES.get(rc) ?? `unknown ${rc}`;
}

export function flagNames(flags: number): string {
  const names = FLAG_NAMES.filter(([, bit]) => (flags & bit) !== 0).map(([n]) => n);
  const unknown = flags & ~FLAG_NAMES.reduce((a, [, bit]) => a | bit, 0);
  if (unknown) names.push(`0x${unknown.toString(16)}`);
  return names.length ? names.join(' ') : 'none';
}

function slotName(i: number): string {
  if (i < RESULT_FIXED_SLOTS) return SLOT_NAMES[i] ?? `slot ${i}`;
  const h = i - RESULT_FIXED_SLOTS;
  return `header[${h >> 2}].${['NAME_OFF', 'NAME_LEN', 'VALUE_OFF', 'VALUE_LEN'][h & 3]}`;
}

/**
 * Differences between two snapshots, as readable lines. With `errorsLoosely`, error results compare
 * only the return code and R_ERROR_POS (other slots hold partial state an engine may leave either way).
 */
export function diffSnapshots(a: TableSnapshot, b: TableSnapshot, errorsLoosely = false): string[] {
  if (a.rc !== b.rc) return [`return: ${rcName(a.rc)} vs ${rcName(b.rc)}`];
  if (a.rc === 0) return [];
  const slots = errorsLoosely && a.rc < 0 ? [abi.R_STATUS, abi.R_ERROR_POS] : [...Array(Math.max(a.slots.length, b.slots.length)).keys()];
  const out: string[] = [];
  for (const i of slots) {
    if (a.slots[i] !== b.slots[i]) out.push(`${slotName(i)}: ${a.slots[i]} vs ${b.slots[i]}`);
  }
  return out;
}

export function hexDump(bytes: Uint8Array, max = 512): string {
  const lines: string[] = [];
  for (let off = 0; off < Math.min(bytes.length, max); off += 16) {
    const row = bytes.subarray(off, Math.min(off + 16, bytes.length));
    const hex = [...row].map((x) => x.toString(16).padStart(2, '0')).join(' ');
    const text = [...row].map((x) => (x >= 0x20 && x < 0x7f ? String.fromCharCode(x) : '.')).join('');
    lines.push(`${off.toString(16).padStart(6, '0')}  ${hex.padEnd(47)}  ${text}`);
  }
  if (bytes.length > max) lines.push(`… ${bytes.length - max} more bytes`);
  return lines.join('\n');
}

function latin1(input: Uint8Array, off: number, len: number): string {
  return Buffer.from(input.buffer, input.byteOffset + off, len).toString('latin1');
}

/** Problems with a snapshot of `c.input` (parsed at offset 0) against the case's expectation. */
export function checkExpectation(c: HeadCase, snap: TableSnapshot): string[] {
  const e = c.expect;
  if (e.kind === 'error') {
    if (snap.rc !== e.error) return [`expected ${e.errorName}, got ${rcName(snap.rc)}`];
    const pos = snap.slots[abi.R_ERROR_POS]!;
    if (snap.slots[abi.R_STATUS] !== snap.rc) return [`R_STATUS ${snap.slots[abi.R_STATUS]} != return ${snap.rc}`];
    if (!(pos >= 0 && pos <= c.input.length)) return [`R_ERROR_POS ${pos} outside the input`];
    if (e.errorPos !== undefined && pos !== e.errorPos) return [`R_ERROR_POS: expected ${e.errorPos}, got ${pos}`];
    return [];
  }
  if (e.kind === 'incomplete') return snap.rc === 0 ? [] : [`expected incomplete, got ${rcName(snap.rc)}`];
  if (snap.rc <= 0) return [`expected consumed ${e.consumed}, got ${rcName(snap.rc)}`];
  const s = snap.slots;
  const text = (offSlot: number, lenSlot: number) => latin1(c.input, s[offSlot]!, s[lenSlot]!);
  const problems: string[] = [];
  const check = (what: string, actual: unknown, expected: unknown) => {
    if (actual !== expected) problems.push(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  };
  check('consumed', snap.rc, e.consumed);
  check('R_STATUS', s[abi.R_STATUS], snap.rc);
  check('R_HEAD_LEN', s[abi.R_HEAD_LEN], snap.rc);
  check('method', text(abi.R_METHOD_OFF, abi.R_METHOD_LEN), e.method);
  check('method id', s[abi.R_METHOD], e.methodId);
  check('target', text(abi.R_TARGET_OFF, abi.R_TARGET_LEN), e.target);
  check('form', s[abi.R_TARGET_FORM], e.form);
  check('version', s[abi.R_VERSION], e.version);
  check('flags', flagNames(s[abi.R_FLAGS]!), flagNames(e.flags));
  const count = s[abi.R_HEADER_COUNT]!;
  check('header count', count, e.headers.length);
  for (let i = 0; i < Math.min(count, e.headers.length); i++) {
    const h = RESULT_FIXED_SLOTS + 4 * i;
    const name = latin1(c.input, s[h]!, s[h + 1]!);
    const value = latin1(c.input, s[h + 2]!, s[h + 3]!);
    check(`header ${i}`, `${name}: ${value}`, `${e.headers[i]![0]}: ${e.headers[i]![1]}`);
  }
  if (e.contentLength !== undefined) {
    check('content-length', (s[abi.R_CL_HI]! >>> 0) * 2 ** 32 + (s[abi.R_CL_LO]! >>> 0), e.contentLength);
  }
  const hostIndex = e.hostIndex ?? e.headers.findIndex(([n]) => n.toLowerCase() === 'host');
  check('host index', s[abi.R_HOST_INDEX], hostIndex);
  return problems;
}
