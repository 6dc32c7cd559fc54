// Frame encoding (RFC 6455 §5.2): the header in front of a payload, encodeFrame() for one frame and
// prepareFrame() for a server frame encoded once and written to many sockets (broadcast). Writing
// frames to a socket is src/ws/wire.ts's job.
//   byte 0: FIN, RSV1..3, opcode;  byte 1: MASK, 7-bit length (126 → 16-bit, 127 → 64-bit follows)
//   then the 4-byte masking key when MASK is set (client → server, §5.3).
// Lengths are encoded minimally (§5.2 "MUST"), which the decoder also enforces on input.
import { randomFillSync } from 'node:crypto';
import { maskJs } from '../codec/js.js';
import type { WsCodec } from '../codec/types.js';

export const OP_CONTINUATION = 0x0;
export const OP_TEXT = 0x1;
export const OP_BINARY = 0x2;
export const OP_CLOSE = 0x8;
export const OP_PING = 0x9;
export const OP_PONG = 0xa;

/** Largest control-frame payload (§5.5); a close reason gets 2 bytes less (src/ws/close-codes.ts). */
export const MAX_CONTROL_PAYLOAD = 125;

/** Header bytes for a payload of `length` bytes (2, 4 or 10, plus 4 with a mask). */
export function headerLength(length: number, masked: boolean): number {
  const base = length < 126 ? 2 : length < 65536 ? 4 : 10;
  return masked ? base + 4 : base;
}

/**
 * Write the header at buf[offset…); returns its length. `maskKey`: the masking key as a big-endian
 * u32, or undefined for an unmasked (server) frame. Plain arguments, no fields object: this runs
 * once per message sent.
 */
export function writeHeader(
  buf: Uint8Array, offset: number, opcode: number, length: number, fin: boolean, rsv1: boolean, maskKey: number | undefined,
): number {
  let p = offset;
  buf[p++] = (fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | (opcode & 0x0f);
  const maskBit = maskKey === undefined ? 0 : 0x80;
  if (length < 126) {
    buf[p++] = maskBit | length;
  } else if (length < 65536) {
    buf[p++] = maskBit | 126;
    buf[p++] = length >>> 8;
    buf[p++] = length & 0xff;
  } else {
    buf[p++] = maskBit | 127;
    const hi = Math.floor(length / 0x1_0000_0000);
    const lo = length >>> 0;
    buf[p++] = hi >>> 24; buf[p++] = (hi >>> 16) & 0xff; buf[p++] = (hi >>> 8) & 0xff; buf[p++] = hi & 0xff;
    buf[p++] = lo >>> 24; buf[p++] = (lo >>> 16) & 0xff; buf[p++] = (lo >>> 8) & 0xff; buf[p++] = lo & 0xff;
  }
  if (maskKey !== undefined) {
    const k = maskKey;
    buf[p++] = k >>> 24; buf[p++] = (k >>> 16) & 0xff; buf[p++] = (k >>> 8) & 0xff; buf[p++] = k & 0xff;
  }
  return p - offset;
}

/** Payloads up to this size are copied behind their header (one write beats a writev of two). */
export const MERGE_LIMIT = 1024;

// Masking keys (§5.3: "unpredictable", from a strong source) come from a pooled buffer refilled
// 8 KiB at a time, so a frame costs no crypto call.
const KEY_POOL_SIZE = 8192;
const keyPool = Buffer.allocUnsafe(KEY_POOL_SIZE);
let keyPos = KEY_POOL_SIZE;
export function nextMaskKey(): number {
  if (keyPos + 4 > KEY_POOL_SIZE) {
    randomFillSync(keyPool);
    keyPos = 0;
  }
  const key = keyPool.readUInt32BE(keyPos);
  keyPos += 4;
  return key;
}

export interface EncodeOptions {
  fin: boolean;
  rsv1: boolean;
  /** Mask with a fresh key (we are the client). */
  mask: boolean;
  /** Key to use instead of a random one (tests). */
  maskKey?: number;
  /** Codec that masks (the connection's engine); the TS twin when absent. */
  codec?: WsCodec;
}

/**
 * One frame: header + payload in one Buffer for small or masked payloads (the masked copy is
 * written straight behind the header, the caller's data is never modified), else [header, payload].
 */
export function encodeFrame(opcode: number, payload: Buffer, options: EncodeOptions): Buffer | Buffer[] {
  if (!options.mask) return encodeServerFrame(opcode, payload, options.fin, options.rsv1);
  const len = payload.length;
  const key = options.maskKey ?? nextMaskKey();
  const hlen = headerLength(len, true);
  const out = Buffer.allocUnsafe(hlen + len);
  writeHeader(out, 0, opcode, len, options.fin, options.rsv1, key);
  if (options.codec !== undefined) options.codec.mask(payload, 0, len, out, hlen, key);
  else maskJs(payload, 0, len, out, hlen, key, 0); // same bytes as every codec; no engine to choose
  return out;
}

/**
 * An unmasked (server) frame: header + payload in one Buffer up to MERGE_LIMIT, else [header, payload].
 * The per-message path of every server send, without an options object.
 */
export function encodeServerFrame(opcode: number, payload: Buffer, fin: boolean, rsv1: boolean): Buffer | Buffer[] {
  const len = payload.length;
  const hlen = headerLength(len, false);
  if (len > MERGE_LIMIT) {
    const header = Buffer.allocUnsafe(hlen);
    writeHeader(header, 0, opcode, len, fin, rsv1, undefined);
    return [header, payload];
  }
  const out = Buffer.allocUnsafe(hlen + len);
  writeHeader(out, 0, opcode, len, fin, rsv1, undefined);
  out.set(payload, hlen);
  return out;
}

/**
 * A complete unmasked server frame for `data`, encoded once so a broadcast writes the same bytes to
 * every socket. `compressed`: data is already a permessage-deflate payload (sets RSV1, RFC 7692 §6);
 * that is only sound for receivers negotiated with server_no_context_takeover.
 */
export function prepareFrame(data: Buffer | string, isBinary: boolean, compressed = false): Buffer | Buffer[] {
  const payload = typeof data === 'string' ? Buffer.from(data) : data;
  return encodeFrame(isBinary ? OP_BINARY : OP_TEXT, payload, { fin: true, rsv1: compressed, mask: false });
}
