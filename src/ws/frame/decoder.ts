// The frame decoder's contract (RFC 6455 §5.2): what both twins implement (./js.ts, ./wasm.ts) and
// the table they fill (W_* slots in src/abi.ts): decoder state in slots [0, W_FIXED), then one
// record per payload piece. Imports nothing from the twins, so they can share it.
import * as abi from '../../abi.js';
import type { EngineKind } from '../../wasm/instance.js';

export const TWO32 = 0x1_0000_0000;
export const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** A u64 held as two i32 slots (lo, hi) of the table. */
export const u64 = (t: Int32Array, lo: number): number => (t[lo]! >>> 0) + (t[lo + 1]! >>> 0) * TWO32;
export function set64(t: Int32Array, lo: number, v: number): void {
  t[lo] = v % TWO32 | 0;
  t[lo + 1] = Math.floor(v / TWO32) | 0;
}

export interface FrameDecoderConfig {
  /** We are the server: client frames must be masked (RFC 6455 §5.1). */
  isServer: boolean;
  /** permessage-deflate negotiated: RSV1 allowed on a message's first frame. */
  deflate: boolean;
  /** 0 = no limit. */
  maxPayload: number;
  /** 0 = no limit. */
  maxFragments: number;
  /** Validate text as UTF-8 in the decoder's pass. Default true; false when the host validates it
   *  (W_CFG_NO_UTF8: the Receiver's native check, src/ws/codec/native.ts). */
  checkUtf8?: boolean;
}

export interface FrameDecoder {
  readonly engine: EngineKind;
  /** State slots and the records of the last call (W_COUNT of them from W_FIXED). */
  readonly table: Int32Array;
  /** Payload piece i lives at source[base + off, + len): the caller's `buf` after decode(). */
  source: Uint8Array;
  base: number;
  /** Decode buf[start, end): bytes consumed (≥ 0) or a negative abi.E_WS_* code. */
  decode(buf: Uint8Array, start: number, end: number): number;
}

/** Write a fresh decoder state with its limits into `table`. */
export function configure(table: Int32Array, config: FrameDecoderConfig): void {
  table.fill(0);
  table[abi.W_CONFIG] = (config.isServer ? abi.W_CFG_SERVER : 0) | (config.deflate ? abi.W_CFG_DEFLATE : 0)
    | (config.checkUtf8 === false ? abi.W_CFG_NO_UTF8 : 0);
  const max = config.maxPayload > 0 ? Math.min(config.maxPayload, MAX_SAFE) : 0;
  set64(table, abi.W_MAX_LO, max);
  table[abi.W_MAX_FRAGMENTS] = config.maxFragments > 0 ? Math.min(config.maxFragments, 0x7fffffff) : 0;
}

