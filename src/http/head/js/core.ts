// The request-head state machine in TypeScript: the twin of assembly/http/head.ts, state for state,
// so both fill the result table identically (same slots, same error codes at the same positions).
//
// One loop, integer states, a switch; every state can stop at any byte and resume later from the
// table (R_RESUME_*), so a head trickled one byte per packet costs O(new bytes) per call
// (picohttpparser's last_len, at byte granularity). Grammar: RFC 9112 §2–§5, RFC 9110 §5.
import {
  E_BARE_CR, E_BARE_LF, E_DUPLICATE_HOST, E_HEAD_TOO_LARGE, E_HEADER_NAME_TOO_LONG, E_HEADER_VALUE_TOO_LONG,
  E_INVALID_HEADER_NAME, E_INVALID_HEADER_VALUE, E_INVALID_METHOD, E_INVALID_TARGET, E_INVALID_VERSION,
  E_METHOD_TOO_LONG, E_OBS_FOLD, E_SPACE_AFTER_START_LINE, E_SPACE_BEFORE_COLON, E_TARGET_TOO_LONG,
  E_TOO_MANY_HEADERS, E_VERSION_NOT_SUPPORTED, F_HOST, F_TRANSFER_ENCODING, F_UPGRADE, MAX_HEADERS,
  R_ERROR_POS, R_FIXED, R_FLAGS, R_HEAD_LEN, R_HEADER_COUNT, R_HOST_INDEX, R_LIMIT_HEAD, R_LIMIT_HEADERS,
  R_LIMIT_NAME, R_LIMIT_TARGET, R_LIMIT_VALUE, R_METHOD, R_METHOD_LEN, R_METHOD_OFF, R_RESUME_AUX,
  R_RESUME_MARK, R_RESUME_MARK2, R_RESUME_POS, R_RESUME_STATE, R_STATUS, R_TARGET_FORM, R_TARGET_LEN,
  R_TARGET_OFF, R_VERSION, R_LIMIT_TARGET as R_FIRST_LIMIT, R_STRICT_TARGET,
} from '../../../abi.js';
import { CLASS, C_TARGET, C_TCHAR, C_URI, C_VALUE } from './chars.js';
import { fieldError } from './fields.js';
import { scanValue } from './scan.js';
import { parseWholeHeadJs } from './fast.js';
import { fieldKind, finishHead, finishValue, K_HOST, K_NONE, K_TRANSFER_ENCODING, K_UPGRADE } from './special.js';
import { methodId, targetForm } from './line.js';

// States (the same numbers in assembly/http/head.ts).
const S_START = 0; //        before the method: empty lines allowed (RFC 9112 §2.2)
const S_START_LF = 1; //     CR of an empty leading line seen
const S_METHOD = 2;
const S_TARGET = 3;
const S_VERSION = 4; //      aux = index in "HTTP/D.D", 8 = expecting CR
const S_RL_LF = 5; //        CR after the version seen
const S_LINE_START = 6; //   start of a field line or of the final CRLF
const S_NAME = 7;
const S_NAME_WS = 8; //      whitespace after a name: mark2 = where it began
const S_VALUE_LEAD = 9; //   OWS before the value; aux = special field kind
const S_VALUE = 10; //       mark2 = end of the value without trailing OWS
const S_VALUE_LF = 11;
const S_END_LF = 12;

const MAX_METHOD = 32;
const CR = 0x0d;
const LF = 0x0a;
const SP = 0x20;
const HTAB = 0x09;
const VERSION_PREFIX = [0x48, 0x54, 0x54, 0x50, 0x2f]; // "HTTP/"

/** First index in [p, stop) whose byte is not in class `k`, or stop; four bytes per test where possible. */
function scanClass(buf: Uint8Array, p: number, stop: number, k: number): number {
  while (p + 4 <= stop && (CLASS[buf[p]!]! & CLASS[buf[p + 1]!]! & CLASS[buf[p + 2]!]! & CLASS[buf[p + 3]!]! & k) !== 0) p += 4;
  while (p < stop && (CLASS[buf[p]!]! & k) !== 0) p++;
  return p;
}

/**
 * Parse the head at buf[b, b + len). Returns the head length (> 0), 0 when incomplete, or an E_* code;
 * fills `t` (base 0) exactly like the WASM parseHead fills its table. Never reads buf[b + len] or beyond.
 */
export function parseHeadJs(buf: Uint8Array, b: number, len: number, lastLen: number, t: Int32Array): number {
  let state: number, p: number, mark: number, mark2: number, aux: number;
  if (lastLen === 0) {
    // Most heads arrive whole and well formed: take the straight-line path, which bails out to the
    // state machine below on anything else.
    const n = parseWholeHeadJs(buf, b, len, t);
    if (n > 0) return n;
    for (let i = 0; i < R_FIRST_LIMIT; i++) t[i] = 0;
    for (let i = R_RESUME_STATE; i < R_FIXED; i++) if (i !== R_STRICT_TARGET) t[i] = 0; // configuration stays
    t[R_HOST_INDEX] = -1;
    state = S_START; p = b; mark = b; mark2 = b; aux = 0;
  } else {
    if (t[R_STATUS] !== 0) return t[R_STATUS]!; // the head already completed or failed
    state = t[R_RESUME_STATE]!; p = b + t[R_RESUME_POS]!;
    mark = b + t[R_RESUME_MARK]!; mark2 = b + t[R_RESUME_MARK2]!; aux = t[R_RESUME_AUX]!;
  }
  // Bytes past limit + 1 never matter: the head either ended by then or is too large (the byte at
  // index limit is still examined, so a more specific error at that byte wins).
  const limitHead = t[R_LIMIT_HEAD]!;
  const limitTarget = t[R_LIMIT_TARGET]!;
  const limitName = t[R_LIMIT_NAME]!;
  const limitValue = t[R_LIMIT_VALUE]!;
  const limitHeaders = t[R_LIMIT_HEADERS]! < MAX_HEADERS ? t[R_LIMIT_HEADERS]! : MAX_HEADERS;
  const end = b + (len <= limitHead ? len : limitHead + 1);
  let rc = 0;
  let ep = 0; // absolute position of the offending byte when rc < 0
  let c = 0;
  scan: while (p < end) {
    switch (state) {
      case S_START: {
        c = buf[p]!;
        if (c === CR) { state = S_START_LF; p++; break; }
        if ((CLASS[c]! & C_TCHAR) === 0) { rc = c === LF ? E_BARE_LF : E_INVALID_METHOD; ep = p; break scan; }
        t[R_METHOD_OFF] = p - b;
        mark = p;
        state = S_METHOD;
        break;
      }
      case S_START_LF:
        if (buf[p] !== LF) { rc = E_BARE_CR; ep = p; break scan; }
        state = S_START; p++;
        break;
      case S_METHOD: {
        const stop = mark + MAX_METHOD < end ? mark + MAX_METHOD : end;
        p = scanClass(buf, p, stop, C_TCHAR);
        if (p === end) break scan;
        c = buf[p]!;
        if (c !== SP) { rc = p === mark + MAX_METHOD ? E_METHOD_TOO_LONG : E_INVALID_METHOD; ep = p; break scan; }
        t[R_METHOD_LEN] = p - mark;
        t[R_METHOD] = methodId(buf, mark, p - mark);
        p++;
        t[R_TARGET_OFF] = p - b;
        mark = p;
        state = S_TARGET;
        break;
      }
      case S_TARGET: {
        const limitEnd = mark + limitTarget;
        const stop = limitEnd < end ? limitEnd : end;
        // RFC 3986 bytes, and by default also "|^{}\`" (never framing-relevant; see js/chars.ts).
        p = scanClass(buf, p, stop, t[R_STRICT_TARGET] !== 0 ? C_URI : C_TARGET);
        if (p === end) break scan;
        c = buf[p]!;
        if (c === SP && p > mark) {
          const form = targetForm(buf, mark, p, t[R_METHOD]!);
          if (form < 0) { rc = form; ep = mark; break scan; }
          t[R_TARGET_LEN] = p - mark;
          t[R_TARGET_FORM] = form;
          p++;
          state = S_VERSION; aux = 0;
          break;
        }
        rc = p >= limitEnd ? E_TARGET_TOO_LONG
          : p > mark && (c === CR || c === LF) ? E_INVALID_VERSION // "GET /" then end of line: no version
          : E_INVALID_TARGET;
        ep = p;
        break scan;
      }
      case S_VERSION: {
        // Fast path for a whole "HTTP/1.D" CRLF in view (the byte-wise path below accepts exactly
        // the same bytes, and reports the errors).
        if (aux === 0 && p + 10 <= end && buf[p] === 0x48 && buf[p + 1] === 0x54 && buf[p + 2] === 0x54 &&
          buf[p + 3] === 0x50 && buf[p + 4] === 0x2f && buf[p + 5] === 0x31 && buf[p + 6] === 0x2e &&
          buf[p + 7]! - 0x30 >>> 0 <= 9 && buf[p + 8] === CR && buf[p + 9] === LF) {
          t[R_VERSION] = 10 + buf[p + 7]! - 0x30;
          p += 10;
          state = S_LINE_START;
          break;
        }
        c = buf[p]!;
        if (aux < 5) {
          if (c !== VERSION_PREFIX[aux]) { rc = E_INVALID_VERSION; ep = p; break scan; }
        } else if (aux === 5 || aux === 7) {
          if (c < 0x30 || c > 0x39) { rc = E_INVALID_VERSION; ep = p; break scan; }
          t[R_VERSION] = t[R_VERSION]! + (aux === 5 ? (c - 0x30) * 10 : c - 0x30);
        } else if (aux === 6) {
          if (c !== 0x2e) { rc = E_INVALID_VERSION; ep = p; break scan; }
        } else {
          // RFC 9110 §2.5: only major version 1 is ours; 1.x minors are accepted as written.
          if (c !== CR) { rc = c === LF ? E_BARE_LF : E_INVALID_VERSION; ep = p; break scan; }
          if (t[R_VERSION]! < 10 || t[R_VERSION]! > 19) { rc = E_VERSION_NOT_SUPPORTED; ep = p - 3; break scan; }
          state = S_RL_LF;
        }
        aux++; p++;
        break;
      }
      case S_RL_LF:
        if (buf[p] !== LF) { rc = E_BARE_CR; ep = p; break scan; }
        state = S_LINE_START; aux = 0; p++;
        break;
      case S_LINE_START: {
        c = buf[p]!;
        if ((CLASS[c]! & C_TCHAR) !== 0) {
          if (t[R_HEADER_COUNT]! >= limitHeaders) { rc = E_TOO_MANY_HEADERS; ep = p; break scan; }
          mark = p;
          state = S_NAME;
          break;
        }
        if (c === CR) { state = S_END_LF; p++; break; }
        rc = c === LF ? E_BARE_LF
          : c === SP || c === HTAB ? (t[R_HEADER_COUNT] === 0 ? E_SPACE_AFTER_START_LINE : E_OBS_FOLD)
          : E_INVALID_HEADER_NAME;
        ep = p;
        break scan;
      }
      case S_NAME: {
        const limitEnd = mark + limitName;
        const stop = limitEnd < end ? limitEnd : end;
        p = scanClass(buf, p, stop, C_TCHAR);
        if (p === end) break scan;
        c = buf[p]!;
        if (c === 0x3a) {
          const count = t[R_HEADER_COUNT]!;
          const e = R_FIXED + 4 * count;
          t[e] = mark - b; t[e + 1] = p - mark; t[e + 2] = p + 1 - b; t[e + 3] = 0;
          t[R_HEADER_COUNT] = count + 1;
          aux = fieldKind(buf, mark, p - mark);
          if (aux === K_HOST) {
            if ((t[R_FLAGS]! & F_HOST) !== 0) { rc = E_DUPLICATE_HOST; ep = mark; break scan; }
            t[R_FLAGS] = t[R_FLAGS]! | F_HOST;
            t[R_HOST_INDEX] = count;
          } else if (aux === K_UPGRADE) {
            t[R_FLAGS] = t[R_FLAGS]! | F_UPGRADE;
          } else if (aux === K_TRANSFER_ENCODING) {
            t[R_FLAGS] = t[R_FLAGS]! | F_TRANSFER_ENCODING;
          }
          p++;
          // Fast path for the usual ": v": straight to S_VALUE (the same checks S_VALUE_LEAD makes:
          // the SP and the first value byte are within the value limit, the byte is a non-OWS value byte).
          if (p + 1 < end && buf[p] === SP && limitValue > 1) {
            c = buf[p + 1]!;
            if (c > SP && c !== 0x7f) {
              p++;
              t[e + 2] = p - b;
              state = S_VALUE;
              break;
            }
          }
          state = S_VALUE_LEAD;
          break;
        }
        if (p >= limitEnd) { rc = E_HEADER_NAME_TOO_LONG; ep = p; break scan; }
        if (c === SP || c === HTAB) { mark2 = p; p++; state = S_NAME_WS; break; }
        rc = E_INVALID_HEADER_NAME; ep = p;
        break scan;
      }
      case S_NAME_WS:
        c = buf[p]!;
        if (c === SP || c === HTAB) { p++; break; }
        if (c === 0x3a) { rc = E_SPACE_BEFORE_COLON; ep = mark2; break scan; } // RFC 9112 §5.1
        rc = E_INVALID_HEADER_NAME; ep = p;
        break scan;
      case S_VALUE_LEAD: {
        const e = R_FIXED + 4 * (t[R_HEADER_COUNT]! - 1);
        const limitEnd = b + t[e]! + t[e + 1]! + 1 + limitValue;
        c = buf[p]!;
        if (c === CR) {
          t[e + 2] = p - b; // empty value: points at its CR
          rc = finishValue(buf, aux, p, p, t);
          if (rc < 0) { ep = fieldError.pos; break scan; }
          state = S_VALUE_LF; p++;
          break;
        }
        if (p >= limitEnd) { rc = E_HEADER_VALUE_TOO_LONG; ep = p; break scan; }
        if (c === SP || c === HTAB) { p++; break; }
        if ((CLASS[c]! & C_VALUE) === 0) { rc = c === LF ? E_BARE_LF : E_INVALID_HEADER_VALUE; ep = p; break scan; }
        t[e + 2] = p - b;
        state = S_VALUE;
        break;
      }
      case S_VALUE: {
        const e = R_FIXED + 4 * (t[R_HEADER_COUNT]! - 1);
        const limitEnd = b + t[e]! + t[e + 1]! + 1 + limitValue;
        const stop = limitEnd < end ? limitEnd : end;
        // HTAB, SP, VCHAR, obs-text continue the value. The tight loop only tests for the bytes that
        // end it; the end of the last non-OWS byte is then found by looking back over this call's
        // bytes only (same mark2 as the WASM scan, which tracks it per 16-byte block).
        const s0 = p;
        p = scanValue(buf, p, stop);
        let q = p;
        while (q > s0 && (buf[q - 1] === SP || buf[q - 1] === HTAB)) q--;
        if (q > s0) mark2 = q;
        if (p === end) break scan;
        c = buf[p]!;
        if (c === CR) {
          const v0 = b + t[e + 2]!;
          t[e + 3] = mark2 - v0;
          if (aux !== K_NONE) {
            rc = finishValue(buf, aux, v0, mark2, t);
            if (rc < 0) { ep = fieldError.pos; break scan; }
          }
          p++;
          // Fast path: CRLF and the first byte of the next field name, without two more dispatches
          // (the same checks S_VALUE_LF and S_LINE_START make).
          if (p + 1 < end && buf[p] === LF) {
            p++;
            if ((CLASS[buf[p]!]! & C_TCHAR) !== 0) {
              if (t[R_HEADER_COUNT]! >= limitHeaders) { rc = E_TOO_MANY_HEADERS; ep = p; break scan; }
              mark = p;
              state = S_NAME;
              break;
            }
            state = S_LINE_START;
            break;
          }
          state = S_VALUE_LF;
          break;
        }
        rc = p >= limitEnd ? E_HEADER_VALUE_TOO_LONG : c === LF ? E_BARE_LF : E_INVALID_HEADER_VALUE;
        ep = p;
        break scan;
      }
      case S_VALUE_LF:
        if (buf[p] !== LF) { rc = E_BARE_CR; ep = p; break scan; }
        state = S_LINE_START; p++;
        break;
      default: // S_END_LF
        if (buf[p] !== LF) { rc = E_BARE_CR; ep = p; break scan; }
        p++;
        if (p - b > limitHead) { rc = E_HEAD_TOO_LARGE; ep = b + limitHead; break scan; }
        rc = finishHead(t);
        if (rc < 0) { ep = p - 1; break scan; }
        rc = p - b;
        t[R_HEAD_LEN] = rc;
        t[R_STATUS] = rc;
        return rc;
    }
  }
  if (rc === 0) {
    if (len <= limitHead) {
      t[R_RESUME_STATE] = state; t[R_RESUME_POS] = p - b;
      t[R_RESUME_MARK] = mark - b; t[R_RESUME_MARK2] = mark2 - b; t[R_RESUME_AUX] = aux;
      return 0;
    }
    rc = E_HEAD_TOO_LARGE;
    ep = b + limitHead;
  }
  t[R_STATUS] = rc;
  t[R_ERROR_POS] = ep - b;
  return rc;
}
