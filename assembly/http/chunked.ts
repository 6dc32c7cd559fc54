// The chunked transfer-coding decoder (RFC 9112 §7.1), one flat state machine over the chunk table.
//
//   chunked-body = *chunk last-chunk trailer-section CRLF
//   chunk        = chunk-size [ chunk-ext ] CRLF chunk-data CRLF
//   last-chunk   = 1*("0") [ chunk-ext ] CRLF
//   chunk-ext    = *( BWS ";" BWS ext-name [ BWS "=" BWS ext-val ] )       (§7.1.1)
//
// Everything the machine needs between calls lives in the table slots C_STATE, C_REMAIN_LO/HI,
// C_AUX and C_TRAILER_COUNT, so one instance serves any number of bodies: the host restores a
// body's slots before a call and saves them after.
//
// Every loop on a size line is bounded, so `chunk-size [ chunk-ext ] CRLF` is at most
// C_LIMIT_SIZE_DIGITS + C_LIMIT_EXT + 2 bytes. The grammar allows any number of leading zeros
// (1*HEXDIG), and they leave the value at 0, so the value check alone never ends a line of `0000…`:
// C_AUX counts every digit of the size, leading zeros included, across calls (E_CHUNK_SIZE_TOO_LONG
// past C_LIMIT_SIZE_DIGITS); the value itself stays ≤ 2^53 - 1 (E_CHUNK_SIZE_OVERFLOW at the digit
// that crosses it, i.e. at most 14 significant digits). On the digit that crosses both, the digit
// limit is checked first. From the first byte after the size on, C_AUX counts extension bytes
// instead (BWS included, E_CHUNK_EXT_TOO_LONG past C_LIMIT_EXT). Size lines are consumed byte by byte (a size line
// trickled one byte per packet costs O(1) per byte); data is reported as spans, never copied; a
// trailer line whose CRLF has not arrived is left unconsumed (see chunked-trailer.ts).
// Only decodeChunked is exported: index.ts re-exports this file and every export becomes a global.
import {
  C_STATE, C_REMAIN_LO, C_REMAIN_HI, C_AUX, C_TRAILER_COUNT, C_SPAN_COUNT, C_TRAILER_SPANS,
  C_ERROR_POS, C_LIMIT_EXT, C_LIMIT_TRAILERS, C_LIMIT_LINE, C_LIMIT_SIZE_DIGITS, C_FIXED, C_SPAN_STRIDE,
  C_TRAILER_STRIDE, CHUNK_SLOTS, CS_SIZE, CS_DATA, CS_TRAILER, CS_DONE,
  E_INVALID_CHUNK_SIZE, E_CHUNK_SIZE_OVERFLOW, E_CHUNK_SIZE_TOO_LONG, E_INVALID_CHUNK_EXT, E_CHUNK_EXT_TOO_LONG,
  E_CHUNK_DATA_NO_CRLF, E_BARE_CR, E_BARE_LF, E_OBS_FOLD, E_INVALID_HEADER_NAME, E_TOO_MANY_HEADERS,
} from '../abi';
import { CHUNK_TABLE_PTR } from '../regions';
import { charClass, hexValue, CH_HEX, CH_QDTEXT, CH_QPAIR, CH_TCHAR } from './chunked-chars';
import {
  scanTrailerLine, LINE_INCOMPLETE, lineNameLen, lineValueOff, lineValueLen, lineErrorPos,
} from './chunked-trailer';

// Internal states of the size line (CS_SIZE = 0 is its first byte). src/http/chunked/js/core.ts mirrors them.
const S_SIZE_DIGITS: i32 = 1; //  after ≥ 1 hex digit
const S_EXT_END: i32 = 2; //      after the size, an ext-val or a closing quote: OWS, ";" or CR
const S_EXT_WS: i32 = 3; //       BWS that must lead to ";"
const S_EXT_SEMI: i32 = 4; //     after ";": BWS then ext-name
const S_EXT_NAME: i32 = 5;
const S_EXT_NAME_WS: i32 = 6; //  BWS after ext-name: "=" or ";" must follow
const S_EXT_EQ: i32 = 7; //       after "=": BWS then token or quoted-string
const S_EXT_TOKEN: i32 = 8;
const S_EXT_QS: i32 = 9; //       inside a quoted-string
const S_EXT_QS_ESC: i32 = 10; //  after "\" in a quoted-string
const S_SIZE_LF: i32 = 11; //     after the size line's CR
// CS_DATA = 20 (C_REMAIN_* bytes of data left; at 0 the data's CRLF is next)
const S_DATA_CR: i32 = 21;
const S_DATA_LF: i32 = 22;
// CS_TRAILER = 30, CS_DONE = 100

/** A chunk-size above this cannot take one more hex digit without passing 2^53 - 1. */
const MAX_SIZE_BEFORE_DIGIT: u64 = 0x1ffffffffffff;

// @ts-ignore: decorator
@inline function getSlot(i: i32): i32 { return load<i32>(CHUNK_TABLE_PTR + (<usize>i << 2)); }
// @ts-ignore: decorator
@inline function getSlotU64(i: i32): u64 { return <u64>load<u32>(CHUNK_TABLE_PTR + (<usize>i << 2)); }
// @ts-ignore: decorator
@inline function setSlot(i: i32, v: i32): void { store<i32>(CHUNK_TABLE_PTR + (<usize>i << 2), v); }
// @ts-ignore: decorator
@inline function fail(code: i32, pos: i32): i32 { setSlot(C_ERROR_POS, pos); return code; }
// @ts-ignore: decorator
@inline function isWs(b: u32): bool { return b == 0x20 || b == 0x09; }

/** One byte of a chunk-ext (state S_EXT_*, byte neither CR nor LF). Returns the next state or an E_* code. */
function extByte(state: i32, b: u32): i32 {
  const cls = charClass(b);
  if (state == S_EXT_END || state == S_EXT_WS) {
    if (isWs(b)) return S_EXT_WS;
    return b == 0x3b ? S_EXT_SEMI : E_INVALID_CHUNK_EXT;
  }
  if (state == S_EXT_SEMI) {
    if (isWs(b)) return S_EXT_SEMI;
    return cls & CH_TCHAR ? S_EXT_NAME : E_INVALID_CHUNK_EXT;
  }
  if (state == S_EXT_NAME || state == S_EXT_NAME_WS) {
    if (state == S_EXT_NAME && (cls & CH_TCHAR)) return S_EXT_NAME;
    if (isWs(b)) return S_EXT_NAME_WS;
    if (b == 0x3d) return S_EXT_EQ;
    return b == 0x3b ? S_EXT_SEMI : E_INVALID_CHUNK_EXT;
  }
  if (state == S_EXT_EQ) {
    if (isWs(b)) return S_EXT_EQ;
    if (b == 0x22) return S_EXT_QS;
    return cls & CH_TCHAR ? S_EXT_TOKEN : E_INVALID_CHUNK_EXT;
  }
  if (state == S_EXT_TOKEN) {
    if (cls & CH_TCHAR) return S_EXT_TOKEN;
    if (isWs(b)) return S_EXT_WS;
    return b == 0x3b ? S_EXT_SEMI : E_INVALID_CHUNK_EXT;
  }
  if (state == S_EXT_QS) {
    if (b == 0x22) return S_EXT_END;
    if (b == 0x5c) return S_EXT_QS_ESC;
    return cls & CH_QDTEXT ? S_EXT_QS : E_INVALID_CHUNK_EXT;
  }
  // S_EXT_QS_ESC: quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text )
  return cls & CH_QPAIR ? S_EXT_QS : E_INVALID_CHUNK_EXT;
}

/**
 * Decode chunked-body bytes at [ptr, ptr + len). Returns the bytes consumed (all of them unless the
 * body completed, the table filled, or a trailer line is incomplete), or a negative E_* code with
 * C_ERROR_POS set. Out: C_SPAN_COUNT data spans from C_FIXED, C_TRAILER_SPANS trailer quads from the
 * table's end backwards (all offsets relative to ptr). Never reads at or beyond ptr + len.
 */
export function decodeChunked(ptr: usize, len: i32): i32 {
  let state = getSlot(C_STATE);
  // Loaded as u32 on purpose: `<u64><u32>` over an inlined i32 load came out sign-extended.
  let remain: u64 = (getSlotU64(C_REMAIN_HI) << 32) | getSlotU64(C_REMAIN_LO);
  let aux = getSlot(C_AUX);
  let trailerCount = getSlot(C_TRAILER_COUNT);
  const maxDigits = getSlot(C_LIMIT_SIZE_DIGITS);
  let spans = 0;
  let trailers = 0;
  let i = 0;
  setSlot(C_SPAN_COUNT, 0);
  setSlot(C_TRAILER_SPANS, 0);
  if (state == CS_DONE) return 0;

  while (i < len) {
    if (state == CS_DATA) {
      if (remain == 0) { state = S_DATA_CR; continue; }
      // Table full: stop here, the host calls again with the rest.
      if (C_FIXED + (spans + 1) * C_SPAN_STRIDE > CHUNK_SLOTS - trailers * C_TRAILER_STRIDE) break;
      const avail = <u64>(len - i);
      const n = remain < avail ? remain : avail;
      const at = C_FIXED + spans * C_SPAN_STRIDE;
      setSlot(at, i);
      setSlot(at + 1, <i32>n);
      spans++;
      i += <i32>n;
      remain -= n;
      continue;
    }
    const b = <u32>load<u8>(ptr + <usize>i);

    if (state == CS_TRAILER) {
      // trailer-section = *( field-line CRLF ), then the CRLF that ends the message.
      if (b == 0x0d) {
        if (i + 1 >= len) break; // the LF is not here yet: leave the CR unconsumed
        if (load<u8>(ptr + <usize>(i + 1)) != 0x0a) return fail(E_BARE_CR, i + 1);
        i += 2;
        state = CS_DONE;
        break;
      }
      if (b == 0x0a) return fail(E_BARE_LF, i);
      // A line starting with whitespace continues the previous field: obs-fold (RFC 9112 §5.2).
      if (isWs(b)) return fail(trailerCount > 0 ? E_OBS_FOLD : E_INVALID_HEADER_NAME, i);
      if (trailerCount >= getSlot(C_LIMIT_TRAILERS)) return fail(E_TOO_MANY_HEADERS, i);
      if (C_FIXED + spans * C_SPAN_STRIDE + (trailers + 1) * C_TRAILER_STRIDE > CHUNK_SLOTS) break;
      const next = scanTrailerLine(ptr, i, len, getSlot(C_LIMIT_LINE));
      if (next == LINE_INCOMPLETE) break;
      if (next < 0) return fail(next, lineErrorPos);
      const at = CHUNK_SLOTS - (trailers + 1) * C_TRAILER_STRIDE;
      setSlot(at, i);
      setSlot(at + 1, lineNameLen);
      setSlot(at + 2, lineValueOff);
      setSlot(at + 3, lineValueLen);
      trailers++;
      trailerCount++;
      i = next;
      continue;
    }

    if (state == S_DATA_CR || state == S_DATA_LF) {
      // chunk-data is followed by exactly CRLF (RFC 9112 §7.1); anything else means a wrong size.
      if (b != (state == S_DATA_CR ? 0x0d : 0x0a)) return fail(E_CHUNK_DATA_NO_CRLF, i);
      state = state == S_DATA_CR ? S_DATA_LF : CS_SIZE;
      i++;
      continue;
    }

    if (state == CS_SIZE) {
      // chunk-size = 1*HEXDIG: no sign, no "0x", no leading whitespace.
      if (!(charClass(b) & CH_HEX)) return fail(E_INVALID_CHUNK_SIZE, i);
      remain = hexValue(b);
      aux = 1; // digits of this size so far (the limit is ≥ 1)
      state = S_SIZE_DIGITS;
      i++;
      continue;
    }

    if (state == S_SIZE_DIGITS) {
      if (charClass(b) & CH_HEX) {
        // Leading zeros count toward the digit limit (else `000…` is an endless line); the value
        // itself must stay ≤ 2^53 - 1.
        if (++aux > maxDigits) return fail(E_CHUNK_SIZE_TOO_LONG, i);
        if (remain > MAX_SIZE_BEFORE_DIGIT) return fail(E_CHUNK_SIZE_OVERFLOW, i);
        remain = (remain << 4) | hexValue(b);
        i++;
        continue;
      }
      if (b == 0x0d) { state = S_SIZE_LF; i++; continue; }
      if (b == 0x0a) return fail(E_BARE_LF, i);
      if (b != 0x3b && !isWs(b)) return fail(E_INVALID_CHUNK_SIZE, i);
      aux = 0; // from here C_AUX counts extension bytes
      state = S_EXT_END; // the extension starts at this byte: fall through to count and check it
    }

    if (state == S_SIZE_LF) {
      if (b != 0x0a) return fail(E_BARE_CR, i);
      state = remain == 0 ? CS_TRAILER : CS_DATA; // a zero size is the last-chunk
      i++;
      continue;
    }

    // chunk-ext bytes (states S_EXT_*). CR ends the line only where an extension may end.
    if (b == 0x0d) {
      if (state != S_EXT_END && state != S_EXT_NAME && state != S_EXT_TOKEN) return fail(E_INVALID_CHUNK_EXT, i);
      state = S_SIZE_LF;
      i++;
      continue;
    }
    if (b == 0x0a) return fail(E_BARE_LF, i);
    if (++aux > getSlot(C_LIMIT_EXT)) return fail(E_CHUNK_EXT_TOO_LONG, i);
    const next = extByte(state, b);
    if (next < 0) return fail(next, i);
    state = next;
    i++;
  }

  setSlot(C_STATE, state);
  setSlot(C_REMAIN_LO, <i32>(remain & 0xffffffff));
  setSlot(C_REMAIN_HI, <i32>(remain >> 32));
  setSlot(C_AUX, aux);
  setSlot(C_TRAILER_COUNT, trailerCount);
  setSlot(C_SPAN_COUNT, spans);
  setSlot(C_TRAILER_SPANS, trailers);
  return i;
}
