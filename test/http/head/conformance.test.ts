// Request-head conformance: every corpus case (test/corpus/head/*.md) on every engine that runs here,
// (1) whole input in one call, (2) split at every byte — the first part must give "incomplete" or the
// whole-input error, and resuming with lastLen must give the same table as (1) — and (3) fed one byte
// at a time with lastLen. Bytes past `end` are poisoned on partial calls, so a parser that peeks beyond
// what it was given sees a head terminator or NUL instead of the real next byte.
import { describe, expect, it } from 'vitest';
import * as abi from '../../../src/abi.js';
import { createHeadParser } from '../../../src/http/head/index.js';
import { DEFAULT_HEAD_LIMITS, type HeadParser } from '../../../src/http/head/parser.js';
import { availableEngines, type EngineKind } from '../../../src/wasm/instance.js';
import { loadHeadCorpus, parseCorpusFile, type HeadCase } from '../../corpus/head/load.js';
import { checkExpectation, diffSnapshots, hexDump, rcName, snapshot, type TableSnapshot } from './support/table.js';

const corpus = loadHeadCorpus();
const engines = availableEngines();
const POISON = Uint8Array.from(Buffer.from('\r\n\r\n\0\0\0\0\r\n\r\nGET / HTTP/1.1\r\n\r\n', 'latin1'));

/** `bytes` at offset `lead` inside a larger buffer: junk before, poison after. */
function embedded(bytes: Uint8Array, lead: number): Uint8Array {
  const buf = new Uint8Array(lead + bytes.length + POISON.length).fill(0x41, 0, lead);
  buf.set(bytes, lead);
  buf.set(POISON, lead + bytes.length);
  return buf;
}

function fail(c: HeadCase, engine: EngineKind, how: string, problems: string[]): never {
  throw new Error(`${c.file} › ${c.title} [${engine}, ${how}]\n  ${problems.join('\n  ')}\ninput:\n${hexDump(c.input)}`);
}

function runCase(c: HeadCase, engine: EngineKind): void {
  const parser: HeadParser = createHeadParser(engine, c.limits);
  const n = c.input.length;

  // (1) Whole input, at offset 0 and again at an odd offset inside a bigger buffer (offsets are relative).
  parser.reset();
  const whole: TableSnapshot = snapshot(parser, parser.parse(c.input, 0, n, 0));
  const problems = checkExpectation(c, whole);
  if (problems.length) fail(c, engine, 'whole input', problems);
  parser.reset();
  const shifted = embedded(c.input, 7);
  const atOffset = snapshot(parser, parser.parse(shifted, 7, 7 + n, 0));
  const offsetDiff = diffSnapshots(whole, atOffset);
  if (offsetDiff.length) fail(c, engine, 'whole input at offset 7', offsetDiff);

  const errorPos = whole.rc < 0 ? whole.slots[abi.R_ERROR_POS]! : -1;
  // (2) Every split point k: prefix [0, k) alone (poisoned after k), then the whole input with lastLen = k.
  for (let k = 1; k < n; k++) {
    parser.reset();
    const first = snapshot(parser, parser.parse(embedded(c.input.subarray(0, k), 0), 0, k, 0));
    if (first.rc !== 0) {
      const sameError = whole.rc < 0 && first.rc === whole.rc && first.slots[abi.R_ERROR_POS] === errorPos && errorPos < k;
      const sameHead = whole.rc > 0 && k >= whole.rc && diffSnapshots(whole, first).length === 0;
      if (!sameError && !sameHead) {
        fail(c, engine, `prefix of ${k} bytes`, [`got ${rcName(first.rc)} (pos ${first.slots[abi.R_ERROR_POS]}), whole input gives ${rcName(whole.rc)} (pos ${errorPos})`]);
      }
      continue;
    }
    if (whole.rc > 0 && k >= whole.rc) fail(c, engine, `prefix of ${k} bytes`, ['incomplete although the head ends inside the prefix']);
    const resumed = snapshot(parser, parser.parse(shifted, 7, 7 + n, k));
    const d = diffSnapshots(whole, resumed, true);
    if (d.length) fail(c, engine, `split at ${k}, resumed with lastLen ${k}`, d);
  }

  // (3) One byte at a time, each call seeing one more byte than the last.
  parser.reset();
  let last: TableSnapshot = { rc: 0, slots: [] };
  let fed = 0;
  while (fed < n && last.rc === 0) {
    fed++;
    last = snapshot(parser, parser.parse(embedded(c.input.subarray(0, fed), 0), 0, fed, fed - 1));
  }
  const d = diffSnapshots(whole, last, true);
  if (d.length) fail(c, engine, `byte at a time (stopped after ${fed} bytes)`, d);
}

describe('corpus', () => {
  it('has at least 150 cases over the required topics', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(150);
    const files = new Set(corpus.map((c) => c.file));
    for (const topic of ['request-line', 'target', 'version', 'fields', 'content-length', 'transfer-encoding',
      'connection', 'host', 'smuggling', 'limits', 'whitespace-and-line-endings', 'methods', 'pipelining']) {
      expect(files.has(topic), topic).toBe(true);
    }
    expect(corpus.some((c) => c.expect.kind === 'ok' && c.expect.consumed < c.input.length)).toBe(true);
    expect(corpus.some((c) => c.expect.kind === 'incomplete')).toBe(true);
  });

  it('covers every head error code', () => {
    const used = new Set(corpus.flatMap((c) => (c.expect.kind === 'error' ? [c.expect.errorName] : [])));
    const headErrors = Object.entries(abi).filter(([n, v]) => n.startsWith('E_') && (v as number) > -40).map(([n]) => n);
    expect(headErrors.filter((n) => !used.has(n))).toEqual([]);
  });

  it('reader is strict: escapes decode, unknown keys and missing keys throw', () => {
    const doc = (input: string, expect: string) => `### t\n\`\`\`http\n${input}\n\`\`\`\n\`\`\`expect\n${expect}\n\`\`\`\n`;
    const [c] = parseCorpusFile(doc('A\\r\\n\\t\\\\\\x00\\xff b', 'result: incomplete'), 'x');
    expect([...c!.input]).toEqual([0x41, 13, 10, 9, 0x5c, 0, 0xff, 0x20, 0x62]);
    expect(() => parseCorpusFile(doc('A', 'result: incomplete\nbogus: 1'), 'x')).toThrow(/unexpected key/);
    expect(() => parseCorpusFile(doc('A', 'error: E_NOPE'), 'x')).toThrow(/unknown E_/);
    expect(() => parseCorpusFile(doc('A\\q', 'error: E_BARE_CR'), 'x')).toThrow(/bad escape/);
    expect(() => parseCorpusFile(doc('A', 'method: GET'), 'x')).toThrow(/missing key/);
    expect(() => parseCorpusFile(doc('A', 'limits: maxNothing=3\nerror: E_BARE_CR'), 'x')).toThrow(/bad limit/);
  });
});

for (const engine of engines) {
  describe(`head conformance on ${engine}`, () => {
    for (const c of corpus) {
      it(`${c.file} › ${c.title}`, () => runCase(c, engine));
    }

    it('two parsers fed alternately byte by byte keep their own state (shared WASM table)', () => {
      // Connections interleave: a WASM parser whose table was taken over must restore its partial head.
      for (let i = 0; i + 1 < corpus.length; i += 2) {
        const pair = [corpus[i]!, corpus[i + 1]!];
        const parsers = pair.map((c) => createHeadParser(engine, c.limits));
        const whole = pair.map((c, j) => {
          parsers[j]!.reset();
          return snapshot(parsers[j]!, parsers[j]!.parse(c.input, 0, c.input.length, 0));
        });
        parsers.forEach((p) => p.reset());
        const fed = [0, 0];
        const last: TableSnapshot[] = [{ rc: 0, slots: [] }, { rc: 0, slots: [] }];
        while (pair.some((c, j) => last[j]!.rc === 0 && fed[j]! < c.input.length)) {
          for (let j = 0; j < 2; j++) {
            const c = pair[j]!;
            if (last[j]!.rc !== 0 || fed[j]! >= c.input.length) continue;
            fed[j]!++;
            last[j] = snapshot(parsers[j]!, parsers[j]!.parse(embedded(c.input.subarray(0, fed[j]!), 0), 0, fed[j]!, fed[j]! - 1));
          }
        }
        pair.forEach((c, j) => {
          const d = diffSnapshots(whole[j]!, last[j]!, true);
          if (d.length) fail(c, engine, `interleaved with "${pair[1 - j]!.title}"`, d);
        });
      }
    });
  });
}

// The default limits cannot be written readably in the corpus (16 KiB heads), so they are built here:
// each one exactly at its default and one over, to prove the defaults reach every engine.
function headWith(lines: string[], target = '/'): Uint8Array {
  return Uint8Array.from(Buffer.from(`GET ${target} HTTP/1.1\r\nHost: a\r\n${lines.map((l) => `${l}\r\n`).join('')}\r\n`, 'latin1'));
}
/** A head of exactly `size` bytes, padded with field lines under the value limit. */
function headOfSize(size: number): Uint8Array {
  const lines: string[] = [];
  let total = headWith([]).length;
  while (total < size) {
    const room = size - total - 'Xnnn: \r\n'.length;
    const len = Math.max(1, Math.min(room, 8000));
    lines.push(`X${String(lines.length).padStart(3, '0')}: ${'v'.repeat(len)}`);
    total = headWith(lines).length;
  }
  return headWith(lines);
}

describe('default limits, exactly at and one over', () => {
  const L = DEFAULT_HEAD_LIMITS;
  const cases: [string, Uint8Array, number][] = [
    ['target at maxTargetLength', headWith([], '/' + 'a'.repeat(L.maxTargetLength - 1)), 1],
    ['target over maxTargetLength', headWith([], '/' + 'a'.repeat(L.maxTargetLength)), abi.E_TARGET_TOO_LONG],
    ['fields at maxHeaderCount', headWith(Array.from({ length: L.maxHeaderCount - 1 }, (_, i) => `F${i}: v`)), 1],
    ['fields over maxHeaderCount', headWith(Array.from({ length: L.maxHeaderCount }, (_, i) => `F${i}: v`)), abi.E_TOO_MANY_HEADERS],
    ['name at maxHeaderNameLength', headWith([`${'n'.repeat(L.maxHeaderNameLength)}: v`]), 1],
    ['name over maxHeaderNameLength', headWith([`${'n'.repeat(L.maxHeaderNameLength + 1)}: v`]), abi.E_HEADER_NAME_TOO_LONG],
    ['raw value at maxHeaderValueLength', headWith([`V: ${'v'.repeat(L.maxHeaderValueLength - 1)}`]), 1],
    ['raw value over maxHeaderValueLength', headWith([`V: ${'v'.repeat(L.maxHeaderValueLength)}`]), abi.E_HEADER_VALUE_TOO_LONG],
    ['head at maxHeadSize', headOfSize(L.maxHeadSize), 1],
    ['head over maxHeadSize', headOfSize(L.maxHeadSize + 1), abi.E_HEAD_TOO_LARGE],
  ];
  for (const engine of engines) {
    it.each(cases)(`${engine}: %s`, (_name, input, want) => {
      const parser = createHeadParser(engine, DEFAULT_HEAD_LIMITS);
      parser.reset();
      const rc = parser.parse(input, 0, input.length, 0);
      expect(rcName(rc)).toBe(rcName(want === 1 ? input.length : want));
      // Split once in the middle too: the limit must hold across a resume.
      parser.reset();
      const half = input.length >> 1;
      let rc2 = parser.parse(input, 0, half, 0);
      if (rc2 === 0) rc2 = parser.parse(input, 0, input.length, half);
      expect(rcName(rc2)).toBe(rcName(rc));
    });
  }
  it('builds heads of the intended size', () => {
    expect(headOfSize(L.maxHeadSize).length).toBe(L.maxHeadSize);
    expect(headOfSize(L.maxHeadSize + 1).length).toBe(L.maxHeadSize + 1);
  });
});

describe('engines agree on every corpus case', () => {
  it.skipIf(engines.length < 2)(`full tables equal across ${engines.join(', ')}`, () => {
    for (const c of corpus) {
      const results = engines.map((e) => {
        const p = createHeadParser(e, c.limits);
        p.reset();
        return snapshot(p, p.parse(c.input, 0, c.input.length, 0));
      });
      for (let i = 1; i < engines.length; i++) {
        const d = diffSnapshots(results[0]!, results[i]!);
        if (d.length) fail(c, engines[i]!, `vs ${engines[0]}`, d);
      }
    }
  });
});
