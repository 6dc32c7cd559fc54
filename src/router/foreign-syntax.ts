// Express / fastify / path-to-regexp patterns (`/users/:id`, `/files/*`) would otherwise register as
// literal paths that no request ever matches. parsePattern refuses a static segment that starts with
// ":" or holds a "*" (outside {…}), with the wasmlane spelling computed here in the message.
import { WasmlaneError } from '../errors.js';

const PARAM_NAME = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
// :name, :name(regex) and :name? (optional, path-to-regexp / Express 4)
const COLON_PARAM = /^:([A-Za-z_$][A-Za-z0-9_$]*)(?:\((.*)\))?(\?)?$/;

/** True when a static segment uses ":" / "*" parameter syntax that wasmlane does not have. */
export function isForeignSegment(text: string): boolean {
  return text.charCodeAt(0) === 0x3a /* : */ || text.includes('*');
}

/** The wasmlane spelling of `pattern`, segment by segment; `optional` is set when a `:name?` was seen. */
export function rewriteForeign(pattern: string): { rewrite: string; optional: boolean } {
  const segments = pattern.split('/');
  const used = new Set<string>();
  const unique = (name: string): string => {
    let n = name;
    for (let k = 2; used.has(n); k++) n = `${name}${k}`;
    used.add(n);
    return n;
  };
  let optional = false;
  const out = segments.map((seg, i) => {
    if (i === 0 || seg.charCodeAt(0) === 0x7b /* { */ || !isForeignSegment(seg)) return seg;
    const last = i === segments.length - 1;
    const colon = COLON_PARAM.exec(seg);
    if (colon !== null) {
      if (colon[3] !== undefined) optional = true;
      const name = unique(colon[1]!);
      return colon[2] !== undefined && colon[2] !== '' ? `{${name}:${colon[2]}}` : `{${name}}`;
    }
    if (seg === '*' || (seg.charCodeAt(0) === 0x2a && PARAM_NAME.test(seg.slice(1)))) {
      const name = unique(seg.length > 1 ? seg.slice(1) : 'path');
      return last ? `{*${name}}` : `{${name}}`;
    }
    // Anything else: keep it literal, encoded.
    return (seg.charCodeAt(0) === 0x3a ? '%3A' + seg.slice(1) : seg).replaceAll('*', '%2A');
  });
  return { rewrite: out.join('/'), optional };
}

/** WL_INVALID_ROUTE for a pattern with a foreign segment, naming the segment and the rewrite. */
export function foreignSyntaxError(pattern: string, segment: string): WasmlaneError {
  const { rewrite, optional } = rewriteForeign(pattern);
  return new WasmlaneError(
    'WL_INVALID_ROUTE',
    `${JSON.stringify(pattern)}: segment ${JSON.stringify(segment)} uses ":"/"*" parameter syntax (Express, ` +
      `fastify), which wasmlane does not have and would take literally; write ${JSON.stringify(rewrite)} ` +
      '({name} is one segment, {*name} the rest of the path; a literal ":" at the start of a segment is ' +
      `written %3A, a literal "*" %2A)${optional ? '; for an optional parameter register both routes' : ''}`,
  );
}
