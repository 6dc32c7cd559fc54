// Value checks for the special header fields (twin of src/http/head/js/fields.ts). Each runs once,
// when a field value is complete (its CR seen), over the trimmed value [v0, v1) — absolute addresses.
// On error it returns an E_* code and leaves the offending byte's address in fieldErrorPos.
import {
  E_CHUNKED_TWICE, E_CONFLICTING_CONTENT_LENGTH, E_CONTENT_LENGTH_OVERFLOW, E_INVALID_CONTENT_LENGTH,
  E_INVALID_HOST, E_INVALID_TE, F_CONN_CLOSE, F_CONN_KEEP_ALIVE, F_CONN_UPGRADE, F_CONTENT_LENGTH,
  F_EXPECT_CONTINUE, F_EXPECT_OTHER, R_CL_HI, R_CL_LO, R_FIXED, R_FLAGS, R_HOST_INDEX, R_LIMIT_TARGET, R_RESUME_STATE,
  R_STRICT_TARGET, R_TE_STATE,
} from '../abi';
import { RESULT_PTR } from '../regions';
import { cls, C_DIGIT, C_HEX, C_HOST, C_TCHAR } from './chars';

/** R_TE_STATE bits, accumulated over every Transfer-Encoding line. */
export const TE_SEEN_CHUNKED: i32 = 1;
export const TE_LAST_CHUNKED: i32 = 2;
export const TE_OTHER: i32 = 4;

const MAX_CL: u64 = 9007199254740991; // 2^53 - 1

export let fieldErrorPos: i32 = 0;

// Lower-case literals compared against header bytes with | 0x20.
export const LIT_CHUNKED = memory.data<u8>([0x63, 0x68, 0x75, 0x6e, 0x6b, 0x65, 0x64]);
const LIT_CLOSE = memory.data<u8>([0x63, 0x6c, 0x6f, 0x73, 0x65]);
const LIT_KEEP_ALIVE = memory.data<u8>([0x6b, 0x65, 0x65, 0x70, 0x2d, 0x61, 0x6c, 0x69, 0x76, 0x65]);
const LIT_UPGRADE = memory.data<u8>([0x75, 0x70, 0x67, 0x72, 0x61, 0x64, 0x65]);
const LIT_100_CONTINUE = memory.data<u8>([0x31, 0x30, 0x30, 0x2d, 0x63, 0x6f, 0x6e, 0x74, 0x69, 0x6e, 0x75, 0x65]);

// @ts-ignore: decorator
@inline export function tget(slot: i32): i32 {
  return load<i32>(RESULT_PTR + (<usize>slot << 2));
}
// @ts-ignore: decorator
@inline export function tset(slot: i32, v: i32): void {
  store<i32>(RESULT_PTR + (<usize>slot << 2), v);
}
/**
 * Start of a head: zero R_STATUS..R_HEAD_LEN and R_RESUME_STATE..R_FIXED - 1 with 8-byte stores (a loop
 * of 27 word stores was a measurable part of a small head), R_HOST_INDEX = -1; the configuration
 * (limits, R_STRICT_TARGET) stays.
 */
// @ts-ignore: decorator
@inline export function resetTable(): void {
  // The layout relied on, checked at compile time (the branch folds away when it holds).
  if (R_HOST_INDEX != 14 || R_LIMIT_TARGET != 15 || R_RESUME_STATE != 20 || R_STRICT_TARGET != 27 ||
    R_FIXED != 32) unreachable();
  store<u64>(RESULT_PTR, 0, 0); store<u64>(RESULT_PTR, 0, 8); store<u64>(RESULT_PTR, 0, 16);
  store<u64>(RESULT_PTR, 0, 24); store<u64>(RESULT_PTR, 0, 32); store<u64>(RESULT_PTR, 0, 40);
  store<u64>(RESULT_PTR, 0, 48);
  tset(R_HOST_INDEX, -1);
  store<u64>(RESULT_PTR, 0, 80); store<u64>(RESULT_PTR, 0, 88); store<u64>(RESULT_PTR, 0, 96);
  store<u32>(RESULT_PTR, 0, 104); store<u64>(RESULT_PTR, 0, 112); store<u64>(RESULT_PTR, 0, 120); // 27 skipped
}

// @ts-ignore: decorator
@inline export function byte(p: i32): i32 {
  return <i32>load<u8>(<usize>p);
}
// @ts-ignore: decorator
@inline function isOws(c: i32): bool {
  return c == 0x20 || c == 0x09;
}

/** Bytes [p, p + n) equal the lower-case literal at lit, ignoring case. */
export function eqLower(p: i32, lit: usize, n: i32): bool {
  for (let i = 0; i < n; i++) {
    if ((byte(p + i) | 0x20) != <i32>load<u8>(lit + <usize>i)) return false;
  }
  return true;
}

function fail(code: i32, pos: i32): i32 {
  fieldErrorPos = pos;
  return code;
}

/** Content-Length = 1*DIGIT; a list of identical values ("5, 5") counts as one (RFC 9110 §8.6). */
export function checkContentLength(v0: i32, v1: i32): i32 {
  let have = (tget(R_FLAGS) & F_CONTENT_LENGTH) != 0;
  // (mask after widening: the low word may have bit 31 set, and i32 → u64 sign-extends)
  let value: u64 = have ? ((<u64>tget(R_CL_HI) & 0xffffffff) << 32) | (<u64>tget(R_CL_LO) & 0xffffffff) : 0;
  let p = v0;
  while (true) {
    const s = p;
    if (p == v1 || (cls(byte(p)) & C_DIGIT) == 0) return fail(E_INVALID_CONTENT_LENGTH, p);
    let n: u64 = 0;
    while (p < v1) {
      const c = byte(p);
      if (c < 0x30 || c > 0x39) break;
      n = n * 10 + <u64>(c - 0x30);
      if (n > MAX_CL) return fail(E_CONTENT_LENGTH_OVERFLOW, p);
      p++;
    }
    if (have && n != value) return fail(E_CONFLICTING_CONTENT_LENGTH, s);
    have = true;
    value = n;
    while (p < v1 && isOws(byte(p))) p++;
    if (p == v1) break;
    if (byte(p) != 0x2c) return fail(E_INVALID_CONTENT_LENGTH, p);
    p++;
    while (p < v1 && isOws(byte(p))) p++;
  }
  tset(R_FLAGS, tget(R_FLAGS) | F_CONTENT_LENGTH);
  tset(R_CL_LO, <i32>value);
  tset(R_CL_HI, <i32>(value >> 32));
  return 0;
}

function tokenEnd(p: i32, v1: i32): i32 {
  while (p < v1 && (cls(byte(p)) & C_TCHAR) != 0) p++;
  return p;
}

/** quoted-string at p (the opening DQUOTE): index after the closing DQUOTE, or -(bad index) - 1. */
function quotedStringEnd(p: i32, v1: i32): i32 {
  p++;
  while (p < v1) {
    const c = byte(p);
    if (c == 0x22) return p + 1;
    if (c == 0x5c) { // quoted-pair
      p++;
      if (p == v1) break;
    }
    p++;
  }
  return -p - 1;
}

/**
 * Transfer-Encoding = #transfer-coding; transfer-coding = token *( OWS ";" OWS token "=" ( token /
 * quoted-string ) ) (RFC 9112 §6.1; RFC 9110 §5.6.1: empty list elements are ignored).
 */
export function checkTransferEncoding(v0: i32, v1: i32): i32 {
  let st = tget(R_TE_STATE);
  let codings = 0;
  let p = v0;
  while (true) {
    while (p < v1 && (isOws(byte(p)) || byte(p) == 0x2c)) p++;
    if (p == v1) break;
    const s = p;
    p = tokenEnd(p, v1);
    if (p == s) return fail(E_INVALID_TE, p);
    if (p - s == 7 && eqLower(s, LIT_CHUNKED, 7)) {
      if ((st & TE_SEEN_CHUNKED) != 0) return fail(E_CHUNKED_TWICE, s);
      st |= TE_SEEN_CHUNKED | TE_LAST_CHUNKED;
    } else {
      st = (st & ~TE_LAST_CHUNKED) | TE_OTHER;
    }
    codings++;
    while (p < v1 && isOws(byte(p))) p++;
    while (p < v1 && byte(p) == 0x3b) {
      p++;
      while (p < v1 && isOws(byte(p))) p++;
      const n = p;
      p = tokenEnd(p, v1);
      if (p == n || p == v1 || byte(p) != 0x3d) return fail(E_INVALID_TE, p);
      p++;
      if (p < v1 && byte(p) == 0x22) {
        p = quotedStringEnd(p, v1);
        if (p < 0) return fail(E_INVALID_TE, -p - 1);
      } else {
        const s2 = p;
        p = tokenEnd(p, v1);
        if (p == s2) return fail(E_INVALID_TE, p);
      }
      while (p < v1 && isOws(byte(p))) p++;
    }
    if (p == v1) break;
    if (byte(p) != 0x2c) return fail(E_INVALID_TE, p);
  }
  if (codings == 0) return fail(E_INVALID_TE, v0);
  tset(R_TE_STATE, st);
  return 0;
}

/** Connection = #connection-option (RFC 9110 §7.6.1); only close, keep-alive and upgrade matter. */
export function scanConnection(v0: i32, v1: i32): void {
  let flags = tget(R_FLAGS);
  // The usual single-option values, compared a word at a time (value bytes c with c | 0x20 equal to
  // a lower-case letter or "-" are that letter in either case, or "-": CR is no value byte).
  const n = v1 - v0;
  if (n == 10 && (load<u64>(<usize>v0) | 0x2020202020202020) == 0x696c612d7065656b && // "keep-ali"
    (load<u16>(<usize>v0 + 8) | 0x2020) == 0x6576) { // "ve"
    tset(R_FLAGS, flags | F_CONN_KEEP_ALIVE);
    return;
  }
  if (n == 5 && (load<u32>(<usize>v0) | 0x20202020) == 0x736f6c63 && (byte(v0 + 4) | 0x20) == 0x65) { // "clos" "e"
    tset(R_FLAGS, flags | F_CONN_CLOSE);
    return;
  }
  let p = v0;
  while (p < v1) {
    while (p < v1 && (isOws(byte(p)) || byte(p) == 0x2c)) p++;
    const s = p;
    while (p < v1 && byte(p) != 0x2c) p++;
    let e = p;
    while (e > s && isOws(byte(e - 1))) e--;
    const n = e - s;
    if (n == 5 && eqLower(s, LIT_CLOSE, 5)) flags |= F_CONN_CLOSE;
    else if (n == 10 && eqLower(s, LIT_KEEP_ALIVE, 10)) flags |= F_CONN_KEEP_ALIVE;
    else if (n == 7 && eqLower(s, LIT_UPGRADE, 7)) flags |= F_CONN_UPGRADE;
  }
  tset(R_FLAGS, flags);
}

/** Expect: only "100-continue" is defined (RFC 9110 §10.1.1); anything else earns a 417. */
export function scanExpect(v0: i32, v1: i32): void {
  if (v1 - v0 == 12 && eqLower(v0, LIT_100_CONTINUE, 12)) tset(R_FLAGS, tget(R_FLAGS) | F_EXPECT_CONTINUE);
  else if (v1 > v0) tset(R_FLAGS, tget(R_FLAGS) | F_EXPECT_OTHER);
}

/** Host = uri-host [ ":" port ] (RFC 9112 §3.2, RFC 3986 §3.2.2); an empty value is allowed. */
export function checkHost(v0: i32, v1: i32): i32 {
  let p = v0;
  if (p < v1 && byte(p) == 0x5b) { // IP-literal "[" ... "]"
    p++;
    while (p < v1 && ((cls(byte(p)) & C_HOST) != 0 || byte(p) == 0x3a) && byte(p) != 0x25) p++;
    if (p == v0 + 1 || p == v1 || byte(p) != 0x5d) return fail(E_INVALID_HOST, p);
    p++;
  } else {
    while (p < v1) {
      const c = byte(p);
      if (c == 0x25) { // pct-encoded = "%" HEXDIG HEXDIG
        if (p + 2 >= v1 || (cls(byte(p + 1)) & C_HEX) == 0 || (cls(byte(p + 2)) & C_HEX) == 0) {
          return fail(E_INVALID_HOST, p);
        }
        p += 3;
      } else if ((cls(c) & C_HOST) != 0) {
        p++;
      } else {
        break;
      }
    }
  }
  if (p == v1) return 0;
  if (byte(p) != 0x3a) return fail(E_INVALID_HOST, p);
  p++;
  while (p < v1) {
    if ((cls(byte(p)) & C_DIGIT) == 0) return fail(E_INVALID_HOST, p);
    p++;
  }
  return 0;
}
