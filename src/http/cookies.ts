// Cookies (RFC 6265bis, draft-ietf-httpbis-rfc6265bis): reading the Cookie request field and writing
// Set-Cookie lines. Values are taken and written as they are: no percent-decoding on read, no
// encoding on write (a value outside cookie-octets is refused, so what a handler sets is exactly what
// it reads back; encode with encodeURIComponent yourself for arbitrary text).
import { WasmlaneError } from '../errors.js';

/** RFC 9110 §5.6.2 token: what a cookie-name is (RFC 6265bis §4.1.1). */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** cookie-value = *cookie-octet / ( DQUOTE *cookie-octet DQUOTE ) (RFC 6265bis §4.1.1): US-ASCII
 *  without CTLs, whitespace, DQUOTE, comma, semicolon and backslash. */
const COOKIE_VALUE = /^(?:[\x21\x23-\x2B\x2D-\x3A\x3C-\x5B\x5D-\x7E]*|"[\x21\x23-\x2B\x2D-\x3A\x3C-\x5B\x5D-\x7E]*")$/;
/** av-octet: any CHAR except CTLs or ";" (RFC 6265bis §4.1.1), for Path. */
const AV_VALUE = /^[\x20-\x3A\x3C-\x7E]*$/;
/** A host name or IP literal for Domain (a leading dot is allowed and ignored by user agents). */
const DOMAIN = /^\.?[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/;
/** User agents ignore a cookie whose name and value exceed 4096 bytes, and attribute values over 1024
 *  (RFC 6265bis §5.6 steps 3 and 5.2). */
const MAX_NAME_VALUE = 4096;
const MAX_ATTRIBUTE = 1024;

export type SameSite = 'Strict' | 'Lax' | 'None';
export type CookiePriority = 'Low' | 'Medium' | 'High';

export interface CookieOptions {
  /** Seconds until expiry (Max-Age, RFC 6265bis §4.1.2.2); 0 or less expires it now. User agents cap it at 400 days. */
  maxAge?: number;
  /** Expiry date (Expires, written as an IMF-fixdate); Max-Age wins when both are set. */
  expires?: Date;
  domain?: string;
  path?: string;
  /** Only over secure channels. Required by SameSite=None, Partitioned and the __Secure-/__Host- prefixes. */
  secure?: boolean;
  /** Not visible to scripts (document.cookie). */
  httpOnly?: boolean;
  sameSite?: SameSite;
  /** CHIPS: stored per top-level site (requires secure). */
  partitioned?: boolean;
  /** Chromium's Priority attribute (non-standard; other user agents ignore it). */
  priority?: CookiePriority;
  /** Sign the value with the first key of cookies({ secrets }) (HMAC-SHA256). */
  signed?: boolean;
}

function invalid(detail: string): WasmlaneError {
  return new WasmlaneError('WL_INVALID_COOKIE', detail);
}

/**
 * Parse Cookie field values (one per field line; HTTP/1.1 clients send one, but joining lines with
 * "; " is what RFC 9113 §8.2.3 asks of intermediaries, so more are accepted). Each `;`-separated piece
 * is trimmed of spaces and tabs and split at its first "=" (RFC 6265bis §5.6 / §5.7.4 name-value
 * parsing). Pieces without "=" or with an empty name are ignored; for a repeated name the first
 * occurrence wins (user agents send the most specific path first, RFC 6265bis §5.8.3 step 2).
 * Values are kept as sent (quotes included): no decoding.
 */
export function parseCookies(lines: readonly string[]): Record<string, string> {
  const jar: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const line of lines) {
    let at = 0;
    while (at < line.length) {
      let end = line.indexOf(';', at);
      if (end < 0) end = line.length;
      const eq = line.indexOf('=', at);
      if (eq >= 0 && eq < end) {
        const name = trimWs(line.slice(at, eq));
        if (name.length > 0 && !(name in jar)) jar[name] = trimWs(line.slice(eq + 1, end));
      }
      at = end + 1;
    }
  }
  return jar;
}

function trimWs(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && (text.charCodeAt(start) === 32 || text.charCodeAt(start) === 9)) start++;
  while (end > start && (text.charCodeAt(end - 1) === 32 || text.charCodeAt(end - 1) === 9)) end--;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}

const SAME_SITE: Readonly<Record<string, SameSite>> = { strict: 'Strict', lax: 'Lax', none: 'None' };
const PRIORITY: Readonly<Record<string, CookiePriority>> = { low: 'Low', medium: 'Medium', high: 'High' };

/** The Set-Cookie field value for `name=value` with `options` (RFC 6265bis §4.1), validated. */
export function serializeCookie(name: string, value: string, options: CookieOptions = {}): string {
  if (typeof name !== 'string' || !TOKEN.test(name)) throw invalid(`name ${JSON.stringify(name)} is not a token`);
  if (typeof value !== 'string' || !COOKIE_VALUE.test(value)) {
    throw invalid(`value of ${name} has characters outside cookie-octet (encode it, e.g. encodeURIComponent)`);
  }
  if (name.length + value.length > MAX_NAME_VALUE) throw invalid(`${name}: name and value longer than ${MAX_NAME_VALUE} bytes`);
  let out = `${name}=${value}`;
  const { maxAge, expires, domain, path, secure, httpOnly, sameSite, partitioned, priority } = options;
  if (maxAge !== undefined) {
    if (!Number.isInteger(maxAge)) throw invalid(`${name}: maxAge must be an integer number of seconds`);
    out += `; Max-Age=${maxAge}`;
  }
  if (expires !== undefined) {
    if (!(expires instanceof Date) || Number.isNaN(expires.getTime())) throw invalid(`${name}: expires must be a valid Date`);
    out += `; Expires=${expires.toUTCString()}`;
  }
  if (domain !== undefined) {
    if (!DOMAIN.test(domain) || domain.length > MAX_ATTRIBUTE) throw invalid(`${name}: domain ${JSON.stringify(domain)} is not a host name`);
    out += `; Domain=${domain}`;
  }
  if (path !== undefined) {
    if (!AV_VALUE.test(path) || path.length > MAX_ATTRIBUTE || !path.startsWith('/')) {
      throw invalid(`${name}: path must start with "/" and hold no CTL or ";"`);
    }
    out += `; Path=${path}`;
  }
  if (secure === true) out += '; Secure';
  if (httpOnly === true) out += '; HttpOnly';
  if (sameSite !== undefined) {
    const canonical = typeof sameSite === 'string' ? SAME_SITE[sameSite.toLowerCase()] : undefined;
    if (canonical === undefined) throw invalid(`${name}: sameSite must be 'Strict', 'Lax' or 'None'`);
    // Browsers reject SameSite=None without Secure (RFC 6265bis §5.6.7 / §5.7 step 18).
    if (canonical === 'None' && secure !== true) throw invalid(`${name}: SameSite=None requires secure`);
    out += `; SameSite=${canonical}`;
  }
  if (partitioned === true) {
    if (secure !== true) throw invalid(`${name}: Partitioned requires secure (CHIPS)`);
    out += '; Partitioned';
  }
  if (priority !== undefined) {
    const canonical = typeof priority === 'string' ? PRIORITY[priority.toLowerCase()] : undefined;
    if (canonical === undefined) throw invalid(`${name}: priority must be 'Low', 'Medium' or 'High'`);
    out += `; Priority=${canonical}`;
  }
  // Cookie name prefixes (RFC 6265bis §4.1.3), matched case-insensitively as user agents now do.
  const lower = name.toLowerCase();
  if (lower.startsWith('__secure-') && secure !== true) throw invalid(`${name}: the __Secure- prefix requires secure`);
  if (lower.startsWith('__host-') && (secure !== true || domain !== undefined || path !== '/')) {
    throw invalid(`${name}: the __Host- prefix requires secure, path "/" and no domain`);
  }
  return out;
}

/** The Set-Cookie value that removes `name`: empty value, Max-Age=0 and an Expires in the past.
 *  Domain and Path must be those the cookie was set with, or the user agent keeps it. */
export function serializeClearCookie(name: string, options: CookieOptions = {}): string {
  const { maxAge: _maxAge, expires: _expires, signed: _signed, ...rest } = options;
  return serializeCookie(name, '', { ...rest, maxAge: 0, expires: new Date(0) });
}
