// Frame-header encoding (RFC 6455 §5.2): the bytes in front of a payload.
//   byte 0: FIN, RSV1..3, opcode;  byte 1: MASK, 7-bit length (126 → 16-bit, 127 → 64-bit follows)
//   then the 4-byte masking key when MASK is set (client → server, §5.3).
// Lengths are encoded minimally (§5.2 "MUST"), which the decoder also enforces on input.

export const OP_CONTINUATION = 0x0;
export const OP_TEXT = 0x1;
export const OP_BINARY = 0x2;
export const OP_CLOSE = 0x8;
export const OP_PING = 0x9;
export const OP_PONG = 0xa;

/** Largest control-frame payload (§5.5); a close reason gets 2 bytes less. */
export const MAX_CONTROL_PAYLOAD = 125;
export const MAX_CLOSE_REASON = 123;

/** Header bytes for a payload of `length` bytes (2, 4 or 10, plus 4 with a mask). */
export function headerLength(length: number, masked: boolean): number {
  const base = length < 126 ? 2 : length < 65536 ? 4 : 10;
  return masked ? base + 4 : base;
}

export interface HeaderFields {
  fin: boolean;
  rsv1: boolean;
  /** Masking key as a big-endian u32, or undefined for an unmasked (server) frame. */
  maskKey: number | undefined;
}

/** Write the header at buf[offset…); returns its length. */
export function writeHeader(buf: Uint8Array, offset: number, opcode: number, length: number, h: HeaderFields): number {
  let p = offset;
  buf[p++] = (h.fin ? 0x80 : 0) | (h.rsv1 ? 0x40 : 0) | (opcode & 0x0f);
  const maskBit = h.maskKey === undefined ? 0 : 0x80;
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
  if (h.maskKey !== undefined) {
    const k = h.maskKey;
    buf[p++] = k >>> 24; buf[p++] = (k >>> 16) & 0xff; buf[p++] = (k >>> 8) & 0xff; buf[p++] = k & 0xff;
  }
  return p - offset;
}
