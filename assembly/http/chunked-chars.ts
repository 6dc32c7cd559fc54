// Byte classes for the chunked decoder (chunk-size, chunk-ext and trailer field lines), one byte of
// flag bits per octet. Kept apart from the head parser's tables so the two can evolve separately;
// src/http/chunked/js/chars.ts builds the same table for the TypeScript twin from the same rules.
//
// The table is filled once by the module's start function from the RFC rules below, which reads
// better (and is harder to get wrong) than 256 literal bytes.

/** tchar (RFC 9110 §5.6.2): the characters of a token (ext-name, token ext-val, field-name). */
export const CH_TCHAR: u32 = 1;
/** HEXDIG (RFC 5234 B.1), either case: chunk-size digits. */
export const CH_HEX: u32 = 2;
/** qdtext (RFC 9110 §5.6.4): HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text. */
export const CH_QDTEXT: u32 = 4;
/** The octet after "\" in a quoted-pair (RFC 9110 §5.6.4): HTAB / SP / VCHAR / obs-text. */
export const CH_QPAIR: u32 = 8;
/** field-vchar (RFC 9110 §5.5): VCHAR / obs-text; SP and HTAB are handled apart (they may be trimmed). */
export const CH_FIELD: u32 = 16;

const CLASS_PTR: usize = memory.data(256, 16);

function isTchar(c: i32): bool {
  if ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)) return true;
  // "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~"
  return c == 0x21 || c == 0x23 || c == 0x24 || c == 0x25 || c == 0x26 || c == 0x27 || c == 0x2a ||
    c == 0x2b || c == 0x2d || c == 0x2e || c == 0x5e || c == 0x5f || c == 0x60 || c == 0x7c || c == 0x7e;
}

function classify(c: i32): u32 {
  let bits: u32 = 0;
  const vchar = c >= 0x21 && c <= 0x7e;
  const obsText = c >= 0x80;
  if (isTchar(c)) bits |= CH_TCHAR;
  if ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66)) bits |= CH_HEX;
  if (c == 0x09 || c == 0x20 || c == 0x21 || (c >= 0x23 && c <= 0x5b) || (c >= 0x5d && c <= 0x7e) || obsText) {
    bits |= CH_QDTEXT;
  }
  if (c == 0x09 || c == 0x20 || vchar || obsText) bits |= CH_QPAIR;
  if (vchar || obsText) bits |= CH_FIELD;
  return bits;
}

for (let c = 0; c < 256; c++) store<u8>(CLASS_PTR + <usize>c, <u8>classify(c));

/** The CH_* bits of one octet. */
// @ts-ignore: decorator
@inline export function charClass(b: u32): u32 {
  return <u32>load<u8>(CLASS_PTR + <usize>b);
}

/** Value of a hex digit already known to be CH_HEX: '0'-'9' → 0-9, 'A'-'F' / 'a'-'f' → 10-15. */
// @ts-ignore: decorator
@inline export function hexValue(b: u32): u64 {
  return <u64>(b <= 0x39 ? b - 0x30 : (b | 0x20) - 0x57);
}
