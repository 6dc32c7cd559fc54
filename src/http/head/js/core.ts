// The request-head state machine in TypeScript: the twin of assembly/http/head.ts, state for state,
// so both fill the result table identically (same slots, same error codes at the same positions).
//
// Integer states (steps.ts), one small step function each; runSteps below dispatches them and runs
// the per-field cycle itself. Every state can stop at any byte and resume later from the table
// (R_RESUME_*), so a head trickled one byte per packet costs O(new bytes) per call
// (picohttpparser's last_len, at byte granularity). Grammar: RFC 9112 §2–§5, RFC 9110 §5.
import * as abi from '../../../abi.js';
import * as chars from './chars.js';
import * as fieldChecks from './fields.js';
import * as scan from './scan.js';
import * as fast from './fast.js';
import * as special from './special.js';
import * as steps from './steps.js';

// Imported values bound to module-local constants: V8 (Node 20) folds a module's own `const`
// bindings into optimized code, but reads an imported binding through its cell, with a TDZ check,
// at every use (docs/parser.md, "Hot-path notes").
const { E_DUPLICATE_HOST, E_BARE_LF, E_HEAD_TOO_LARGE, E_HEADER_NAME_TOO_LONG, E_HEADER_VALUE_TOO_LONG,
  E_INVALID_HEADER_NAME, E_INVALID_HEADER_VALUE, E_TOO_MANY_HEADERS, F_HOST, F_TRANSFER_ENCODING, F_UPGRADE,
  R_ERROR_POS, R_FIXED, R_FLAGS, R_HEADER_COUNT, R_HOST_INDEX, R_LIMIT_HEAD, R_LIMIT_NAME, R_LIMIT_VALUE,
  R_RESUME_AUX, R_RESUME_MARK, R_RESUME_MARK2, R_RESUME_POS, R_RESUME_STATE, R_STATUS,
  R_LIMIT_TARGET: R_FIRST_LIMIT, R_STRICT_TARGET } = abi;
const { CLASS, C_TCHAR } = chars;
const { fieldError } = fieldChecks;
const { scanValue } = scan;
const { parseWholeHeadJs } = fast;
const { fieldKind, finishValue, K_HOST, K_NONE, K_TRANSFER_ENCODING, K_UPGRADE } = special;
const { CR, fail, headerLimit, HTAB, LF, s, scanClass, S_LINE_START, S_NAME, S_NAME_WS, S_START, S_VALUE,
  S_VALUE_LEAD, S_VALUE_LF, SP, stepOther } = steps;

/** Flags and the Host index for a special field (entry `count`); 0, or E_DUPLICATE_HOST. */
function noteSpecial(t: Int32Array, kind: number, count: number): number {
  if (kind === K_HOST) {
    if ((t[R_FLAGS]! & F_HOST) !== 0) return E_DUPLICATE_HOST;
    t[R_FLAGS] = t[R_FLAGS]! | F_HOST;
    t[R_HOST_INDEX] = count;
  } else if (kind === K_UPGRADE) {
    t[R_FLAGS] = t[R_FLAGS]! | F_UPGRADE;
  } else if (kind === K_TRANSFER_ENCODING) {
    t[R_FLAGS] = t[R_FLAGS]! | F_TRANSFER_ENCODING;
  }
  return 0;
}

/**
 * Run the state machine over buf[s.p, end) until a step fails or finishes the head (its code), or
 * the bytes run out (0). The per-field cycle S_NAME → S_VALUE → S_NAME, which is most of a head,
 * runs here on locals; the other states are steps over `s`.
 */
function runSteps(buf: Uint8Array, b: number, end: number, t: Int32Array): number {
  let state = s.state, p = s.p, mark = s.mark, mark2 = s.mark2, aux = s.aux;
  let rc = 0;
  while (p < end) {
    if (state === S_NAME) { // tchar up to the name limit, then the colon (RFC 9112 §5.1)
      const limitEnd = mark + t[R_LIMIT_NAME]!;
      p = scanClass(buf, p, limitEnd < end ? limitEnd : end, C_TCHAR);
      if (p === end) break;
      const c = buf[p]!;
      if (c !== 0x3a) {
        if (p >= limitEnd) { rc = fail(E_HEADER_NAME_TOO_LONG, p); break; }
        if (c !== SP && c !== HTAB) { rc = fail(E_INVALID_HEADER_NAME, p); break; }
        mark2 = p++;
        state = S_NAME_WS;
        continue;
      }
      // The field, its value for now empty after the colon; special names noted (rarely any).
      const count = t[R_HEADER_COUNT]!;
      const e = R_FIXED + 4 * count;
      t[e] = mark - b; t[e + 1] = p - mark; t[e + 2] = p + 1 - b; t[e + 3] = 0;
      t[R_HEADER_COUNT] = count + 1;
      aux = fieldKind(buf, mark, p - mark);
      if (aux !== K_NONE && (rc = noteSpecial(t, aux, count)) < 0) { s.ep = mark; break; }
      p++;
      state = S_VALUE_LEAD;
      // Fast path for the usual ": v": straight to S_VALUE (the same checks S_VALUE_LEAD makes:
      // the SP and the first value byte are within the value limit, the byte is a non-OWS value byte).
      if (p + 1 < end && buf[p] === SP && t[R_LIMIT_VALUE]! > 1 && buf[p + 1]! > SP && buf[p + 1] !== 0x7f) {
        t[e + 2] = ++p - b;
        state = S_VALUE;
      }
      continue;
    }
    if (state === S_VALUE) { // value bytes up to the value limit, then the CR (RFC 9112 §5)
      const e = R_FIXED + 4 * (t[R_HEADER_COUNT]! - 1);
      const limitEnd = b + t[e]! + t[e + 1]! + 1 + t[R_LIMIT_VALUE]!;
      // HTAB, SP, VCHAR, obs-text continue the value. The tight loop only tests for the bytes that
      // end it; the end of the last non-OWS byte is then found by looking back over this call's
      // bytes only (same mark2 as the WASM scan, which tracks it per 16-byte block).
      const s0 = p;
      p = scanValue(buf, p, limitEnd < end ? limitEnd : end);
      let q = p;
      while (q > s0 && (buf[q - 1] === SP || buf[q - 1] === HTAB)) q--;
      if (q > s0) mark2 = q;
      if (p === end) break;
      const c = buf[p]!;
      if (c !== CR) { rc = fail(p >= limitEnd ? E_HEADER_VALUE_TOO_LONG : c === LF ? E_BARE_LF : E_INVALID_HEADER_VALUE, p); break; }
      const v0 = b + t[e + 2]!;
      t[e + 3] = mark2 - v0;
      if (aux !== K_NONE && (rc = finishValue(buf, aux, v0, mark2, t)) < 0) { s.ep = fieldError.pos; break; }
      p++;
      state = S_VALUE_LF;
      // Fast path: CRLF and the first byte of the next field name, without two more dispatches
      // (the same checks S_VALUE_LF and S_LINE_START make).
      if (p + 1 < end && buf[p] === LF) {
        p++;
        state = S_LINE_START;
        if ((CLASS[buf[p]!]! & C_TCHAR) !== 0) {
          if (t[R_HEADER_COUNT]! >= headerLimit(t)) { rc = fail(E_TOO_MANY_HEADERS, p); break; }
          mark = p;
          state = S_NAME;
        }
      }
      continue;
    }
    // Any other state: its steps, until the field cycle resumes (or the bytes run out, or one fails).
    s.state = state; s.p = p; s.mark = mark; s.mark2 = mark2; s.aux = aux;
    do rc = stepOther(buf, b, end, t); while (rc === 0 && s.p < end && s.state !== S_NAME && s.state !== S_VALUE);
    state = s.state; p = s.p; mark = s.mark; mark2 = s.mark2; aux = s.aux;
    if (rc !== 0) break;
  }
  s.state = state; s.p = p; s.mark = mark; s.mark2 = mark2; s.aux = aux;
  return rc;
}

/** A fresh parse: clear the slots the parse owns (limits and R_STRICT_TARGET stay) and start at b. */
function startFresh(b: number, t: Int32Array): void {
  for (let i = 0; i < R_FIRST_LIMIT; i++) t[i] = 0;
  for (let i = R_RESUME_STATE; i < R_FIXED; i++) if (i !== R_STRICT_TARGET) t[i] = 0; // configuration stays
  t[R_HOST_INDEX] = -1;
  s.state = S_START; s.p = b; s.mark = b; s.mark2 = b; s.aux = 0;
}

/**
 * Parse the head at buf[b, b + len). Returns the head length (> 0), 0 when incomplete, or an E_* code;
 * fills `t` (base 0) exactly like the WASM parseHead fills its table. Never reads buf[b + len] or beyond.
 */
export function parseHeadJs(buf: Uint8Array, b: number, len: number, lastLen: number, t: Int32Array): number {
  if (lastLen === 0) {
    // Most heads arrive whole and well formed: take the straight-line path, which bails out to the
    // state machine on anything else.
    const n = parseWholeHeadJs(buf, b, len, t);
    if (n > 0) return n;
    startFresh(b, t);
  } else {
    if (t[R_STATUS] !== 0) return t[R_STATUS]!; // the head already completed or failed
    s.state = t[R_RESUME_STATE]!; s.p = b + t[R_RESUME_POS]!;
    s.mark = b + t[R_RESUME_MARK]!; s.mark2 = b + t[R_RESUME_MARK2]!; s.aux = t[R_RESUME_AUX]!;
  }
  // Bytes past limit + 1 never matter: the head either ended by then or is too large (the byte at
  // index limit is still examined, so a more specific error at that byte wins).
  const limitHead = t[R_LIMIT_HEAD]!;
  let rc = runSteps(buf, b, b + (len <= limitHead ? len : limitHead + 1), t);
  if (rc > 0) return rc;
  if (rc === 0) {
    if (len <= limitHead) {
      t[R_RESUME_STATE] = s.state; t[R_RESUME_POS] = s.p - b;
      t[R_RESUME_MARK] = s.mark - b; t[R_RESUME_MARK2] = s.mark2 - b; t[R_RESUME_AUX] = s.aux;
      return 0;
    }
    rc = E_HEAD_TOO_LARGE;
    s.ep = b + limitHead;
  }
  t[R_STATUS] = rc;
  t[R_ERROR_POS] = s.ep - b;
  return rc;
}
