// Strings out of a HeadResult: the pair fast paths (entries(), lowerEntries() behind Request.headers)
// cut every span in one loop; the slow path reads field line i through name(i), value(i) and
// lowerName(i). Both must give the same strings, byte for byte, for every corpus head on every engine,
// whole and resumed at every split point, at offset 0 and inside a larger buffer, whichever string is
// asked for first (the head's text is decoded by the first one).
import { describe, expect, it } from 'vitest';
import { createHeadParser } from '../../../src/http/head/index.js';
import type { HeadResult } from '../../../src/http/head/result.js';
import { Request } from '../../../src/http/request.js';
import { availableEngines, type EngineKind } from '../../../src/wasm/instance.js';
import { loadHeadCorpus } from '../../corpus/head/load.js';

const corpus = loadHeadCorpus().filter((c) => c.expect.kind === 'ok');
const engines = availableEngines();
const peer = { remoteAddress: undefined, remotePort: undefined, secure: false };

/** The slow path: one field line at a time. */
function slowPairs(head: HeadResult): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i < head.headerCount; i++) out.push([head.name(i), head.value(i)]);
  return out;
}

function slowLowerPairs(head: HeadResult): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i < head.headerCount; i++) out.push([head.lowerName(i), head.value(i)]);
  return out;
}

/** Fast and slow paths agree on `head`; `first` picks which path decodes the head's text. */
function check(head: HeadResult, expected: readonly (readonly [string, string])[], first: 'fast' | 'slow' | 'lower'): void {
  const want = expected.map(([n, v]) => [n, v]);
  const wantLower = expected.map(([n, v]) => [n.toLowerCase(), v]);
  if (first === 'slow') expect(slowPairs(head)).toEqual(want);
  if (first === 'lower') expect(head.lowerEntries()).toEqual(wantLower);
  expect([...head.entries()]).toEqual(want);
  expect(slowPairs(head)).toEqual(want);
  expect(head.lowerEntries()).toEqual(wantLower);
  expect(slowLowerPairs(head)).toEqual(wantLower);
  expect([...new Request(head, peer, null as never).headers]).toEqual(wantLower);
}

describe.each(engines)('HeadResult pairs agree with the per-field readers on %s', (engine: EngineKind) => {
  it('for every corpus head, whole, at an offset, and resumed at every split point', () => {
    expect(corpus.length).toBeGreaterThan(20);
    const orders = ['fast', 'slow', 'lower'] as const;
    let checked = 0;
    for (const c of corpus) {
      if (c.expect.kind !== 'ok') continue;
      const headers = c.expect.headers;
      const parser = createHeadParser(engine, c.limits);
      const n = c.input.length;
      const shifted = new Uint8Array(n + 5).fill(0x58);
      shifted.set(c.input, 5);
      for (const [k, order] of orders.entries()) {
        parser.reset();
        expect(parser.parse(c.input, 0, n, 0), c.title).toBe(c.expect.consumed);
        check(parser.result, headers, order);
        parser.reset();
        expect(parser.parse(shifted, 5, 5 + n, 0), c.title).toBe(c.expect.consumed);
        check(parser.result, headers, orders[(k + 1) % 3]!);
      }
      for (let split = 1; split < c.expect.consumed; split++) {
        parser.reset();
        if (parser.parse(c.input, 0, split, 0) !== 0) continue;
        expect(parser.parse(c.input, 0, n, split), `${c.title} split at ${split}`).toBe(c.expect.consumed);
        check(parser.result, headers, orders[split % 3]!);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(1000);
  });

  it('keeps obs-text as latin1, empty values, repeated and Title/mixed-case names', () => {
    const head = Buffer.from('GET / HTTP/1.1\r\nHost: a\r\nX-Obs: caf\xe9 \xff\x80\r\nX-Empty:\r\nACCEPT: */*\r\n'
      + 'aCcEpT: b\r\nSet-Thing: 1\r\nSet-Thing: 2\r\n\r\n', 'latin1');
    const parser = createHeadParser(engine);
    expect(parser.parse(head, 0, head.length, 0)).toBe(head.length);
    const expected: [string, string][] = [['Host', 'a'], ['X-Obs', 'caf\xe9 \xff\x80'], ['X-Empty', ''], ['ACCEPT', '*/*'],
      ['aCcEpT', 'b'], ['Set-Thing', '1'], ['Set-Thing', '2']];
    check(parser.result, expected, 'fast');
    expect(parser.result.lowerEntries()[1]![1]).toBe('caf\xe9 \xff\x80');
  });

  it('gives no pairs for a head without fields, and a fresh array on each call', () => {
    const head = Buffer.from('GET / HTTP/1.0\r\n\r\n', 'latin1');
    const parser = createHeadParser(engine);
    expect(parser.parse(head, 0, head.length, 0)).toBe(head.length);
    expect([...parser.result.entries()]).toEqual([]);
    expect(parser.result.lowerEntries()).toEqual([]);
    const a = parser.result.lowerEntries();
    a.push(['x', 'y']);
    expect(parser.result.lowerEntries()).toEqual([]);
  });
});
