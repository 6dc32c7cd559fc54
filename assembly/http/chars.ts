// Byte classes for the head parser, one bit per class (twin of src/http/head/js/chars.ts, which holds the
// same definitions; a test compares every byte). Built once when the module starts, so no run-time
// cost and no generated literal to drift from its source.

export const C_TCHAR: u8 = 1; //   RFC 9110 §5.6.2 tchar
export const C_URI: u8 = 2; //     strict request-target bytes: RFC 3986 unreserved, sub-delims, ":@/?%[]"
export const C_VALUE: u8 = 4; //   field-value bytes: HTAB, SP, VCHAR, obs-text (RFC 9110 §5.5)
export const C_DIGIT: u8 = 8;
export const C_TARGET: u8 = 16; // default request-target bytes: C_URI plus "|^{}\`" (browsers send them raw)
export const C_SCHEME: u8 = 32; // ALPHA DIGIT "+" "-" "." (RFC 3986 §3.1)
export const C_HOST: u8 = 64; //   reg-name bytes: unreserved, sub-delims, "%" (RFC 3986 §3.2.2)
export const C_HEX: u8 = 128;

export const CLASS_PTR: usize = memory.data(256, 16);

// The punctuation of each set, as bytes (no strings at run time).
const TCHAR_PUNCT = memory.data<u8>([0x21, 0x23, 0x24, 0x25, 0x26, 0x27, 0x2a, 0x2b, 0x2d, 0x2e, 0x5e, 0x5f, 0x60, 0x7c, 0x7e]); // !#$%&'*+-.^_`|~
const URI_PUNCT = memory.data<u8>([0x2d, 0x2e, 0x5f, 0x7e, 0x25, 0x21, 0x24, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x2b, 0x2c, 0x3b, 0x3d, 0x3a, 0x40, 0x2f, 0x3f, 0x5b, 0x5d]); // -._~%!$&'()*+,;=:@/?[]
const BROWSER_PUNCT = memory.data<u8>([0x7c, 0x5e, 0x7b, 0x7d, 0x5c, 0x60]); // |^{}\`
const HOST_PUNCT = memory.data<u8>([0x2d, 0x2e, 0x5f, 0x7e, 0x21, 0x24, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x2b, 0x2c, 0x3b, 0x3d, 0x25]); // -._~!$&'()*+,;=%
const SCHEME_PUNCT = memory.data<u8>([0x2b, 0x2d, 0x2e]); // +-.

function inSet(c: i32, set: usize, n: i32): bool {
  for (let i = 0; i < n; i++) if (<i32>load<u8>(set + i) == c) return true;
  return false;
}

function classOf(c: i32): u8 {
  const digit = c >= 0x30 && c <= 0x39;
  const alpha = (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
  const alnum = digit || alpha;
  let k: u8 = 0;
  if (alnum || inSet(c, TCHAR_PUNCT, 15)) k |= C_TCHAR;
  if (alnum || inSet(c, URI_PUNCT, 22)) k |= C_URI;
  if (alnum || inSet(c, URI_PUNCT, 22) || inSet(c, BROWSER_PUNCT, 6)) k |= C_TARGET;
  if (c == 0x09 || (c >= 0x20 && c != 0x7f)) k |= C_VALUE;
  if (digit) k |= C_DIGIT;
  if (alnum || inSet(c, SCHEME_PUNCT, 3)) k |= C_SCHEME;
  if (alnum || inSet(c, HOST_PUNCT, 16)) k |= C_HOST;
  if (digit || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66)) k |= C_HEX;
  return k;
}

for (let c = 0; c < 256; c++) store<u8>(CLASS_PTR + c, classOf(c));

/** Class bits of byte c. */
// @ts-ignore: decorator
@inline export function cls(c: i32): i32 {
  return <i32>load<u8>(CLASS_PTR + <usize>c);
}
