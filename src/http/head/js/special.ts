// Special header fields: which names are special (by length and first byte, then a case-insensitive
// compare), their value checks (fields.ts), and the checks that need the whole head.
// Twin of assembly/http/head-special.ts.
import * as abi from '../../../abi.js';
import * as fieldChecks from './fields.js';

// Imported values bound to module-local constants: V8 (Node 20) folds a module's own `const`
// bindings into optimized code, but reads an imported binding through its cell, with a TDZ check,
// at every use (docs/parser.md, "Hot-path notes").
const { E_CONTENT_LENGTH_WITH_TE, E_CHUNKED_NOT_FINAL, E_MISSING_HOST, E_TE_IN_HTTP10, E_UNSUPPORTED_TE, F_CHUNKED,
  F_CONN_CLOSE, F_CONN_KEEP_ALIVE, F_CONTENT_LENGTH, F_HOST, F_KEEP_ALIVE, F_TRANSFER_ENCODING, R_FLAGS, R_TE_STATE,
  R_VERSION } = abi;
const { ascii, checkContentLength, checkHost, checkTransferEncoding, scanConnection, scanExpect, TE_LAST_CHUNKED,
  TE_OTHER } = fieldChecks;

// Special fields (aux while their value is scanned).
export const K_NONE = 0;
export const K_CONTENT_LENGTH = 1;
export const K_TRANSFER_ENCODING = 2;
export const K_CONNECTION = 3;
export const K_EXPECT = 4;
export const K_HOST = 5;
export const K_UPGRADE = 6;

const NAME_HOST = ascii('host');
const NAME_EXPECT = ascii('expect');
const NAME_UPGRADE = ascii('upgrade');
const NAME_CONNECTION = ascii('connection');
const NAME_CONTENT_LENGTH = ascii('content-length');
const NAME_TRANSFER_ENCODING = ascii('transfer-encoding');

/** buf[p + 1, p + lit.length) equals lit[1..] ignoring case (the caller compared the first byte). */
function nameIs(buf: Uint8Array, p: number, lit: Uint8Array): boolean {
  for (let i = 1; i < lit.length; i++) if ((buf[p + i]! | 0x20) !== lit[i]) return false;
  return true;
}

/** Which special field the name buf[p, p + n) is, by length and first byte before comparing. */
export function fieldKind(buf: Uint8Array, p: number, n: number): number {
  const c = buf[p]! | 0x20;
  switch (n) {
    case 4: return c === 0x68 && nameIs(buf, p, NAME_HOST) ? K_HOST : K_NONE;
    case 6: return c === 0x65 && nameIs(buf, p, NAME_EXPECT) ? K_EXPECT : K_NONE;
    case 7: return c === 0x75 && nameIs(buf, p, NAME_UPGRADE) ? K_UPGRADE : K_NONE;
    case 10: return c === 0x63 && nameIs(buf, p, NAME_CONNECTION) ? K_CONNECTION : K_NONE;
    case 14: return c === 0x63 && nameIs(buf, p, NAME_CONTENT_LENGTH) ? K_CONTENT_LENGTH : K_NONE;
    case 17: return c === 0x74 && nameIs(buf, p, NAME_TRANSFER_ENCODING) ? K_TRANSFER_ENCODING : K_NONE;
    default: return K_NONE;
  }
}

/** Checks that need the whole head (RFC 9112 §6.1, §6.3, §3.2, §9.3); sets F_CHUNKED and F_KEEP_ALIVE. */
export function finishHead(t: Int32Array): number {
  let flags = t[R_FLAGS]!;
  const version = t[R_VERSION]!;
  if ((flags & F_TRANSFER_ENCODING) !== 0) {
    if (version < 11) return E_TE_IN_HTTP10;
    if ((flags & F_CONTENT_LENGTH) !== 0) return E_CONTENT_LENGTH_WITH_TE;
    const te = t[R_TE_STATE]!;
    if ((te & TE_LAST_CHUNKED) === 0) return E_CHUNKED_NOT_FINAL;
    if ((te & TE_OTHER) !== 0) return E_UNSUPPORTED_TE;
    flags |= F_CHUNKED;
  }
  if (version >= 11 && (flags & F_HOST) === 0) return E_MISSING_HOST;
  const close = (flags & F_CONN_CLOSE) !== 0;
  if (version >= 11 ? !close : (flags & F_CONN_KEEP_ALIVE) !== 0 && !close) flags |= F_KEEP_ALIVE;
  t[R_FLAGS] = flags;
  return 0;
}

/** Run the value check of a special field over the trimmed value [v0, v1); 0 or an E_* code. */
export function finishValue(buf: Uint8Array, kind: number, v0: number, v1: number, t: Int32Array): number {
  switch (kind) {
    case K_CONTENT_LENGTH: return checkContentLength(buf, v0, v1, t);
    case K_TRANSFER_ENCODING: return checkTransferEncoding(buf, v0, v1, t);
    case K_CONNECTION: scanConnection(buf, v0, v1, t); return 0;
    case K_EXPECT: scanExpect(buf, v0, v1, t); return 0;
    case K_HOST: return checkHost(buf, v0, v1);
    default: return 0;
  }
}
