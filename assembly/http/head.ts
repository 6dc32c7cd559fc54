// The request-head parser: request line + field lines → the result table at RESULT_PTR.
// Twin of src/http/head/js/core.ts + steps.ts, state for state (same numbers, same error positions).
//
// One loop, integer states, a switch (llhttp / ws receiver style). Every state can stop at any byte
// and resume from the table (R_RESUME_*), so a head trickled one byte per packet costs O(new bytes)
// per call (picohttpparser's last_len, at byte granularity). Grammar: RFC 9112 §2–§5, RFC 9110 §5.
// The parser never reads at or beyond ptr + len.
import {
  E_BARE_CR, E_BARE_LF, E_DUPLICATE_HOST, E_HEAD_TOO_LARGE, E_HEADER_NAME_TOO_LONG, E_HEADER_VALUE_TOO_LONG,
  E_INVALID_HEADER_NAME, E_INVALID_HEADER_VALUE, E_INVALID_METHOD, E_INVALID_TARGET, E_INVALID_VERSION,
  E_METHOD_TOO_LONG, E_OBS_FOLD, E_SPACE_AFTER_START_LINE, E_SPACE_BEFORE_COLON, E_TARGET_TOO_LONG,
  E_TOO_MANY_HEADERS, E_VERSION_NOT_SUPPORTED, F_HOST, F_TRANSFER_ENCODING, F_UPGRADE, MAX_HEADERS, METHOD_GET,
  METHOD_POST,
  R_ERROR_POS, R_FIXED, R_FLAGS, R_HEAD_LEN, R_HEADER_COUNT, R_HOST_INDEX, R_LIMIT_HEAD, R_LIMIT_HEADERS,
  R_LIMIT_NAME, R_LIMIT_TARGET, R_LIMIT_VALUE, R_METHOD, R_METHOD_LEN, R_METHOD_OFF, R_RESUME_AUX,
  R_RESUME_MARK, R_RESUME_MARK2, R_RESUME_POS, R_RESUME_STATE, R_STATUS, R_STRICT_TARGET, R_TARGET_FORM,
  R_TARGET_LEN, R_TARGET_OFF, R_VERSION,
} from '../abi';
import { cls, C_TCHAR, C_VALUE } from './chars';
import { byte, fieldErrorPos, resetTable, tget, tset } from './head-fields';
import { fieldKind, finishHead, finishValue, K_HOST, K_NONE, K_TRANSFER_ENCODING, K_UPGRADE } from './head-special';
import { commonMethodLen, methodId, targetForm } from './head-line';
import { ctlOrDelMask, nonTcharMask, scanTarget, scanToken, scanValue, trimValueEnd } from './head-scan';

// States (the same numbers in src/http/head/js/steps.ts).
const S_START: i32 = 0; //        before the method: empty lines allowed (RFC 9112 §2.2)
const S_START_LF: i32 = 1;
const S_METHOD: i32 = 2;
const S_TARGET: i32 = 3;
const S_VERSION: i32 = 4; //      aux = index in "HTTP/D.D", 8 = expecting CR
const S_RL_LF: i32 = 5;
const S_LINE_START: i32 = 6;
const S_NAME: i32 = 7;
const S_NAME_WS: i32 = 8; //      mark2 = where the whitespace began
const S_VALUE_LEAD: i32 = 9; //   aux = special field kind
const S_VALUE: i32 = 10; //       mark2 = end of the value without trailing OWS
const S_VALUE_LF: i32 = 11;
const S_END_LF: i32 = 12;

const MAX_METHOD: i32 = 32;
const CR: i32 = 0x0d;
const LF: i32 = 0x0a;
const SP: i32 = 0x20;
const HTAB: i32 = 0x09;

const VERSION_PREFIX = memory.data<u8>([0x48, 0x54, 0x54, 0x50, 0x2f]); // "HTTP/"

/**
 * Parse the head at [ptr, ptr + len). Returns the head length (> 0, final CRLF included), 0 when more
 * bytes are needed, or an E_* code (R_ERROR_POS = offset of the offending byte). lastLen = 0 starts a
 * fresh head; lastLen > 0 continues the head the previous call (which returned 0) left in the table.
 */
export function parseHead(ptr: usize, len: i32, lastLen: i32): i32 {
  const b = <i32>ptr;
  let state: i32, p: i32, mark: i32, mark2: i32, aux: i32;
  if (lastLen == 0) {
    resetTable();
    state = S_START; p = b; mark = b; mark2 = b; aux = 0;
  } else {
    if (tget(R_STATUS) != 0) return tget(R_STATUS); // the head already completed or failed
    state = tget(R_RESUME_STATE); p = b + tget(R_RESUME_POS);
    mark = b + tget(R_RESUME_MARK); mark2 = b + tget(R_RESUME_MARK2); aux = tget(R_RESUME_AUX);
  }
  // Bytes past limit + 1 never matter: the head ended by then or is too large (the byte at index
  // limit is still examined, so a more specific error at that byte wins).
  const limitHead = tget(R_LIMIT_HEAD);
  const limitTarget = tget(R_LIMIT_TARGET);
  const limitName = tget(R_LIMIT_NAME);
  const limitValue = tget(R_LIMIT_VALUE);
  const limitHeaders = min<i32>(tget(R_LIMIT_HEADERS), MAX_HEADERS);
  const end = b + (len <= limitHead ? len : limitHead + 1);
  let rc = 0;
  let ep = 0; // address of the offending byte when rc < 0
  let c = 0;
  let cr = 0; //  the CR of the current field line when the name's SIMD window already saw it, else 0
  // The window fast path needs a value limit that a 32-byte window cannot reach (the usual case).
  const wideValue = limitValue >= 32;
  while (p < end) {
    switch (state) {
      case S_START: {
        c = byte(p);
        if (c == CR) { state = S_START_LF; p++; continue; }
        if ((cls(c) & C_TCHAR) == 0) { rc = c == LF ? E_BARE_LF : E_INVALID_METHOD; ep = p; break; }
        tset(R_METHOD_OFF, p - b);
        // "GET " / "POST ": what S_METHOD and methodId would conclude, without the byte loop and call.
        const known = p + 5 <= end ? commonMethodLen(p) : 0;
        if (known != 0) {
          tset(R_METHOD_LEN, known);
          tset(R_METHOD, known == 3 ? METHOD_GET : METHOD_POST);
          p += known + 1;
          tset(R_TARGET_OFF, p - b);
          mark = p;
          state = S_TARGET;
          continue;
        }
        mark = p;
        state = S_METHOD;
        continue;
      }
      case S_START_LF: {
        if (byte(p) != LF) { rc = E_BARE_CR; ep = p; break; }
        state = S_START; p++;
        continue;
      }
      case S_METHOD: {
        const stop = mark + MAX_METHOD < end ? mark + MAX_METHOD : end;
        while (p < stop && (cls(byte(p)) & C_TCHAR) != 0) p++;
        if (p == end) break;
        c = byte(p);
        if (c != SP) { rc = p == mark + MAX_METHOD ? E_METHOD_TOO_LONG : E_INVALID_METHOD; ep = p; break; }
        tset(R_METHOD_LEN, p - mark);
        tset(R_METHOD, methodId(mark, p - mark));
        p++;
        tset(R_TARGET_OFF, p - b);
        mark = p;
        state = S_TARGET;
        continue;
      }
      case S_TARGET: {
        const limitEnd = mark + limitTarget;
        // RFC 3986 bytes, and by default also "|^{}\`" (never framing-relevant; see chars.ts).
        p = scanTarget(p, limitEnd < end ? limitEnd : end, tget(R_STRICT_TARGET) != 0);
        if (p == end) break;
        c = byte(p);
        if (c == SP && p > mark) {
          const form = targetForm(mark, p, tget(R_METHOD));
          if (form < 0) { rc = form; ep = mark; break; }
          tset(R_TARGET_LEN, p - mark);
          tset(R_TARGET_FORM, form);
          p++;
          state = S_VERSION; aux = 0;
          continue;
        }
        rc = p >= limitEnd ? E_TARGET_TOO_LONG
          : p > mark && (c == CR || c == LF) ? E_INVALID_VERSION // "GET /" then end of line: no version
          : E_INVALID_TARGET;
        ep = p;
        break;
      }
      case S_VERSION: {
        // Fast path for a whole "HTTP/1.D" CRLF in view (the byte-wise path below accepts exactly
        // the same bytes, and reports the errors).
        if (aux == 0 && p + 10 <= end && load<u32>(<usize>p) == 0x50545448 && load<u16>(<usize>p + 4) == 0x312f &&
          byte(p + 6) == 0x2e && <u32>(byte(p + 7) - 0x30) <= 9 && load<u16>(<usize>p + 8) == 0x0a0d) {
          tset(R_VERSION, 10 + byte(p + 7) - 0x30);
          p += 10;
          state = S_LINE_START;
          continue;
        }
        c = byte(p);
        if (aux < 5) {
          if (c != <i32>load<u8>(VERSION_PREFIX + <usize>aux)) { rc = E_INVALID_VERSION; ep = p; break; }
        } else if (aux == 5 || aux == 7) {
          if (c < 0x30 || c > 0x39) { rc = E_INVALID_VERSION; ep = p; break; }
          tset(R_VERSION, tget(R_VERSION) + (aux == 5 ? (c - 0x30) * 10 : c - 0x30));
        } else if (aux == 6) {
          if (c != 0x2e) { rc = E_INVALID_VERSION; ep = p; break; }
        } else {
          // RFC 9110 §2.5: only major version 1 is ours; 1.x minors are accepted as written.
          if (c != CR) { rc = c == LF ? E_BARE_LF : E_INVALID_VERSION; ep = p; break; }
          const v = tget(R_VERSION);
          if (v < 10 || v > 19) { rc = E_VERSION_NOT_SUPPORTED; ep = p - 3; break; }
          state = S_RL_LF;
        }
        aux++; p++;
        continue;
      }
      case S_RL_LF: {
        if (byte(p) != LF) { rc = E_BARE_CR; ep = p; break; }
        state = S_LINE_START; aux = 0; p++;
        continue;
      }
      case S_LINE_START: {
        c = byte(p);
        if ((cls(c) & C_TCHAR) != 0) {
          if (tget(R_HEADER_COUNT) >= limitHeaders) { rc = E_TOO_MANY_HEADERS; ep = p; break; }
          mark = p;
          state = S_NAME;
          continue;
        }
        if (c == CR) { state = S_END_LF; p++; continue; }
        rc = c == LF ? E_BARE_LF
          : c == SP || c == HTAB ? (tget(R_HEADER_COUNT) == 0 ? E_SPACE_AFTER_START_LINE : E_OBS_FOLD)
          : E_INVALID_HEADER_NAME;
        ep = p;
        break;
      }
      case S_NAME_WS: {
        c = byte(p);
        if (c == SP || c == HTAB) { p++; continue; }
        if (c == 0x3a) { rc = E_SPACE_BEFORE_COLON; ep = mark2; break; } // RFC 9112 §5.1
        rc = E_INVALID_HEADER_NAME; ep = p;
        break;
      }
      case S_VALUE_LEAD: {
        const e = R_FIXED + 4 * (tget(R_HEADER_COUNT) - 1);
        const limitEnd = b + tget(e) + tget(e + 1) + 1 + limitValue;
        c = byte(p);
        if (c == CR) {
          tset(e + 2, p - b); // empty value: points at its CR
          rc = finishValue(aux, p, p, end);
          if (rc < 0) { ep = fieldErrorPos; break; }
          state = S_VALUE_LF; p++;
          continue;
        }
        if (p >= limitEnd) { rc = E_HEADER_VALUE_TOO_LONG; ep = p; break; }
        if (c == SP || c == HTAB) { p++; continue; }
        if ((cls(c) & C_VALUE) == 0) { rc = c == LF ? E_BARE_LF : E_INVALID_HEADER_VALUE; ep = p; break; }
        tset(e + 2, p - b);
        state = S_VALUE;
        continue;
      }
      case S_NAME:
      case S_VALUE: {
        // Field lines in one inner loop: name → value → next name, leaving to the dispatch only for
        // the rare states (whitespace before the colon, OWS runs, end of head) or when bytes run out.
        while (true) {
          if (state == S_NAME) {
            const limitEnd = mark + limitName;
            if (ASC_FEATURE_SIMD && wideValue && p + 32 <= end && p + 32 <= limitEnd) {
              // One 32-byte window gives both the name's end and, for a short line, its value's CR:
              // the two scans no longer wait on each other (the dependency chain per field halves).
              // `cr` = the window's first CTL/DEL (HTAB included). Name bytes, ":" and SP are none, so
              // once the value scan reaches a position p < cr, every byte in [p, cr) is a value byte
              // and cr (< the window's end <= the value limit) is where scanValue would stop too.
              // A stale cr (from an earlier line) is always < p.
              const v = v128.load(<usize>p);
              const w = v128.load(<usize>p, 16);
              let nt = nonTcharMask(v); // most names end in the first 16 bytes: one lookup
              if (nt == 0) nt = nonTcharMask(w) << 16;
              const bad = ctlOrDelMask(v) | (ctlOrDelMask(w) << 16);
              cr = bad != 0 ? p + ctz(bad) : 0;
              if (nt == 0) {
                p = scanToken(p + 32, limitEnd < end ? limitEnd : end);
                if (p == end) break;
              } else {
                p += ctz(nt);
              }
            } else {
              p = scanToken(p, limitEnd < end ? limitEnd : end);
              if (p == end) break;
            }
            c = byte(p);
            if (c == 0x3a) {
              const count = tget(R_HEADER_COUNT);
              const e = R_FIXED + 4 * count;
              tset(e, mark - b); tset(e + 1, p - mark); tset(e + 2, p + 1 - b); tset(e + 3, 0);
              tset(R_HEADER_COUNT, count + 1);
              aux = fieldKind(mark, p - mark);
              if (aux == K_HOST) {
                if ((tget(R_FLAGS) & F_HOST) != 0) { rc = E_DUPLICATE_HOST; ep = mark; break; }
                tset(R_FLAGS, tget(R_FLAGS) | F_HOST);
                tset(R_HOST_INDEX, count);
              } else if (aux == K_UPGRADE) {
                tset(R_FLAGS, tget(R_FLAGS) | F_UPGRADE);
              } else if (aux == K_TRANSFER_ENCODING) {
                tset(R_FLAGS, tget(R_FLAGS) | F_TRANSFER_ENCODING);
              }
              p++;
              // Fast path for the usual ": v": straight to S_VALUE (the same checks S_VALUE_LEAD makes:
              // the SP and the first value byte are within the value limit, the byte is a non-OWS value byte).
              if (p + 1 < end && byte(p) == SP && limitValue > 1) {
                c = byte(p + 1);
                if (c > SP && c != 0x7f) {
                  p++;
                  tset(e + 2, p - b);
                  state = S_VALUE;
                  continue; // on to the value code below
                }
              }
              state = S_VALUE_LEAD;
              break;
            }
            if (p >= limitEnd) { rc = E_HEADER_NAME_TOO_LONG; ep = p; break; }
            if (c == SP || c == HTAB) { mark2 = p; p++; state = S_NAME_WS; break; }
            rc = E_INVALID_HEADER_NAME; ep = p;
            break;
          }
          const e = R_FIXED + 4 * (tget(R_HEADER_COUNT) - 1);
          // HTAB, SP, VCHAR, obs-text continue the value (its trailing OWS is trimmed at the CR).
          if (cr > p && byte(cr) == CR) {
            p = cr; // found in the name's window, which ends before the value limit (wideValue)
          } else {
            const limitEnd = b + tget(e) + tget(e + 1) + 1 + limitValue;
            p = scanValue(p, limitEnd < end ? limitEnd : end);
            if (p == end) break;
          }
          c = byte(p);
          if (c == CR) {
            const v0 = b + tget(e + 2);
            mark2 = trimValueEnd(v0, p);
            tset(e + 3, mark2 - v0);
            if (aux != K_NONE) {
              rc = finishValue(aux, v0, mark2, end);
              if (rc < 0) { ep = fieldErrorPos; break; }
            }
            p++;
            // Fast path: CRLF and the first byte of the next field name, without two more dispatches
            // (the same checks S_VALUE_LF and S_LINE_START make).
            if (p + 1 < end && byte(p) == LF) {
              p++;
              if ((cls(byte(p)) & C_TCHAR) != 0) {
                if (tget(R_HEADER_COUNT) >= limitHeaders) { rc = E_TOO_MANY_HEADERS; ep = p; break; }
                mark = p;
                state = S_NAME;
                continue; // the next field line, without leaving this loop
              }
              state = S_LINE_START;
              break;
            }
            state = S_VALUE_LF;
            break;
          }
          rc = p >= b + tget(e) + tget(e + 1) + 1 + limitValue ? E_HEADER_VALUE_TOO_LONG
            : c == LF ? E_BARE_LF : E_INVALID_HEADER_VALUE;
          ep = p;
          break;
        }
        if (rc != 0) break;
        continue;
      }
      case S_VALUE_LF: {
        if (byte(p) != LF) { rc = E_BARE_CR; ep = p; break; }
        state = S_LINE_START; p++;
        continue;
      }
      default: { // S_END_LF
        if (byte(p) != LF) { rc = E_BARE_CR; ep = p; break; }
        p++;
        if (p - b > limitHead) { rc = E_HEAD_TOO_LARGE; ep = b + limitHead; break; }
        rc = finishHead();
        if (rc < 0) { ep = p - 1; break; }
        rc = p - b;
        tset(R_HEAD_LEN, rc);
        tset(R_STATUS, rc);
        return rc;
      }
    }
    break; // every `break` out of the switch ends the scan (error, or bytes exhausted)
  }
  if (rc == 0) {
    if (len <= limitHead) {
      tset(R_RESUME_STATE, state); tset(R_RESUME_POS, p - b);
      tset(R_RESUME_MARK, mark - b); tset(R_RESUME_MARK2, mark2 - b); tset(R_RESUME_AUX, aux);
      return 0;
    }
    rc = E_HEAD_TOO_LARGE;
    ep = b + limitHead;
  }
  tset(R_STATUS, rc);
  tset(R_ERROR_POS, ep - b);
  return rc;
}
