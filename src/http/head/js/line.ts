// Request-line helpers for the TypeScript head parser (twin of assembly/http/head-line.ts):
// method ids and request-target forms. Both run once per request line, on bytes already scanned.
import * as abi from '../../../abi.js';
import * as chars from './chars.js';

// Imported values bound to module-local constants: V8 (Node 20) folds a module's own `const`
// bindings into optimized code, but reads an imported binding through its cell, with a TDZ check,
// at every use (docs/parser.md, "Hot-path notes").
const { E_INVALID_TARGET, E_INVALID_TARGET_FORM, FORM_ABSOLUTE, FORM_ASTERISK, FORM_AUTHORITY, FORM_ORIGIN,
  METHOD_CONNECT, METHOD_DELETE, METHOD_GET, METHOD_HEAD, METHOD_OPTIONS, METHOD_OTHER, METHOD_PATCH, METHOD_POST,
  METHOD_PUT, METHOD_TRACE } = abi;
const { CLASS, C_DIGIT, C_HOST, C_SCHEME } = chars;

function eq(buf: Uint8Array, p: number, lit: string): boolean {
  for (let i = 0; i < lit.length; i++) if (buf[p + i] !== lit.charCodeAt(i)) return false;
  return true;
}

/** METHOD_* id of buf[p, p + n); methods are case-sensitive (RFC 9110 §9.1). */
export function methodId(buf: Uint8Array, p: number, n: number): number {
  switch (n) {
    case 3:
      if (buf[p] === 0x47 && buf[p + 1] === 0x45 && buf[p + 2] === 0x54) return METHOD_GET;
      return eq(buf, p, 'PUT') ? METHOD_PUT : METHOD_OTHER;
    case 4:
      if (eq(buf, p, 'POST')) return METHOD_POST;
      return eq(buf, p, 'HEAD') ? METHOD_HEAD : METHOD_OTHER;
    case 5:
      if (eq(buf, p, 'PATCH')) return METHOD_PATCH;
      return eq(buf, p, 'TRACE') ? METHOD_TRACE : METHOD_OTHER;
    case 6:
      return eq(buf, p, 'DELETE') ? METHOD_DELETE : METHOD_OTHER;
    case 7:
      if (eq(buf, p, 'OPTIONS')) return METHOD_OPTIONS;
      return eq(buf, p, 'CONNECT') ? METHOD_CONNECT : METHOD_OTHER;
    default:
      return METHOD_OTHER;
  }
}

/** authority-form = uri-host ":" port, port non-empty (RFC 9112 §3.2.3); no userinfo, no path. */
function isAuthority(buf: Uint8Array, t0: number, t1: number): boolean {
  let colon = t1 - 1;
  while (colon > t0 && (CLASS[buf[colon]!]! & C_DIGIT) !== 0) colon--;
  if (colon <= t0 || colon === t1 - 1 || buf[colon] !== 0x3a) return false;
  if (buf[t0] === 0x5b) { // IP-literal
    if (buf[colon - 1] !== 0x5d || colon - 1 === t0 + 1) return false;
    for (let p = t0 + 1; p < colon - 1; p++) {
      const c = buf[p]!;
      if ((CLASS[c]! & C_HOST) === 0 && c !== 0x3a) return false;
    }
    return true;
  }
  for (let p = t0; p < colon; p++) if ((CLASS[buf[p]!]! & C_HOST) === 0) return false;
  return true;
}

/** absolute-form starts with scheme ":" (RFC 9112 §3.2.2, RFC 3986 §3.1). */
function hasScheme(buf: Uint8Array, t0: number, t1: number): boolean {
  if (((buf[t0]! | 0x20) - 0x61) >>> 0 > 25) return false; // ALPHA (c | 0x20 folds exactly the letters)
  let p = t0 + 1;
  while (p < t1 && (CLASS[buf[p]!]! & C_SCHEME) !== 0) p++;
  return p < t1 && buf[p] === 0x3a;
}

/**
 * FORM_* of the target buf[t0, t1) (non-empty, bytes already checked), or a negative E_* code when it is
 * no form at all (E_INVALID_TARGET) or a form this method may not use (E_INVALID_TARGET_FORM): CONNECT
 * takes only authority-form, authority-form only CONNECT, asterisk-form only OPTIONS (RFC 9112 §3.2).
 * Only non-origin targets are scanned again here, once, and they are rare.
 */
export function targetForm(buf: Uint8Array, t0: number, t1: number, method: number): number {
  const c0 = buf[t0];
  let form: number;
  if (c0 === 0x2f) form = FORM_ORIGIN;
  else if (c0 === 0x2a) form = t1 - t0 === 1 ? FORM_ASTERISK : E_INVALID_TARGET;
  else if (isAuthority(buf, t0, t1)) form = FORM_AUTHORITY;
  else if (hasScheme(buf, t0, t1)) form = FORM_ABSOLUTE;
  else form = E_INVALID_TARGET;
  if (form < 0) return form;
  if (method === METHOD_CONNECT) return form === FORM_AUTHORITY ? form : E_INVALID_TARGET_FORM;
  if (form === FORM_AUTHORITY) return E_INVALID_TARGET_FORM;
  if (form === FORM_ASTERISK && method !== METHOD_OPTIONS) return E_INVALID_TARGET_FORM;
  return form;
}
