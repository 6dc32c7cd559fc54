// Frame-decoder twins (src/ws/frame/js.ts, src/ws/frame/wasm.ts) compared slot by slot on random
// frame streams; the corpus (test/ws/receiver.test.ts) runs both through the Receiver.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as abi from '../../../src/abi.js';
import { availableEngines, type EngineKind } from '../../../src/wasm/instance.js';
import { createFrameDecoder, type FrameDecoderConfig } from '../../../src/ws/frame/index.js';
import { referenceMask } from '../corpus.js';

const wasmEngines = availableEngines().filter((e): e is Exclude<EngineKind, 'js'> => e !== 'js');

function maskedFrame(b0: number, payload: Buffer, key: number): Buffer {
  const n = payload.length;
  const head = n < 126 ? [b0, 0x80 | n] : n < 65536 ? [b0, 0xfe, n >> 8, n & 0xff] : [b0, 0xff, 0, 0, 0, 0, n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
  head.push(key >>> 24, (key >>> 16) & 0xff, (key >>> 8) & 0xff, key & 0xff);
  return Buffer.concat([Buffer.from(head), referenceMask(payload, key, 0)]);
}

describe('frame decoder: WASM tables equal the TS twin slot by slot', () => {
  const base: FrameDecoderConfig = { isServer: true, deflate: true, maxPayload: 5000, maxFragments: 6 };
  const configs: [string, FrameDecoderConfig][] = [['UTF-8 checked', base], ['UTF-8 left to the host', { ...base, checkUtf8: false }]];
  const frameArb = fc.record({
    b0: fc.constantFrom(0x81, 0x82, 0x01, 0x02, 0x00, 0x80, 0x89, 0x8a, 0x88, 0xc1, 0x41, 0x83, 0x09, 0x91),
    payload: fc.oneof(fc.uint8Array({ maxLength: 140 }), fc.string({ unit: 'binary', maxLength: 60 }).map((s) => Buffer.from(s)),
      fc.constant(new Uint8Array(300)), fc.constant(new Uint8Array(70000))),
    key: fc.integer({ min: 0, max: 0xffffffff }),
  });
  for (const kind of wasmEngines) for (const [name, config] of configs) {
    it(`${kind} vs js on random frame streams split at random points (${name})`, () => {
      fc.assert(fc.property(fc.array(frameArb, { maxLength: 8 }), fc.array(fc.nat(), { maxLength: 4 }), (frames, cuts) => {
        const stream = Buffer.concat(frames.map((f) => maskedFrame(f.b0, Buffer.from(f.payload), f.key)));
        const points = [...new Set(cuts.map((c) => (stream.length ? c % stream.length : 0)))].sort((a, b) => a - b);
        const wasm = createFrameDecoder(config, kind);
        const twin = createFrameDecoder(config, 'js');
        const a = Buffer.from(stream);
        const b = Buffer.from(stream);
        let pos = 0;
        for (const end of [...points, stream.length]) {
          // Feed [pos, end) until the decoders stop making progress, comparing every call.
          for (;;) {
            const ra = wasm.decode(a, pos, end);
            const rb = twin.decode(b, pos, end);
            expect(ra).toBe(rb);
            const count = twin.table[abi.W_COUNT]!;
            const used = abi.W_FIXED + count * abi.W_REC_STRIDE;
            expect(Array.from(wasm.table.subarray(0, used))).toEqual(Array.from(twin.table.subarray(0, used)));
            for (let i = 0; i < count; i++) {
              const off = twin.table[abi.W_FIXED + i * 3 + 1]!;
              const len = twin.table[abi.W_FIXED + i * 3 + 2]!;
              const pa = wasm.source.subarray(wasm.base + off, wasm.base + off + len);
              const pb = twin.source.subarray(twin.base + off, twin.base + off + len);
              expect(Buffer.from(pa).equals(Buffer.from(pb))).toBe(true);
            }
            if (ra < 0) return;
            pos += ra;
            if (ra === 0 || pos >= end) break;
          }
        }
      }), { numRuns: 300 });
    });
  }
});
