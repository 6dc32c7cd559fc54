// Over-read guard (picohttpparser's habit): the head is written so its last byte is the last byte of
// WASM linear memory, then parseHead(ptr, len, lastLen) is called directly. A load past `ptr + len` —
// a 16-byte SIMD load included — would trap with "memory access out of bounds". Every truncation
// length of each input is tried, also resuming from a shorter call, and the table must equal the one
// the normal parser (which copies into the padded INPUT region) produces for the same bytes.
import { describe, expect, it } from 'vitest';
import * as abi from '../../../src/abi.js';
import { createHeadParser } from '../../../src/http/head/index.js';
import { DEFAULT_HEAD_LIMITS } from '../../../src/http/head/parser.js';
import { loadWasm, type WasmInstance } from '../../../src/wasm/instance.js';
import { loadHeadCorpus } from '../../corpus/head/load.js';
import { Gen, rng, validHead } from './support/gen.js';
import { diffSnapshots, hexDump, snapshot, type TableSnapshot } from './support/table.js';

const corpusInputs = loadHeadCorpus()
  .filter((c) => Object.keys(DEFAULT_HEAD_LIMITS).every((k) => c.limits[k as keyof typeof c.limits] === DEFAULT_HEAD_LIMITS[k as keyof typeof DEFAULT_HEAD_LIMITS]))
  .map((c) => ({ name: `${c.file} › ${c.title}`, bytes: c.input }));
// A few long generated heads, so SIMD runs (16 bytes at a time) reach the end of memory too.
const g = new Gen(rng(0x6a4d));
const longInputs = Array.from({ length: 60 }, (_, i) => validHead(g, `generated #${i}`))
  .sort((a, b) => b.input.length - a.input.length).slice(0, 6)
  .map((c) => ({ name: `${c.title} (${c.input.length} bytes)`, bytes: c.input }));

// Looked up at run time: the project's TS lib settings need not declare the WebAssembly namespace.
const WasmRuntimeError = (globalThis as unknown as { WebAssembly: { RuntimeError: new () => Error } }).WebAssembly.RuntimeError;

function writeLimits(wasm: WasmInstance): void {
  const base = wasm.exports.resultPtr() >>> 2;
  wasm.i32[base + abi.R_LIMIT_TARGET] = DEFAULT_HEAD_LIMITS.maxTargetLength;
  wasm.i32[base + abi.R_LIMIT_HEADERS] = DEFAULT_HEAD_LIMITS.maxHeaderCount;
  wasm.i32[base + abi.R_LIMIT_NAME] = DEFAULT_HEAD_LIMITS.maxHeaderNameLength;
  wasm.i32[base + abi.R_LIMIT_VALUE] = DEFAULT_HEAD_LIMITS.maxHeaderValueLength;
  wasm.i32[base + abi.R_LIMIT_HEAD] = DEFAULT_HEAD_LIMITS.maxHeadSize;
}

for (const kind of ['wasm-simd', 'wasm'] as const) {
  describe(`${kind}: no read past the input`, () => {
    const wasm = loadWasm(kind);
    it('build loads', () => expect(wasm).not.toBeNull());
    if (wasm === null) return;
    const parser = createHeadParser(kind, DEFAULT_HEAD_LIMITS);
    const memEnd = wasm.exports.memory.buffer.byteLength;

    const direct = (bytes: Uint8Array, len: number, lastLen: number): TableSnapshot => {
      const ptr = memEnd - len;
      wasm.u8.set(bytes.subarray(0, len), ptr);
      writeLimits(wasm);
      if (lastLen > 0) {
        // The earlier call saw the first lastLen bytes at the same ptr (not flush with the end).
        parser.reset();
        const first = wasm.exports.parseHead(ptr, lastLen, 0);
        if (first !== 0) return snapshot(parser, first);
      }
      return snapshot(parser, wasm.exports.parseHead(ptr, len, lastLen));
    };

    it('control: a head that runs one byte past the end of memory traps', () => {
      // Proves the harness would see an over-read: the parser must read every byte of a complete head.
      const head = corpusInputs[0]!.bytes;
      wasm.u8.set(head.subarray(0, head.length - 1), memEnd - head.length + 1);
      writeLimits(wasm);
      expect(() => wasm.exports.parseHead(memEnd - head.length + 1, head.length, 0)).toThrow(WasmRuntimeError);
    });

    it.each([...corpusInputs, ...longInputs].map((x) => [x.name, x.bytes] as const))('%s', (name, bytes) => {
      for (let len = 1; len <= bytes.length; len++) {
        parser.reset();
        const normal = snapshot(parser, parser.parse(bytes, 0, len, 0));
        for (const lastLen of len > 2 ? [0, len - 1, len >> 1] : [0]) {
          let flush: TableSnapshot;
          try {
            flush = direct(bytes, len, lastLen);
          } catch (err) {
            throw new Error(`${name}: trap with ${len} bytes flush against memory end, lastLen ${lastLen}: ${String(err)}\n${hexDump(bytes.subarray(0, len))}`);
          }
          const d = diffSnapshots(normal, flush, lastLen > 0);
          if (d.length) throw new Error(`${name}: ${len} bytes at memory end, lastLen ${lastLen}: ${d.join('; ')}`);
        }
      }
    });
  });
}
