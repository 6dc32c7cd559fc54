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
  /** Stop right after the header of a data frame of at least this many payload bytes whose payload
   *  is not all in the input (W_BULK_MIN); the caller then decodes it with payloadInto(). 0 = never (default). */
  bulkMin?: number;
  /** WASM decoder only: inputs of at most SMALL_INPUT bytes are decoded by the TypeScript twin in
   *  place (default true). The twin tests turn it off to drive every byte through WASM. */
  smallInJs?: boolean;
}

/** Inputs up to this many bytes cost the WASM decoder more in copies (bytes into the window and back,
 *  its state in and out) than the twin's whole decode: a 64 B echo's read is 70 bytes. */
export const SMALL_INPUT = 512;

export interface FrameDecoder {
  readonly engine: EngineKind;
  /** State slots and the records of the last call (W_COUNT of them from W_FIXED). */
  readonly table: Int32Array;
  /** Payload piece i lives at source[base + off, + len): the caller's `buf` after decode(). */
  source: Uint8Array;
  base: number;
  /** Decode buf[start, end): bytes consumed (≥ 0) or a negative abi.E_WS_* code. */
  decode(buf: Uint8Array, start: number, end: number): number;
  /**
   * Decode the next `len` payload bytes of the current frame, buf[start, +len) (at most what the frame
   * has left), into dst[dstOff, +len), unmasked (buf may be left masked or unmasked): the payload of a
   * frame decode() stopped before (bulkRemain). Returns `len` or a negative abi.E_WS_* code (W_ERROR_POS
   * relative to `start`); the table holds the decoder's state and no records (W_COUNT 0).
   */
  payloadInto(buf: Uint8Array, start: number, len: number, dst: Uint8Array, dstOff: number): number;
}

/**
 * The payload length the frame header at buf[at…) announces, or -1 when its length bytes are not all
 * before `end`. A hint for sizing a copy only (the decoders check every header themselves).
 */
export function announcedLength(buf: Uint8Array, at: number, end: number): number {
  if (end - at < 2) return -1;
  const len7 = buf[at + 1]! & 0x7f;
  if (len7 < 126) return len7;
  if (len7 === 126) return end - at < 4 ? -1 : (buf[at + 2]! << 8) | buf[at + 3]!;
  if (end - at < 10) return -1;
  return (buf[at + 2]! * 2 ** 24 + (buf[at + 3]! << 16 | buf[at + 4]! << 8 | buf[at + 5]!)) * TWO32
    + ((buf[at + 6]! << 24 | buf[at + 7]! << 16 | buf[at + 8]! << 8 | buf[at + 9]!) >>> 0);
}

/** Payload bytes of the frame the last decode() stopped before (bulkMin), else 0. */
export function bulkRemain(table: Int32Array): number {
  const min = table[abi.W_BULK_MIN]! >>> 0;
  if (min === 0 || table[abi.W_STATE] !== abi.WS_PAYLOAD) return 0;
  const remain = u64(table, abi.W_REMAIN_LO);
  // Only a frame stopped at its header has ≥ bulkMin bytes left: any other frame either is smaller
  // or had its payload end within the call that read its header.
  return remain >= min ? remain : 0;
}

/** Write a fresh decoder state with its limits into `table`. */
export function configure(table: Int32Array, config: FrameDecoderConfig): void {
  table.fill(0);
  table[abi.W_CONFIG] = (config.isServer ? abi.W_CFG_SERVER : 0) | (config.deflate ? abi.W_CFG_DEFLATE : 0)
    | (config.checkUtf8 === false ? abi.W_CFG_NO_UTF8 : 0);
  table[abi.W_BULK_MIN] = Math.min(config.bulkMin ?? 0, 0xffffffff) | 0;
  const max = config.maxPayload > 0 ? Math.min(config.maxPayload, MAX_SAFE) : 0;
  set64(table, abi.W_MAX_LO, max);
  table[abi.W_MAX_FRAGMENTS] = config.maxFragments > 0 ? Math.min(config.maxFragments, 0x7fffffff) : 0;
}

