// Field values a form parser needs to read: the request's Content-Type (RFC 9110 §8.3.1 media type
// with parameters), a part's header section and its Content-Disposition (RFC 7578 §4.2, RFC 6266 §4.1),
// including filename* (RFC 8187 ext-value, the successor of RFC 5987).
import { TextDecoder } from 'node:util';
import { WasmlaneError } from '../errors.js';

export interface MediaType {
  /** type "/" subtype, lower-cased. */
  readonly type: string;
  /** Parameters, names lower-cased, values unquoted (the first of a repeated name wins). */
  readonly params: ReadonlyMap<string, string>;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const TCHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;

function isWs(c: string | undefined): boolean {
  return c === ' ' || c === '\t';
}

/**
 * Parse `*( OWS ";" OWS name "=" ( token / quoted-string ) )` from value[from..]. Returns null when
 * malformed. In a quoted-string, `\"` and `\\` are unescaped (RFC 9110 §5.6.4 quoted-pair); any other
 * backslash is kept as is, because browsers never escape (WHATWG HTML §4.10.21.8 sends `"` as %22)
 * and Windows file names are full of backslashes. %22, %0D and %0A are left as sent.
 */
export function parseParams(value: string, from: number): Map<string, string> | null {
  const params = new Map<string, string>();
  let i = from;
  const n = value.length;
  for (;;) {
    while (isWs(value[i])) i++;
    if (i >= n) return params;
    if (value[i] !== ';') return null;
    i++;
    while (isWs(value[i])) i++;
    if (i >= n) return params; // a trailing ";" is tolerated
    const nameStart = i;
    while (i < n && TCHAR.test(value[i]!)) i++;
    const name = value.slice(nameStart, i).toLowerCase();
    if (name.length === 0 || value[i] !== '=') return null;
    i++;
    let v: string;
    if (value[i] === '"') {
      i++;
      v = '';
      for (;;) {
        if (i >= n) return null; // unterminated quoted-string
        const c = value[i++]!;
        if (c === '"') break;
        if (c === '\\' && (value[i] === '"' || value[i] === '\\')) v += value[i++];
        else v += c;
      }
    } else {
      const start = i;
      while (i < n && TCHAR.test(value[i]!)) i++;
      v = value.slice(start, i);
      if (v.length === 0) return null;
    }
    if (!params.has(name)) params.set(name, v);
  }
}

/** Parse a Content-Type value; null when it is not `type/subtype *(; param)`. */
export function parseMediaType(value: string): MediaType | null {
  let i = 0;
  while (isWs(value[i])) i++;
  const start = i;
  while (i < value.length && value[i] !== ';' && !isWs(value[i])) i++;
  const type = value.slice(start, i).toLowerCase();
  const slash = type.indexOf('/');
  if (slash <= 0 || !TOKEN.test(type.slice(0, slash)) || !TOKEN.test(type.slice(slash + 1))) return null;
  const params = parseParams(value, i);
  return params === null ? null : { type, params };
}

export interface Disposition {
  readonly name: string;
  /** filename* (decoded) when present and valid, else filename, else undefined (a field). */
  readonly filename: string | undefined;
}

/** Content-Disposition of a form part: `form-data; name="…"[; filename="…"][; filename*=…]`. */
export function parseDisposition(value: string | undefined): Disposition {
  if (value === undefined) throw invalid('part without Content-Disposition');
  const semi = value.indexOf(';');
  const type = (semi < 0 ? value : value.slice(0, semi)).trim().toLowerCase();
  if (type !== 'form-data') throw invalid(`Content-Disposition type is not form-data: ${JSON.stringify(type)}`);
  const params = semi < 0 ? new Map<string, string>() : parseParams(value, semi);
  if (params === null) throw invalid('malformed Content-Disposition parameters');
  const name = params.get('name');
  if (name === undefined) throw invalid('Content-Disposition without a name parameter (RFC 7578 §4.2)');
  const extended = params.get('filename*');
  const decoded = extended === undefined ? undefined : decodeExtValue(extended);
  return { name, filename: decoded ?? params.get('filename') };
}

/**
 * RFC 8187 §3.2 ext-value: charset "'" [ language ] "'" value-chars (percent-encoded octets).
 * UTF-8 and ISO-8859-1 are understood; anything else (or bad encoding) gives undefined, so the plain
 * filename parameter is used instead (RFC 6266 §4.3).
 */
export function decodeExtValue(value: string): string | undefined {
  const first = value.indexOf("'");
  const second = first < 0 ? -1 : value.indexOf("'", first + 1);
  if (second < 0) return undefined;
  const charset = value.slice(0, first).toLowerCase();
  const encoding = charset === 'utf-8' ? 'utf8' : charset === 'iso-8859-1' ? 'latin1' : null;
  if (encoding === null) return undefined;
  const chars = value.slice(second + 1);
  const bytes: number[] = [];
  for (let i = 0; i < chars.length; i++) {
    const c = chars.charCodeAt(i);
    if (c === 0x25) {
      const hex = chars.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return undefined;
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else if (c < 0x80 && TCHAR.test(chars[i]!)) {
      bytes.push(c); // attr-char is a subset of tchar; be lenient about the exact subset
    } else {
      return undefined;
    }
  }
  const buf = Buffer.from(bytes);
  if (encoding === 'utf8') {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(buf);
    } catch {
      return undefined;
    }
  }
  return buf.toString('latin1');
}

/**
 * A part's header section: field lines separated by CRLF (RFC 2046 §5.1.1 / RFC 5322 syntax). Decoded
 * as UTF-8, which is what browsers send for non-ASCII names and file names (WHATWG HTML §4.10.21.8).
 * Names are lower-cased; the first of a repeated name wins. Folded lines are refused.
 */
export function parsePartHeaders(head: Buffer): Record<string, string> {
  const fields: Record<string, string> = Object.create(null) as Record<string, string>;
  if (head.length === 0) return fields;
  for (const line of head.toString('utf8').split('\r\n')) {
    const colon = line.indexOf(':');
    const name = colon < 0 ? '' : line.slice(0, colon);
    if (!TOKEN.test(name)) throw invalid(`malformed part header line ${JSON.stringify(line.slice(0, 64))}`);
    const lower = name.toLowerCase();
    if (!(lower in fields)) fields[lower] = line.slice(colon + 1).trim();
  }
  return fields;
}

const UTF8 = new TextDecoder('utf-8');

/** The charset a text part is decoded with: its Content-Type charset when Node knows it, else UTF-8. */
export function textDecoderFor(contentType: string | undefined): TextDecoder {
  const charset = contentType === undefined ? undefined : parseMediaType(contentType)?.params.get('charset');
  if (charset !== undefined && charset.toLowerCase() !== 'utf-8') {
    try {
      return new TextDecoder(charset);
    } catch {
      // an unknown label: fall back to UTF-8, the form default (RFC 7578 §5.1.2)
    }
  }
  return UTF8;
}

function invalid(detail: string): WasmlaneError {
  return new WasmlaneError('WL_FORM_INVALID', detail);
}
