// Helpers for the chunked-decoder tests: run one body through a decoder fed in pieces, and collect
// everything observable (data, trailers, completion, consumed bytes, error code and position).
import { expect } from 'vitest';
import type { ChunkedLimits, ChunkedSink } from '../../../src/http/chunked/decoder.js';
import { createChunkedDecoder, WasmChunkedDecoder } from '../../../src/http/chunked/index.js';
import { availableEngines, type EngineKind } from '../../../src/wasm/instance.js';

/** An engine as the factory builds it, or a WASM engine with every byte through WASM ('wasm-only'). */
export interface Variant {
  readonly name: string;
  readonly engine: EngineKind;
  readonly wasmOnly: boolean;
}

/** Every available engine, plus each WASM engine without its small-framing-in-JS shortcut. */
export const VARIANTS: readonly Variant[] = [
  ...availableEngines().map((engine) => ({ name: engine, engine, wasmOnly: false })),
  ...availableEngines().filter((e) => e !== 'js').map((engine) => ({ name: `${engine} (wasm only)`, engine, wasmOnly: true })),
];

export function makeDecoder(variant: Variant | EngineKind, sink: ChunkedSink, limits?: Partial<ChunkedLimits>) {
  if (typeof variant === 'string') return createChunkedDecoder(variant, sink, limits);
  if (!variant.wasmOnly || variant.engine === 'js') return createChunkedDecoder(variant.engine, sink, limits);
  return new WasmChunkedDecoder(variant.engine, sink, limits, { smallFramingInJs: false });
}

export interface Outcome {
  status: 'done' | 'incomplete' | 'error';
  data: string;
  trailers: [string, string][];
  consumed: number;
  error: number;
  at: number;
}

const PAD = 3; // junk on both sides of every piece: a decoder must honour start/end exactly
const JUNK = 0x5a;

/**
 * Feed `input` cut at the offsets in `cuts` (ascending, inside (0, length)). Each piece is its own
 * buffer with junk around it; data spans must point into that very buffer (no copies).
 */
export function runPieces(engine: Variant | EngineKind, input: Uint8Array, cuts: readonly number[], limits?: Partial<ChunkedLimits>): Outcome {
  let current: Uint8Array | null = null;
  const data: string[] = [];
  const trailers: [string, string][] = [];
  const decoder = makeDecoder(engine, {
    data(buf, start, end) {
      if (buf !== current) throw new Error('data span does not point into the caller buffer');
      if (start < PAD || end > buf.length - PAD || start >= end) throw new Error(`bad span ${start}..${end}`);
      data.push(Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString('latin1'));
    },
    trailer(name, value) {
      trailers.push([name, value]);
    },
  }, limits);
  let consumed = 0;
  let prev = 0;
  for (const cut of [...cuts, input.length]) {
    const piece = new Uint8Array(cut - prev + 2 * PAD).fill(JUNK);
    piece.set(input.subarray(prev, cut), PAD);
    current = piece;
    const rc = decoder.decode(piece, PAD, PAD + cut - prev);
    if (rc < 0) {
      expect(decoder.decode(piece, PAD, PAD + cut - prev), 'a failed decoder stays failed').toBe(rc);
      return { status: 'error', data: '', trailers: [], consumed, error: rc, at: decoder.lastErrorPosition };
    }
    consumed += rc;
    if (decoder.done) {
      return { status: 'done', data: data.join(''), trailers, consumed, error: 0, at: -1 };
    }
    if (rc !== cut - prev) throw new Error(`consumed ${rc} of ${cut - prev} without completing`);
    prev = cut;
  }
  return { status: 'incomplete', data: data.join(''), trailers, consumed, error: 0, at: -1 };
}

/** Every way the tests cut an input: whole, in two at every byte, and one byte per call. */
export function* cutPlans(length: number): Generator<{ name: string; cuts: number[] }> {
  yield { name: 'whole', cuts: [] };
  for (let k = 1; k < length; k++) yield { name: `split at ${k}`, cuts: [k] };
  yield { name: 'byte by byte', cuts: Array.from({ length: Math.max(0, length - 1) }, (_, i) => i + 1) };
}

export const bytes = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text, 'latin1'));
