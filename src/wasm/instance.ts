// The only module that instantiates `WebAssembly` (webassembly.ts types the global). It compiles the SIMD build first, falls back to the
// scalar build, and reports 'js' when neither can run, so callers pick the TypeScript twins
// (undici loads llhttp the same way: SIMD in try/catch, scalar fallback, an environment override).
//
// Compilation is synchronous (the modules are a few KiB) and happens once, on first use.
// Memory is fixed-size (initial = maximum pages), so the views built here never detach.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { WebAssemblyApi, type WasmMemory } from './webassembly.js';

export type EngineKind = 'wasm-simd' | 'wasm' | 'js';
export const ENGINE_KINDS: readonly EngineKind[] = ['wasm-simd', 'wasm', 'js'];

/**
 * Every function export of the builds (assembly/index.ts), typed once here so no caller casts. The
 * abi.ts constants are exported too, as i32 globals; test/abi.test.ts reads them by enumeration.
 */
export interface WasmExports {
  readonly memory: WasmMemory;
  // Static regions (byte addresses; tables are Int32 slots from there)
  inputPtr(): number;
  resultPtr(): number;
  chunkInputPtr(): number;
  chunkTablePtr(): number;
  wsWindowPtr(): number;
  wsTablePtr(): number;
  /** 1 for the SIMD build. */
  simdBuild(): number;
  /** Request head at [ptr, ptr+len), resuming after lastLen bytes: > 0 head length, 0 more, < 0 abi.E_*. */
  parseHead(ptr: number, len: number, lastLen: number): number;
  /** Chunked body bytes at [ptr, ptr+len) with the state in the chunk table: bytes consumed or abi.E_*. */
  decodeChunked(ptr: number, len: number): number;
  /** WebSocket frames at [ptr, ptr+len) with the state in the ws table: bytes consumed or abi.E_*. */
  wsDecode(ptr: number, len: number): number;
  /** XOR [ptr, ptr+len) in place with the 4-byte masking key, starting at key byte keyOffset. */
  wsMask(ptr: number, len: number, key: number, keyOffset: number): void;
  /** UTF-8 validation of [ptr, ptr+len) continuing from `state` (0 boundary): the new state, -1 invalid. */
  wsUtf8(ptr: number, len: number, state: number): number;
}

/** The names above that are functions (test/abi.test.ts: a build exports exactly these functions). */
export const WASM_FUNCTIONS = [
  'inputPtr', 'resultPtr', 'chunkInputPtr', 'chunkTablePtr', 'wsWindowPtr', 'wsTablePtr', 'simdBuild',
  'parseHead', 'decodeChunked', 'wsDecode', 'wsMask', 'wsUtf8',
] as const satisfies readonly Exclude<keyof WasmExports, 'memory'>[];

/** One instantiated module and the views the host reads and writes through. */
export interface WasmInstance {
  readonly kind: Exclude<EngineKind, 'js'>;
  readonly exports: WasmExports;
  readonly u8: Uint8Array;
  readonly i32: Int32Array;
}

const BUILD_FILES: Record<Exclude<EngineKind, 'js'>, string> = {
  'wasm-simd': 'wasmlane-simd.wasm',
  wasm: 'wasmlane.wasm',
};

const instances = new Map<Exclude<EngineKind, 'js'>, WasmInstance | null>();

function buildUrl(file: string): URL {
  // src/wasm/instance.ts and dist/wasm/instance.js both sit two levels below the package root.
  return new URL(`../../build/${file}`, import.meta.url);
}

function instantiate(kind: Exclude<EngineKind, 'js'>): WasmInstance | null {
  if (instances.has(kind)) return instances.get(kind)!;
  let result: WasmInstance | null = null;
  try {
    const bytes = readFileSync(fileURLToPath(buildUrl(BUILD_FILES[kind])));
    const module = new WebAssemblyApi.Module(bytes); // throws CompileError where SIMD is unsupported
    const instance = new WebAssemblyApi.Instance(module, {
      env: {
        abort(): never {
          throw new Error(`wasmlane: ${kind} module aborted`);
        },
      },
    });
    const exports = instance.exports as unknown as WasmExports;
    const buffer = exports.memory.buffer;
    result = { kind, exports, u8: new Uint8Array(buffer), i32: new Int32Array(buffer) };
  } catch {
    result = null;
  }
  instances.set(kind, result);
  return result;
}

/** The instance for one WASM build, or null when it cannot be compiled here (e.g. no SIMD). */
export function loadWasm(kind: Exclude<EngineKind, 'js'>): WasmInstance | null {
  return instantiate(kind);
}

function parseKind(value: string | undefined): EngineKind | undefined {
  if (value === undefined || value === '' || value === 'auto') return undefined;
  if ((ENGINE_KINDS as readonly string[]).includes(value)) return value as EngineKind;
  throw new TypeError(`wasmlane: unknown engine "${value}" (expected wasm-simd, wasm, js or auto)`);
}

/**
 * The engine to use: an explicit choice, else WASMLANE_ENGINE, else the best that runs here.
 * An explicit WASM choice that cannot run is an error rather than a silent downgrade.
 */
export function resolveEngine(requested?: EngineKind | 'auto'): EngineKind {
  const forced = parseKind(requested) ?? parseKind(process.env.WASMLANE_ENGINE);
  if (forced === 'js') return 'js';
  if (forced !== undefined) {
    if (instantiate(forced) === null) throw new Error(`wasmlane: engine "${forced}" cannot run on this platform`);
    return forced;
  }
  if (instantiate('wasm-simd') !== null) return 'wasm-simd';
  if (instantiate('wasm') !== null) return 'wasm';
  return 'js';
}

/** Engines that can run here, best first (for tests and benchmarks that cover all of them). */
export function availableEngines(): EngineKind[] {
  const kinds: EngineKind[] = [];
  if (instantiate('wasm-simd') !== null) kinds.push('wasm-simd');
  if (instantiate('wasm') !== null) kinds.push('wasm');
  kinds.push('js');
  return kinds;
}
