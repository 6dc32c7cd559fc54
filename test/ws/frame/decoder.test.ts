// Frame-decoder twins (src/ws/frame/js.ts, src/ws/frame/wasm.ts) compared slot by slot on random
// frame streams, with UTF-8 checked in the decoder or left to the host, and with large frames
// stopped at their header and decoded by payloadInto() (bulk); the corpus (test/ws/receiver.test.ts)
// runs both through the Receiver.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as abi from '../../../src/abi.js';
import { availableEngines, type EngineKind } from '../../../src/wasm/instance.js';
import { bulkRemain, createFrameDecoder, type FrameDecoderConfig } from '../../../src/ws/frame/index.js';
import { referenceMask } from '../corpus.js';

const wasmEngines = availableEngines().filter((e): e is Exclude<EngineKind, 'js'> => e !== 'js');

function maskedFrame(b0: number, payload: Buffer, key: number): Buffer {
  const n = payload.length;
  const head = n < 126 ? [b0, 0x80 | n] : n < 65536 ? [b0, 0xfe, n >> 8, n & 0xff] : [b0, 0xff, 0, 0, 0, 0, n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
  head.push(key >>> 24, (key >>> 16) & 0xff, (key >>> 8) & 0xff, key & 0xff);
  return Buffer.concat([Buffer.from(head), referenceMask(payload, key, 0)]);
}

type Decoder = ReturnType<typeof createFrameDecoder>;

/** Fixed slots and the records of the last call. */
function used(d: Decoder): number[] {
  return Array.from(d.table.subarray(0, abi.W_FIXED + d.table[abi.W_COUNT]! * abi.W_REC_STRIDE));
}

/**
 * Feed `stream` cut at `points` to a WASM decoder and the TS twin, comparing return codes, tables and
 * payload pieces after every call. A frame decode() stops before (bulkRemain) is fed through
 * payloadInto() as its bytes arrive, and its unmasked payload compared too.
 */
function compareTwins(kind: Exclude<EngineKind, 'js'>, config: FrameDecoderConfig, stream: Buffer, points: number[], rivalEvery = 0): void {
  const wasm = createFrameDecoder(config, kind);
  // Another connection's decoder of the same instance, run between our calls: it takes the shared
  // window and table, so our next call must restore its state instead of finding it resident.
  const rival = rivalEvery > 0 ? createFrameDecoder(config, kind) : null;
  const rivalFrame = maskedFrame(0x82, Buffer.from('rival'), 0x01020304);
  let calls = 0;
  const interrupt = (): void => {
    if (rival !== null && ++calls % rivalEvery === 0) expect(rival.decode(Buffer.from(rivalFrame), 0, rivalFrame.length)).toBe(rivalFrame.length);
  };
  const twin = createFrameDecoder(config, 'js');
  const a = Buffer.from(stream);
  const b = Buffer.from(stream);
  let bulk: { da: Buffer; db: Buffer; at: number } | null = null;
  let pos = 0;
  for (const end of [...points, stream.length]) {
    // Feed [pos, end) until the decoders stop making progress, comparing every call.
    while (pos < end || bulk === null) {
      if (bulk !== null) {
        const n = Math.min(bulk.da.length - bulk.at, end - pos);
        const ra = wasm.payloadInto(a, pos, n, bulk.da, bulk.at);
        expect(ra).toBe(twin.payloadInto(b, pos, n, bulk.db, bulk.at));
        expect(used(wasm)).toEqual(used(twin));
        interrupt();
        if (ra < 0) return;
        pos += n;
        bulk.at += n;
        if (bulk.at === bulk.da.length) {
          expect(bulk.da.equals(bulk.db)).toBe(true);
          bulk = null;
        }
        continue;
      }
      const ra = wasm.decode(a, pos, end);
      const rb = twin.decode(b, pos, end);
      expect(ra).toBe(rb);
      expect(used(wasm)).toEqual(used(twin));
      interrupt();
      const count = twin.table[abi.W_COUNT]!;
      for (let i = 0; i < count; i++) {
        const off = twin.table[abi.W_FIXED + i * 3 + 1]!;
        const len = twin.table[abi.W_FIXED + i * 3 + 2]!;
        const pa = wasm.source.subarray(wasm.base + off, wasm.base + off + len);
        const pb = twin.source.subarray(twin.base + off, twin.base + off + len);
        expect(Buffer.from(pa).equals(Buffer.from(pb))).toBe(true);
      }
      if (ra < 0) return;
      pos += ra;
      const remain = bulkRemain(twin.table);
      expect(bulkRemain(wasm.table)).toBe(remain);
      if (remain > 0) bulk = { da: Buffer.alloc(remain), db: Buffer.alloc(remain), at: 0 };
      else if (ra === 0 || pos >= end) break;
    }
  }
}

describe('frame decoder: WASM tables equal the TS twin slot by slot', () => {
  const base: FrameDecoderConfig = { isServer: true, deflate: true, maxPayload: 100_000, maxFragments: 6, smallInJs: false };
  const configs: [string, FrameDecoderConfig][] = [
    ['UTF-8 checked, no bulk', { ...base, maxPayload: 5000 }],
    ['UTF-8 checked, bulk from 100 B', { ...base, bulkMin: 100 }],
    ['UTF-8 left to the host, bulk from 1 B', { ...base, checkUtf8: false, bulkMin: 1 }],
  ];
  const frameArb = fc.record({
    b0: fc.constantFrom(0x81, 0x82, 0x01, 0x02, 0x00, 0x80, 0x89, 0x8a, 0x88, 0xc1, 0x41, 0x83, 0x09, 0x91),
    payload: fc.oneof(fc.uint8Array({ maxLength: 140 }), fc.string({ unit: 'binary', maxLength: 60 }).map((s) => Buffer.from(s)),
      fc.string({ unit: 'binary', minLength: 100, maxLength: 400 }).map((s) => Buffer.from(s)),
      fc.constant(new Uint8Array(300)), fc.constant(new Uint8Array(70000))),
    key: fc.integer({ min: 0, max: 0xffffffff }),
  });
  for (const kind of wasmEngines) {
    for (const [name, config] of configs) {
      it(`${kind} vs js on random frame streams split at random points (${name})`, () => {
        fc.assert(fc.property(fc.array(frameArb, { maxLength: 8 }), fc.array(fc.nat(), { maxLength: 4 }), (frames, cuts) => {
          const stream = Buffer.concat(frames.map((f) => maskedFrame(f.b0, Buffer.from(f.payload), f.key)));
          const points = [...new Set(cuts.map((c) => (stream.length ? c % stream.length : 0)))].sort((x, y) => x - y);
          compareTwins(kind, config, stream, points);
        }), { numRuns: 200 });
      });
      it(`${kind} vs js with another decoder taking the shared window between calls (${name})`, () => {
        fc.assert(fc.property(fc.array(frameArb, { maxLength: 8 }), fc.array(fc.nat(), { maxLength: 6 }), fc.integer({ min: 1, max: 3 }), (frames, cuts, every) => {
          const stream = Buffer.concat(frames.map((f) => maskedFrame(f.b0, Buffer.from(f.payload), f.key)));
          const points = [...new Set(cuts.map((c) => (stream.length ? c % stream.length : 0)))].sort((x, y) => x - y);
          compareTwins(kind, config, stream, points, every);
        }), { numRuns: 150 });
      });
    }
  }
});
