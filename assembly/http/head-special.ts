// Special header fields: which names are special (by length and first byte, then a case-insensitive
// compare), their value checks (head-fields.ts), and the checks that need the whole head.
// Twin of src/http/head/js/special.ts.
import {
  E_CONTENT_LENGTH_WITH_TE, E_CHUNKED_NOT_FINAL, E_MISSING_HOST, E_TE_IN_HTTP10, E_UNSUPPORTED_TE,
  F_CHUNKED, F_CONN_CLOSE, F_CONN_KEEP_ALIVE, F_CONTENT_LENGTH, F_HOST, F_KEEP_ALIVE, F_TRANSFER_ENCODING,
  R_FLAGS, R_TE_STATE, R_VERSION,
} from '../abi';
import {
  byte, checkContentLength, checkHost, checkTransferEncoding, eqLower, scanConnection, scanExpect, tget, tset,
  TE_LAST_CHUNKED, TE_OTHER,
} from './head-fields';
import { isPlainHost } from './head-scan';

export const K_NONE: i32 = 0;
export const K_CONTENT_LENGTH: i32 = 1;
export const K_TRANSFER_ENCODING: i32 = 2;
export const K_CONNECTION: i32 = 3;
export const K_EXPECT: i32 = 4;
export const K_HOST: i32 = 5;
export const K_UPGRADE: i32 = 6;

const N_EXPECT = memory.data<u8>([0x65, 0x78, 0x70, 0x65, 0x63, 0x74]);
const N_UPGRADE = memory.data<u8>([0x75, 0x70, 0x67, 0x72, 0x61, 0x64, 0x65]);
const N_TRANSFER_ENCODING = memory.data<u8>([0x74, 0x72, 0x61, 0x6e, 0x73, 0x66, 0x65, 0x72, 0x2d, 0x65, 0x6e, 0x63, 0x6f, 0x64, 0x69, 0x6e, 0x67]);

// The first byte (lower-cased) of the special name of each length 0..17, 0 where none: one load and
// compare rule out almost every ordinary field name before any comparison (field-name bytes are
// tchars, so c | 0x20 is never 0).
const FIRST_BY_LENGTH = memory.data<u8>([0, 0, 0, 0, 0x68, 0, 0x65, 0x75, 0, 0, 0x63, 0, 0, 0, 0x63, 0, 0, 0x74]);

/** Which special field the name [p, p + n) is, by length and first byte before comparing. */
// @ts-ignore: decorator
@inline export function fieldKind(p: i32, n: i32): i32 {
  if (n > 17 || (byte(p) | 0x20) != <i32>load<u8>(FIRST_BY_LENGTH + <usize>n)) return K_NONE;
  return specialKind(p, n);
}

// Word-wide case-insensitive compares: tchar bytes c with c | 0x20 equal to a lower-case letter or "-"
// are exactly that letter in either case, or "-" (0x0d, the only other candidate for "-", is no tchar).
// @ts-ignore: decorator
@inline function lower4(p: i32): u32 { return load<u32>(<usize>p) | 0x20202020; }
// @ts-ignore: decorator
@inline function lower8(p: i32): u64 { return load<u64>(<usize>p) | 0x2020202020202020; }

/** The special kind of a name whose length and first byte matched FIRST_BY_LENGTH. */
function specialKind(p: i32, n: i32): i32 {
  switch (n) {
    case 4: return lower4(p) == 0x74736f68 ? K_HOST : K_NONE; // "host"
    case 6: return eqLower(p, N_EXPECT, 6) ? K_EXPECT : K_NONE;
    case 7: return eqLower(p, N_UPGRADE, 7) ? K_UPGRADE : K_NONE;
    case 10: // "connecti" "on"
      return lower8(p) == 0x697463656e6e6f63 && (load<u16>(<usize>p + 8) | 0x2020) == 0x6e6f ? K_CONNECTION : K_NONE;
    case 14: // "content-" "t-length" (overlapping)
      return lower8(p) == 0x2d746e65746e6f63 && lower8(p + 6) == 0x6874676e656c2d74 ? K_CONTENT_LENGTH : K_NONE;
    case 17: return eqLower(p, N_TRANSFER_ENCODING, 17) ? K_TRANSFER_ENCODING : K_NONE;
    default: return K_NONE;
  }
}

/** Checks that need the whole head (RFC 9112 §6.1, §6.3, §3.2, §9.3); sets F_CHUNKED, F_KEEP_ALIVE. */
export function finishHead(): i32 {
  let flags = tget(R_FLAGS);
  const version = tget(R_VERSION);
  if ((flags & F_TRANSFER_ENCODING) != 0) {
    if (version < 11) return E_TE_IN_HTTP10;
    if ((flags & F_CONTENT_LENGTH) != 0) return E_CONTENT_LENGTH_WITH_TE;
    const te = tget(R_TE_STATE);
    if ((te & TE_LAST_CHUNKED) == 0) return E_CHUNKED_NOT_FINAL;
    if ((te & TE_OTHER) != 0) return E_UNSUPPORTED_TE;
    flags |= F_CHUNKED;
  }
  if (version >= 11 && (flags & F_HOST) == 0) return E_MISSING_HOST;
  const close = (flags & F_CONN_CLOSE) != 0;
  if (version >= 11 ? !close : (flags & F_CONN_KEEP_ALIVE) != 0 && !close) flags |= F_KEEP_ALIVE;
  tset(R_FLAGS, flags);
  return 0;
}

/**
 * The value check of a special field over the trimmed value [v0, v1): 0 or an E_* code. Bytes up to
 * `readable` (exclusive, >= v1) may be loaded, not examined: room for a whole-vector fast path.
 */
export function finishValue(kind: i32, v0: i32, v1: i32, readable: i32): i32 {
  switch (kind) {
    case K_CONTENT_LENGTH: return checkContentLength(v0, v1);
    case K_TRANSFER_ENCODING: return checkTransferEncoding(v0, v1);
    case K_CONNECTION: scanConnection(v0, v1); return 0;
    case K_EXPECT: scanExpect(v0, v1); return 0;
    case K_HOST: return isPlainHost(v0, v1, readable) ? 0 : checkHost(v0, v1);
    default: return 0;
  }
}
