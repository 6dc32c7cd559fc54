// Request-line helpers (twin of src/http/head/js/line.ts): method ids and request-target forms.
// Both run once per request line, on bytes the state machine has already accepted.
import {
  E_INVALID_TARGET, E_INVALID_TARGET_FORM, FORM_ABSOLUTE, FORM_ASTERISK, FORM_AUTHORITY, FORM_ORIGIN,
  METHOD_CONNECT, METHOD_DELETE, METHOD_GET, METHOD_HEAD, METHOD_OPTIONS, METHOD_OTHER, METHOD_PATCH,
  METHOD_POST, METHOD_PUT, METHOD_TRACE,
} from '../abi';
import { cls, C_DIGIT, C_HOST, C_SCHEME } from './chars';
import { byte } from './head-fields';

const M_PUT = memory.data<u8>([0x50, 0x55, 0x54]);
const M_POST = memory.data<u8>([0x50, 0x4f, 0x53, 0x54]);
const M_HEAD = memory.data<u8>([0x48, 0x45, 0x41, 0x44]);
const M_PATCH = memory.data<u8>([0x50, 0x41, 0x54, 0x43, 0x48]);
const M_TRACE = memory.data<u8>([0x54, 0x52, 0x41, 0x43, 0x45]);
const M_DELETE = memory.data<u8>([0x44, 0x45, 0x4c, 0x45, 0x54, 0x45]);
const M_OPTIONS = memory.data<u8>([0x4f, 0x50, 0x54, 0x49, 0x4f, 0x4e, 0x53]);
const M_CONNECT = memory.data<u8>([0x43, 0x4f, 0x4e, 0x4e, 0x45, 0x43, 0x54]);

function eq(p: i32, lit: usize, n: i32): bool {
  for (let i = 0; i < n; i++) if (byte(p + i) != <i32>load<u8>(lit + <usize>i)) return false;
  return true;
}

/**
 * 3 when the 5 readable bytes at p start with "GET ", 4 for "POST ", else 0: the two usual methods by
 * one word compare, before the general method scan.
 */
// @ts-ignore: decorator
@inline export function commonMethodLen(p: i32): i32 {
  const w = load<u32>(<usize>p);
  if (w == 0x20544547) return 3; // "GET "
  return w == 0x54534f50 && byte(p + 4) == 0x20 ? 4 : 0; // "POST" " "
}

/** METHOD_* id of [p, p + n); methods are case-sensitive (RFC 9110 §9.1). */
export function methodId(p: i32, n: i32): i32 {
  switch (n) {
    case 3:
      if (byte(p) == 0x47 && byte(p + 1) == 0x45 && byte(p + 2) == 0x54) return METHOD_GET;
      return eq(p, M_PUT, 3) ? METHOD_PUT : METHOD_OTHER;
    case 4:
      if (eq(p, M_POST, 4)) return METHOD_POST;
      return eq(p, M_HEAD, 4) ? METHOD_HEAD : METHOD_OTHER;
    case 5:
      if (eq(p, M_PATCH, 5)) return METHOD_PATCH;
      return eq(p, M_TRACE, 5) ? METHOD_TRACE : METHOD_OTHER;
    case 6:
      return eq(p, M_DELETE, 6) ? METHOD_DELETE : METHOD_OTHER;
    case 7:
      if (eq(p, M_OPTIONS, 7)) return METHOD_OPTIONS;
      return eq(p, M_CONNECT, 7) ? METHOD_CONNECT : METHOD_OTHER;
    default:
      return METHOD_OTHER;
  }
}

/** authority-form = uri-host ":" port, port non-empty (RFC 9112 §3.2.3); no userinfo, no path. */
function isAuthority(t0: i32, t1: i32): bool {
  let colon = t1 - 1;
  while (colon > t0 && (cls(byte(colon)) & C_DIGIT) != 0) colon--;
  if (colon <= t0 || colon == t1 - 1 || byte(colon) != 0x3a) return false;
  if (byte(t0) == 0x5b) { // IP-literal
    if (byte(colon - 1) != 0x5d || colon - 1 == t0 + 1) return false;
    for (let p = t0 + 1; p < colon - 1; p++) {
      const c = byte(p);
      if ((cls(c) & C_HOST) == 0 && c != 0x3a) return false;
    }
    return true;
  }
  for (let p = t0; p < colon; p++) if ((cls(byte(p)) & C_HOST) == 0) return false;
  return true;
}

/** absolute-form starts with scheme ":" (RFC 9112 §3.2.2, RFC 3986 §3.1). */
function hasScheme(t0: i32, t1: i32): bool {
  if (<u32>((byte(t0) | 0x20) - 0x61) > 25) return false; // ALPHA (c | 0x20 folds exactly the letters)
  let p = t0 + 1;
  while (p < t1 && (cls(byte(p)) & C_SCHEME) != 0) p++;
  return p < t1 && byte(p) == 0x3a;
}

/**
 * FORM_* of the target [t0, t1), or E_INVALID_TARGET (no form) / E_INVALID_TARGET_FORM (a form this
 * method may not use): CONNECT takes only authority-form, authority-form only CONNECT, asterisk-form
 * only OPTIONS (RFC 9112 §3.2). Only non-origin targets (rare) are looked at again here.
 */
export function targetForm(t0: i32, t1: i32, method: i32): i32 {
  const c0 = byte(t0);
  let form: i32;
  if (c0 == 0x2f) form = FORM_ORIGIN;
  else if (c0 == 0x2a) form = t1 - t0 == 1 ? FORM_ASTERISK : E_INVALID_TARGET;
  else if (isAuthority(t0, t1)) form = FORM_AUTHORITY;
  else if (hasScheme(t0, t1)) form = FORM_ABSOLUTE;
  else form = E_INVALID_TARGET;
  if (form < 0) return form;
  if (method == METHOD_CONNECT) return form == FORM_AUTHORITY ? form : E_INVALID_TARGET_FORM;
  if (form == FORM_AUTHORITY) return E_INVALID_TARGET_FORM;
  if (form == FORM_ASTERISK && method != METHOD_OPTIONS) return E_INVALID_TARGET_FORM;
  return form;
}
