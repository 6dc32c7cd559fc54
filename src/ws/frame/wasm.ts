// The WASM frame decoder (assembly/ws/frame.ts): bytes copied into the shared WS window, this
// connection's state restored into the shared table around each call. Twin of ./js.ts.
import * as abi from '../../abi.js';
import type { EngineKind, WasmInstance } from '../../wasm/instance.js';
import { wsWindow } from '../codec/wasm.js';
import { configure, type FrameDecoder, type FrameDecoderConfig } from './decoder.js';

interface DecodeExports { wsWindowPtr(): number; wsTablePtr(): number; wsDecode(ptr: number, len: number): number }

/**
 * The WASM decoder: copies up to one window of input, restores this connection's state into the
 * shared table, decodes, saves state and records back, and copies the decoded span back over the
 * input (one copy in, one copy out per window, however many frames it holds). Bytes left in the window after a call
 * that stopped early (table full) are reused by the next call when nobody used the window since.
 */
export class WasmFrameDecoder implements FrameDecoder {
  readonly engine: EngineKind;
  readonly table = new Int32Array(abi.WS_SLOTS);
  source: Uint8Array = new Uint8Array(0);
  base = 0;
  private readonly u8: Uint8Array;
  private readonly fns: DecodeExports;
  private readonly i32: Int32Array;
  private readonly tableIndex: number;
  private cachedBuf: Uint8Array | null = null;
  private cachedStart = 0;
  private cachedEnd = 0;

  constructor(instance: WasmInstance, config: FrameDecoderConfig) {
    this.engine = instance.kind;
    this.fns = instance.exports as unknown as DecodeExports;
    this.i32 = instance.i32;
    this.u8 = instance.u8;
    this.tableIndex = this.fns.wsTablePtr() >>> 2;
    configure(this.table, config);
  }

  decode(buf: Uint8Array, start: number, end: number): number {
    const window = this.fns.wsWindowPtr();
    let ptr: number;
    let len: number;
    // Reuse the resident copy when it still holds every requested byte, or at least a full header
    // (14 bytes) so the call is sure to make progress.
    if (wsWindow.owner === this && buf === this.cachedBuf && start >= this.cachedStart && start < this.cachedEnd
      && (this.cachedEnd >= end || this.cachedEnd - start >= 14)) {
      ptr = window + (start - this.cachedStart);
      len = Math.min(this.cachedEnd, end) - start;
    } else {
      len = Math.min(end - start, abi.WS_WINDOW_SIZE);
      this.u8.set(buf.subarray(start, start + len), window);
      wsWindow.owner = this;
      this.cachedBuf = buf;
      this.cachedStart = start;
      this.cachedEnd = start + len;
      ptr = window;
    }
    const shared = this.i32;
    const ti = this.tableIndex;
    shared.set(this.table.subarray(0, abi.W_FIXED), ti);
    const rc = this.fns.wsDecode(ptr, len);
    const count = shared[ti + abi.W_COUNT]!;
    this.table.set(shared.subarray(ti, ti + abi.W_FIXED + count * abi.W_REC_STRIDE));
    // One copy out per call: the decoded span (payloads now unmasked) goes back over the caller's
    // bytes, so payload pieces are plain slices of `buf`, exactly as with the TS twin.
    const decoded = rc >= 0 ? rc : len;
    if (decoded > 0) buf.set(this.u8.subarray(ptr, ptr + decoded), start);
    this.source = buf;
    this.base = start;
    return rc;
  }
}
