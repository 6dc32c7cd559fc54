// Codec twins (mask/unmask, UTF-8) compared across every engine: one suite, run on each twin.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as abi from '../../../src/abi.js';
import { availableEngines, loadWasm, type EngineKind } from '../../../src/wasm/instance.js';
import { createWsCodec } from '../../../src/ws/codec/index.js';
import { JsWsCodec } from '../../../src/ws/codec/js.js';
import { WasmWsCodec } from '../../../src/ws/codec/wasm.js';
import { nativeUtf8 } from '../../../src/ws/codec/native.js';
import type { WsCodec } from '../../../src/ws/codec/index.js';
import { DEFAULT_KEY, referenceMask } from '../corpus.js';

const engines = availableEngines();
const wasmEngines = engines.filter((e): e is Exclude<EngineKind, 'js'> => e !== 'js');
const js = new JsWsCodec();

function pattern(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed * 7 + (i >> 3)) & 0xff;
  return b;
}

describe('engines', () => {
  it('a WASM build loads here (the twins are compared against something)', () => {
    expect(wasmEngines.length).toBeGreaterThan(0);
  });
});

/** Each engine's public codec, plus the WASM codecs with the small-input JS threshold bypassed. */
const maskVariants: [string, WsCodec][] = engines.map((e) => [e, createWsCodec(e)] as [string, WsCodec]);
for (const kind of wasmEngines) {
  const c = new WasmWsCodec(loadWasm(kind)!);
  maskVariants.push([`${kind} forced`, {
    engine: kind,
    unmask: (b, o, l, k, ko) => c.maskWasm(b, o, l, b, o, k, ko),
    mask: (s, so, l, d, dof, k) => c.maskWasm(s, so, l, d, dof, k, 0),
    isUtf8: (b, o, l) => c.utf8StepWasm(b, o, l, 0) === 0,
    utf8Validator: () => {
      let st = 0;
      return { push: (b, o, l) => (st = c.utf8StepWasm(b, o, l, st)) >= 0, end: () => st === 0, reset: () => { st = 0; } };
    },
  }]);
}

describe.each(maskVariants)('mask/unmask on %s', (_name, codec) => {
  it('matches §5.3 for lengths 0..300, odd offsets, every key rotation, bytes outside untouched', () => {
    for (let len = 0; len <= 300; len++) {
      for (const offset of [1, 3]) {
        for (let ko = 0; ko < 4; ko++) {
          const key = (0x9e3779b9 * (len + 1) + ko) >>> 0;
          const buf = pattern(len + offset + 5, len);
          const before = Buffer.from(buf);
          codec.unmask(buf, offset, len, key, ko);
          const want = referenceMask(before.subarray(offset, offset + len), key, ko);
          expect(buf.subarray(offset, offset + len).equals(want)).toBe(true);
          expect(buf.subarray(0, offset).equals(before.subarray(0, offset))).toBe(true);
          expect(buf.subarray(offset + len).equals(before.subarray(offset + len))).toBe(true);
        }
      }
    }
  });

  it('mask(src → dst) leaves src alone and equals unmask', () => {
    for (const len of [0, 1, 7, 47, 48, 49, 64, 100, 1000, 70000, 300000]) {
      const src = pattern(len + 2, 3);
      const copy = Buffer.from(src);
      const dst = Buffer.alloc(len + 5);
      codec.mask(src, 2, len, dst, 3, 0xdeadbeef);
      expect(src.equals(copy)).toBe(true);
      expect(dst.subarray(3, 3 + len).equals(referenceMask(src.subarray(2), 0xdeadbeef, 0))).toBe(true);
    }
  });

  it('piecewise unmasking with a carried key offset equals one pass (large, across the window)', () => {
    const data = pattern(600_000, 9);
    const whole = Buffer.from(data);
    codec.unmask(whole, 0, whole.length, DEFAULT_KEY, 0);
    const pieces = Buffer.from(data);
    let at = 0;
    for (const n of [1, 2, 5, 262_144, 3, 70_001, 200_000, 67_844]) {
      codec.unmask(pieces, at, n, DEFAULT_KEY, at & 3);
      at += n;
    }
    expect(at).toBe(data.length);
    expect(pieces.equals(whole)).toBe(true);
  });
});

describe.each(wasmEngines)('raw WASM entry points on %s', (kind) => {
  const inst = loadWasm(kind)!;
  const ex = inst.exports as unknown as {
    wsWindowPtr(): number; wsMask(p: number, l: number, k: number, o: number): void; wsUtf8(p: number, l: number, s: number): number;
  };
  it('wsMask and wsUtf8 never touch bytes outside [ptr, ptr+len) at the end of the window', () => {
    const end = ex.wsWindowPtr() + abi.WS_WINDOW_SIZE;
    for (let len = 0; len <= 80; len++) {
      const ptr = end - len - 16;
      inst.u8.fill(0xaa, ptr - 16, end);
      ex.wsMask(ptr, len, 0x01020304, 1);
      for (let i = ptr - 16; i < ptr; i++) expect(inst.u8[i]).toBe(0xaa);
      for (let i = ptr + len; i < end; i++) expect(inst.u8[i]).toBe(0xaa);
      // An invalid byte just past the range must not be seen.
      inst.u8.fill(0x41, ptr, ptr + len);
      inst.u8[ptr + len] = 0xff;
      expect(ex.wsUtf8(ptr, len, 0)).toBe(0);
    }
  });
});

// --- UTF-8 -----------------------------------------------------------------------------------------

const INVALID_SAMPLES = ['c0af', 'e080af', 'f08080af', 'eda080', 'edbfbf', 'f4908080', 'f5', 'ff', '80', 'c2', 'e282', 'f09f98', 'c241'];

/** The UTF-8 validators: every engine's (the twins) and Node's (buffer.isUtf8, the product path). */
const utf8Variants: [string, Pick<WsCodec, 'isUtf8' | 'utf8Validator'>][] = [...maskVariants, ['native (buffer.isUtf8)', nativeUtf8]];

describe.each(utf8Variants)('UTF-8 on %s', (_name, codec) => {

  it('agrees with the JS twin and Buffer.isUtf8-free reference on random strings, valid and corrupted', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), fc.nat(), fc.nat(255), (s, pos, byte) => {
      const valid = Buffer.from(s, 'utf8');
      expect(codec.isUtf8(valid, 0, valid.length)).toBe(true);
      const bad = Buffer.from(valid.length === 0 ? [byte] : valid);
      bad[pos % bad.length] = byte;
      // TextDecoder fatal is the independent oracle for "is this UTF-8".
      let oracle = true;
      try { new TextDecoder('utf-8', { fatal: true }).decode(bad); } catch { oracle = false; }
      expect(codec.isUtf8(bad, 0, bad.length)).toBe(oracle);
      expect(js.isUtf8(bad, 0, bad.length)).toBe(oracle);
    }), { numRuns: 400 });
  });

  it('agrees with TextDecoder on byte soups of UTF-8 fragments (every error class, every block offset)', () => {
    const pieces = ['41', 'c3a9', 'e282ac', 'f09f9880', 'f48fbfbf', 'ed9fbf', 'ee8080', 'c0', 'c1', 'e0', 'ed', 'f0', 'f4',
      'f5', 'ff', '80', '9f', 'a0', 'bf', '8f', '90', 'c2', 'e0a0', 'f090', 'eda0', 'f490', 'e080', 'f080'];
    const arb = fc.array(fc.constantFrom(...pieces), { minLength: 1, maxLength: 60 }).map((a) => Buffer.from(a.join(''), 'hex'));
    fc.assert(fc.property(arb, fc.nat(20), (bytes, pad) => {
      const buf = Buffer.concat([Buffer.alloc(pad, 0x61), bytes]);
      let oracle = true;
      try { new TextDecoder('utf-8', { fatal: true }).decode(buf); } catch { oracle = false; }
      expect(codec.isUtf8(buf, 0, buf.length)).toBe(oracle);
    }), { numRuns: 3000 });
  });

  it('incremental pushes at every split give the whole-buffer answer', () => {
    const texts = ['héllo wörld €uro 😀 ' + 'x'.repeat(70) + 'ü', 'a'.repeat(200) + '😀'];
    const inputs = texts.map((t) => Buffer.from(t));
    for (const hex of INVALID_SAMPLES) inputs.push(Buffer.concat([Buffer.from('a'.repeat(65)), Buffer.from(hex, 'hex'), Buffer.from('z')]));
    for (const buf of inputs) {
      const whole = codec.isUtf8(buf, 0, buf.length);
      for (let at = 0; at <= buf.length; at++) {
        for (const at2 of [at, Math.min(buf.length, at + 1), Math.min(buf.length, at + 17)]) {
          const v = codec.utf8Validator();
          const ok = v.push(buf, 0, at) && v.push(buf, at, at2 - at) && v.push(buf, at2, buf.length - at2) && v.end();
          expect(ok).toBe(whole);
        }
      }
    }
  });

  it('incremental pushes at random multi-way splits agree with TextDecoder (sequences cut anywhere)', () => {
    const pieces = ['41', 'c3a9', 'e282ac', 'f09f9880', 'f48fbfbf', 'ed9fbf', 'ee8080', 'c0', 'e0', 'ed', 'f0', 'f4',
      'f5', 'ff', '80', 'bf', 'c2', 'e0a0', 'f090', 'eda0', 'f490', 'e080', 'f080'];
    const text = fc.array(fc.oneof(fc.constantFrom(...pieces), fc.constant('61'.repeat(40))), { minLength: 1, maxLength: 40 })
      .map((a) => Buffer.from(a.join(''), 'hex'));
    fc.assert(fc.property(text, fc.array(fc.nat(), { maxLength: 6 }), (buf, cuts) => {
      let oracle = true;
      try { new TextDecoder('utf-8', { fatal: true }).decode(buf); } catch { oracle = false; }
      const points = [...new Set(cuts.map((c) => c % (buf.length + 1)))].sort((a, b) => a - b);
      const v = codec.utf8Validator();
      let ok = true;
      let at = 0;
      for (const end of [...points, buf.length]) {
        ok = v.push(buf, at, end - at) && ok;
        at = end;
      }
      expect(ok && v.end()).toBe(oracle);
    }), { numRuns: 3000 });
  });

  it('rejects overlongs, surrogates, > U+10FFFF and truncation; accepts the boundaries', () => {
    for (const hex of INVALID_SAMPLES) {
      const b = Buffer.from(hex, 'hex');
      expect(codec.isUtf8(b, 0, b.length), hex).toBe(false);
    }
    const ok = Buffer.from('7fc280dfbfe0a080efbfbfed9fbfee8080f0908080f48fbfbf', 'hex');
    expect(codec.isUtf8(ok, 0, ok.length)).toBe(true);
  });

  it('validates long ASCII then one bad byte at every position (SIMD fast path boundaries)', () => {
    for (let n = 0; n < 200; n++) {
      const b = Buffer.alloc(n + 1, 0x61);
      b[n] = 0x80;
      expect(codec.isUtf8(b, 0, n)).toBe(true);
      expect(codec.isUtf8(b, 0, n + 1)).toBe(false);
    }
  });
});
