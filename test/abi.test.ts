// The WASM ⇄ host contract: src/abi.ts must mirror assembly/abi.ts exactly. Every constant the host
// uses is compared with the immutable global each WASM build exports under the same name, and every
// i32 global a build exports must be known to the host — so a slot moved on one side fails here
// instead of silently misreading the result table.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as abi from '../src/abi.js';
import { loadWasm, WASM_FUNCTIONS, type WasmInstance } from '../src/wasm/instance.js';

const WASM_KINDS = ['wasm-simd', 'wasm'] as const;
const hostConstants = Object.entries(abi) as [string, number][];

// Looked up at run time: the project's TS lib settings need not declare the WebAssembly namespace.
const WasmGlobal = (globalThis as unknown as { WebAssembly: { Global: abstract new (...args: never[]) => { value: unknown } } })
  .WebAssembly.Global;

/** The exported i32 globals of one build, by name. */
function exportedGlobals(instance: WasmInstance): Map<string, number> {
  const globals = new Map<string, number>();
  for (const [name, value] of Object.entries(instance.exports)) {
    if (value instanceof WasmGlobal) globals.set(name, value.value as number);
  }
  return globals;
}

describe('src/abi.ts', () => {
  it('is generated from assembly/abi.ts and current (node .ci/gen-abi.mjs --check)', () => {
    const root = fileURLToPath(new URL('../', import.meta.url));
    expect(() => execFileSync(process.execPath, ['.ci/gen-abi.mjs', '--check'], { cwd: root, stdio: 'pipe' })).not.toThrow();
  });

  it('exports only integer constants', () => {
    expect(hostConstants.length).toBeGreaterThan(100);
    for (const [name, value] of hostConstants) {
      expect(Number.isInteger(value), name).toBe(true);
      expect(value | 0, name).toBe(value); // representable as i32
    }
  });

  it('has unique error codes, all negative', () => {
    const errors = hostConstants.filter(([name]) => name.startsWith('E_'));
    expect(errors.length).toBeGreaterThan(30);
    const values = errors.map(([, v]) => v);
    expect(new Set(values).size).toBe(values.length);
    for (const [name, v] of errors) expect(v, name).toBeLessThan(0);
  });

  it('has distinct single-bit flags', () => {
    const flags = hostConstants.filter(([name]) => name.startsWith('F_')).map(([, v]) => v);
    for (const f of flags) expect(f & (f - 1)).toBe(0);
    expect(flags.reduce((a, f) => a | f, 0)).toBe(flags.reduce((a, f) => a + f, 0));
  });

  it('has distinct fixed result slots inside R_FIXED', () => {
    const slots = hostConstants.filter(([name]) => /^R_(?!FIXED$|HEADER_STRIDE$)/.test(name) && name !== 'RESULT_SLOTS');
    const values = slots.map(([, v]) => v);
    expect(new Set(values).size).toBe(values.length);
    for (const [name, v] of slots) {
      expect(v, name).toBeGreaterThanOrEqual(0);
      expect(v, name).toBeLessThan(abi.R_FIXED);
    }
    expect(abi.RESULT_SLOTS).toBe(abi.R_FIXED + abi.MAX_HEADERS * abi.R_HEADER_STRIDE);
  });
});

for (const kind of WASM_KINDS) {
  describe(`${kind} build`, () => {
    const instance = loadWasm(kind);

    it('loads (Node 20 supports both builds)', () => {
      expect(instance).not.toBeNull();
      expect(instance!.exports.simdBuild()).toBe(kind === 'wasm-simd' ? 1 : 0);
    });

    it('exports every src/abi.ts constant with the same value', () => {
      const globals = exportedGlobals(instance!);
      const wrong = hostConstants
        .filter(([name, value]) => globals.get(name) !== value)
        .map(([name, value]) => `${name}: host ${value}, wasm ${globals.get(name)}`);
      expect(wrong).toEqual([]);
    });

    it('exports no i32 global that src/abi.ts lacks', () => {
      const host = new Set(hostConstants.map(([name]) => name));
      const unknown = [...exportedGlobals(instance!).keys()].filter((name) => !host.has(name));
      expect(unknown).toEqual([]);
    });

    it('exports exactly the functions typed in WasmExports (src/wasm/instance.ts)', () => {
      const functions = Object.entries(instance!.exports).filter(([, v]) => typeof v === 'function').map(([n]) => n);
      expect(functions.sort()).toEqual([...WASM_FUNCTIONS].sort());
    });

    it('places the static regions inside memory, 16-byte aligned and disjoint', () => {
      const e = instance!.exports;
      const regions = [
        ['input', e.inputPtr(), abi.INPUT_SIZE],
        ['result', e.resultPtr(), abi.RESULT_SLOTS * 4],
        ['chunk input', e.chunkInputPtr(), abi.CHUNK_INPUT_SIZE],
        ['chunk table', e.chunkTablePtr(), abi.CHUNK_SLOTS * 4],
        ['ws window', e.wsWindowPtr(), abi.WS_WINDOW_SIZE],
        ['ws table', e.wsTablePtr(), abi.WS_SLOTS * 4],
      ] as const;
      const memoryBytes = e.memory.buffer.byteLength;
      for (const [name, ptr, size] of regions) {
        expect(ptr % 16, name).toBe(0);
        expect(ptr + size, name).toBeLessThanOrEqual(memoryBytes);
      }
      const sorted = [...regions].sort((a, b) => a[1] - b[1]);
      for (let i = 1; i < sorted.length; i++) {
        expect(sorted[i - 1]![1] + sorted[i - 1]![2], `${sorted[i - 1]![0]} overlaps ${sorted[i]![0]}`)
          .toBeLessThanOrEqual(sorted[i]![1]);
      }
    });

    it('has fixed-size memory (initial = maximum), so host views never detach', () => {
      const memory = instance!.exports.memory;
      const before = memory.buffer;
      expect(() => memory.grow(1)).toThrow(RangeError);
      expect(memory.buffer).toBe(before);
      expect(instance!.u8.buffer).toBe(before);
    });
  });
}
