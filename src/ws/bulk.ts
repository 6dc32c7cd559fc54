// A large frame's payload, gathered whole before it is decoded (W_BULK_MIN, assembly/abi.ts).
//
// When a data frame of at least BULK_MIN payload bytes does not fit in the read chunk that holds its
// header, the frame decoder stops right after the header. The Receiver then gathers the frame's
// still-masked bytes from the following chunks and, once all have arrived, decodes them in one go
// straight into the one Buffer that becomes the message (or the fragment): FrameDecoder.payloadInto
// copies each block into the WASM window, unmasks it there and copies it out once. Decoding piece by
// piece instead copied every piece back over its chunk and then again into the message (Assembler).
// Like ws, the message Buffer is allocated only when the bytes are here: a header claiming 16 MiB
// costs nothing until 16 MiB arrive. The raw pieces are held by an Assembler, so many tiny TCP reads
// are copied together rather than each pinning a Buffer.
import * as abi from '../abi.js';
import { Assembler } from './assembler.js';
import type { FrameDecoder } from './frame/index.js';

/**
 * Smallest payload decoded in bulk. A smaller frame split across reads is decoded piece by piece
 * (a piece costs a WASM call; a bulk block too, so below ~1 KiB there is nothing to win).
 */
export const BULK_MIN = 1024;

export class BulkFrame {
  /** Payload bytes still to gather; 0 = no bulk frame in progress. */
  needed = 0;
  /** The record info the whole payload is reported with: opcode | FIN | END | COMPRESSED. */
  info = 0;
  private length = 0;
  private readonly raw = new Assembler();

  /** decode() stopped before the payload of the current frame (`table`): `length` bytes. */
  begin(table: Int32Array, length: number): void {
    const compressed = (table[abi.W_MSG]! & abi.W_MSG_COMPRESSED) !== 0;
    this.info = (table[abi.W_FRAME]! & (0x0f | abi.W_F_FIN)) | abi.W_R_END | (compressed ? abi.W_R_COMPRESSED : 0);
    this.needed = length;
    this.length = length;
  }

  /** Take what the frame still needs from buf[pos…); returns the bytes taken. */
  gather(buf: Buffer, pos: number): number {
    const n = Math.min(this.needed, buf.length - pos);
    if (n > 0) this.raw.push(pos === 0 && n === buf.length ? buf : buf.subarray(pos, pos + n));
    this.needed -= n;
    return n;
  }

  /** Every byte is here: decode them into one new Buffer, or return a negative abi.E_WS_* code. */
  decode(decoder: FrameDecoder): Buffer | number {
    const out = Buffer.allocUnsafe(this.length);
    let at = 0;
    for (const part of this.raw.takeParts()) {
      const rc = decoder.payloadInto(part, 0, part.length, out, at);
      if (rc < 0) return rc;
      at += part.length;
    }
    return out;
  }

  clear(): void {
    this.needed = 0;
    this.raw.clear();
  }
}
