// Differential tests of the chunked decoder twins: seeded fast-check properties comparing the WASM
// builds with the TypeScript twin on random valid bodies (against the data they were built from)
// and on mutations of them (engines must agree), the two state machines slot by slot, and every
// byte value in every grammar position (which checks the byte-class tables against each other).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as abi from '../../../src/abi.js';
import { DEFAULT_CHUNKED_LIMITS } from '../../../src/http/chunked/decoder.js';
import { CHAR_CLASS, CH_FIELD, CH_HEX, CH_QDTEXT, CH_QPAIR, CH_TCHAR } from '../../../src/http/chunked/js/chars.js';
import { decodeChunkedJs } from '../../../src/http/chunked/js/core.js';
import { loadWasm, type WasmInstance } from '../../../src/wasm/instance.js';
import { bytes, runPieces, VARIANTS, type Outcome } from './support.js';

const WASMS = (['wasm-simd', 'wasm'] as const).map((k) => loadWasm(k)).filter((w): w is WasmInstance => w !== null);
const SEED = 0x5eed;

const token = fc.stringMatching(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,8}$/);
const ows = fc.constantFrom('', ' ', '\t', ' \t');
const qdtext = fc.integer({ min: 0, max: 255 }).filter((c) => (CHAR_CLASS[c]! & CH_QDTEXT) !== 0 && c !== 0x22 && c !== 0x5c);
const quotedPair = fc.integer({ min: 0, max: 255 }).filter((c) => (CHAR_CLASS[c]! & CH_QPAIR) !== 0).map((c) => `\\${String.fromCharCode(c)}`);
const quoted = fc.array(fc.oneof(qdtext.map((c) => String.fromCharCode(c)), quotedPair), { maxLength: 6 }).map((p) => `"${p.join('')}"`);
const extension = fc.tuple(ows, ows, token, fc.option(fc.tuple(ows, ows, fc.oneof(token, quoted))))
  .map(([a, b, name, v]) => `${a};${b}${name}${v === null ? '' : `${v[0]}=${v[1]}${v[2]}`}`);
const chunk = fc.record({
  data: fc.oneof({ weight: 6, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 24 }) },
    { weight: 1, arbitrary: fc.uint8Array({ minLength: 100, maxLength: 3000 }) }),
  // Mostly a few leading zeros; sometimes a long run whose digits (≤ 61 + 3) end up at or just under
  // the default maxChunkSizeDigits (64), and cross the lower limits the other properties use.
  zeros: fc.oneof({ weight: 5, arbitrary: fc.nat(3) }, { weight: 1, arbitrary: fc.integer({ min: 48, max: 61 }) }),
  upper: fc.boolean(),
  exts: fc.array(extension, { maxLength: 2 }),
});
const fieldValue = fc.stringMatching(/^([\x21-\x7e\x80-\xff]([\x20-\x7e\x80-\xff]{0,10}[\x21-\x7e\x80-\xff])?)?$/);
const trailer = fc.tuple(token, ows, fieldValue, ows);
const body = fc.record({
  chunks: fc.array(chunk, { maxLength: 6 }),
  lastExts: fc.array(extension, { maxLength: 2 }),
  trailers: fc.array(trailer, { maxLength: 4 }),
  tail: fc.constantFrom('', 'GET / HTTP/1.1\r\n', '5\r\nhello\r\n'),
});

interface Built { input: Uint8Array; bodyLength: number; data: string; trailers: [string, string][] }

type Body = typeof body extends fc.Arbitrary<infer T> ? T : never;

function build(b: Body): Built {
  const parts: string[] = [];
  let data = '';
  for (const c of b.chunks) {
    const hex = c.data.length.toString(16);
    const chunkData = Buffer.from(c.data).toString('latin1');
    parts.push(`${'0'.repeat(c.zeros)}${c.upper ? hex.toUpperCase() : hex}${c.exts.join('')}\r\n${chunkData}\r\n`);
    data += chunkData;
  }
  parts.push(`0${b.lastExts.join('')}\r\n`);
  for (const [name, a, value, z] of b.trailers) parts.push(`${name}:${a}${value}${z}\r\n`);
  parts.push('\r\n');
  const text = parts.join('');
  return {
    input: bytes(text + b.tail), bodyLength: text.length, data,
    trailers: b.trailers.map(([name, , value]) => [name, value]),
  };
}

/** Sorted distinct cut points inside (0, length). */
const cutsFor = (raw: number[], length: number): number[] =>
  [...new Set(raw.map((r) => (length > 1 ? 1 + (r % (length - 1)) : 0)).filter((c) => c > 0))].sort((a, b) => a - b);

const comparable = (o: Outcome): unknown => (o.status === 'error' ? { status: o.status, error: o.error, at: o.at } : o);

describe('chunked differential fuzz (seeded)', () => {
  it('every engine decodes random valid bodies to the data and trailers they were built from', () => {
    fc.assert(fc.property(body, fc.array(fc.nat(), { maxLength: 6 }), (b, raw) => {
      const built = build(b);
      const cuts = cutsFor(raw, built.input.length);
      for (const engine of VARIANTS) {
        expect(runPieces(engine, built.input, cuts), engine.name).toEqual({
          status: 'done', data: built.data, trailers: built.trailers, consumed: built.bodyLength, error: 0, at: -1,
        });
      }
    }), { seed: SEED, numRuns: 300 });
  });

  it('every engine gives the same outcome on mutated bodies, at any split', () => {
    const mutation = fc.record({
      kind: fc.constantFrom('flip', 'insert', 'delete', 'truncate'),
      pos: fc.nat(),
      byte: fc.oneof(fc.constantFrom(0x0d, 0x0a, 0x20, 0x3b, 0x22, 0x5c, 0x3a, 0x30, 0x00, 0x7f), fc.integer({ min: 0, max: 255 })),
    });
    const seen = new Set<number | string>();
    fc.assert(fc.property(body, mutation, fc.array(fc.nat(), { maxLength: 5 }), fc.nat(1000), (b, m, raw, small) => {
      const { input } = build(b);
      const at = m.pos % input.length;
      const mutated = m.kind === 'flip' ? Uint8Array.from(input, (v, i) => (i === at ? m.byte : v))
        : m.kind === 'insert' ? Uint8Array.from([...input.subarray(0, at), m.byte, ...input.subarray(at)])
          : m.kind === 'delete' ? Uint8Array.from([...input.subarray(0, at), ...input.subarray(at + 1)])
            : input.slice(0, at);
      if (mutated.length === 0) return;
      const limits = {
        maxChunkSizeDigits: 48 + (small % 20), maxExtensionLength: 8 + (small % 64), maxTrailerCount: small % 5,
        maxTrailerLineLength: 4 + (small % 40),
      };
      const cuts = cutsFor(raw, mutated.length);
      const whole = runPieces('js', mutated, [], limits);
      seen.add(whole.status === 'error' ? whole.error : whole.status);
      const reference = comparable(whole);
      for (const engine of VARIANTS) {
        expect(comparable(runPieces(engine, mutated, cuts, limits)), engine.name).toEqual(reference);
      }
    }), { seed: SEED + 1, numRuns: 400 });
    // The mutations must actually reach the error paths, not just valid bodies.
    expect(seen.size, [...seen].join(' ')).toBeGreaterThanOrEqual(10);
    expect(seen, 'long zero runs reach the digit limit').toContain(abi.E_CHUNK_SIZE_TOO_LONG);
  });

  it('the WASM and TypeScript state machines leave identical tables after every call', () => {
    fc.assert(fc.property(body, fc.array(fc.nat(), { maxLength: 6 }), fc.nat(255), fc.nat(), (b, raw, byte, where) => {
      const { input } = build(b);
      if (where % 2 === 0) input[where % input.length] = byte; // half the runs are corrupted
      const cuts = cutsFor(raw, input.length);
      const reference = traceJs(input, cuts);
      for (const wasm of WASMS) expect(traceWasm(wasm, input, cuts), wasm.kind).toEqual(reference);
    }), { seed: SEED + 2, numRuns: 300 });
  });
});

/** Every table slot a call wrote: rc, the fixed slots, the spans and the trailer quads. */
function snapshot(rc: number, t: Int32Array, base: number): number[] {
  const spans = t[base + abi.C_SPAN_COUNT]!;
  const trailers = t[base + abi.C_TRAILER_SPANS]!;
  return [
    rc,
    ...t.subarray(base, base + abi.C_FIXED),
    ...t.subarray(base + abi.C_FIXED, base + abi.C_FIXED + spans * abi.C_SPAN_STRIDE),
    ...t.subarray(base + abi.CHUNK_SLOTS - trailers * abi.C_TRAILER_STRIDE, base + abi.CHUNK_SLOTS),
  ];
}

/** Drive a raw state machine the way the host does: unconsumed bytes are offered again with the next piece. */
function trace(input: Uint8Array, cuts: number[], call: (buf: Uint8Array) => number[]): number[][] {
  const calls: number[][] = [];
  let carry = new Uint8Array(0);
  let prev = 0;
  for (const cut of [...cuts, input.length]) {
    let buf = Uint8Array.from([...carry, ...input.subarray(prev, cut)]);
    prev = cut;
    while (buf.length > 0) {
      const snap = call(buf);
      calls.push(snap);
      const rc = snap[0]!;
      if (rc < 0 || snap[1 + abi.C_STATE] === abi.CS_DONE) return calls;
      if (rc === 0) break;
      buf = buf.subarray(rc);
    }
    carry = buf;
  }
  return calls;
}

function freshTable(t: Int32Array, base: number): void {
  t.fill(0, base, base + abi.CHUNK_SLOTS);
  t[base + abi.C_LIMIT_EXT] = DEFAULT_CHUNKED_LIMITS.maxExtensionLength;
  t[base + abi.C_LIMIT_SIZE_DIGITS] = 56; // under the longest generated size line: some runs cross it
  t[base + abi.C_LIMIT_TRAILERS] = 3;
  t[base + abi.C_LIMIT_LINE] = 24;
}

function traceJs(input: Uint8Array, cuts: number[]): number[][] {
  const t = new Int32Array(abi.CHUNK_SLOTS);
  freshTable(t, 0);
  return trace(input, cuts, (buf) => snapshot(decodeChunkedJs(buf, 0, buf.length, t), t, 0));
}

function traceWasm(wasm: WasmInstance, input: Uint8Array, cuts: number[]): number[][] {
  const base = wasm.exports.chunkTablePtr() >>> 2;
  const region = wasm.exports.chunkInputPtr();
  freshTable(wasm.i32, base);
  return trace(input, cuts, (buf) => {
    wasm.u8.set(buf, region);
    return snapshot(wasm.exports.decodeChunked(region, buf.length), wasm.i32, base);
  });
}

describe('byte classes', () => {
  const CONTEXTS = [
    'X\r\n', '1X\r\n', '1;X\r\n', '1;aX\r\n', '1;a X\r\n', '1;a=X\r\n', '1;a=bX\r\n', '1;a="X"\r\n', '1;a="\\X"\r\n',
    '1\r\nzX', '0\r\nX: v\r\n\r\n', '0\r\nAX: v\r\n\r\n', '0\r\nA X: v\r\n\r\n', '0\r\nA: X\r\n\r\n',
    '0\r\nA: vXv\r\n\r\n', '0\r\nX',
  ];

  it('every byte value in every grammar position gives the same outcome on every engine', () => {
    for (const context of CONTEXTS) {
      for (let b = 0; b < 256; b++) {
        const input = bytes(context.replace('X', String.fromCharCode(b)));
        const reference = comparable(runPieces('js', input, []));
        for (const engine of VARIANTS) {
          expect(comparable(runPieces(engine, input, [])), `${engine.name} ${JSON.stringify(context)} 0x${b.toString(16)}`).toEqual(reference);
        }
      }
    }
  });

  it('the TypeScript table matches the RFC rules written as regular expressions', () => {
    for (let b = 0; b < 256; b++) {
      const ch = String.fromCharCode(b);
      const expected = (/^[!#$%&'*+\-.^_`|~0-9A-Za-z]$/.test(ch) ? CH_TCHAR : 0)
        | (/^[0-9A-Fa-f]$/.test(ch) ? CH_HEX : 0)
        | (/^[\t \x21\x23-\x5b\x5d-\x7e\x80-\xff]$/.test(ch) ? CH_QDTEXT : 0)
        | (/^[\t \x21-\x7e\x80-\xff]$/.test(ch) ? CH_QPAIR : 0)
        | (/^[\x21-\x7e\x80-\xff]$/.test(ch) ? CH_FIELD : 0);
      expect(CHAR_CLASS[b], `0x${b.toString(16)}`).toBe(expected);
    }
  });

  it('accepts every tchar in extension names and trailer names, and rejects the rest', () => {
    for (let b = 0x21; b < 0x7f; b++) {
      const isToken = (CHAR_CLASS[b]! & CH_TCHAR) !== 0;
      const input = bytes(`1;${String.fromCharCode(b)}\r\nx\r\n0\r\n${String.fromCharCode(b)}: v\r\n\r\n`);
      for (const engine of VARIANTS) {
        const o = runPieces(engine, input, []);
        expect(o.status, `${engine.name} 0x${b.toString(16)}`).toBe(isToken ? 'done' : 'error');
      }
    }
  });
});
