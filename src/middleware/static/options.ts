// Run-time check of serveStatic() options, like the server's own config (src/config.ts): an unknown
// key (a typo such as `dotFiles`) or a wrong type is WL_INVALID_CONFIG at startup instead of a
// silently ignored option.
import { WasmlaneError } from '../../errors.js';

type Check = (value: unknown) => boolean;

const bool: Check = (v) => typeof v === 'boolean';
const count: Check = (v) => Number.isSafeInteger(v) && (v as number) >= 0;
const oneOf = (...values: unknown[]): Check => (v) => values.includes(v);
const names: Check = (v) => Array.isArray(v) && v.every((n) => typeof n === 'string' && n !== '' && !/[\\/\0]/.test(n));

const CHECKS: Record<string, [Check, string]> = {
  prefix: [(v) => typeof v === 'string' && (v === '' || v.startsWith('/')), 'a path starting with "/" (or "")'],
  fallthrough: [bool, 'a boolean'],
  index: [(v) => v === false || names(v), 'false or an array of file names'],
  redirect: [bool, 'a boolean'],
  dotfiles: [oneOf('ignore', 'deny', 'allow'), "'ignore', 'deny' or 'allow'"],
  followSymlinks: [bool, 'a boolean'],
  etag: [oneOf('strong', 'weak', false), "'strong', 'weak' or false"],
  lastModified: [bool, 'a boolean'],
  maxAge: [count, 'a non-negative integer (seconds)'],
  immutable: [bool, 'a boolean'],
  cacheControl: [(v) => typeof v === 'string' && !/[\r\n\0]/.test(v), 'a field value (no CR, LF, NUL)'],
  precompressed: [(v) => typeof v === 'boolean' || (Array.isArray(v) && v.every((c) => c === 'br' || c === 'gzip')),
    "a boolean or an array of 'br' / 'gzip'"],
  mimeTypes: [(v) => typeof v === 'object' && v !== null && Object.values(v).every((t) => typeof t === 'string'),
    'an object of extension → type strings'],
  inlineMax: [count, 'a non-negative integer (bytes)'],
  chunkSize: [(v) => count(v) && (v as number) > 0, 'a positive integer (bytes)'],
  setHeaders: [(v) => typeof v === 'function', 'a function'],
};

export function checkStaticOptions(options: object): void {
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined) continue; // an explicit undefined keeps the default
    const check = CHECKS[key];
    if (check === undefined) throw new WasmlaneError('WL_INVALID_CONFIG', `serveStatic: unknown option ${JSON.stringify(key)}`);
    if (!check[0](value)) {
      throw new WasmlaneError('WL_INVALID_CONFIG', `serveStatic: ${key} must be ${check[1]}, got ${String(value)}`);
    }
  }
}
