// The multipart push parser (src/http/multipart.ts) must give the same parts whatever the piece
// boundaries: every case is replayed whole, split at every byte (two pieces), in 1-byte pieces, and
// split at every pair of positions (three pieces) for the small ones. The cases put delimiter
// near-misses where a naive search fails: "\r\n--boundar" at a piece end, CR runs, dashes.
import { describe, expect, it } from 'vitest';
import { WasmlaneError } from '../../src/errors.js';
import { MultipartParser, isValidBoundary } from '../../src/http/multipart.js';
import { DEFAULT_FORM_LIMITS, MultipartReader, resolveFormLimits } from '../../src/http/multipart-reader.js';

interface Parsed {
  parts: { head: string; data: string }[];
  done: boolean;
}

function parse(pieces: Buffer[], boundary: string, maxHeaderSize = 1024): Parsed | string {
  const parts: { head: string; data: string }[] = [];
  let open: { head: string; chunks: Buffer[] } | null = null;
  const parser = new MultipartParser(boundary, maxHeaderSize, {
    partBegin(head) {
      expect(open).toBeNull();
      open = { head: head.toString('latin1'), chunks: [] };
    },
    partData(buf, start, end) {
      expect(end).toBeGreaterThan(start);
      open!.chunks.push(Buffer.from(buf.subarray(start, end)));
    },
    partEnd() {
      parts.push({ head: open!.head, data: Buffer.concat(open!.chunks).toString('latin1') });
      open = null;
    },
  });
  try {
    for (const piece of pieces) parser.write(piece);
    parser.end();
  } catch (error) {
    if (error instanceof WasmlaneError) return error.code;
    throw error;
  }
  return { parts, done: parser.done };
}

const B = 'XyZ--b0undary';
const CD = (name: string): string => `Content-Disposition: form-data; name="${name}"`;

interface Case {
  name: string;
  body: string;
  boundary?: string;
  /** Expected parts (head, data) or an error code. */
  expect: { head: string; data: string }[] | string;
}

const CASES: Case[] = [
  {
    name: 'two fields',
    body: `--${B}\r\n${CD('a')}\r\n\r\nhello\r\n--${B}\r\n${CD('b')}\r\n\r\nworld\r\n--${B}--\r\n`,
    expect: [{ head: CD('a'), data: 'hello' }, { head: CD('b'), data: 'world' }],
  },
  {
    name: 'near-miss delimiters inside content',
    body: `--${B}\r\n${CD('f')}\r\n\r\n\r\n--XyZ--b0undar\r\r\n--${B.slice(0, 5)}\r\n\r\n-\r\n--${B}x\r\n--${B}\r\n${CD('g')}\r\n\r\n\r\n--${B}--`,
    expect: `WL_FORM_INVALID`, // "--boundary" followed by "x" is a delimiter followed by garbage
  },
  {
    name: 'near misses that are content',
    body: `--${B}\r\n${CD('f')}\r\n\r\n\r\n--XyZ--b0undar\r\r\n--${B.slice(0, 5)}\r\n\r\n-\r\n-${B}\r\n--${B}\r\n${CD('g')}\r\n\r\n\r\n--${B}--`,
    expect: [
      { head: CD('f'), data: `\r\n--XyZ--b0undar\r\r\n--${B.slice(0, 5)}\r\n\r\n-\r\n-${B}` },
      { head: CD('g'), data: '' }, // the CRLF before a delimiter belongs to it
    ],
  },
  {
    name: 'preamble, transport padding and epilogue',
    body: `preamble --${B} not yet\r\n--${B} \t \r\n${CD('a')}\r\n\r\nv\r\n--${B}--  epilogue\r\n--${B}\r\nignored`,
    expect: [{ head: CD('a'), data: 'v' }],
  },
  {
    name: 'a CRLF before the first delimiter',
    body: `\r\n--${B}\r\n${CD('a')}\r\n\r\n1\r\n--${B}--`,
    expect: [{ head: CD('a'), data: '1' }],
  },
  {
    name: 'empty content and a part without header fields',
    body: `--${B}\r\n${CD('e')}\r\n\r\n\r\n--${B}\r\n\r\nno head\r\n--${B}--`,
    expect: [{ head: CD('e'), data: '' }, { head: '', data: 'no head' }],
  },
  {
    name: 'several header lines, binary content',
    body: `--${B}\r\n${CD('bin')}; filename="a.bin"\r\nContent-Type: application/octet-stream\r\n\r\n\x00\xff\r\r\n\n--\r\n--${B}--`,
    expect: [{ head: `${CD('bin')}; filename="a.bin"\r\nContent-Type: application/octet-stream`, data: '\x00\xff\r\r\n\n--' }],
  },
  { name: 'no close delimiter', body: `--${B}\r\n${CD('a')}\r\n\r\nabc`, expect: 'WL_FORM_INVALID' },
  { name: 'only a preamble', body: 'no delimiter at all', expect: 'WL_FORM_INVALID' },
  { name: 'a single dash after the delimiter', body: `--${B}-x`, expect: 'WL_FORM_INVALID' },
  { name: 'CR without LF after the delimiter', body: `--${B}\rX`, expect: 'WL_FORM_INVALID' },
  { name: 'empty multipart (close delimiter only)', body: `--${B}--\r\n`, expect: [] },
  {
    name: 'a header section over maxHeaderSize (64)',
    body: `--${B}\r\n${CD('a'.repeat(64))}\r\n\r\nv\r\n--${B}--`,
    expect: 'WL_FORM_PART_HEADER_TOO_LARGE',
  },
  {
    name: 'a header section of exactly maxHeaderSize (64)',
    body: `--${B}\r\n${'X-A: '.padEnd(64, 'b')}\r\n\r\nv\r\n--${B}--`,
    expect: [{ head: 'X-A: '.padEnd(64, 'b'), data: 'v' }],
  },
  {
    name: 'boundary with spaces and specials (quoted in Content-Type)',
    boundary: "a'()+_,-./:=? z",
    body: `--a'()+_,-./:=? z\r\n${CD('s')}\r\n\r\n--a'()+_,-./:=? \r\n--a'()+_,-./:=? z--`,
    expect: [{ head: CD('s'), data: "--a'()+_,-./:=? " }],
  },
];

function expected(c: Case): Parsed | string {
  return typeof c.expect === 'string' ? c.expect : { parts: c.expect, done: true };
}

describe('MultipartParser', () => {
  for (const c of CASES) {
    const body = Buffer.from(c.body, 'latin1');
    const boundary = c.boundary ?? B;
    const max = c.name.includes('maxHeaderSize') ? 64 : 1024;
    it(`${c.name}: whole, at every split, byte by byte`, () => {
      expect(parse([body], boundary, max)).toEqual(expected(c));
      for (let i = 0; i <= body.length; i++) {
        expect(parse([body.subarray(0, i), body.subarray(i)], boundary, max), `split at ${i}`).toEqual(expected(c));
      }
      const bytes = Array.from({ length: body.length }, (_, i) => body.subarray(i, i + 1));
      expect(parse(bytes, boundary, max)).toEqual(expected(c));
    });
  }

  it('gives the same parts at every pair of split positions (three pieces)', () => {
    for (const c of CASES.slice(0, 6)) {
      const body = Buffer.from(c.body, 'latin1');
      for (let i = 0; i <= body.length; i++) {
        for (let j = i; j <= body.length; j++) {
          const got = parse([body.subarray(0, i), body.subarray(i, j), body.subarray(j)], B);
          if (JSON.stringify(got) !== JSON.stringify(expected(c))) expect(got, `${c.name} @${i},${j}`).toEqual(expected(c));
        }
      }
    }
  });

  it('round-trips random content rich in CR, LF, dashes and boundary prefixes, split randomly', () => {
    let seed = 0x9e3779b9;
    const rand = (n: number): number => {
      seed ^= seed << 13; seed >>>= 0; seed ^= seed >>> 17; seed ^= seed << 5; seed >>>= 0;
      return seed % n;
    };
    const alphabet = ['\r', '\n', '-', '\r\n', '\r\n--', `\r\n--${B.slice(0, 7)}`, `--${B}`, 'x', 'X', '\x00'];
    for (let round = 0; round < 300; round++) {
      const parts = Array.from({ length: 1 + rand(4) }, (_, k) => {
        let data = '';
        const len = rand(30);
        for (let i = 0; i < len; i++) data += alphabet[rand(alphabet.length)];
        // A whole delimiter in the content would end the part there (RFC 2046 §5.1.1 forbids it).
        data = data.split(`\r\n--${B}`).join('\r\n-');
        return { head: CD(`p${k}`), data };
      });
      const body = Buffer.from(`${parts.map((p) => `--${B}\r\n${p.head}\r\n\r\n${p.data}\r\n`).join('')}--${B}--`, 'latin1');
      const pieces: Buffer[] = [];
      for (let at = 0; at < body.length;) {
        const n = 1 + rand(24);
        pieces.push(body.subarray(at, at + n));
        at += n;
      }
      expect(parse(pieces, B), `round ${round}`).toEqual({ parts, done: true });
    }
  });

  it('refuses boundaries outside RFC 2046 bchars (1..70, no CR, not ending in space)', () => {
    expect(isValidBoundary('abc')).toBe(true);
    expect(isValidBoundary('a'.repeat(70))).toBe(true);
    for (const bad of ['', 'a'.repeat(71), 'ab ', 'a\rb', 'a"b', 'é']) expect(isValidBoundary(bad), JSON.stringify(bad)).toBe(false);
    expect(() => new MultipartParser('a\r\nb', 100, { partBegin() {}, partData() {}, partEnd() {} })).toThrow(WasmlaneError);
  });
});

describe('MultipartReader', () => {
  const body = Buffer.from(
    `--${B}\r\n${CD('a')}\r\n\r\nfield one\r\n--${B}\r\n${CD('skipped')}; filename="s.bin"\r\n\r\n${'s'.repeat(300)}\r\n` +
    `--${B}\r\n${CD('f')}; filename="f.txt"\r\nContent-Type: text/x-a\r\n\r\n${'f\r\n-'.repeat(100)}\r\n--${B}\r\n${CD('b')}\r\n\r\n2\r\n--${B}--`, 'latin1');

  function source(pieces: Buffer[]): { next(): Promise<IteratorResult<Buffer>>; pulls: number } {
    let i = 0;
    const s = {
      pulls: 0,
      next(): Promise<IteratorResult<Buffer>> {
        s.pulls++;
        return Promise.resolve(i < pieces.length ? { done: false, value: pieces[i++]! } : { done: true, value: undefined });
      },
    };
    return s;
  }

  async function collect(pieces: Buffer[]): Promise<unknown[]> {
    const out: unknown[] = [];
    for await (const part of new MultipartReader(source(pieces), B, { ...DEFAULT_FORM_LIMITS })) {
      if (part.name === 'skipped') continue; // never read: its content is skipped
      out.push([part.name, part.filename, part.contentType, part.isFile ? (await part.bytes()).toString('latin1') : part.value]);
    }
    return out;
  }

  it('yields fields with values and files as streams, skipping unread files, at every split', async () => {
    const want = [['a', undefined, 'text/plain', 'field one'], ['f', 'f.txt', 'text/x-a', 'f\r\n-'.repeat(100)], ['b', undefined, 'text/plain', '2']];
    expect(await collect([body])).toEqual(want);
    for (let i = 0; i <= body.length; i += 7) expect(await collect([body.subarray(0, i), body.subarray(i)]), `split ${i}`).toEqual(want);
    expect(await collect(Array.from({ length: body.length }, (_, i) => body.subarray(i, i + 1)))).toEqual(want);
  });

  it('pulls body pieces only as the consumer reads (no read-ahead of an upload)', async () => {
    const head = Buffer.from(`--${B}\r\n${CD('f')}; filename="big"\r\n\r\n`);
    const pieces = [head, ...Array.from({ length: 100 }, () => Buffer.alloc(1024, 0x61)), Buffer.from(`\r\n--${B}--`)];
    const src = source(pieces);
    const reader = new MultipartReader(src, B, { ...DEFAULT_FORM_LIMITS });
    const part = (await reader.nextPart())!;
    const it = part[Symbol.asyncIterator]();
    await it.next();
    await it.next();
    expect(src.pulls).toBeLessThanOrEqual(3); // the head and the two pieces read, not the 100 KiB
    let size = 2048;
    for (let r = await it.next(); !r.done; r = await it.next()) size += r.value.length;
    expect(size).toBe(100 * 1024);
    expect(await reader.nextPart()).toBeNull();
  });

  it('reports a limit to onError once and then throws the same error', async () => {
    const seen: string[] = [];
    const reader = new MultipartReader(source([body]), B, { ...DEFAULT_FORM_LIMITS, maxFileSize: 100 }, (e) => seen.push(e.code));
    await expect((async () => {
      for await (const part of reader) if (part.isFile) await part.bytes();
    })()).rejects.toMatchObject({ code: 'WL_FORM_FILE_TOO_LARGE', status: 413 });
    await expect(reader.nextPart()).rejects.toMatchObject({ code: 'WL_FORM_FILE_TOO_LARGE' });
    expect(seen).toEqual(['WL_FORM_FILE_TOO_LARGE']);
  });

  it('refuses unknown or bad limit options with WL_INVALID_CONFIG', () => {
    expect(() => resolveFormLimits({ maxFeilds: 1 } as never)).toThrow(/maxFeilds/);
    expect(() => resolveFormLimits({ maxFields: -1 })).toThrow(WasmlaneError);
    expect(() => resolveFormLimits({ maxHeaderSize: Infinity })).toThrow(WasmlaneError);
    expect(resolveFormLimits({ maxFileSize: Infinity, maxFields: 3 })).toMatchObject({ maxFileSize: Infinity, maxFields: 3 });
  });
});
