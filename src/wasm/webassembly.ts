// The slice of the WebAssembly JS API that instance.ts uses. TypeScript declares `WebAssembly` only in
// lib.dom (which would drag browser globals into a Node library) and @types/node 20 does not declare
// it, so we type the global ourselves and read it once here.
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  /** Throws RangeError here: our memories are fixed-size (initial = maximum). */
  grow(pages: number): number;
}
export interface WasmModuleInstance {
  readonly exports: Record<string, unknown>;
}
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => WasmModuleInstance;
}

export const WebAssemblyApi = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;
