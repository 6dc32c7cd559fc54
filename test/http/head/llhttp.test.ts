// Accept/reject comparison with Node's own parser (llhttp via the http_parser binding, node:http's
// strict defaults) on every corpus case and on the fuzz generator's valid heads. Exact error codes are
// not compared, only the verdict (accept / reject / incomplete). Where the RFCs leave a choice, or
// llhttp departs from them, the difference is listed below with its reason; any other disagreement
// fails. Each listed difference must actually occur, so the list cannot go stale.
import { describe, expect, it } from 'vitest';
import * as abi from '../../../src/abi.js';
import { createHeadParser } from '../../../src/http/head/index.js';
import { DEFAULT_HEAD_LIMITS } from '../../../src/http/head/parser.js';
import { loadHeadCorpus, type HeadCase } from '../../corpus/head/load.js';
import { Gen, rng, validHead } from './support/gen.js';
import { rcName } from './support/table.js';
import { LLHTTP_METHODS, llhttpParse, type Verdict } from './support/llhttp.js';

interface Difference {
  /** Which side accepts the head. */
  readonly weAccept: boolean;
  readonly why: string;
  /** Does this difference explain the disagreement on this input (head text, our return code)? */
  readonly applies: (head: string, rc: number) => boolean;
}

const requestLine = (head: string) => head.replace(/^(\r\n)+/, '').split(/\r?\n/)[0] ?? '';
const fieldValues = (head: string, name: string) =>
  [...head.matchAll(new RegExp(`\\r\\n${name}:([^\\r\\n]*)`, 'gi'))].map((m) => m[1]!);

// ---- Deliberate differences -------------------------------------------------------------------
const DIFFERENCES: Record<string, Difference> = {
  // We accept, llhttp rejects.
  'method outside llhttp\'s list': {
    weAccept: true,
    why: 'RFC 9110 §9.1: a method is any case-sensitive token; an unknown one is answered 501 by the server ' +
      '(§15.6.2), not refused by the parser. llhttp only knows a fixed registry of methods.',
    applies: (head) => !LLHTTP_METHODS.includes(requestLine(head).split(' ')[0]!),
  },
  'HTTP/1.x minor version above 1': {
    weAccept: true,
    why: 'RFC 9110 §2.5 / §6.2: a recipient of a higher minor version of a major version it implements ' +
      'processes it as the highest minor it implements. llhttp rejects any version but 0.9, 1.0, 1.1, 2.0.',
    applies: (head) => / HTTP\/1\.[2-9]$/.test(requestLine(head)),
  },
  'repeated identical Content-Length': {
    weAccept: true,
    why: 'RFC 9110 §8.6: repeated lines or a list of identical values MAY be taken as that one value ' +
      '(no framing ambiguity). llhttp refuses any duplicate or comma.',
    applies: (head) => {
      const values = fieldValues(head, 'content-length').flatMap((v) => v.split(',')).map((v) => v.trim());
      return values.length > 1 && values.every((v) => v === values[0]);
    },
  },
  'HTAB in OWS around a framing value': {
    weAccept: true,
    why: 'RFC 9110 §5.6.3: OWS = *( SP / HTAB ) and §5.5 excludes it from the value. llhttp rejects a tab ' +
      'around Content-Length and Transfer-Encoding values (stricter than the RFC, never ambiguous).',
    applies: (head) => [...fieldValues(head, 'content-length'), ...fieldValues(head, 'transfer-encoding')].some((v) => v.includes('\t')),
  },
  'empty elements in the Transfer-Encoding list': {
    weAccept: true,
    why: 'RFC 9110 §5.6.1: a recipient MUST accept and ignore empty list elements (", chunked ,"). ' +
      'llhttp rejects them.',
    applies: (head) => fieldValues(head, 'transfer-encoding').some((v) => /^[ \t]*,|,[ \t]*,|,[ \t]*$/.test(v)),
  },
  'scheme with digits, "+", "-" or "."': {
    weAccept: true,
    why: 'RFC 3986 §3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ). llhttp allows letters only.',
    applies: (head) => /^[A-Za-z][A-Za-z0-9+.-]*[0-9+.-][A-Za-z0-9+.-]*:/.test(requestLine(head).split(' ')[1] ?? ''),
  },
  // We reject, llhttp accepts.
  'Host checks': {
    weAccept: false,
    why: 'RFC 9112 §3.2: a server MUST answer 400 to an HTTP/1.1 request without Host, with more than one ' +
      'Host line, or with an invalid Host value. llhttp leaves Host to node:http (requireHostHeader).',
    applies: (_h, rc) => rc === abi.E_MISSING_HOST || rc === abi.E_DUPLICATE_HOST || rc === abi.E_INVALID_HOST,
  },
  'HTTP major version other than 1': {
    weAccept: false,
    why: 'RFC 9110 §15.6.6: 505 for a major version the server does not support in this syntax (0.9 and ' +
      '2.0 do not use an HTTP/1.1 request line). llhttp parses them.',
    applies: (_h, rc) => rc === abi.E_VERSION_NOT_SUPPORTED,
  },
  'Content-Length above 2^53 - 1': {
    weAccept: false,
    why: 'RFC 9110 §8.6: recipients MUST anticipate large values and prevent overflow; our bodies are ' +
      'counted in JS numbers, so the limit is 2^53 - 1. llhttp counts in 64 bits.',
    applies: (_h, rc) => rc === abi.E_CONTENT_LENGTH_OVERFLOW,
  },
  'transfer codings we do not implement': {
    weAccept: false,
    why: 'RFC 9112 §6.1: a coding the server does not understand is answered 501; a malformed list is ' +
      'invalid (RFC 9110 §5.6.1); Transfer-Encoding in HTTP/1.0 MUST be treated as faulty framing. llhttp ' +
      'accepts any coding list ending in chunked, and TE in 1.0.',
    applies: (_h, rc) => rc === abi.E_UNSUPPORTED_TE || rc === abi.E_INVALID_TE || rc === abi.E_TE_IN_HTTP10,
  },
  'request-target grammar and forms': {
    weAccept: false,
    why: 'RFC 9112 §3.2: the target must be one of four forms, asterisk only for OPTIONS and authority only ' +
      '(and always) for CONNECT, built from RFC 3986 characters plus | ^ { } \\ ` (sent unencoded by ' +
      'browsers, so accepted like llhttp does, unless strictTarget); §3 says an invalid request-line SHOULD ' +
      'get 400. llhttp also accepts ", <, >, # (browsers always percent-encode them or, for #, never send ' +
      'the fragment) and any form for any method.',
    applies: (_h, rc) => rc === abi.E_INVALID_TARGET || rc === abi.E_INVALID_TARGET_FORM,
  },
  'single SP only in the request line': {
    weAccept: false,
    why: 'RFC 9112 §3: recipients MAY parse on whitespace boundaries; we keep the strict single-SP grammar ' +
      '(fewer ways to disagree with a front end). llhttp skips extra spaces.',
    applies: (head, rc) => (rc === abi.E_INVALID_TARGET || rc === abi.E_INVALID_VERSION) && requestLine(head).includes('  '),
  },
  'HTTP/0.9 simple request': {
    weAccept: false,
    why: 'RFC 9112 §2.3 / Appendix C.1: HTTP/0.9 requests have no version; we do not support them. llhttp does.',
    applies: (head, rc) => rc === abi.E_INVALID_VERSION && /^\S+ \S+$/.test(requestLine(head)),
  },
  'leading bare CR or LF': {
    weAccept: false,
    why: 'RFC 9112 §2.2: a recipient MAY accept a bare LF as a line terminator; we require CRLF everywhere ' +
      '(also for the empty lines skipped before the request line). llhttp skips any CR/LF there.',
    applies: (head, rc) => (rc === abi.E_BARE_LF || rc === abi.E_BARE_CR) && /^(\r\n)*(\n|\r[^\n])/.test(head),
  },
};

const used = new Map<string, number>();

function verdictOf(rc: number): Verdict {
  return rc > 0 ? 'accept' : rc < 0 ? 'reject' : 'incomplete';
}

/** Null when the verdicts agree or a listed difference explains them, else a description. */
function compare(c: HeadCase): string | null {
  const parser = createHeadParser('js', c.limits);
  const rc = parser.parse(c.input, 0, c.input.length, 0);
  const ours = verdictOf(rc);
  const theirs = llhttpParse(c.input);
  if (ours === theirs.verdict) return null;
  const head = Buffer.from(c.input).toString('latin1');
  const reasons = Object.entries(DIFFERENCES).filter(([, d]) =>
    d.weAccept === (ours === 'accept') && (ours === 'accept' ? theirs.verdict === 'reject' : theirs.verdict !== 'reject') && d.applies(head, rc));
  if (reasons.length > 0) {
    for (const [name] of reasons) used.set(name, (used.get(name) ?? 0) + 1);
    return null;
  }
  return `${c.file} › ${c.title}: ours ${ours} (${rcName(rc)}), llhttp ${theirs.verdict}${theirs.reason ? ` (${theirs.reason})` : ''}\n    ${JSON.stringify(head.slice(0, 200))}`;
}

const isDefaultLimits = (c: HeadCase) =>
  (Object.keys(DEFAULT_HEAD_LIMITS) as (keyof typeof DEFAULT_HEAD_LIMITS)[]).every((k) => c.limits[k] === DEFAULT_HEAD_LIMITS[k]);

describe('accept/reject agreement with llhttp (node:http)', () => {
  it('agrees on every corpus case run with default limits', () => {
    // Cases with limit overrides are skipped: llhttp has one total head limit (16 KiB, as our default).
    const cases = loadHeadCorpus().filter(isDefaultLimits);
    expect(cases.length).toBeGreaterThan(200);
    const problems = cases.map(compare).filter((p) => p !== null);
    expect(problems, problems.join('\n')).toEqual([]);
  });

  it('agrees on 3000 generated valid heads', () => {
    const seed = process.env.SEED !== undefined ? Number(process.env.SEED) >>> 0 : 0x5eed2026;
    const g = new Gen(rng(seed));
    const problems: string[] = [];
    for (let i = 0; i < 3000; i++) {
      const p = compare(validHead(g, `valid head #${i} (seed ${seed})`));
      if (p !== null && problems.length < 10) problems.push(p);
    }
    expect(problems, problems.join('\n')).toEqual([]);
  });

  it('has no stale entries in the list of deliberate differences', () => {
    const unused = Object.keys(DIFFERENCES).filter((name) => !used.has(name));
    expect(unused).toEqual([]);
  });
});
