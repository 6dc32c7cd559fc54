// One trailer field line (RFC 9112 §7.1.2: trailer fields use the field-line grammar of §5):
//   field-line = field-name ":" OWS field-value OWS
// The line is scanned from its first byte every time: when its CRLF has not arrived yet the caller
// leaves the whole line unconsumed and the host hands it back with more bytes on the next call. That
// keeps the table state small (no half-parsed line to remember) and the line-length limit bounds
// the rescan. Checks run strictly in byte order, so the first error is the same at every split.
import {
  E_BARE_CR, E_BARE_LF, E_HEADER_VALUE_TOO_LONG, E_INVALID_HEADER_NAME, E_INVALID_HEADER_VALUE,
  E_SPACE_BEFORE_COLON,
} from '../abi';
import { charClass, CH_FIELD, CH_TCHAR } from './chunked-chars';

/** scanTrailerLine result when the line's CRLF is not in the input yet. */
export const LINE_INCOMPLETE: i32 = i32.MIN_VALUE;

// Out-values of the last complete line (offsets relative to ptr). Plain globals: no allocation.
export let lineNameLen: i32 = 0;
export let lineValueOff: i32 = 0;
export let lineValueLen: i32 = 0;
/** Offending offset when scanTrailerLine returns an error code. */
export let lineErrorPos: i32 = 0;

// @ts-ignore: decorator
@inline function fail(code: i32, pos: i32): i32 {
  lineErrorPos = pos;
  return code;
}

/**
 * Scan the field line starting at `start` (its first byte is known to be neither CR, LF, SP nor
 * HTAB). Returns the offset just past its CRLF, LINE_INCOMPLETE, or a negative E_* code.
 * `maxLine` bounds the bytes before the CR (E_HEADER_VALUE_TOO_LONG as soon as it is crossed).
 */
export function scanTrailerLine(ptr: usize, start: i32, len: i32, maxLine: i32): i32 {
  let j = start;
  // field-name = token, directly followed by ":" (RFC 9112 §5.1: no whitespace before the colon).
  while (true) {
    if (j >= len) return LINE_INCOMPLETE;
    const b = <u32>load<u8>(ptr + <usize>j);
    if (j - start >= maxLine) return fail(E_HEADER_VALUE_TOO_LONG, j);
    if (charClass(b) & CH_TCHAR) { j++; continue; }
    if (b == 0x3a) break;
    if (b == 0x20 || b == 0x09) {
      // Whitespace after a name: an error either way; which one depends on what follows it.
      const ws = j;
      while (true) {
        j++;
        if (j >= len) return LINE_INCOMPLETE;
        if (j - start >= maxLine) return fail(E_HEADER_VALUE_TOO_LONG, j);
        const w = <u32>load<u8>(ptr + <usize>j);
        if (w == 0x20 || w == 0x09) continue;
        return w == 0x3a ? fail(E_SPACE_BEFORE_COLON, ws) : fail(E_INVALID_HEADER_NAME, j);
      }
    }
    return fail(E_INVALID_HEADER_NAME, j);
  }
  if (j == start) return fail(E_INVALID_HEADER_NAME, j); // empty name
  lineNameLen = j - start;
  j++;
  // field-value: leading and trailing OWS are not part of the value (RFC 9110 §5.5).
  let valueStart = -1;
  let valueEnd = j;
  while (true) {
    if (j >= len) return LINE_INCOMPLETE;
    const b = <u32>load<u8>(ptr + <usize>j);
    if (b == 0x0d) {
      if (j + 1 >= len) return LINE_INCOMPLETE;
      if (load<u8>(ptr + <usize>(j + 1)) != 0x0a) return fail(E_BARE_CR, j + 1);
      break;
    }
    if (j - start >= maxLine) return fail(E_HEADER_VALUE_TOO_LONG, j);
    if (b == 0x20 || b == 0x09) { j++; continue; }
    if (charClass(b) & CH_FIELD) {
      if (valueStart < 0) valueStart = j;
      j++;
      valueEnd = j;
      continue;
    }
    // NUL, other CTLs and DEL are never allowed in a value (RFC 9110 §5.5); a lone LF is not a line end.
    return b == 0x0a ? fail(E_BARE_LF, j) : fail(E_INVALID_HEADER_VALUE, j);
  }
  if (valueStart < 0) { valueStart = j; valueEnd = j; }
  lineValueOff = valueStart;
  lineValueLen = valueEnd - valueStart;
  return j + 2;
}
