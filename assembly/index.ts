// The module's export surface, nothing else. Constants are exported as immutable globals so the
// host can check its mirror (src/abi.ts) against them.
export * from './abi';
import {
  INPUT_PTR, RESULT_PTR, CHUNK_INPUT_PTR, CHUNK_TABLE_PTR, WS_WINDOW_PTR, WS_TABLE_PTR,
} from './regions';

export function inputPtr(): usize { return INPUT_PTR; }
export function resultPtr(): usize { return RESULT_PTR; }
export function chunkInputPtr(): usize { return CHUNK_INPUT_PTR; }
export function chunkTablePtr(): usize { return CHUNK_TABLE_PTR; }
export function wsWindowPtr(): usize { return WS_WINDOW_PTR; }
export function wsTablePtr(): usize { return WS_TABLE_PTR; }

/** 1 when this build was compiled with SIMD (the host reports it as engine "wasm-simd"). */
export function simdBuild(): i32 { return ASC_FEATURE_SIMD ? 1 : 0; }

export * from './http/head';
export * from './http/chunked';
export * from './ws/frame';
