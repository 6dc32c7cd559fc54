// The common case of the TypeScript head parser: a fresh, well-formed head that is wholly in view.
//
// Straight-line code over the bytes (no state dispatch, no resume bookkeeping) that either fills the
// result table exactly as the state machine in core.ts would, or gives up and returns 0. It
// gives up on anything unusual — an incomplete head, any byte the grammar rejects, any limit reached
// or nearly reached, a failed special-field check — and parseHeadJs then runs the state machine from
// the start, which alone decides errors and their positions. So this path may only accept what the
// state machine accepts (RFC 9112 §2–§5, RFC 9110 §5), and must fill identical slots when it does.
import * as abi from '../../../abi.js';
import * as chars from './chars.js';
import * as requestLine from './line.js';
import * as scan from './scan.js';
import * as special from './special.js';

// Imported values bound to module-local constants: V8 (Node 20) folds a module's own `const`
// bindings into optimized code, but reads an imported binding through its cell, with a TDZ check,
// at every use (docs/parser.md, "Hot-path notes").
const { F_HOST, F_TRANSFER_ENCODING, F_UPGRADE, MAX_HEADERS, R_CL_HI, R_CL_LO, R_CONN_STATE, R_ERROR_POS, R_FIXED,
  R_FLAGS, R_HEAD_LEN, R_HEADER_COUNT, R_HOST_INDEX, R_LIMIT_HEAD, R_LIMIT_HEADERS, R_LIMIT_NAME, R_LIMIT_TARGET,
  R_LIMIT_VALUE, R_METHOD, R_METHOD_LEN, R_METHOD_OFF, R_RESUME_AUX, R_RESUME_MARK, R_RESUME_MARK2, R_RESUME_POS,
  R_RESUME_STATE, R_STATUS, R_STRICT_TARGET, R_TARGET_FORM, R_TARGET_LEN, R_TARGET_OFF, R_TE_STATE, R_VERSION } = abi;
const { CLASS, C_TARGET, C_TCHAR, C_URI, C_VALUE, PAIR_CLASS } = chars;
const { methodId, targetForm } = requestLine;
const { firstFlagged, outsidePrintable, scanClassWords, wordOffset, wordView } = scan;
const { fieldKind, finishHead, finishValue, K_HOST, K_NONE, K_TRANSFER_ENCODING, K_UPGRADE } = special;

const MAX_METHOD = 32;
/** Bit n set when some special field name has n bytes (Host 4, Expect 6, Upgrade 7, Connection 10,
 * Content-Length 14, Transfer-Encoding 17): other names skip the fieldKind call. (Shift counts wrap at
 * 32, so a few longer names still call it; fieldKind itself decides.) */
const SPECIAL_NAME_LENGTHS = (1 << 4) | (1 << 6) | (1 << 7) | (1 << 10) | (1 << 14) | (1 << 17);
const CR = 0x0d;
const LF = 0x0a;
const SP = 0x20;
const HTAB = 0x09;

/**
 * Reset the slots a parse owns that the end of parseWholeHeadJs does not write (the limits,
 * R_STRICT_TARGET and the header entries are not the parse's to reset), as the state machine's fresh start does.
 */
function clearTable(t: Int32Array): void {
  t[R_ERROR_POS] = 0; t[R_FLAGS] = 0; t[R_CL_LO] = 0; t[R_CL_HI] = 0; t[R_HOST_INDEX] = -1;
  t[R_RESUME_STATE] = 0; t[R_RESUME_POS] = 0; t[R_RESUME_MARK] = 0; t[R_RESUME_MARK2] = 0; t[R_RESUME_AUX] = 0;
  t[R_TE_STATE] = 0; t[R_CONN_STATE] = 0;
  for (let i = R_CONN_STATE + 1; i < R_FIXED; i++) if (i !== R_STRICT_TARGET) t[i] = 0; // configuration stays
}

/**
 * Parse the complete head at buf[b, b + len) into `t` (base 0) and return its length, or return 0
 * when the state machine must decide (the table is then left for it to reset).
 */
export function parseWholeHeadJs(buf: Uint8Array, b: number, len: number, t: Int32Array): number {
  const limitHead = t[R_LIMIT_HEAD]!;
  // A head longer than the limit is the state machine's to reject (this path never looks past it).
  const end = b + (len < limitHead ? len : limitHead);
  let p = b;

  // Request line: method SP request-target SP HTTP-version CRLF (RFC 9112 §3).
  const methodStop = b + MAX_METHOD < end ? b + MAX_METHOD : end;
  while (p < methodStop && (CLASS[buf[p]!]! & C_TCHAR) !== 0) p++;
  if (p === b || p >= methodStop || buf[p] !== SP) return 0;
  const method = methodId(buf, b, p - b);
  const target0 = ++p;
  const limitTarget = t[R_LIMIT_TARGET]!;
  const targetStop = target0 + limitTarget < end ? target0 + limitTarget : end;
  p = scanClassWords(buf, p, targetStop, t[R_STRICT_TARGET] !== 0 ? C_URI : C_TARGET);
  if (p === target0 || p >= targetStop || buf[p] !== SP) return 0;
  const form = targetForm(buf, target0, p, method);
  if (form < 0) return 0;
  const target1 = p++;
  // "HTTP/1.D" CRLF: the only versions this server speaks (RFC 9112 §2.3, RFC 9110 §2.5).
  if (p + 10 > end || buf[p] !== 0x48 || buf[p + 1] !== 0x54 || buf[p + 2] !== 0x54 || buf[p + 3] !== 0x50 ||
    buf[p + 4] !== 0x2f || buf[p + 5] !== 0x31 || buf[p + 6] !== 0x2e || buf[p + 7]! - 0x30 >>> 0 > 9 ||
    buf[p + 8] !== CR || buf[p + 9] !== LF) return 0;
  const version = 10 + buf[p + 7]! - 0x30;
  p += 10;

  clearTable(t);
  t[R_VERSION] = version; // read by the special-field checks and finishHead
  const limitName = t[R_LIMIT_NAME]!;
  const limitValue = t[R_LIMIT_VALUE]!;
  const limitHeaders = t[R_LIMIT_HEADERS]! < MAX_HEADERS ? t[R_LIMIT_HEADERS]! : MAX_HEADERS;
  let count = 0;
  let e = R_FIXED;
  const dv = wordView(buf);
  const off = wordOffset();
  // field-line = field-name ":" OWS field-value OWS CRLF (RFC 9112 §5); then the empty line.
  for (;;) {
    if (p >= end) return 0;
    const name0 = p;
    if ((CLASS[buf[p]!]! & C_TCHAR) === 0) break; // the final CRLF, or something to reject
    if (count >= limitHeaders) return 0;
    const nameStop = name0 + limitName < end ? name0 + limitName : end;
    // The name, four bytes at a time (scanClassWords, inlined: this loop runs once per field).
    while (p + 4 <= nameStop) {
      const x = dv.getInt32(off + p, true);
      const low = PAIR_CLASS[x & 0xffff]!; // bytes p, p + 1
      if ((low & PAIR_CLASS[x >>> 16]! & C_TCHAR) === 0) {
        if ((low & C_TCHAR) !== 0) p += 2; // the first non-tchar (usually the colon) is in the high pair
        break;
      }
      p += 4;
    }
    while (p < nameStop && (CLASS[buf[p]!]! & C_TCHAR) !== 0) p++;
    if (p >= nameStop || buf[p] !== 0x3a) return 0;
    const nameLen = p - name0;
    const kind = ((SPECIAL_NAME_LENGTHS >>> nameLen) & 1) !== 0 ? fieldKind(buf, name0, nameLen) : K_NONE;
    if (kind !== K_NONE) {
      const flags = t[R_FLAGS]!;
      if (kind === K_HOST) {
        if ((flags & F_HOST) !== 0) return 0;
        t[R_FLAGS] = flags | F_HOST;
        t[R_HOST_INDEX] = count;
      } else if (kind === K_UPGRADE) {
        t[R_FLAGS] = flags | F_UPGRADE;
      } else if (kind === K_TRANSFER_ENCODING) {
        t[R_FLAGS] = flags | F_TRANSFER_ENCODING;
      }
    }
    p++;
    // The value may not reach past colon + 1 + limit (the state machine's bound; bail at it).
    const valueLimit = p + limitValue;
    const valueStop = valueLimit < end ? valueLimit : end;
    while (p < valueStop && (buf[p] === SP || buf[p] === HTAB)) p++;
    if (p >= valueStop) return 0;
    const value0 = p;
    let value1 = p;
    if (buf[p] !== CR) {
      // scanValue, inlined (once per field): the first byte outside 0x20..0x7E is located from the
      // word's flag bits, and is usually the CR.
      for (;;) {
        while (p + 8 <= valueStop && (outsidePrintable(dv.getInt32(off + p, true)) |
          outsidePrintable(dv.getInt32(off + p + 4, true))) === 0) p += 8;
        let flag = 0;
        while (p + 4 <= valueStop && (flag = outsidePrintable(dv.getInt32(off + p, true))) === 0) p += 4;
        if (flag === 0) { // fewer than 4 bytes left
          while (p < valueStop && (CLASS[buf[p]!]! & C_VALUE) !== 0) p++;
          break;
        }
        p += firstFlagged(flag);
        if ((CLASS[buf[p]!]! & C_VALUE) === 0) break;
        p++; // HTAB or obs-text: the value goes on
      }
      if (p >= valueStop || buf[p] !== CR) return 0;
      value1 = p;
      while (buf[value1 - 1] === SP || buf[value1 - 1] === HTAB) value1--; // value0 is not OWS
    }
    if (kind !== K_NONE && finishValue(buf, kind, value0, value1, t) < 0) return 0;
    if (p + 1 >= end || buf[p + 1] !== LF) return 0;
    t[e] = name0 - b; t[e + 1] = nameLen; t[e + 2] = value0 - b; t[e + 3] = value1 - value0;
    e += 4;
    count++;
    p += 2;
  }
  if (buf[p] !== CR || p + 1 >= end || buf[p + 1] !== LF) return 0;
  p += 2;
  t[R_HEADER_COUNT] = count;
  if (finishHead(t) < 0) return 0;
  const headLen = p - b;
  t[R_METHOD] = method; t[R_METHOD_OFF] = 0; t[R_METHOD_LEN] = target0 - 1 - b;
  t[R_TARGET_OFF] = target0 - b; t[R_TARGET_LEN] = target1 - target0; t[R_TARGET_FORM] = form;
  t[R_HEAD_LEN] = headLen;
  t[R_STATUS] = headLen;
  return headLen;
}
