// The request-head state machine's states and the steps of all but its per-field cycle (core.ts runs
// S_NAME and S_VALUE on locals): one small function per state, over the shared scan state `s`.
// Twin of assembly/http/head.ts, state for state (same numbers, same table writes, same error
// codes at the same positions). Grammar: RFC 9112 §2–§5, RFC 9110 §5.
import * as abi from '../../../abi.js';
import * as chars from './chars.js';
import * as fieldChecks from './fields.js';
import * as special from './special.js';
import * as requestLine from './line.js';

// Imported values bound to module-local constants: V8 (Node 20) folds a module's own `const`
// bindings into optimized code, but reads an imported binding through its cell, with a TDZ check,
// at every use (docs/parser.md, "Hot-path notes").
const { E_BARE_CR, E_BARE_LF, E_HEAD_TOO_LARGE, E_HEADER_VALUE_TOO_LONG, E_INVALID_HEADER_NAME,
  E_INVALID_HEADER_VALUE, E_INVALID_METHOD, E_INVALID_TARGET, E_INVALID_VERSION, E_METHOD_TOO_LONG, E_OBS_FOLD,
  E_SPACE_AFTER_START_LINE, E_SPACE_BEFORE_COLON, E_TARGET_TOO_LONG, E_TOO_MANY_HEADERS, E_VERSION_NOT_SUPPORTED,
  MAX_HEADERS, R_FIXED, R_HEAD_LEN, R_HEADER_COUNT, R_LIMIT_HEAD, R_LIMIT_HEADERS, R_LIMIT_TARGET, R_LIMIT_VALUE,
  R_METHOD, R_METHOD_LEN, R_METHOD_OFF, R_STATUS, R_STRICT_TARGET, R_TARGET_FORM, R_TARGET_LEN, R_TARGET_OFF,
  R_VERSION } = abi;
const { CLASS, C_TARGET, C_TCHAR, C_URI, C_VALUE } = chars;
const { fieldError } = fieldChecks;
const { finishHead, finishValue } = special;
const { methodId, targetForm } = requestLine;

// States (the same numbers in assembly/http/head.ts).
export const S_START = 0; //      before the method: empty lines allowed (RFC 9112 §2.2)
const S_START_LF = 1; //          CR of an empty leading line seen
const S_METHOD = 2;
const S_TARGET = 3;
const S_VERSION = 4; //           aux = index in "HTTP/D.D", 8 = expecting CR
const S_RL_LF = 5; //             CR after the version seen
export const S_LINE_START = 6; // start of a field line or of the final CRLF
export const S_NAME = 7;
export const S_NAME_WS = 8; //    whitespace after a name: mark2 = where it began
export const S_VALUE_LEAD = 9; // OWS before the value; aux = special field kind
export const S_VALUE = 10; //     mark2 = end of the value without trailing OWS
export const S_VALUE_LF = 11;
const S_END_LF = 12;

const MAX_METHOD = 32;
export const CR = 0x0d;
export const LF = 0x0a;
export const SP = 0x20;
export const HTAB = 0x09;
const VERSION_PREFIX = [0x48, 0x54, 0x54, 0x50, 0x2f]; // "HTTP/"

/** First index in [p, stop) whose byte is not in class `k`, or stop; four bytes per test where possible. */
export function scanClass(buf: Uint8Array, p: number, stop: number, k: number): number {
  while (p + 4 <= stop && (CLASS[buf[p]!]! & CLASS[buf[p + 1]!]! & CLASS[buf[p + 2]!]! & CLASS[buf[p + 3]!]! & k) !== 0) p += 4;
  while (p < stop && (CLASS[buf[p]!]! & k) !== 0) p++;
  return p;
}

/**
 * Where one parse stands: read and written by the steps below, loaded into locals by core.ts's
 * per-field loop, and saved to the R_RESUME_* slots between calls. One object for the module (like
 * fieldError): parseHeadJs is synchronous and never re-entered.
 */
class Scan {
  state = S_START;
  p = 0; //     absolute index of the next byte to examine
  mark = 0; //  start of the current token: method, target or field name
  mark2 = 0; // S_NAME_WS: where the whitespace began; S_VALUE: end of the value without trailing OWS
  aux = 0; //   S_VERSION: index in "HTTP/D.D"; S_VALUE_LEAD, S_VALUE: the special field kind
  ep = 0; //    absolute position of the offending byte when a step fails
}
export const s = new Scan();

// Every step examines the byte at s.p (< end, which the driver checks) and returns 0 to go on (the
// state or s.p moved; a step that ran out of bytes leaves s.p at end), an E_* code < 0 with s.ep set,
// or, at the final LF, the head length > 0.

export function fail(code: number, pos: number): number {
  s.ep = pos;
  return code;
}

export function headerLimit(t: Int32Array): number {
  return t[R_LIMIT_HEADERS]! < MAX_HEADERS ? t[R_LIMIT_HEADERS]! : MAX_HEADERS;
}

/** S_START: before the method; empty lines are skipped (RFC 9112 §2.2). */
function stepStart(buf: Uint8Array, b: number, t: Int32Array): number {
  const p = s.p;
  const c = buf[p]!;
  if (c === CR) { s.state = S_START_LF; s.p = p + 1; return 0; }
  if ((CLASS[c]! & C_TCHAR) === 0) return fail(c === LF ? E_BARE_LF : E_INVALID_METHOD, p);
  t[R_METHOD_OFF] = p - b;
  s.mark = p;
  s.state = S_METHOD;
  return 0;
}

/** S_START_LF, S_VALUE_LF: the LF ending a CRLF, then state `next`. */
function stepLf(buf: Uint8Array, next: number): number {
  const p = s.p;
  if (buf[p] !== LF) return fail(E_BARE_CR, p);
  s.state = next;
  s.p = p + 1;
  return 0;
}

/** S_METHOD: tchar up to MAX_METHOD bytes, then SP (RFC 9112 §3.1). */
function stepMethod(buf: Uint8Array, b: number, end: number, t: Int32Array): number {
  const mark = s.mark;
  const stop = mark + MAX_METHOD < end ? mark + MAX_METHOD : end;
  const p = scanClass(buf, s.p, stop, C_TCHAR);
  s.p = p;
  if (p === end) return 0;
  if (buf[p] !== SP) return fail(p === mark + MAX_METHOD ? E_METHOD_TOO_LONG : E_INVALID_METHOD, p);
  t[R_METHOD_LEN] = p - mark;
  t[R_METHOD] = methodId(buf, mark, p - mark);
  t[R_TARGET_OFF] = p + 1 - b;
  s.p = p + 1;
  s.mark = p + 1;
  s.state = S_TARGET;
  return 0;
}

/** S_TARGET: the request-target up to its SP, then its form (RFC 9112 §3.2). */
function stepTarget(buf: Uint8Array, end: number, t: Int32Array): number {
  const mark = s.mark;
  const limitEnd = mark + t[R_LIMIT_TARGET]!;
  const stop = limitEnd < end ? limitEnd : end;
  // RFC 3986 bytes, and by default also "|^{}\`" (never framing-relevant; see js/chars.ts).
  const p = scanClass(buf, s.p, stop, t[R_STRICT_TARGET] !== 0 ? C_URI : C_TARGET);
  s.p = p;
  if (p === end) return 0;
  const c = buf[p]!;
  if (c === SP && p > mark) {
    const form = targetForm(buf, mark, p, t[R_METHOD]!);
    if (form < 0) return fail(form, mark);
    t[R_TARGET_LEN] = p - mark;
    t[R_TARGET_FORM] = form;
    s.p = p + 1;
    s.state = S_VERSION;
    s.aux = 0;
    return 0;
  }
  return fail(p >= limitEnd ? E_TARGET_TOO_LONG
    : p > mark && (c === CR || c === LF) ? E_INVALID_VERSION // "GET /" then end of line: no version
    : E_INVALID_TARGET, p);
}

/** S_VERSION: "HTTP/" DIGIT "." DIGIT, then CR (RFC 9112 §2.3); aux = bytes matched so far. */
function stepVersion(buf: Uint8Array, end: number, t: Int32Array): number {
  const p = s.p;
  const aux = s.aux;
  // Fast path for a whole "HTTP/1.D" CRLF in view (the byte-wise path below accepts exactly
  // the same bytes, and reports the errors).
  if (aux === 0 && p + 10 <= end && buf[p] === 0x48 && buf[p + 1] === 0x54 && buf[p + 2] === 0x54 &&
    buf[p + 3] === 0x50 && buf[p + 4] === 0x2f && buf[p + 5] === 0x31 && buf[p + 6] === 0x2e &&
    buf[p + 7]! - 0x30 >>> 0 <= 9 && buf[p + 8] === CR && buf[p + 9] === LF) {
    t[R_VERSION] = 10 + buf[p + 7]! - 0x30;
    s.p = p + 10;
    s.state = S_LINE_START;
    return 0;
  }
  const c = buf[p]!;
  if (aux < 5) {
    if (c !== VERSION_PREFIX[aux]) return fail(E_INVALID_VERSION, p);
  } else if (aux === 5 || aux === 7) {
    if (c < 0x30 || c > 0x39) return fail(E_INVALID_VERSION, p);
    t[R_VERSION] = t[R_VERSION]! + (aux === 5 ? (c - 0x30) * 10 : c - 0x30);
  } else if (aux === 6) {
    if (c !== 0x2e) return fail(E_INVALID_VERSION, p);
  } else {
    // RFC 9110 §2.5: only major version 1 is ours; 1.x minors are accepted as written.
    if (c !== CR) return fail(c === LF ? E_BARE_LF : E_INVALID_VERSION, p);
    if (t[R_VERSION]! < 10 || t[R_VERSION]! > 19) return fail(E_VERSION_NOT_SUPPORTED, p - 3);
    s.state = S_RL_LF;
  }
  s.aux = aux + 1;
  s.p = p + 1;
  return 0;
}

/** S_RL_LF: the LF ending the request line. */
function stepRequestLineLf(buf: Uint8Array): number {
  const p = s.p;
  if (buf[p] !== LF) return fail(E_BARE_CR, p);
  s.state = S_LINE_START;
  s.aux = 0;
  s.p = p + 1;
  return 0;
}

/** S_LINE_START: a field name, or the CR of the empty line that ends the head (RFC 9112 §2.1). */
function stepLineStart(buf: Uint8Array, t: Int32Array): number {
  const p = s.p;
  const c = buf[p]!;
  if ((CLASS[c]! & C_TCHAR) !== 0) {
    if (t[R_HEADER_COUNT]! >= headerLimit(t)) return fail(E_TOO_MANY_HEADERS, p);
    s.mark = p;
    s.state = S_NAME;
    return 0;
  }
  if (c === CR) { s.state = S_END_LF; s.p = p + 1; return 0; }
  return fail(c === LF ? E_BARE_LF
    : c === SP || c === HTAB ? (t[R_HEADER_COUNT] === 0 ? E_SPACE_AFTER_START_LINE : E_OBS_FOLD)
    : E_INVALID_HEADER_NAME, p);
}

/** S_NAME_WS: whitespace after a name is only an error, whose kind depends on what follows. */
function stepNameWs(buf: Uint8Array): number {
  const p = s.p;
  const c = buf[p]!;
  if (c === SP || c === HTAB) { s.p = p + 1; return 0; }
  if (c === 0x3a) return fail(E_SPACE_BEFORE_COLON, s.mark2); // RFC 9112 §5.1
  return fail(E_INVALID_HEADER_NAME, p);
}

/** S_VALUE_LEAD: OWS before the value, an empty value's CR, or the value's first byte (RFC 9112 §5). */
function stepValueLead(buf: Uint8Array, b: number, t: Int32Array): number {
  const p = s.p;
  const e = R_FIXED + 4 * (t[R_HEADER_COUNT]! - 1);
  const limitEnd = b + t[e]! + t[e + 1]! + 1 + t[R_LIMIT_VALUE]!;
  const c = buf[p]!;
  if (c === CR) {
    t[e + 2] = p - b; // empty value: points at its CR
    const rc = finishValue(buf, s.aux, p, p, t);
    if (rc < 0) return fail(rc, fieldError.pos);
    s.state = S_VALUE_LF;
    s.p = p + 1;
    return 0;
  }
  if (p >= limitEnd) return fail(E_HEADER_VALUE_TOO_LONG, p);
  if (c === SP || c === HTAB) { s.p = p + 1; return 0; }
  if ((CLASS[c]! & C_VALUE) === 0) return fail(c === LF ? E_BARE_LF : E_INVALID_HEADER_VALUE, p);
  t[e + 2] = p - b;
  s.state = S_VALUE;
  return 0;
}

/** S_END_LF: the LF of the empty line; then the whole-head checks, and the head is done. */
function stepEndLf(buf: Uint8Array, b: number, t: Int32Array): number {
  const p = s.p;
  if (buf[p] !== LF) return fail(E_BARE_CR, p);
  const headLen = p + 1 - b;
  if (headLen > t[R_LIMIT_HEAD]!) return fail(E_HEAD_TOO_LARGE, b + t[R_LIMIT_HEAD]!);
  const rc = finishHead(t);
  if (rc < 0) return fail(rc, p);
  t[R_HEAD_LEN] = headLen;
  t[R_STATUS] = headLen;
  return headLen;
}

/** One step of a state that runs once or a few times per head (all but S_NAME and S_VALUE). */
export function stepOther(buf: Uint8Array, b: number, end: number, t: Int32Array): number {
  switch (s.state) {
    case S_START: return stepStart(buf, b, t);
    case S_START_LF: return stepLf(buf, S_START);
    case S_METHOD: return stepMethod(buf, b, end, t);
    case S_TARGET: return stepTarget(buf, end, t);
    case S_VERSION: return stepVersion(buf, end, t);
    case S_RL_LF: return stepRequestLineLf(buf);
    case S_LINE_START: return stepLineStart(buf, t);
    case S_NAME_WS: return stepNameWs(buf);
    case S_VALUE_LEAD: return stepValueLead(buf, b, t);
    case S_VALUE_LF: return stepLf(buf, S_LINE_START);
    default: return stepEndLf(buf, b, t); // S_END_LF
  }
}
