// The WASM frame decoder (assembly/ws/frame.ts): bytes copied into the shared WS window, this
// connection's state restored into the shared table around each call. Twin of ./js.ts.
import * as abi from '../../abi.js';
import type { EngineKind, WasmExports, WasmInstance } from '../../wasm/instance.js';
import { regionOf, type RegionTenant, type SharedRegion } from '../../wasm/region.js';
import * as copyModule from '../../wasm/copy.js';
import { CODEC_BLOCK } from '../codec/wasm.js';
import { announcedLength, configure, SMALL_INPUT, type FrameDecoder, type FrameDecoderConfig } from './decoder.js';
import * as jsModule from './js.js';

// Module-local constants: V8 folds them into optimized code; an imported binding is read through
// its cell at every use (docs/parser.md, "Hot-path notes").
const { copyBytes } = copyModule;
const { decodeFramesJs } = jsModule;

/** Bytes per WASM call of a bulk payload: the codec's block (L1-sized, see CODEC_BLOCK). */
const BULK_BLOCK = CODEC_BLOCK;

/** The longest frame header (§5.2): 2 bytes, 8 of extended length, 4 of masking key. */
const MAX_HEADER = 14;

/**
 * The WASM decoder: copies up to one window of input, restores this connection's state into the
 * shared table, decodes, saves state and records back, and copies the decoded span back over the
 * input (one copy in, one copy out per window, however many frames it holds). Bytes left in the window after a call
 * that stopped early (table full) are reused by the next call when nobody used the window since.
 */
export class WasmFrameDecoder implements FrameDecoder, RegionTenant {
  readonly engine: EngineKind;
  readonly table = new Int32Array(abi.WS_SLOTS);
  source: Uint8Array = new Uint8Array(0);
  base = 0;
  private readonly u8: Uint8Array;
  private readonly fns: WasmExports;
  /** The WS window, shared with every codec and decoder of this instance (src/wasm/region.ts). */
  private readonly region: SharedRegion;
  private readonly i32: Int32Array;
  private readonly tableIndex: number;
  private cachedBuf: Uint8Array | null = null;
  private cachedStart = 0;
  private cachedEnd = 0;
  private readonly bulkMin: number;
  private readonly smallInJs: boolean;
  /** The window's first BULK_BLOCK bytes (payloadInto copies out of it without a new view per block). */
  private readonly block: Uint8Array;

  constructor(instance: WasmInstance, config: FrameDecoderConfig) {
    this.engine = instance.kind;
    this.fns = instance.exports;
    this.region = regionOf(instance, 'ws');
    this.i32 = instance.i32;
    this.u8 = instance.u8;
    this.tableIndex = this.fns.wsTablePtr() >>> 2;
    configure(this.table, config);
    this.bulkMin = this.table[abi.W_BULK_MIN]! >>> 0;
    this.smallInJs = config.smallInJs ?? true;
    const window = this.fns.wsWindowPtr();
    this.block = this.u8.subarray(window, window + BULK_BLOCK);
  }

  /** Our state lives in `table` on the host; only the resident copy is lost (holds() says so). */
  regionLost(): void {}

  decode(buf: Uint8Array, start: number, end: number): number {
    if (end - start <= SMALL_INPUT && this.smallInJs) {
      // The twin decodes a short input in place on our host table: the shared table no longer has
      // our latest state, so the next WASM call must copy it in (release: not `held`).
      this.region.release(this);
      this.source = buf;
      this.base = start;
      return decodeFramesJs(this.table, buf, start, end);
    }
    const window = this.fns.wsWindowPtr();
    // Nobody used the window since our last call: the shared table still holds our state as we left
    // it (copied out whole after every call, and the host never writes it between calls).
    const held = this.region.holds(this);
    let ptr: number;
    let len: number;
    // Reuse the resident copy when it still holds every requested byte, or at least a full header
    // (14 bytes) so the call is sure to make progress.
    if (held && buf === this.cachedBuf && start >= this.cachedStart && start < this.cachedEnd
      && (this.cachedEnd >= end || this.cachedEnd - start >= 14)) {
      ptr = window + (start - this.cachedStart);
      len = Math.min(this.cachedEnd, end) - start;
    } else {
      len = Math.min(end - start, abi.WS_WINDOW_SIZE);
      // A bulk frame (W_BULK_MIN) cut by `end` stops the call right after its header, and
      // payloadInto() copies its payload itself: copy no more than a header then.
      if (this.table[abi.W_STATE] === abi.WS_HEADER && len > MAX_HEADER && this.bulkMin > 0 && (buf[start]! & 0x08) === 0) {
        const n = announcedLength(buf, start, end); // a data frame (opcode < 8): the only kind decoded in bulk
        if (n >= this.bulkMin && n > end - start - 2) len = MAX_HEADER;
      }
      copyBytes.call(buf, this.u8, window, start, start + len);
      this.region.acquire(this);
      this.cachedBuf = buf;
      this.cachedStart = start;
      this.cachedEnd = start + len;
      ptr = window;
    }
    const shared = this.i32;
    const ti = this.tableIndex;
    const table = this.table;
    // The state in and the records out (20 + 3 per piece slots) by plain loops: a subarray() view
    // and a set() call per copy cost more than the copy itself at these sizes.
    if (!held) for (let i = 0; i < abi.W_FIXED; i++) shared[ti + i] = table[i]!;
    const rc = this.fns.wsDecode(ptr, len);
    const slots = abi.W_FIXED + shared[ti + abi.W_COUNT]! * abi.W_REC_STRIDE;
    for (let i = 0; i < slots; i++) table[i] = shared[ti + i]!;
    // One copy out per call: the decoded span (payloads now unmasked) goes back over the caller's
    // bytes, so payload pieces are plain slices of `buf`, exactly as with the TS twin.
    const decoded = rc >= 0 ? rc : len;
    if (decoded > 0) copyBytes.call(this.u8, buf, start, ptr, ptr + decoded);
    this.source = buf;
    this.base = start;
    return rc;
  }

  /**
   * A bulk payload (decode() stopped at its header): BULK_BLOCK bytes at a time, copied into the
   * window, decoded there (unmasked, UTF-8 checked when configured) and copied out to `dst` — never
   * back over `buf`. Each block is a plain wsDecode call on payload bytes only, so the frame logic
   * stays in one place; the table stays in WASM memory between blocks (nobody else runs meanwhile).
   */
  payloadInto(buf: Uint8Array, start: number, len: number, dst: Uint8Array, dstOff: number): number {
    const { u8, fns } = this;
    const window = fns.wsWindowPtr();
    const shared = this.i32;
    const ti = this.tableIndex;
    this.region.acquire(this);
    this.cachedBuf = null; // the window no longer holds a decode() input
    shared.set(this.table.subarray(0, abi.W_FIXED), ti);
    // A plain Uint8Array view: its subarray() is the builtin, several times cheaper than a Buffer's.
    const src = new Uint8Array(buf.buffer, buf.byteOffset + start, len);
    let rc = 0;
    for (let done = 0; done < len; done += BULK_BLOCK) {
      const n = Math.min(BULK_BLOCK, len - done);
      u8.set(src.subarray(done, done + n), window);
      rc = fns.wsDecode(window, n);
      if (rc < 0) {
        shared[ti + abi.W_ERROR_POS] += done; // relative to `start`, as the twin reports it
        break;
      }
      dst.set(n === BULK_BLOCK ? this.block : u8.subarray(window, window + n), dstOff + done);
    }
    shared[ti + abi.W_COUNT] = 0; // the payload went to dst: no records
    this.table.set(shared.subarray(ti, ti + abi.W_FIXED));
    return rc < 0 ? rc : len;
  }
}
