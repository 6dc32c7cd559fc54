// The TypeScript twin of assembly/http/chunked.ts + chunked-trailer.ts: the same state machine over
// the same table layout (C_* slots of src/abi.ts), reading the caller's bytes directly. Keeping the
// ABI identical lets the tests compare the two engines slot by slot, and lets JsChunkedDecoder
// share the host logic of the WASM wrapper. Comments on the grammar live in the AssemblyScript source.
import {
  C_STATE, C_REMAIN_LO, C_REMAIN_HI, C_AUX, C_TRAILER_COUNT, C_SPAN_COUNT, C_TRAILER_SPANS,
  C_ERROR_POS, C_LIMIT_EXT, C_LIMIT_TRAILERS, C_LIMIT_LINE, C_LIMIT_SIZE_DIGITS, C_FIXED, C_SPAN_STRIDE,
  C_TRAILER_STRIDE, CHUNK_SLOTS, CS_SIZE, CS_DATA, CS_TRAILER, CS_DONE,
  E_INVALID_CHUNK_SIZE, E_CHUNK_SIZE_OVERFLOW, E_CHUNK_SIZE_TOO_LONG, E_INVALID_CHUNK_EXT, E_CHUNK_EXT_TOO_LONG,
  E_CHUNK_DATA_NO_CRLF, E_BARE_CR, E_BARE_LF, E_OBS_FOLD, E_INVALID_HEADER_NAME, E_TOO_MANY_HEADERS,
  E_HEADER_VALUE_TOO_LONG, E_INVALID_HEADER_VALUE, E_SPACE_BEFORE_COLON,
} from '../../../abi.js';
import { CHAR_CLASS, CH_FIELD, CH_HEX, CH_QDTEXT, CH_QPAIR, CH_TCHAR, hexValue } from './chars.js';

// Internal states, same numbers as assembly/http/chunked.ts.
const S_SIZE_DIGITS = 1;
const S_EXT_END = 2;
const S_EXT_WS = 3;
const S_EXT_SEMI = 4;
const S_EXT_NAME = 5;
const S_EXT_NAME_WS = 6;
const S_EXT_EQ = 7;
const S_EXT_TOKEN = 8;
const S_EXT_QS = 9;
const S_EXT_QS_ESC = 10;
const S_SIZE_LF = 11;
const S_DATA_CR = 21;
const S_DATA_LF = 22;

const MAX_SIZE_BEFORE_DIGIT = 0x1ffffffffffff;
const TWO_32 = 4294967296;
const LINE_INCOMPLETE = -0x80000000;

const isWs = (b: number): boolean => b === 0x20 || b === 0x09;

function fail(t: Int32Array, code: number, pos: number): number {
  t[C_ERROR_POS] = pos;
  return code;
}

function extByte(state: number, b: number): number {
  const cls = CHAR_CLASS[b]!;
  switch (state) {
    case S_EXT_END:
    case S_EXT_WS:
      if (isWs(b)) return S_EXT_WS;
      return b === 0x3b ? S_EXT_SEMI : E_INVALID_CHUNK_EXT;
    case S_EXT_SEMI:
      if (isWs(b)) return S_EXT_SEMI;
      return cls & CH_TCHAR ? S_EXT_NAME : E_INVALID_CHUNK_EXT;
    case S_EXT_NAME:
    case S_EXT_NAME_WS:
      if (state === S_EXT_NAME && cls & CH_TCHAR) return S_EXT_NAME;
      if (isWs(b)) return S_EXT_NAME_WS;
      if (b === 0x3d) return S_EXT_EQ;
      return b === 0x3b ? S_EXT_SEMI : E_INVALID_CHUNK_EXT;
    case S_EXT_EQ:
      if (isWs(b)) return S_EXT_EQ;
      if (b === 0x22) return S_EXT_QS;
      return cls & CH_TCHAR ? S_EXT_TOKEN : E_INVALID_CHUNK_EXT;
    case S_EXT_TOKEN:
      if (cls & CH_TCHAR) return S_EXT_TOKEN;
      if (isWs(b)) return S_EXT_WS;
      return b === 0x3b ? S_EXT_SEMI : E_INVALID_CHUNK_EXT;
    case S_EXT_QS:
      if (b === 0x22) return S_EXT_END;
      if (b === 0x5c) return S_EXT_QS_ESC;
      return cls & CH_QDTEXT ? S_EXT_QS : E_INVALID_CHUNK_EXT;
    default: // S_EXT_QS_ESC
      return cls & CH_QPAIR ? S_EXT_QS : E_INVALID_CHUNK_EXT;
  }
}

/**
 * One trailer field line starting at src[ptr + start]; writes its quad at table slot `at` on success.
 * Returns the offset past its CRLF, LINE_INCOMPLETE, or an E_* code (C_ERROR_POS set).
 */
function scanTrailerLine(src: Uint8Array, ptr: number, start: number, len: number, t: Int32Array, at: number): number {
  const maxLine = t[C_LIMIT_LINE]!;
  let j = start;
  for (;;) {
    if (j >= len) return LINE_INCOMPLETE;
    const b = src[ptr + j]!;
    if (j - start >= maxLine) return fail(t, E_HEADER_VALUE_TOO_LONG, j);
    if (CHAR_CLASS[b]! & CH_TCHAR) { j++; continue; }
    if (b === 0x3a) break;
    if (isWs(b)) {
      const ws = j;
      for (;;) {
        j++;
        if (j >= len) return LINE_INCOMPLETE;
        if (j - start >= maxLine) return fail(t, E_HEADER_VALUE_TOO_LONG, j);
        const w = src[ptr + j]!;
        if (isWs(w)) continue;
        return w === 0x3a ? fail(t, E_SPACE_BEFORE_COLON, ws) : fail(t, E_INVALID_HEADER_NAME, j);
      }
    }
    return fail(t, E_INVALID_HEADER_NAME, j);
  }
  if (j === start) return fail(t, E_INVALID_HEADER_NAME, j);
  const nameLen = j - start;
  j++;
  let valueStart = -1;
  let valueEnd = j;
  for (;;) {
    if (j >= len) return LINE_INCOMPLETE;
    const b = src[ptr + j]!;
    if (b === 0x0d) {
      if (j + 1 >= len) return LINE_INCOMPLETE;
      if (src[ptr + j + 1] !== 0x0a) return fail(t, E_BARE_CR, j + 1);
      break;
    }
    if (j - start >= maxLine) return fail(t, E_HEADER_VALUE_TOO_LONG, j);
    if (isWs(b)) { j++; continue; }
    if (CHAR_CLASS[b]! & CH_FIELD) {
      if (valueStart < 0) valueStart = j;
      valueEnd = ++j;
      continue;
    }
    return b === 0x0a ? fail(t, E_BARE_LF, j) : fail(t, E_INVALID_HEADER_VALUE, j);
  }
  if (valueStart < 0) valueStart = valueEnd = j;
  t[at] = start;
  t[at + 1] = nameLen;
  t[at + 2] = valueStart;
  t[at + 3] = valueEnd - valueStart;
  return j + 2;
}

/**
 * Decode chunked-body bytes src[ptr, ptr + len) with the state in table `t` (same contract as the
 * WASM export decodeChunked; offsets written to the table are relative to ptr).
 */
export function decodeChunkedJs(src: Uint8Array, ptr: number, len: number, t: Int32Array): number {
  let state = t[C_STATE]!;
  let remain = (t[C_REMAIN_HI]! >>> 0) * TWO_32 + (t[C_REMAIN_LO]! >>> 0);
  let aux = t[C_AUX]!;
  let trailerCount = t[C_TRAILER_COUNT]!;
  const maxDigits = t[C_LIMIT_SIZE_DIGITS]!;
  let spans = 0;
  let trailers = 0;
  let i = 0;
  t[C_SPAN_COUNT] = 0;
  t[C_TRAILER_SPANS] = 0;
  if (state === CS_DONE) return 0;

  while (i < len) {
    if (state === CS_DATA) {
      if (remain === 0) { state = S_DATA_CR; continue; }
      if (C_FIXED + (spans + 1) * C_SPAN_STRIDE > CHUNK_SLOTS - trailers * C_TRAILER_STRIDE) break;
      const n = Math.min(remain, len - i);
      const at = C_FIXED + spans * C_SPAN_STRIDE;
      t[at] = i;
      t[at + 1] = n;
      spans++;
      i += n;
      remain -= n;
      continue;
    }
    const b = src[ptr + i]!;

    if (state === CS_TRAILER) {
      if (b === 0x0d) {
        if (i + 1 >= len) break;
        if (src[ptr + i + 1] !== 0x0a) return fail(t, E_BARE_CR, i + 1);
        i += 2;
        state = CS_DONE;
        break;
      }
      if (b === 0x0a) return fail(t, E_BARE_LF, i);
      if (isWs(b)) return fail(t, trailerCount > 0 ? E_OBS_FOLD : E_INVALID_HEADER_NAME, i);
      if (trailerCount >= t[C_LIMIT_TRAILERS]!) return fail(t, E_TOO_MANY_HEADERS, i);
      if (C_FIXED + spans * C_SPAN_STRIDE + (trailers + 1) * C_TRAILER_STRIDE > CHUNK_SLOTS) break;
      const next = scanTrailerLine(src, ptr, i, len, t, CHUNK_SLOTS - (trailers + 1) * C_TRAILER_STRIDE);
      if (next === LINE_INCOMPLETE) break;
      if (next < 0) return next;
      trailers++;
      trailerCount++;
      i = next;
      continue;
    }

    if (state === S_DATA_CR || state === S_DATA_LF) {
      if (b !== (state === S_DATA_CR ? 0x0d : 0x0a)) return fail(t, E_CHUNK_DATA_NO_CRLF, i);
      state = state === S_DATA_CR ? S_DATA_LF : CS_SIZE;
      i++;
      continue;
    }

    if (state === CS_SIZE) {
      if (!(CHAR_CLASS[b]! & CH_HEX)) return fail(t, E_INVALID_CHUNK_SIZE, i);
      remain = hexValue(b);
      aux = 1; // digits of this size (leading zeros included); bounded by C_LIMIT_SIZE_DIGITS
      state = S_SIZE_DIGITS;
      i++;
      continue;
    }

    if (state === S_SIZE_DIGITS) {
      if (CHAR_CLASS[b]! & CH_HEX) {
        if (++aux > maxDigits) return fail(t, E_CHUNK_SIZE_TOO_LONG, i);
        if (remain > MAX_SIZE_BEFORE_DIGIT) return fail(t, E_CHUNK_SIZE_OVERFLOW, i);
        remain = remain * 16 + hexValue(b);
        i++;
        continue;
      }
      if (b === 0x0d) { state = S_SIZE_LF; i++; continue; }
      if (b === 0x0a) return fail(t, E_BARE_LF, i);
      if (b !== 0x3b && !isWs(b)) return fail(t, E_INVALID_CHUNK_SIZE, i);
      aux = 0; // from here C_AUX counts extension bytes
      state = S_EXT_END;
    }

    if (state === S_SIZE_LF) {
      if (b !== 0x0a) return fail(t, E_BARE_CR, i);
      state = remain === 0 ? CS_TRAILER : CS_DATA;
      i++;
      continue;
    }

    if (b === 0x0d) {
      if (state !== S_EXT_END && state !== S_EXT_NAME && state !== S_EXT_TOKEN) return fail(t, E_INVALID_CHUNK_EXT, i);
      state = S_SIZE_LF;
      i++;
      continue;
    }
    if (b === 0x0a) return fail(t, E_BARE_LF, i);
    if (++aux > t[C_LIMIT_EXT]!) return fail(t, E_CHUNK_EXT_TOO_LONG, i);
    const next = extByte(state, b);
    if (next < 0) return fail(t, next, i);
    state = next;
    i++;
  }

  t[C_STATE] = state;
  t[C_REMAIN_LO] = remain >>> 0;
  t[C_REMAIN_HI] = Math.floor(remain / TWO_32);
  t[C_AUX] = aux;
  t[C_TRAILER_COUNT] = trailerCount;
  t[C_SPAN_COUNT] = spans;
  t[C_TRAILER_SPANS] = trailers;
  return i;
}
