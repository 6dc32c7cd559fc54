// Route pattern syntax, parsed once at registration (never per request).
//
//   /users/{id}/files/{name:[a-z]+}/{*rest}
//
// - static segment: written as it appears on the wire, i.e. already percent-encoded. Its characters
//   must be `pchar` (RFC 3986 §3.3, referenced by RFC 9110 §4.1): unreserved / pct-encoded /
//   sub-delims / ':' / '@', or one of `| ^ \ \`` (which browsers send unencoded; a literal brace is
//   %7B / %7D). A segment may not start with ':' nor hold '*': that is Express / fastify parameter
//   syntax (refused with the wasmlane spelling, see foreign-syntax.ts); write %3A / %2A for the
//   literal character. Static segments compare with the request path in canonical spelling
//   (canonical.ts): `/a%3Ab` matches `/a:b`, `/a%3Ab` and `/a%3ab`.
// - {name}        one whole, non-empty segment.
// - {name:regex}  one whole, non-empty segment whose percent-decoded value matches ^(?:regex)$.
//                 The regex is compiled once here. It is only ever applied to a single segment, and
//                 a literal '/' in its source is rejected so that a pattern never *looks* like it
//                 spans segments. Braces inside the regex must balance (`\d{2,4}` is fine).
// - {*name}       tail wildcard, last segment only: the rest of the path (at least one character,
//                 may contain '/').
// Parameters always span a whole segment: `/a{b}` and `/{a}b` are rejected.
import { WasmlaneError } from '../errors.js';
import { canonicalPath } from './canonical.js';
import { foreignSyntaxError, isForeignSegment } from './foreign-syntax.js';

export type Segment =
  | { readonly kind: 'static'; readonly text: string } // canonical spelling (canonical.ts)
  | { readonly kind: 'param'; readonly name: string }
  | { readonly kind: 'regex'; readonly name: string; readonly source: string; readonly re: RegExp }
  | { readonly kind: 'wildcard'; readonly name: string };

// A parameter name becomes a property of the params object: keep it to JS identifiers so that
// `params.name` works and so that `__proto__` can never reach Object.prototype.
const PARAM_NAME = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const FORBIDDEN_NAMES = new Set(['__proto__', 'constructor', 'prototype']);
// RFC 3986 §3.3 pchar without pct-encoded (checked separately below), plus the bytes browsers send
// unencoded and the head parser accepts by default (RequestConfig.strictTarget).
const PCHAR = /^[A-Za-z0-9\-._~!$&'()*+,;=:@|^\\`]$/;
const HEX = /^[0-9A-Fa-f]{2}$/;

function invalid(pattern: string, why: string): WasmlaneError {
  return new WasmlaneError('WL_INVALID_ROUTE', `${JSON.stringify(pattern)}: ${why}`);
}

/** Parse a route pattern into segments; throws WasmlaneError('WL_INVALID_ROUTE') with the reason. */
export function parsePattern(pattern: string): Segment[] {
  if (typeof pattern !== 'string' || pattern.length === 0) throw invalid(String(pattern), 'empty pattern');
  if (pattern.charCodeAt(0) !== 0x2f) throw invalid(pattern, 'a pattern must start with "/"');
  const len = pattern.length;
  const segments: Segment[] = [];
  const names = new Set<string>();
  let i = 1; // start of the current segment (just after a '/')
  for (;;) {
    let end: number; // index of the '/' that ends this segment, or len
    if (pattern.charCodeAt(i) === 0x7b /* { */) {
      const close = findClosingBrace(pattern, i);
      end = close + 1;
      if (end < len && pattern.charCodeAt(end) !== 0x2f) {
        throw invalid(pattern, `a parameter must span a whole segment (text after "}" at offset ${end})`);
      }
      const seg = parseParam(pattern, pattern.slice(i + 1, close), end === len);
      if (names.has(seg.name)) throw invalid(pattern, `duplicate parameter name "${seg.name}"`);
      names.add(seg.name);
      segments.push(seg);
    } else {
      end = pattern.indexOf('/', i);
      if (end < 0) end = len;
      const text = pattern.slice(i, end);
      if (isForeignSegment(text)) throw foreignSyntaxError(pattern, text);
      checkStatic(pattern, text, i);
      segments.push({ kind: 'static', text: canonicalPath(text) });
    }
    if (end >= len) break;
    i = end + 1;
  }
  return segments;
}

/** Index of the '}' closing the '{' at `open`, honouring nesting and backslash escapes. */
function findClosingBrace(pattern: string, open: number): number {
  let depth = 0;
  for (let j = open; j < pattern.length; j++) {
    const c = pattern.charCodeAt(j);
    if (c === 0x5c /* \ */) {
      if (pattern.charCodeAt(j + 1) === 0x2f) throw invalid(pattern, `"/" inside {…} at offset ${j + 1}`);
      j++;
    } else if (c === 0x2f) {
      throw invalid(pattern, `"/" inside {…} at offset ${j} (a parameter is one segment; its regex may not contain "/")`);
    } else if (c === 0x7b) {
      depth++;
    } else if (c === 0x7d && --depth === 0) {
      return j;
    }
  }
  throw invalid(pattern, `unbalanced "{" at offset ${open}`);
}

function parseParam(pattern: string, inner: string, isLast: boolean): Exclude<Segment, { kind: 'static' }> {
  if (inner.charCodeAt(0) === 0x2a /* * */) {
    const name = inner.slice(1);
    if (name.includes(':')) throw invalid(pattern, `wildcard {*${name}} cannot have a regex`);
    checkName(pattern, name);
    if (!isLast) throw invalid(pattern, `wildcard {*${name}} must be the last segment`);
    return { kind: 'wildcard', name };
  }
  const colon = inner.indexOf(':');
  const name = colon < 0 ? inner : inner.slice(0, colon);
  checkName(pattern, name);
  if (colon < 0) return { kind: 'param', name };
  const source = inner.slice(colon + 1);
  if (source.length === 0) throw invalid(pattern, `empty regex for parameter "${name}"`);
  try {
    // Compile the source alone first: `a)|(b` would otherwise escape the ^(?:…)$ anchoring below.
    new RegExp(source);
  } catch (err) {
    throw invalid(pattern, `invalid regex for parameter "${name}": ${(err as Error).message}`);
  }
  return { kind: 'regex', name, source, re: new RegExp(`^(?:${source})$`) };
}

function checkName(pattern: string, name: string): void {
  if (name.length === 0) throw invalid(pattern, 'empty parameter name');
  if (!PARAM_NAME.test(name) || FORBIDDEN_NAMES.has(name)) {
    throw invalid(pattern, `parameter name "${name}" must be an identifier ([A-Za-z_$][A-Za-z0-9_$]*, not __proto__/constructor/prototype)`);
  }
}

function checkStatic(pattern: string, text: string, offset: number): void {
  for (let k = 0; k < text.length; k++) {
    const ch = text[k]!;
    if (ch === '{') throw invalid(pattern, `a parameter must span a whole segment ("{" at offset ${offset + k})`);
    if (ch === '}') throw invalid(pattern, `unbalanced "}" at offset ${offset + k}`);
    if (ch === '%') {
      if (!HEX.test(text.slice(k + 1, k + 3))) throw invalid(pattern, `bad percent-encoding at offset ${offset + k}`);
      k += 2;
      continue;
    }
    if (!PCHAR.test(ch)) {
      throw invalid(pattern, `character ${JSON.stringify(ch)} at offset ${offset + k} is not allowed in a path segment (RFC 3986 §3.3; percent-encode it)`);
    }
  }
}
