// Value checks for the special header fields (TypeScript twin of assembly/http/head-fields.ts).
// Each runs once, when a field value is complete (its CR has been seen), over the trimmed value
// buf[v0, v1) — absolute indices. On error it returns an abi.E_* code and leaves the offending
// byte's absolute index in `fieldError.pos`; on success it returns 0 and updates the table.
import * as abi from '../../../abi.js';
import * as chars from './chars.js';
import * as scan from './scan.js';

// Imported values bound to module-local constants: V8 (Node 20) folds a module's own `const`
// bindings into optimized code, but reads an imported binding through its cell, with a TDZ check,
// at every use (docs/parser.md, "Hot-path notes").
const { E_CHUNKED_TWICE, E_CONFLICTING_CONTENT_LENGTH, E_CONTENT_LENGTH_OVERFLOW, E_INVALID_CONTENT_LENGTH,
  E_INVALID_HOST, E_INVALID_TE, F_CONN_CLOSE, F_CONN_KEEP_ALIVE, F_CONN_UPGRADE, F_CONTENT_LENGTH,
  F_EXPECT_CONTINUE, F_EXPECT_OTHER, R_CL_HI, R_CL_LO, R_FLAGS, R_TE_STATE } = abi;
const { CLASS, C_DIGIT, C_HEX, C_HOST, C_TCHAR, PAIR_CLASS } = chars;
const { wordOffset, wordView } = scan;

/** Largest Content-Length we accept: 2^53 - 1, exact in a double (RFC 9110 §8.6 lets us bound it). */
const MAX_CL = 9007199254740991;
/** R_TE_STATE bits, accumulated over every Transfer-Encoding line. */
export const TE_SEEN_CHUNKED = 1;
export const TE_LAST_CHUNKED = 2;
export const TE_OTHER = 4;

export const fieldError = { pos: 0 };

function fail(code: number, pos: number): number {
  fieldError.pos = pos;
  return code;
}

function isOws(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

/** The bytes of an ASCII literal (compared byte to byte: cheaper than charCodeAt in the hot loops). */
export function ascii(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

const LIT_CHUNKED = ascii('chunked');
const LIT_CLOSE = ascii('close');
const LIT_KEEP_ALIVE = ascii('keep-alive');
const LIT_UPGRADE = ascii('upgrade');
const LIT_100_CONTINUE = ascii('100-continue');

/** Bytes buf[p, p + lit.length) equal `lit` (lower case ASCII) ignoring case. Callers check length. */
export function eqLower(buf: Uint8Array, p: number, lit: Uint8Array): boolean {
  for (let i = 0; i < lit.length; i++) {
    if ((buf[p + i]! | 0x20) !== lit[i]) return false;
  }
  return true;
}

/** Content-Length = 1*DIGIT; a list of identical values ("5, 5") counts as one (RFC 9110 §8.6). */
export function checkContentLength(buf: Uint8Array, v0: number, v1: number, t: Int32Array): number {
  let have = (t[R_FLAGS]! & F_CONTENT_LENGTH) !== 0;
  let value = have ? t[R_CL_HI]! * 4294967296 + (t[R_CL_LO]! >>> 0) : 0;
  let p = v0;
  for (;;) {
    const s = p;
    if (p === v1 || (CLASS[buf[p]!]! & C_DIGIT) === 0) return fail(E_INVALID_CONTENT_LENGTH, p);
    let n = 0;
    while (p < v1) {
      const c = buf[p]!;
      if (c < 0x30 || c > 0x39) break;
      n = n * 10 + (c - 0x30);
      if (n > MAX_CL) return fail(E_CONTENT_LENGTH_OVERFLOW, p);
      p++;
    }
    if (have && n !== value) return fail(E_CONFLICTING_CONTENT_LENGTH, s);
    have = true;
    value = n;
    while (p < v1 && isOws(buf[p]!)) p++;
    if (p === v1) break;
    if (buf[p] !== 0x2c) return fail(E_INVALID_CONTENT_LENGTH, p);
    p++;
    while (p < v1 && isOws(buf[p]!)) p++;
  }
  t[R_FLAGS] = t[R_FLAGS]! | F_CONTENT_LENGTH;
  t[R_CL_LO] = value % 4294967296 | 0;
  t[R_CL_HI] = Math.floor(value / 4294967296);
  return 0;
}

/** End of a token starting at p (p itself when there is none). */
function tokenEnd(buf: Uint8Array, p: number, v1: number): number {
  while (p < v1 && (CLASS[buf[p]!]! & C_TCHAR) !== 0) p++;
  return p;
}

/**
 * Transfer-Encoding = #transfer-coding; transfer-coding = token *( OWS ";" OWS token "=" ( token /
 * quoted-string ) ) (RFC 9112 §6.1, RFC 9110 §5.6.1: empty list elements are ignored). Tracks, across
 * lines, whether chunked was seen, whether it is (so far) the final coding, and any other coding.
 */
export function checkTransferEncoding(buf: Uint8Array, v0: number, v1: number, t: Int32Array): number {
  let st = t[R_TE_STATE]!;
  let codings = 0;
  let p = v0;
  for (;;) {
    while (p < v1 && (isOws(buf[p]!) || buf[p] === 0x2c)) p++; // OWS and empty elements
    if (p === v1) break;
    const s = p;
    p = tokenEnd(buf, p, v1);
    if (p === s) return fail(E_INVALID_TE, p);
    if (p - s === 7 && eqLower(buf, s, LIT_CHUNKED)) {
      if ((st & TE_SEEN_CHUNKED) !== 0) return fail(E_CHUNKED_TWICE, s);
      st |= TE_SEEN_CHUNKED | TE_LAST_CHUNKED;
    } else {
      st = (st & ~TE_LAST_CHUNKED) | TE_OTHER;
    }
    codings++;
    while (p < v1 && isOws(buf[p]!)) p++;
    while (p < v1 && buf[p] === 0x3b) { // ";" parameter
      p++;
      while (p < v1 && isOws(buf[p]!)) p++;
      const n = p;
      p = tokenEnd(buf, p, v1);
      if (p === n || p === v1 || buf[p] !== 0x3d) return fail(E_INVALID_TE, p);
      p++;
      if (p < v1 && buf[p] === 0x22) {
        p = quotedStringEnd(buf, p, v1);
        if (p < 0) return fail(E_INVALID_TE, -p - 1);
      } else {
        const s2 = p;
        p = tokenEnd(buf, p, v1);
        if (p === s2) return fail(E_INVALID_TE, p);
      }
      while (p < v1 && isOws(buf[p]!)) p++;
    }
    if (p === v1) break;
    if (buf[p] !== 0x2c) return fail(E_INVALID_TE, p);
  }
  if (codings === 0) return fail(E_INVALID_TE, v0);
  t[R_TE_STATE] = st;
  return 0;
}

/** quoted-string at buf[p] (the opening DQUOTE): index after the closing DQUOTE, or -(bad index) - 1. */
function quotedStringEnd(buf: Uint8Array, p: number, v1: number): number {
  p++;
  while (p < v1) {
    const c = buf[p]!;
    if (c === 0x22) return p + 1;
    if (c === 0x5c) { // quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text )
      p++;
      if (p === v1) break;
    }
    p++; // every other value byte is qdtext or obs-text (the value scan already rejected CTLs)
  }
  return -p - 1;
}

/** Connection = #connection-option (RFC 9110 §7.6.1); only close, keep-alive and upgrade matter. */
export function scanConnection(buf: Uint8Array, v0: number, v1: number, t: Int32Array): void {
  let flags = t[R_FLAGS]!;
  // The usual values, a lone "keep-alive" or "close", without the list walk (same result).
  const n = v1 - v0;
  if (n === 10 && eqLower(buf, v0, LIT_KEEP_ALIVE)) { t[R_FLAGS] = flags | F_CONN_KEEP_ALIVE; return; }
  if (n === 5 && eqLower(buf, v0, LIT_CLOSE)) { t[R_FLAGS] = flags | F_CONN_CLOSE; return; }
  let p = v0;
  while (p < v1) {
    while (p < v1 && (isOws(buf[p]!) || buf[p] === 0x2c)) p++;
    const s = p;
    while (p < v1 && buf[p] !== 0x2c) p++;
    let e = p;
    while (e > s && isOws(buf[e - 1]!)) e--;
    const n = e - s;
    if (n === 5 && eqLower(buf, s, LIT_CLOSE)) flags |= F_CONN_CLOSE;
    else if (n === 10 && eqLower(buf, s, LIT_KEEP_ALIVE)) flags |= F_CONN_KEEP_ALIVE;
    else if (n === 7 && eqLower(buf, s, LIT_UPGRADE)) flags |= F_CONN_UPGRADE;
  }
  t[R_FLAGS] = flags;
}

/** Expect: only "100-continue" is defined (RFC 9110 §10.1.1); anything else earns a 417. */
export function scanExpect(buf: Uint8Array, v0: number, v1: number, t: Int32Array): void {
  if (v1 - v0 === 12 && eqLower(buf, v0, LIT_100_CONTINUE)) t[R_FLAGS] = t[R_FLAGS]! | F_EXPECT_CONTINUE;
  else if (v1 > v0) t[R_FLAGS] = t[R_FLAGS]! | F_EXPECT_OTHER;
}

/**
 * Past the reg-name bytes other than "%" at the start of buf[p, v1), four at a time (the byte loop in
 * checkHost steps over exactly these one by one); stops at or before the first other byte.
 */
function skipPlainHost(buf: Uint8Array, p: number, v1: number): number {
  const dv = wordView(buf);
  const off = wordOffset();
  while (p + 4 <= v1) {
    const x = dv.getInt32(off + p, true);
    const y = x ^ 0x25252525; // a "%" byte becomes 0x00
    if ((PAIR_CLASS[x & 0xffff]! & PAIR_CLASS[x >>> 16]! & C_HOST) === 0 ||
      (((y - 0x01010101) & ~y) & -2139062144) !== 0) break; // 0x80808080: some byte of y is 0x00
    p += 4;
  }
  return p;
}

/** Host = uri-host [ ":" port ] (RFC 9112 §3.2, RFC 3986 §3.2.2); an empty value is allowed. */
export function checkHost(buf: Uint8Array, v0: number, v1: number): number {
  let p = v0;
  if (p < v1 && buf[p] === 0x5b) { // IP-literal "[" ... "]"
    p++;
    while (p < v1 && ((CLASS[buf[p]!]! & C_HOST) !== 0 || buf[p] === 0x3a) && buf[p] !== 0x25) p++;
    if (p === v0 + 1 || p === v1 || buf[p] !== 0x5d) return fail(E_INVALID_HOST, p);
    p++;
  } else {
    p = skipPlainHost(buf, p, v1);
    while (p < v1) {
      const c = buf[p]!;
      if (c === 0x25) { // pct-encoded = "%" HEXDIG HEXDIG
        if (p + 2 >= v1 || (CLASS[buf[p + 1]!]! & C_HEX) === 0 || (CLASS[buf[p + 2]!]! & C_HEX) === 0) {
          return fail(E_INVALID_HOST, p);
        }
        p += 3;
      } else if ((CLASS[c]! & C_HOST) !== 0) {
        p++;
      } else {
        break;
      }
    }
  }
  if (p === v1) return 0;
  if (buf[p] !== 0x3a) return fail(E_INVALID_HOST, p);
  p++;
  while (p < v1) {
    if ((CLASS[buf[p]!]! & C_DIGIT) === 0) return fail(E_INVALID_HOST, p);
    p++;
  }
  return 0;
}
