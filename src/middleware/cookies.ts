// cookies({ secrets }): the keys for signed cookies, per route, group or server. Reading and writing
// plain cookies needs no middleware (ctx.request.cookie(), ctx.setCookie()); this one only makes
// ctx.request.signedCookie() and ctx.setCookie(name, value, { signed: true }) work.
//
// Why a middleware and not a server option: secrets are code-level material (from the environment or
// a secret store), not something for a JSON config file, and different groups may use different keys;
// a route without it pays nothing. Under the "hook phases" change (server-level request middleware
// before routing) it works the same: it only attaches the keys to the request.
import type { Context } from '../context.js';
import { CookieKeys, attachCookieKeys } from '../http/cookie-sign.js';
import type { Middleware } from '../hooks.js';

export interface CookiesOptions {
  /** HMAC-SHA256 keys, newest first: cookies are signed with secrets[0] and verified against all of
   *  them (rotation: prepend a new key, drop the old one once its cookies expired). Each at least
   *  32 bytes (a string is taken as UTF-8). */
  secrets: readonly (string | Uint8Array)[];
}

export function cookies(options: CookiesOptions): Middleware<Context<any>> {
  const keys = new CookieKeys(options?.secrets);
  return (ctx) => {
    attachCookieKeys(ctx.request, keys);
  };
}
