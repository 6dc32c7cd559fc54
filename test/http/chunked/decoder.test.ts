// Chunked decoder (RFC 9112 §7.1): the readable corpus (test/corpus/chunked/*.md) on every engine,
// each case replayed whole, split at every byte and one byte per call; plus the fixture body, big
// and many-chunk bodies, table-full paths, shared-instance state save/restore, reset and limits.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as abi from '../../../src/abi.js';
import { errorFromAbi, WasmlaneError } from '../../../src/errors.js';
import { createChunkedDecoder, WasmChunkedDecoder } from '../../../src/http/chunked/index.js';
import { availableEngines, loadWasm } from '../../../src/wasm/instance.js';
import { loadChunkedCorpus } from '../../corpus/chunked/load.js';
import { bytes, cutPlans, makeDecoder, runPieces, VARIANTS, type Outcome } from './support.js';

const ENGINES = availableEngines();
const CASES = loadChunkedCorpus();
const CHUNKED_ERRORS = new Set([
  abi.E_INVALID_CHUNK_SIZE, abi.E_CHUNK_SIZE_OVERFLOW, abi.E_CHUNK_SIZE_TOO_LONG, abi.E_INVALID_CHUNK_EXT, abi.E_CHUNK_EXT_TOO_LONG,
  abi.E_CHUNK_DATA_NO_CRLF, abi.E_BARE_CR, abi.E_BARE_LF, abi.E_OBS_FOLD, abi.E_INVALID_HEADER_NAME,
  abi.E_SPACE_BEFORE_COLON, abi.E_INVALID_HEADER_VALUE, abi.E_TOO_MANY_HEADERS, abi.E_HEADER_VALUE_TOO_LONG,
]);

/** The parts of an outcome every cut plan must agree on (data delivered before an error is not specified). */
function comparable(o: Outcome): unknown {
  return o.status === 'error' ? { status: o.status, error: o.error, at: o.at } : o;
}

describe('chunked corpus', () => {
  it('has at least 40 readable cases in every group', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
    expect(new Set(CASES.map((c) => c.file))).toEqual(new Set(['basic', 'extensions', 'framing', 'size-line', 'sizes', 'trailers']));
  });

  for (const engine of VARIANTS) {
    describe(engine.name, () => {
      for (const c of CASES) {
        it(`${c.file} › ${c.title}`, () => {
          const whole = runPieces(engine, c.input, [], c.limits);
          const e = c.expect;
          if (e.kind === 'error') {
            expect({ status: whole.status, error: whole.error }).toEqual({ status: 'error', error: e.error });
            if (e.at !== undefined) expect(whole.at, 'error position').toBe(e.at);
            expect(CHUNKED_ERRORS.has(whole.error)).toBe(true);
          } else if (e.kind === 'incomplete') {
            expect(whole).toMatchObject({ status: 'incomplete', data: e.data, trailers: e.trailers, consumed: c.input.length });
          } else {
            expect(whole).toMatchObject({ status: 'done', data: e.data, trailers: e.trailers, consumed: e.consumed });
          }
          for (const plan of cutPlans(c.input.length)) {
            expect(comparable(runPieces(engine, c.input, plan.cuts, c.limits)), plan.name).toEqual(comparable(whole));
          }
        });
      }
    });
  }
});

describe('fixture post-chunked.http', () => {
  const fixture = (name: string): Buffer => readFileSync(new URL(`../../../bench/fixtures/${name}`, import.meta.url));
  const chunked = fixture('post-chunked.http');
  const json = fixture('post-json.http');
  const body = chunked.subarray(chunked.indexOf('\r\n\r\n') + 4);
  const expected = json.subarray(json.indexOf('\r\n\r\n') + 4).toString('latin1');

  for (const engine of VARIANTS) {
    it(`${engine.name}: decodes to the post-json.http body at every split`, () => {
      const input = Uint8Array.from(body);
      const plans = [...cutPlans(input.length)];
      for (const plan of plans) {
        expect(runPieces(engine, input, plan.cuts), plan.name)
          .toEqual({ status: 'done', data: expected, trailers: [], consumed: input.length, error: 0, at: -1 });
      }
    });
  }
});

/** A body of `count` chunks with sizes 1..9 (deterministic), optional extensions, and its data. */
function manySmallChunks(count: number): { input: Uint8Array; data: string } {
  let body = '';
  let data = '';
  for (let k = 0; k < count; k++) {
    const size = 1 + ((k * 7) % 9);
    const chunk = String.fromCharCode(...Array.from({ length: size }, (_, j) => 0x61 + ((k + j) % 26)));
    body += `${size.toString(16)}${k % 5 === 0 ? ';k=v' : ''}\r\n${chunk}\r\n`;
    data += chunk;
  }
  return { input: bytes(`${body}0\r\n\r\n`), data };
}

describe('chunked decoder behaviour', () => {
  for (const engine of VARIANTS) {
    describe(engine.name, () => {
      it('hands a big chunk to the sink as spans of the caller buffer', () => {
        const size = 3 * 1024 * 1024 + 17;
        const head = bytes(`${size.toString(16)}\r\n`);
        const tail = bytes('\r\n0\r\n\r\n');
        const input = new Uint8Array(head.length + size + tail.length);
        input.set(head, 0);
        for (let i = 0; i < size; i++) input[head.length + i] = (i * 31) & 0xff;
        input.set(tail, head.length + size);
        let received = 0;
        let mismatches = 0;
        const d = makeDecoder(engine, {
          data(buf, start, end) {
            expect(buf).toBe(input);
            for (let i = start; i < end; i++) if (buf[i] !== ((received + i - start) * 31 & 0xff)) mismatches++;
            received += end - start;
          },
        });
        for (let pos = 0; pos < input.length; pos += 65536) {
          const end = Math.min(pos + 65536, input.length);
          expect(d.decode(input, pos, end)).toBe(end - pos);
        }
        expect({ done: d.done, received, mismatches }).toEqual({ done: true, received: size, mismatches: 0 });
      });

      it('fills and drains the span table on a body of many small chunks', () => {
        const { input, data } = manySmallChunks(3000); // far more spans than one table holds
        expect(runPieces(engine, input, [])).toMatchObject({ status: 'done', data, consumed: input.length });
        const cuts = [1, 2, 3, 1000, 1001, 7777, 20000];
        expect(runPieces(engine, input, cuts)).toMatchObject({ status: 'done', data, consumed: input.length });
      });

      it('fills and drains the table with trailers when the trailer limit allows many', () => {
        const trailers: [string, string][] = Array.from({ length: 600 }, (_, k) => [`T${k}`, `v${k}`]);
        const input = bytes(`1\r\nx\r\n0\r\n${trailers.map(([n, v]) => `${n}: ${v}\r\n`).join('')}\r\n`);
        const limits = { maxTrailerCount: 1000 };
        expect(runPieces(engine, input, [], limits)).toEqual({
          status: 'done', data: 'x', trailers, consumed: input.length, error: 0, at: -1,
        });
        expect(runPieces(engine, input, [5, 100, 101, 3000], limits).trailers).toEqual(trailers);
      });

      it('consumes a trickled size line at once, one byte per call (no retention)', () => {
        const input = bytes(`${'0'.repeat(20000)}5;a="${'x'.repeat(500)}"\r\nhello\r\n0\r\n\r\n`);
        let data = '';
        const d = makeDecoder(engine, { data: (b, s, e) => { data += Buffer.from(b.subarray(s, e)).toString(); } }, { maxChunkSizeDigits: 20001 });
        const sizeLineEnd = input.indexOf(0x0a) + 1;
        for (let i = 0; i < input.length && !d.done; i++) {
          expect(d.decode(input, i, i + 1)).toBe(1);
          if (i < sizeLineEnd) expect((d as unknown as { pending: unknown }).pending).toBeNull();
        }
        expect({ done: d.done, data, consumed: d.bytesConsumed }).toEqual({ done: true, data: 'hello', consumed: input.length });
      });

      it('returns 0 after completion and the same error after a failure, until reset()', () => {
        const d = makeDecoder(engine, { data() {} });
        const body = bytes('2\r\nok\r\n0\r\n\r\nNEXT');
        expect(d.decode(body, 0, body.length)).toBe(12);
        expect(d.done).toBe(true);
        expect(d.decode(body, 12, body.length)).toBe(0);
        d.reset();
        const bad = bytes('2\r\nokX');
        expect(d.decode(bad, 0, bad.length)).toBe(abi.E_CHUNK_DATA_NO_CRLF);
        expect({ code: d.errorCode, at: d.lastErrorPosition }).toEqual({ code: abi.E_CHUNK_DATA_NO_CRLF, at: 5 });
        expect(d.decode(body, 0, body.length)).toBe(abi.E_CHUNK_DATA_NO_CRLF);
        d.reset();
        expect(d.errorCode).toBe(0);
        expect(d.decode(body, 0, body.length)).toBe(12);
        expect(d.bytesConsumed).toBe(12);
      });

      it('counts the digits of a size line across calls: 64 zeros one byte per call, then the 65th digit fails', () => {
        // The leading-zero count is table state (C_AUX), so it accumulates however the line is cut.
        const d = makeDecoder(engine, { data() {} });
        const zero = bytes('0');
        for (let i = 0; i < 64; i++) expect(d.decode(zero, 0, 1), `digit ${i + 1}`).toBe(1);
        expect(d.decode(zero, 0, 1)).toBe(abi.E_CHUNK_SIZE_TOO_LONG);
        expect({ code: d.errorCode, at: d.lastErrorPosition, consumed: d.bytesConsumed })
          .toEqual({ code: abi.E_CHUNK_SIZE_TOO_LONG, at: 64, consumed: 64 });
      });

      it('stops an endless zero line within maxChunkSizeDigits + 1 bytes, whatever the piece size', () => {
        const zeros = new Uint8Array(1 << 20).fill(0x30);
        for (const piece of [1, 7, 16, 17, 4096, zeros.length]) {
          const d = makeDecoder(engine, { data() {} });
          let fed = 0;
          let rc = 0;
          while (fed < zeros.length && rc >= 0) {
            rc = d.decode(zeros, fed, Math.min(fed + piece, zeros.length));
            if (rc >= 0) fed += rc;
          }
          expect({ rc, at: d.lastErrorPosition, fedBeforeError: fed <= 64 }, `pieces of ${piece}`)
            .toEqual({ rc: abi.E_CHUNK_SIZE_TOO_LONG, at: 64, fedBeforeError: true });
        }
      });

      it('rejects limits that are not integers in range', () => {
        for (const limits of [
          { maxTrailerLineLength: abi.CHUNK_INPUT_SIZE }, { maxExtensionLength: -1 }, { maxTrailerCount: 1.5 },
          { maxChunkSizeDigits: 0 }, { maxChunkSizeDigits: 2 ** 31 },
        ]) {
          expect(() => makeDecoder(engine, { data() {} }, limits)).toThrow(WasmlaneError);
        }
      });
    });
  }

  it('the factory resolves the engine (explicit, or the best available for auto)', () => {
    for (const engine of ENGINES) expect(createChunkedDecoder(engine, { data() {} }).engine).toBe(engine);
    expect(createChunkedDecoder('auto', { data() {} }).engine).toBe(process.env.WASMLANE_ENGINE || ENGINES[0]);
  });

  it('every error the decoder returns maps to a coded HTTP error', () => {
    for (const code of CHUNKED_ERRORS) {
      const err = errorFromAbi(code);
      expect([400, 431]).toContain(err.status);
    }
  });

  it('keeps the state of interleaved bodies apart on one shared WASM instance', () => {
    for (const engine of ENGINES.filter((e) => e !== 'js') as ('wasm-simd' | 'wasm')[]) {
      const a = manySmallChunks(50);
      const b = bytes('3;x="y"\r\nabc\r\n10\r\n0123456789abcdef\r\n0\r\nT: 1\r\nU: 2\r\n\r\n');
      const out = { a: '', b: '', trailers: [] as string[] };
      // WASM only: byte-sized windows would otherwise all be decoded by the TypeScript twin.
      const only = { smallFramingInJs: false };
      const da = new WasmChunkedDecoder(engine, { data: (buf, s, e) => { out.a += Buffer.from(buf.subarray(s, e)).toString(); } }, {}, only);
      const db = new WasmChunkedDecoder(engine, {
        data: (buf, s, e) => { out.b += Buffer.from(buf.subarray(s, e)).toString(); },
        trailer: (n, v) => out.trailers.push(`${n}=${v}`),
      }, {}, only);
      for (let i = 0; i < Math.max(a.input.length, b.length); i++) {
        if (i < a.input.length) expect(da.decode(a.input, i, i + 1)).toBe(1);
        if (i < b.length) expect(db.decode(b, i, i + 1)).toBe(1);
      }
      expect(loadWasm(engine)).not.toBeNull();
      expect({ ...out, doneA: da.done, doneB: db.done }).toEqual({
        a: a.data, b: 'abc0123456789abcdef', trailers: ['T=1', 'U=2'], doneA: true, doneB: true,
      });
    }
  });

  it('copies only framing windows into WASM memory, never a big chunk\'s data', () => {
    for (const engine of ENGINES.filter((e) => e !== 'js') as ('wasm-simd' | 'wasm')[]) {
      const wasm = loadWasm(engine)!;
      const region = wasm.exports.chunkInputPtr();
      wasm.u8.fill(0xee, region, region + abi.CHUNK_INPUT_SIZE);
      const size = 1 << 20;
      const input = new Uint8Array(size + 16).fill(0x41);
      input.set(bytes(`${size.toString(16)}\r\n`), 0);
      const head = `${size.toString(16)}\r\n`.length;
      input.set(bytes('\r\n0\r\n\r\n'), head + size);
      const d = new WasmChunkedDecoder(engine, { data() {} });
      expect(d.decode(input, 0, head + size + 7)).toBe(head + size + 7);
      expect(d.done).toBe(true);
      const view = wasm.u8.subarray(region, region + abi.CHUNK_INPUT_SIZE);
      let touched = view.length;
      while (touched > 0 && view[touched - 1] === 0xee) touched--;
      expect(touched).toBeLessThanOrEqual(4096); // of a 1 MiB chunk: the first framing window only
    }
  });

  it('never reads past its input: every corpus prefix placed flush against the end of WASM memory', () => {
    for (const engine of ENGINES.filter((e) => e !== 'js') as ('wasm-simd' | 'wasm')[]) {
      const wasm = loadWasm(engine)!;
      const base = wasm.exports.chunkTablePtr() >>> 2;
      const memoryEnd = wasm.u8.length;
      for (const c of CASES) {
        for (let len = 1; len <= c.input.length; len++) {
          wasm.i32.fill(0, base, base + abi.CHUNK_SLOTS);
          wasm.i32[base + abi.C_LIMIT_EXT] = c.limits.maxExtensionLength;
          wasm.i32[base + abi.C_LIMIT_SIZE_DIGITS] = c.limits.maxChunkSizeDigits;
          wasm.i32[base + abi.C_LIMIT_TRAILERS] = c.limits.maxTrailerCount;
          wasm.i32[base + abi.C_LIMIT_LINE] = c.limits.maxTrailerLineLength;
          wasm.u8.set(c.input.subarray(0, len), memoryEnd - len);
          // A load at or beyond ptr + len would trap (out of bounds) here.
          const rc = wasm.exports.decodeChunked(memoryEnd - len, len);
          expect(rc).toBeLessThanOrEqual(len);
        }
      }
    }
  });
});
