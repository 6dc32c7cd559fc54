// The bytes a RedisBroker publishes on a topic's channel: a 14-byte header, then the payload.
//   [0] version (1)   [1] flags (bit 0: binary)   [2..10) origin id   [10..14) sequence (uint32 BE)
// The origin id lets a process skip its own messages (it delivered them locally already); the
// sequence number, counted per (origin, topic), lets a receiver notice messages it missed — e.g.
// published while its subscription connection was down — and count them.

export const HEADER_BYTES = 14;
const VERSION = 1;

export interface Envelope {
  origin: Buffer;
  seq: number;
  isBinary: boolean;
  data: Buffer;
}

export function encodeEnvelope(origin: Buffer, seq: number, isBinary: boolean, data: Buffer): Buffer {
  const out = Buffer.allocUnsafe(HEADER_BYTES + data.length);
  out[0] = VERSION;
  out[1] = isBinary ? 1 : 0;
  origin.copy(out, 2, 0, 8);
  out.writeUInt32BE(seq >>> 0, 10);
  data.copy(out, HEADER_BYTES);
  return out;
}

/** null for bytes that are not an envelope of ours (another publisher on the channel). */
export function decodeEnvelope(bytes: Buffer): Envelope | null {
  if (bytes.length < HEADER_BYTES || bytes[0] !== VERSION) return null;
  return {
    origin: bytes.subarray(2, 10),
    seq: bytes.readUInt32BE(10),
    isBinary: (bytes[1]! & 1) === 1,
    data: bytes.subarray(HEADER_BYTES),
  };
}
