// Byte copies between the host's buffers and a WASM instance's memory.
//
// Buffer.prototype.copy works on any Uint8Array receiver: it makes one plain Uint8Array view (only
// for a partial source) and one set() call. The obvious `dst.set(src.subarray(a, b), at)` on a
// Buffer source costs more at head and frame sizes: Buffer#subarray looks up the species constructor
// and allocates a Buffer view first (a profile of a 64 B WebSocket echo showed set + subarray +
// typed-array creation at ~1,700 instructions per message, copies included).
export const copyBytes = Buffer.prototype.copy as (this: Uint8Array, target: Uint8Array, targetStart: number,
  sourceStart: number, sourceEnd: number) => number;
