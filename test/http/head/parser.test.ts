// The request-head parser on every engine: fixtures, byte-by-byte resumption, ownership of the shared
// WASM table, limits on incomplete heads, a few errors, and the byte classes of the SIMD fast paths.
// (The big conformance corpus and the differential fuzz live in test/conformance, test/fuzz.)
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as abi from '../../../src/abi.js';
import { createHeadParser } from '../../../src/http/head/index.js';
import type { HeadLimits, HeadParser } from '../../../src/http/head/parser.js';
import {
  ParsedHead, contentLengthOf, findHeader, headerName, headerValue, lowerName, methodOf, targetOf,
} from '../../../src/http/head/index.js';
import { availableEngines, loadWasm, type EngineKind } from '../../../src/wasm/instance.js';
import { WasmlaneError } from '../../../src/errors.js';
import { parseResult } from './support/table.js';

const FIXTURES = ['minimal-get', 'typical-browser-get', 'forty-headers-get', 'post-json', 'post-chunked'];
const load = (name: string): Buffer => readFileSync(new URL(`../../../bench/fixtures/${name}.http`, import.meta.url));
const bytes = (s: string): Buffer => Buffer.from(s, 'latin1');
const engines = availableEngines();

const snapshot = (p: HeadParser, rc: number): number[] => parseResult(p, rc);

/** Expected fields of a well-formed head, by splitting its text (an oracle independent of the parser). */
function naiveFields(text: string): { method: string; target: string; fields: [string, string][] } {
  const head = text.slice(0, text.indexOf('\r\n\r\n'));
  const [requestLine, ...lines] = head.split('\r\n');
  const [method, target] = requestLine!.split(' ') as [string, string];
  const fields = lines.map((l): [string, string] => {
    const i = l.indexOf(':');
    return [l.slice(0, i), l.slice(i + 1).trim()];
  });
  return { method, target, fields };
}

/** Feed `input` in pieces ending at each of `ends` (increasing), resuming with lastLen. */
function feed(p: HeadParser, input: Uint8Array, ends: number[]): number {
  let last = 0;
  for (const end of ends) {
    const rc = p.parse(input, 0, end, last);
    if (rc !== 0) return rc;
    // Resumption: everything seen was consumed, so nothing is scanned twice.
    expect(p.table[p.base + abi.R_RESUME_POS]).toBe(end);
    last = end;
  }
  return 0;
}

const everyByte = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);

describe.each(engines)('head parser on %s', (engine: EngineKind) => {
  const make = (limits?: Partial<HeadLimits>): HeadParser => createHeadParser(engine, limits);

  it.each(FIXTURES)('parses fixture %s', (name) => {
    const buf = load(name);
    const text = buf.toString('latin1');
    const p = make();
    const rc = p.parse(buf, 0, buf.length, 0);
    const headLen = text.indexOf('\r\n\r\n') + 4;
    expect(rc).toBe(headLen);
    const head = new ParsedHead(buf, 0, p.table, p.base);
    const want = naiveFields(text);
    expect(head.method).toBe(want.method);
    expect(head.target).toBe(want.target);
    expect(head.version).toBe(11);
    expect(head.targetForm).toBe(abi.FORM_ORIGIN);
    expect([...head.entries()]).toEqual(want.fields);
    expect(head.flags & abi.F_HOST).toBe(abi.F_HOST);
    expect(head.flags & abi.F_KEEP_ALIVE).toBe(abi.F_KEEP_ALIVE);
    expect(head.get('HOST')).toBe(want.fields.find(([n]) => n === 'Host')![1]);
    const cl = want.fields.find(([n]) => n.toLowerCase() === 'content-length');
    expect(head.contentLength).toBe(cl === undefined ? -1 : Number(cl[1]));
    expect((head.flags & abi.F_CHUNKED) !== 0).toBe(name === 'post-chunked');
  });

  it.each(FIXTURES)('fills its HeadResult for %s with what the raw table says', (name) => {
    const buf = load(name);
    const p = make();
    const rc = p.parse(buf, 0, buf.length, 0);
    const raw = new ParsedHead(buf, 0, p.table, p.base);
    const r = p.result;
    expect(r.headLength).toBe(rc);
    expect([r.method, r.methodId, r.target, r.targetForm, r.version, r.flags, r.contentLength, r.headerCount])
      .toEqual([raw.method, raw.methodId, raw.target, raw.targetForm, raw.version, raw.flags, raw.contentLength, raw.headerCount]);
    expect([...r.entries()]).toEqual([...raw.entries()]);
    expect(r.errorPosition).toBe(-1);
    const bit = (f: number): boolean => (raw.flags & f) !== 0;
    expect([r.keepAlive, r.close, r.connectionKeepAlive, r.connectionUpgrade, r.upgrade, r.chunked,
      r.hasTransferEncoding, r.hasContentLength, r.hasHost, r.expectContinue, r.expectOther])
      .toEqual([bit(abi.F_KEEP_ALIVE), bit(abi.F_CONN_CLOSE), bit(abi.F_CONN_KEEP_ALIVE), bit(abi.F_CONN_UPGRADE),
        bit(abi.F_UPGRADE), bit(abi.F_CHUNKED), bit(abi.F_TRANSFER_ENCODING), bit(abi.F_CONTENT_LENGTH),
        bit(abi.F_HOST), bit(abi.F_EXPECT_CONTINUE), bit(abi.F_EXPECT_OTHER)]);
    // The field array is the result's own: a later parse on any parser of the engine does not change it.
    const fields = r.fields;
    const other = make();
    other.parse(bytes('PUT /x HTTP/1.1\r\nHost: y\r\nA: b\r\n\r\n'), 0, 33, 0);
    expect(fields).toEqual([...raw.slots]);
  });

  it('reports the error position through its HeadResult', () => {
    const p = make();
    const buf = bytes('GET / HTTP/1.1\r\nHost: a\r\nBad Name: x\r\n\r\n');
    expect(p.parse(buf, 0, buf.length, 0)).toBe(abi.E_INVALID_HEADER_NAME);
    expect(p.result.errorPosition).toBe(p.table[p.base + abi.R_ERROR_POS]);
  });

  it.each(FIXTURES)('gives the same table when %s arrives one byte at a time', (name) => {
    const buf = load(name);
    const whole = make();
    const want = snapshot(whole, whole.parse(buf, 0, buf.length, 0));
    const p = make();
    const rc = feed(p, buf, everyByte(buf.length));
    expect(snapshot(p, rc)).toEqual(want);
  });

  it('resumes a head that moved to a new offset between calls', () => {
    const head = load('typical-browser-get');
    const p = make();
    const first = Buffer.concat([bytes('xx'), head.subarray(0, 300)]);
    expect(p.parse(first, 2, first.length, 0)).toBe(0);
    const second = Buffer.concat([bytes('yyyyy'), head]);
    const rc = p.parse(second, 5, second.length, 300);
    const whole = make();
    expect(snapshot(p, rc)).toEqual(snapshot(whole, whole.parse(head, 0, head.length, 0)));
  });

  it('keeps two interleaved partial heads apart (shared WASM table ownership)', () => {
    const a = load('typical-browser-get');
    const b = load('forty-headers-get');
    const ref = make();
    const wantA = snapshot(ref, ref.parse(a, 0, a.length, 0));
    const wantB = snapshot(ref, ref.parse(b, 0, b.length, 0));
    const pa = make();
    const pb = make();
    const other = make(); // a third parser parsing whole heads in between
    let la = 0, lb = 0, rcA = 0, rcB = 0;
    for (let i = 1; i <= Math.max(a.length, b.length); i++) {
      if (rcA === 0 && i <= a.length) { rcA = pa.parse(a, 0, i, la); la = i; }
      if (i % 97 === 0) other.parse(b, 0, b.length, 0);
      if (rcA > 0 && la === i) expect(snapshot(pa, rcA)).toEqual(wantA); // read before the next parse
      if (rcB === 0 && i <= b.length) { rcB = pb.parse(b, 0, i, lb); lb = i; }
      if (rcB > 0 && lb === i) expect(snapshot(pb, rcB)).toEqual(wantB);
    }
    expect(rcA).toBe(a.length);
    expect(rcB).toBe(b.length);
  });

  describe('limits are reported on an incomplete head, as soon as crossed', () => {
    const cases: [string, Partial<HeadLimits>, string, number, number][] = [
      ['target', { maxTargetLength: 10 }, 'GET /0123456789abcdef', abi.E_TARGET_TOO_LONG, 14],
      ['name', { maxHeaderNameLength: 8 }, 'GET / HTTP/1.1\r\nX-Very-Long-Name', abi.E_HEADER_NAME_TOO_LONG, 24],
      ['value', { maxHeaderValueLength: 6 }, 'GET / HTTP/1.1\r\nA: 0123456789', abi.E_HEADER_VALUE_TOO_LONG, 24],
      ['header count', { maxHeaderCount: 2 }, 'GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC', abi.E_TOO_MANY_HEADERS, 28],
      ['head size', { maxHeadSize: 40 }, `GET / HTTP/1.1\r\nHost: a\r\nCookie: ${'x'.repeat(60)}`, abi.E_HEAD_TOO_LARGE, 40],
    ];
    it.each(cases)('%s', (_what, limits, input, code, pos) => {
      const buf = bytes(input);
      const p = make(limits);
      expect(feed(p, buf, everyByte(buf.length))).toBe(code);
      expect(p.table[p.base + abi.R_ERROR_POS]).toBe(pos);
      const q = make(limits); // and in one call
      expect(q.parse(buf, 0, buf.length, 0)).toBe(code);
      expect(q.table[q.base + abi.R_ERROR_POS]).toBe(pos);
    });
  });

  it('accepts a head exactly at the head-size limit and rejects one byte more', () => {
    const buf = bytes('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
    expect(make({ maxHeadSize: buf.length }).parse(buf, 0, buf.length, 0)).toBe(buf.length);
    const p = make({ maxHeadSize: buf.length - 1 });
    expect(p.parse(buf, 0, buf.length, 0)).toBe(abi.E_HEAD_TOO_LARGE);
    expect(p.table[p.base + abi.R_ERROR_POS]).toBe(buf.length - 1);
  });

  const errors: [string, number, number][] = [
    ['GET / HTTP/1.1\nHost: a\r\n\r\n', abi.E_BARE_LF, 14],
    ['GET / HTTP/1.1\r\nHost: a\rX\r\n\r\n', abi.E_BARE_CR, 24],
    ['GET / HTTP/1.1\r\nHost : a\r\n\r\n', abi.E_SPACE_BEFORE_COLON, 20],
    ['GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n', abi.E_OBS_FOLD, 25],
    ['GET / HTTP/1.1\r\n Host: a\r\n\r\n', abi.E_SPACE_AFTER_START_LINE, 16],
    ['GET / HTTP/2.0\r\nHost: a\r\n\r\n', abi.E_VERSION_NOT_SUPPORTED, 11],
    ['GET / http/1.1\r\n\r\n', abi.E_INVALID_VERSION, 6],
    ['GET * HTTP/1.1\r\nHost: a\r\n\r\n', abi.E_INVALID_TARGET_FORM, 4],
    ['GET /a"b HTTP/1.1\r\n\r\n', abi.E_INVALID_TARGET, 6],
    ['GET / HTTP/1.1\r\n\r\n', abi.E_MISSING_HOST, 17],
    ['GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n', abi.E_DUPLICATE_HOST, 25],
    ['GET / HTTP/1.1\r\nHost: a\r\nX: a\x01b\r\n\r\n', abi.E_INVALID_HEADER_VALUE, 29],
    ['POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n', abi.E_CONTENT_LENGTH_WITH_TE, 74],
    ['POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n', abi.E_CONFLICTING_CONTENT_LENGTH, 61],
    ['POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n', abi.E_CHUNKED_NOT_FINAL, 61],
  ];
  it.each(errors)('rejects %j', (input, code, pos) => {
    const buf = bytes(input);
    for (const ends of [[buf.length], everyByte(buf.length)]) {
      const p = make();
      expect(feed(p, buf, ends)).toBe(code);
      expect(p.table[p.base + abi.R_ERROR_POS]).toBe(pos);
    }
  });

  it('reports keep-alive, upgrade, expect and content-length from the special fields', () => {
    const buf = bytes('PUT /x HTTP/1.0\r\nConnection: Keep-Alive, Upgrade\r\nUpgrade: websocket\r\n' +
      'Expect: 100-Continue\r\nContent-Length: 4294967298\r\n\r\n');
    const p = make();
    expect(p.parse(buf, 0, buf.length, 0)).toBe(buf.length);
    const flags = p.table[p.base + abi.R_FLAGS]!;
    const want = abi.F_KEEP_ALIVE | abi.F_CONN_KEEP_ALIVE | abi.F_CONN_UPGRADE | abi.F_UPGRADE |
      abi.F_EXPECT_CONTINUE | abi.F_CONTENT_LENGTH;
    expect(flags).toBe(want);
    expect(contentLengthOf(p.table, p.base)).toBe(4294967298);
    expect(p.table[p.base + abi.R_VERSION]).toBe(10);
    expect(p.table[p.base + abi.R_HOST_INDEX]).toBe(-1);
  });
});

describe('engines agree byte for byte', () => {
  const parsers = engines.map((e) => createHeadParser(e));
  const results = (buf: Uint8Array): string[] => parsers.map((p) => snapshot(p, p.parse(buf, 0, buf.length, 0)).join());
  const strict = engines.map((e) => createHeadParser(e, { strictTarget: true }));

  it('on every byte value inside a target, with and without strictTarget (browser bytes differ only)', () => {
    const browser = [...'|^{}\\`'].map((ch) => ch.charCodeAt(0));
    for (let c = 0; c < 256; c++) {
      for (const at of [3, 21, 37]) {
        const target = Array.from({ length: 40 }, () => 0x61);
        target[at] = c;
        const buf = Buffer.concat([bytes('GET /'), Buffer.from(target), bytes(' HTTP/1.1\r\nHost: h\r\n\r\n')]);
        const lax = parsers.map((p) => p.parse(buf, 0, buf.length, 0));
        const rs = strict.map((p) => snapshot(p, p.parse(buf, 0, buf.length, 0)).join());
        for (const other of rs) expect(other).toBe(rs[0]);
        for (const rc of lax) expect(rc).toBe(lax[0]);
        const strictRc = Number(rs[0]!.split(',')[0]);
        if (browser.includes(c)) {
          expect(lax[0]).toBe(buf.length);
          expect(rs[0]).toBe(`${abi.E_INVALID_TARGET},${5 + at}`);
        } else {
          expect(strictRc, `0x${c.toString(16)}`).toBe(lax[0]);
        }
      }
    }
  });

  it('on every byte value inside a long target, value and name (SIMD blocks and scalar tails)', () => {
    expect(engines.length).toBeGreaterThanOrEqual(1);
    for (let c = 0; c < 256; c++) {
      for (const at of [3, 21, 37]) {
        const target = Array.from({ length: 40 }, () => 0x61);
        target[at] = c;
        const value = Array.from({ length: 40 }, (_, i): number => (i % 7 === 3 ? 0x20 : 0x62));
        value[at] = c;
        const buf = Buffer.concat([bytes('GET /'), Buffer.from(target), bytes(' HTTP/1.1\r\nHost: h\r\nX: '),
          Buffer.from(value), bytes('  \r\n\r\n')]);
        const r = results(buf);
        for (const other of r) expect(other).toBe(r[0]);
        const name = Array.from({ length: 40 }, () => 0x4e);
        name[at] = c;
        const named = Buffer.concat([bytes('GET / HTTP/1.1\r\nHost: h\r\n'), Buffer.from(name), bytes(': v\r\n\r\n')]);
        const rn = results(named);
        for (const other of rn) expect(other).toBe(rn[0]);
      }
    }
  });
});

describe('WASM input flush against the end of linear memory', () => {
  for (const kind of ['wasm-simd', 'wasm'] as const) {
    const wasm = loadWasm(kind);
    it.skipIf(wasm === null)(`${kind} never reads past ptr + len`, () => {
      const w = wasm!;
      createHeadParser(kind).parse(bytes('x'), 0, 1, 0); // writes the limits into the table
      const head = load('typical-browser-get');
      const size = w.u8.length;
      for (let n = 1; n <= head.length; n++) {
        w.u8.set(head.subarray(0, n), size - n);
        const rc = w.exports.parseHead(size - n, n, 0);
        expect(rc).toBe(n === head.length ? n : 0);
      }
    });
  }
});

describe('createHeadParser', () => {
  it('rejects limits outside their range', () => {
    expect(() => createHeadParser('js', { maxHeaderCount: abi.MAX_HEADERS + 1 })).toThrow(WasmlaneError);
    expect(() => createHeadParser('js', { maxHeadSize: abi.INPUT_SIZE + 1 })).toThrow(WasmlaneError);
    expect(() => createHeadParser('js', { maxTargetLength: 0 })).toThrow(WasmlaneError);
    expect(createHeadParser('js', { maxHeadSize: 100 }).limits.maxHeadSize).toBe(100);
  });
});

describe('head-result readers', () => {
  it('decode methods, targets and headers lazily, with case-insensitive lookup', () => {
    const buf = bytes('xxPROPFIND /a?b=1 HTTP/1.1\r\nHost: h\r\nX-Tag: one\r\nx-tag:  two \r\nEmpty:\r\n\r\n');
    const p = createHeadParser('js');
    expect(p.parse(buf, 2, buf.length, 0)).toBe(buf.length - 2);
    const head = new ParsedHead(buf, 2, p.table, p.base);
    expect(head.methodId).toBe(abi.METHOD_OTHER);
    expect(head.method).toBe('PROPFIND');
    expect(head.target).toBe('/a?b=1');
    expect(head.getAll('X-TAG')).toEqual(['one', 'two']);
    expect(head.get('empty')).toBe('');
    expect(head.get('missing')).toBeUndefined();
    expect(head.contentLength).toBe(-1);
    expect(methodOf(p.table, p.base, buf, 2)).toBe('PROPFIND');
    expect(targetOf(p.table, p.base, buf, 2)).toBe('/a?b=1');
    const slots = new Int32Array(4 * head.headerCount);
    p.copyHeaders(slots);
    expect(findHeader(slots, 0, head.headerCount, buf, 2, lowerName('X-Tag'), 2)).toBe(2);
    expect(headerName(slots, 0, 2, buf, 2)).toBe('x-tag');
    expect(headerValue(p.table, p.base + abi.R_FIXED, 2, buf, 2)).toBe('two');
    expect(p.parse(bytes('GET / HTTP/1.1\r\nHost: h\r\n\r\n'), 0, 27, 0)).toBe(27);
    expect(methodOf(p.table, p.base, bytes(''), 0)).toBe('GET'); // interned: no bytes read
    expect(head.headerCount).toBe(4); // the earlier view kept its own copy of the slots
    expect(head.get('x-tag')).toBe('one');
  });
});
