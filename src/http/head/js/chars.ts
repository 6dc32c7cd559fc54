// Byte classes for the TypeScript head parser. assembly/http/chars.ts builds the identical table
// inside the WASM module from the same definitions; test/http/head/parser.test.ts compares them.
//
// One table, one bit per class, so a hot loop costs one load and one AND per byte.

export const C_TCHAR = 1; //   RFC 9110 §5.6.2 tchar
export const C_URI = 2; //     strict request-target bytes (RFC 3986 unreserved, sub-delims, ":@/?%[]")
export const C_VALUE = 4; //   field-value bytes: HTAB, SP, VCHAR, obs-text (RFC 9110 §5.5)
export const C_DIGIT = 8;
/** Default request-target bytes: C_URI plus the bytes browsers send unencoded (WHATWG URL) and
 *  node:http accepts, `| ^ { } \` and backtick. RequestConfig.strictTarget narrows the target to C_URI. */
export const C_TARGET = 16;
export const C_SCHEME = 32; // scheme continuation: ALPHA DIGIT "+" "-" "." (RFC 3986 §3.1)
export const C_HOST = 64; //   reg-name bytes: unreserved, sub-delims, "%" (RFC 3986 §3.2.2)
export const C_HEX = 128;

function inSet(c: number, set: string): boolean {
  return set.indexOf(String.fromCharCode(c)) >= 0;
}

/** Class bits of one byte; the single definition both twins follow. */
export function classOf(c: number): number {
  const digit = c >= 0x30 && c <= 0x39;
  const alpha = (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
  const alnum = digit || alpha;
  let k = 0;
  if (alnum || inSet(c, "!#$%&'*+-.^_`|~")) k |= C_TCHAR;
  if (alnum || inSet(c, "-._~%!$&'()*+,;=:@/?[]")) k |= C_URI;
  if (alnum || inSet(c, "-._~%!$&'()*+,;=:@/?[]|^{}\\`")) k |= C_TARGET;
  if (c === 0x09 || (c >= 0x20 && c !== 0x7f)) k |= C_VALUE;
  if (digit) k |= C_DIGIT;
  if (alnum || inSet(c, '+-.')) k |= C_SCHEME;
  if (alnum || inSet(c, "-._~!$&'()*+,;=%")) k |= C_HOST;
  if (digit || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66)) k |= C_HEX;
  return k;
}

export const CLASS: Uint8Array = new Uint8Array(256);
for (let c = 0; c < 256; c++) CLASS[c] = classOf(c);

/** Class bits shared by both bytes of a 16-bit pair (either byte order): for word-at-a-time scans. */
export const PAIR_CLASS: Uint8Array = new Uint8Array(65536);
for (let v = 0; v < 65536; v++) PAIR_CLASS[v] = CLASS[v & 0xff]! & CLASS[v >>> 8]!;
