// One spelling per path for route matching, so that a static segment matches however the client
// encoded it: `/a:b`, `/a%3Ab` and `/a%3ab` are one path, and so are `/p|a` (what a browser sends)
// and `/p%7Ca`.
//
// canonicalPath() rewrites every valid %XX: to the character itself when XX is printable ASCII other
// than "/" and "%" (so decoding never creates or hides a segment boundary or an escape), else to %XX
// with upper-case hex (RFC 3986 §6.2.2.1). Nothing else changes, and a path without "%" is already
// canonical (the usual case, which costs nothing). A path with an invalid escape ("%" not followed by
// two hex digits) is returned unchanged: decoding around it could make a new escape ("%%341" → "%41"),
// and such a path matches no route anyway (no pattern holds one; parameters fail to decode it).
// Percent-decoding a canonical segment gives the same value as decoding the raw one, so parameters
// are unaffected.
// RFC 3986 §6.2.2.2 only promises this equivalence for unreserved characters; treating an encoded
// reserved character as the character itself is a routing choice (static route segments are compared
// as text, the way parameter values are seen decoded).

const HEX = '0123456789ABCDEF';

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  return l >= 0x61 && l <= 0x66 ? l - 0x57 : -1;
}

/** The canonical spelling of a raw (percent-encoded) path or path segment. */
export function canonicalPath(path: string): string {
  let i = path.indexOf('%');
  if (i < 0) return path;
  let out = '';
  let from = 0;
  while (i >= 0) {
    const hi = hexValue(path.charCodeAt(i + 1));
    const lo = hi < 0 ? -1 : hexValue(path.charCodeAt(i + 2));
    if (lo < 0) return path;
    const b = (hi << 4) | lo;
    out += path.slice(from, i);
    out += b > 0x20 && b < 0x7f && b !== 0x2f && b !== 0x25 ? String.fromCharCode(b) : `%${HEX[hi]}${HEX[lo]}`;
    from = i + 3;
    i = path.indexOf('%', from);
  }
  return out + path.slice(from);
}
