// Byte classes for the TypeScript chunked decoder: the same table, built from the same RFC rules, as
// assembly/http/chunked-chars.ts (the differential tests compare the two decoders byte for byte).

/** tchar (RFC 9110 §5.6.2). */
export const CH_TCHAR = 1;
/** HEXDIG, either case. */
export const CH_HEX = 2;
/** qdtext (RFC 9110 §5.6.4). */
export const CH_QDTEXT = 4;
/** The octet after "\" in a quoted-pair (RFC 9110 §5.6.4). */
export const CH_QPAIR = 8;
/** field-vchar (RFC 9110 §5.5): VCHAR / obs-text. */
export const CH_FIELD = 16;

const TCHAR_SYMBOLS = "!#$%&'*+-.^_`|~";

function classify(c: number): number {
  let bits = 0;
  const vchar = c >= 0x21 && c <= 0x7e;
  const obsText = c >= 0x80;
  const alnum = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
  if (alnum || TCHAR_SYMBOLS.includes(String.fromCharCode(c))) bits |= CH_TCHAR;
  if ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66)) bits |= CH_HEX;
  if (c === 0x09 || c === 0x20 || c === 0x21 || (c >= 0x23 && c <= 0x5b) || (c >= 0x5d && c <= 0x7e) || obsText) {
    bits |= CH_QDTEXT;
  }
  if (c === 0x09 || c === 0x20 || vchar || obsText) bits |= CH_QPAIR;
  if (vchar || obsText) bits |= CH_FIELD;
  return bits;
}

/** CH_* bits per octet. */
export const CHAR_CLASS: Uint8Array = Uint8Array.from({ length: 256 }, (_, c) => classify(c));

/** Value of a byte already known to be CH_HEX. */
export function hexValue(b: number): number {
  return b <= 0x39 ? b - 0x30 : (b | 0x20) - 0x57;
}
