// Chunked bodies of big chunks (≥ the WASM decoder's fast-path run, 2 KiB): their data goes to the sink
// as spans of the caller's buffer without entering WASM, and the framing between two of them is
// decoded in a small window that ends at the size line's LF (src/http/chunked/wasm.ts). These paths
// only shape the calls; every cut of the input must give what the TypeScript twin gives on the whole
// input, errors (code and position) included, on every engine and with every byte through WASM.
import { describe, expect, it } from 'vitest';
import * as abi from '../../../src/abi.js';
import { bytes, cutPlans, makeDecoder, runPieces, VARIANTS, type Outcome } from './support.js';

/** Chunk data that differs at every offset (a misplaced span shows). */
const dataOf = (size: number, seed: number): string =>
  String.fromCharCode(...Array.from({ length: size }, (_, i) => 0x61 + ((i * 7 + seed) % 26)));

/** A body of chunks of these sizes (size line suffixes optional), then the last chunk, then `tail`. */
function body(sizes: readonly number[], opts: { ext?: string; tail?: string } = {}): { input: Uint8Array; data: string } {
  let text = '';
  let data = '';
  sizes.forEach((size, k) => {
    const chunk = dataOf(size, k);
    text += `${size.toString(16)}${k === 1 ? opts.ext ?? '' : ''}\r\n${chunk}\r\n`;
    data += chunk;
  });
  return { input: bytes(`${text}0\r\n${opts.tail ?? '\r\n'}`), data };
}

/** What every cut plan must agree on: data before an error is not specified. */
const comparable = (o: Outcome): unknown => (o.status === 'error' ? { status: o.status, error: o.error, at: o.at } : o);

/** Cuts every `piece` bytes (socket-read-like). */
const every = (length: number, piece: number): number[] => Array.from({ length: Math.ceil(length / piece) - 1 }, (_, i) => (i + 1) * piece);

const SIZES = [2048, 2100, 2049, 1, 2047];
const CASES: { name: string; input: Uint8Array }[] = [
  { name: 'big chunks', input: body(SIZES).input },
  { name: 'an extension after a big chunk (a size line longer than the small window)', input: body(SIZES, { ext: ';name="a quoted value"' }).input },
  { name: 'trailers after big chunks', input: body(SIZES, { tail: 'Checksum: abc\r\nX-T: 1\r\n\r\n' }).input },
  { name: 'no CRLF after a big chunk', input: bytes(`800\r\n${dataOf(2048, 0)}X\n5\r\nhello\r\n0\r\n\r\n`) },
  { name: 'a bare LF after a big chunk', input: bytes(`800\r\n${dataOf(2048, 0)}\n5\r\nhello\r\n0\r\n\r\n`) },
  { name: 'a bad size line after a big chunk', input: bytes(`800\r\n${dataOf(2048, 0)}\r\nzz\r\nhello\r\n0\r\n\r\n`) },
  { name: 'a bare LF ending the size line after a big chunk', input: bytes(`800\r\n${dataOf(2048, 0)}\r\n5\nhello\r\n0\r\n\r\n`) },
];

describe('chunked bodies of big chunks', () => {
  for (const variant of VARIANTS) {
    for (const c of CASES) {
      it(`${variant.name}: ${c.name}: every cut gives what the TypeScript twin gives on the whole input`, () => {
        const reference = comparable(runPieces('js', c.input, []));
        for (const plan of cutPlans(c.input.length)) {
          expect(comparable(runPieces(variant, c.input, plan.cuts)), plan.name).toEqual(reference);
        }
        for (const piece of [7, 16, 17, 33, 2047, 2048, 2049, 4096]) {
          expect(comparable(runPieces(variant, c.input, every(c.input.length, piece))), `pieces of ${piece}`).toEqual(reference);
        }
      });
    }
  }

  it('the cases decode (or fail) as intended', () => {
    expect(runPieces('js', CASES[0]!.input, [])).toMatchObject({ status: 'done', data: body(SIZES).data });
    expect(runPieces('js', CASES[2]!.input, []).trailers).toEqual([['Checksum', 'abc'], ['X-T', '1']]);
    expect(CASES.slice(3).map((c) => runPieces('js', c.input, []).error)).toEqual([
      abi.E_CHUNK_DATA_NO_CRLF, abi.E_CHUNK_DATA_NO_CRLF, abi.E_INVALID_CHUNK_SIZE, abi.E_BARE_LF,
    ]);
  });

  for (const variant of VARIANTS.filter((v) => !v.wasmOnly)) {
    it(`${variant.name}: one data span per chunk, plus one where a read cuts one (64 × 16 KiB in 64 KiB reads)`, () => {
      const { input, data } = body(Array.from({ length: 64 }, () => 16 * 1024));
      let spans = 0;
      let received = '';
      const d = makeDecoder(variant, {
        data(buf, start, end) {
          spans++;
          received += Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString('latin1');
        },
      });
      const cuts = [...every(input.length, 65536), input.length];
      let prev = 0;
      for (const cut of cuts) {
        const read = input.slice(prev, cut); // a buffer of its own, as a socket read is
        expect(d.decode(read, 0, read.length)).toBe(read.length);
        prev = cut;
      }
      expect({ done: d.done, same: received === data }).toEqual({ done: true, same: true });
      // + 1: the body's first window (4 KiB, so that a small body takes one call) spans the first chunk's start.
      expect(spans).toBeLessThanOrEqual(64 + (cuts.length - 1) + 1);
    });
  }
});
