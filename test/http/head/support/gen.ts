// Seeded generator of valid request heads, with the expected parse computed independently (an oracle
// for the fuzz and the llhttp comparison), plus byte mutations that push heads into error paths.
import * as abi from '../../../../src/abi.js';
import { DEFAULT_HEAD_LIMITS } from '../../../../src/http/head/parser.js';
import type { HeadCase, HeadExpectOk } from '../../../corpus/head/load.js';

/** mulberry32: small, fast, good enough to spread test inputs; same seed → same inputs. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Gen {
  constructor(readonly next: () => number) {}
  int(lo: number, hi: number): number { return lo + Math.floor(this.next() * (hi - lo + 1)); }
  chance(p: number): boolean { return this.next() < p; }
  pick<T>(items: readonly T[]): T { return items[Math.floor(this.next() * items.length)]!; }
  str(alphabet: string, lo: number, hi: number): string {
    let s = '';
    for (let n = this.int(lo, hi); n > 0; n--) s += alphabet[Math.floor(this.next() * alphabet.length)];
    return s;
  }
}

const ALPHA = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
const DIGIT = '0123456789';
const TCHAR = ALPHA + DIGIT + "!#$%&'*+-.^_`|~";
// RFC 3986 bytes plus the ones browsers send unencoded, accepted unless strictTarget.
const TARGET = ALPHA + DIGIT + "-._~%!$&'()*+,;=:@/?[]|^{}\\`";
const REG_NAME = 'abcdefghijklmnopqrstuvwxyz0123456789-.';
const METHODS: [string, number][] = [
  ['GET', abi.METHOD_GET], ['HEAD', abi.METHOD_HEAD], ['POST', abi.METHOD_POST], ['PUT', abi.METHOD_PUT],
  ['DELETE', abi.METHOD_DELETE], ['OPTIONS', abi.METHOD_OPTIONS], ['TRACE', abi.METHOD_TRACE], ['PATCH', abi.METHOD_PATCH],
];
const SPECIAL = new Set(['host', 'content-length', 'transfer-encoding', 'connection', 'expect', 'upgrade']);

function ows(g: Gen): string {
  return g.chance(0.6) ? '' : g.str(' \t', 1, 3);
}

function fieldValue(g: Gen): string {
  // field-vchar / obs-text with inner SP / HTAB (RFC 9110 §5.5); never leading or trailing whitespace.
  let v = '';
  for (let n = g.int(0, 40); n > 0; n--) {
    const r = g.next();
    v += r < 0.08 ? String.fromCharCode(g.int(0x80, 0xff)) : String.fromCharCode(g.int(0x21, 0x7e));
    if (g.chance(0.1) && n > 1) v += g.pick([' ', '\t', '  ']);
  }
  return v;
}

function hostValue(g: Gen): string {
  switch (g.int(0, 4)) {
    case 0: return g.str(REG_NAME, 1, 20);
    case 1: return `${g.str(REG_NAME, 1, 20)}:${g.int(1, 65535)}`;
    case 2: return `${g.int(0, 255)}.${g.int(0, 255)}.${g.int(0, 255)}.${g.int(0, 255)}:${g.int(1, 65535)}`;
    case 3: return g.pick(['[::1]', '[2001:db8::7]:8443', '[fe80::1:2]']);
    default: return g.chance(0.5) ? '' : 'localhost';
  }
}

/** One valid head (and optional bytes after it) with the parse the RFC rules require. */
export function validHead(g: Gen, title: string): HeadCase {
  let method: string;
  let methodId: number;
  const pickM = g.next();
  if (pickM < 0.7) [method, methodId] = g.pick(METHODS);
  else if (pickM < 0.8) [method, methodId] = ['CONNECT', abi.METHOD_CONNECT];
  else {
    do method = g.str(TCHAR, 1, 12); while (method === 'CONNECT');
    methodId = METHODS.find(([m]) => m === method)?.[1] ?? abi.METHOD_OTHER;
  }
  let target: string;
  let form: number;
  if (method === 'CONNECT') {
    target = g.chance(0.8) ? `${g.str(REG_NAME, 1, 20)}:${g.int(1, 65535)}` : `[::1]:${g.int(1, 65535)}`;
    form = abi.FORM_AUTHORITY;
  } else if (method === 'OPTIONS' && g.chance(0.3)) {
    target = '*';
    form = abi.FORM_ASTERISK;
  } else if (g.chance(0.85)) {
    target = '/' + g.str(TARGET, 0, 40);
    form = abi.FORM_ORIGIN;
  } else {
    target = `${g.pick(['http', 'https', 'ws', 'a+b.c-d'])}://${g.str(REG_NAME, 1, 15)}/${g.str(TARGET, 0, 30)}`;
    form = abi.FORM_ABSOLUTE;
  }
  const version = g.chance(0.8) ? 11 : g.chance(0.75) ? 10 : g.int(12, 19);

  const headers: [string, string, string][] = []; // name, raw value (with OWS), trimmed value
  const add = (name: string, value: string) => headers.push([name, ows(g) + value + ows(g), value]);
  let flags = 0;
  for (let n = g.int(0, 10); n > 0; n--) {
    let name = g.str(TCHAR, 1, 16);
    while (SPECIAL.has(name.toLowerCase())) name = g.str(TCHAR, 1, 16);
    add(name, fieldValue(g));
  }
  const caseOf = (name: string) => (g.chance(0.3) ? name.toLowerCase() : g.chance(0.2) ? name.toUpperCase() : name);
  let contentLength: number | undefined;
  const framing = g.int(0, 2);
  if (framing === 1) {
    contentLength = g.chance(0.5) ? g.int(0, 100000) : Math.floor(g.next() * Number.MAX_SAFE_INTEGER);
    const repeats = g.chance(0.1) ? 2 : 1;
    for (let r = 0; r < repeats; r++) add(caseOf('Content-Length'), String(contentLength));
    flags |= abi.F_CONTENT_LENGTH;
  } else if (framing === 2 && version >= 11) {
    add(caseOf('Transfer-Encoding'), g.pick(['chunked', 'Chunked', 'CHUNKED', ', chunked', 'chunked ,']));
    flags |= abi.F_CHUNKED | abi.F_TRANSFER_ENCODING;
  }
  if (g.chance(0.4)) {
    const tokens = Array.from({ length: g.int(1, 3) }, () => g.pick(['close', 'keep-alive', 'Keep-Alive', 'upgrade', 'Upgrade', 'x-opt', 'TE']));
    add(caseOf('Connection'), tokens.join(g.pick([',', ', ', ' ,', ' , '])));
    for (const t of tokens.map((x) => x.toLowerCase())) {
      if (t === 'close') flags |= abi.F_CONN_CLOSE;
      if (t === 'keep-alive') flags |= abi.F_CONN_KEEP_ALIVE;
      if (t === 'upgrade') flags |= abi.F_CONN_UPGRADE;
    }
  }
  if (g.chance(0.15)) {
    const cont = g.chance(0.6);
    add(caseOf('Expect'), cont ? g.pick(['100-continue', '100-Continue']) : 'x-thing');
    flags |= cont ? abi.F_EXPECT_CONTINUE : abi.F_EXPECT_OTHER;
  }
  if (g.chance(0.1)) {
    add(caseOf('Upgrade'), 'websocket');
    flags |= abi.F_UPGRADE;
  }
  // Shuffle, then place Host (required from 1.1 on, RFC 9112 §3.2) at a random index.
  for (let i = headers.length - 1; i > 0; i--) {
    const j = g.int(0, i);
    [headers[i], headers[j]] = [headers[j]!, headers[i]!];
  }
  let hostIndex = -1;
  if (version >= 11 || g.chance(0.5)) {
    hostIndex = g.int(0, headers.length);
    const hv = hostValue(g);
    headers.splice(hostIndex, 0, [caseOf('Host'), ows(g) + hv + ows(g), hv]);
    flags |= abi.F_HOST;
  }
  const close = (flags & abi.F_CONN_CLOSE) !== 0;
  if (version >= 11 ? !close : (flags & abi.F_CONN_KEEP_ALIVE) !== 0 && !close) flags |= abi.F_KEEP_ALIVE;

  const lead = g.chance(0.05) ? '\r\n'.repeat(g.int(1, 2)) : '';
  const head = `${lead}${method} ${target} HTTP/${Math.floor(version / 10)}.${version % 10}\r\n` +
    headers.map(([n, raw]) => `${n}:${raw}\r\n`).join('') + '\r\n';
  const after = g.chance(0.2) ? g.pick(['hello', 'GET / HTTP/1.1\r\n', '\r\n', '0\r\n\r\n']) : '';
  const input = Uint8Array.from(Buffer.from(head + after, 'latin1'));
  const expect: HeadExpectOk = {
    kind: 'ok', method, methodId, target, form, version,
    headers: headers.map(([n, , v]) => [n, v] as const), flags, contentLength, hostIndex, consumed: head.length,
  };
  return { file: 'generated', title, input, limits: DEFAULT_HEAD_LIMITS, expect };
}

const INTERESTING = [13, 10, 0, 32, 9, 58, 44, 0x7f, 0x80, 0xff, 0x22, 0x3b, 0x2f];

/** 1–4 random edits: replace, insert (often CR/LF/NUL/SP/":"), delete, duplicate a slice, or truncate. */
export function mutate(g: Gen, input: Uint8Array): Uint8Array {
  const bytes = [...input];
  for (let n = g.int(1, 4); n > 0 && bytes.length > 0; n--) {
    const at = g.int(0, bytes.length - 1);
    const byte = g.chance(0.6) ? g.pick(INTERESTING) : g.int(0, 255);
    switch (g.int(0, 5)) {
      case 0: bytes[at] = byte; break;
      case 1: case 2: bytes.splice(at, 0, byte); break;
      case 3: bytes.splice(at, 1); break;
      case 4: bytes.splice(at, 0, ...bytes.slice(at, at + g.int(1, 24))); break;
      default: bytes.splice(g.int(1, bytes.length)); break;
    }
  }
  return Uint8Array.from(bytes);
}
