// Signed cookies: `value.signature` where signature = base64url(HMAC-SHA256(key, name "=" value)).
// The name is signed too, so a signed value cannot be replayed under another cookie name. Keys are a
// list for rotation: sign with the first, accept a signature made with any of them. Signatures are
// compared with crypto.timingSafeEqual (equal lengths checked first; the length is public anyway).
import { createHmac, createSecretKey, timingSafeEqual } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { WasmlaneError } from '../errors.js';

/** Shortest secret accepted (bytes): HMAC-SHA256 keys should be at least the hash length (RFC 2104 §3). */
export const MIN_SECRET_BYTES = 32;
/** base64url of a 32-byte HMAC-SHA256. */
const SIGNATURE_LENGTH = 43;

export class CookieKeys {
  readonly #keys: readonly KeyObject[];

  constructor(secrets: readonly (string | Uint8Array)[]) {
    if (!Array.isArray(secrets) || secrets.length === 0) {
      throw new WasmlaneError('WL_INVALID_CONFIG', 'cookies: secrets must be a non-empty array (newest first)');
    }
    this.#keys = secrets.map((secret, i) => {
      const bytes = typeof secret === 'string' ? Buffer.from(secret, 'utf8')
        : secret instanceof Uint8Array ? Buffer.from(secret) : null;
      if (bytes === null || bytes.length < MIN_SECRET_BYTES) {
        throw new WasmlaneError('WL_INVALID_CONFIG', `cookies: secrets[${i}] must be a string or bytes of at least ${MIN_SECRET_BYTES} bytes`);
      }
      return createSecretKey(bytes);
    });
  }

  /** `value.signature` with the first (current) key. */
  sign(name: string, value: string): string {
    return `${value}.${mac(this.#keys[0]!, name, value)}`;
  }

  /** The value when `signed` carries a valid signature under any key, else false. */
  unsign(name: string, signed: string): string | false {
    const dot = signed.lastIndexOf('.');
    if (dot < 0 || signed.length - dot - 1 !== SIGNATURE_LENGTH) return false;
    const value = signed.slice(0, dot);
    const given = Buffer.from(signed.slice(dot + 1), 'latin1');
    let ok = false;
    // Try every key (no early exit) so the time taken does not tell which key matched.
    for (const key of this.#keys) {
      if (timingSafeEqual(Buffer.from(mac(key, name, value), 'latin1'), given)) ok = true;
    }
    return ok ? value : false;
  }
}

function mac(key: KeyObject, name: string, value: string): string {
  return createHmac('sha256', key).update(`${name}=${value}`, 'latin1').digest('base64url');
}

// The keys in effect for a request, set by the cookies() middleware. A WeakMap keyed by the request
// view: no field on the Request (nothing on the hot path), and the entry goes with the request.
const keysByRequest = new WeakMap<object, CookieKeys>();

export function attachCookieKeys(request: object, keys: CookieKeys): void {
  keysByRequest.set(request, keys);
}

export function cookieKeysOf(request: object): CookieKeys {
  const keys = keysByRequest.get(request);
  if (keys === undefined) {
    throw new WasmlaneError('WL_INVALID_COOKIE', 'signed cookies need the cookies({ secrets }) middleware on this route');
  }
  return keys;
}
