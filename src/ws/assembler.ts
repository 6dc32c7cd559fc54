// Collects the payload pieces of one message (or one compressed frame) until it is complete
// (RFC 6455 §5.4 fragmentation, and a frame whose payload arrives over many TCP reads).
//
// A piece is a slice of a socket chunk, and a slice keeps its whole chunk alive. Keeping every piece
// as a slice lets a peer make us hold far more than the message: 1-byte TCP segments cost a Buffer
// and an ArrayBuffer (~200 bytes of heap) per byte, and 1-byte fragments each sent in a 64 KiB read
// padded with pings pin 64 KiB per byte. So a piece stays a zero-copy slice only when it is large
// (≥ SLICE_MIN) and at least half of the allocation it lives in; anything else is copied into a
// growing buffer (capacity doubling). What the assembler retains is then at most about twice the
// payload bytes it holds, plus a small constant.

const EMPTY = Buffer.alloc(0);

/** Pieces smaller than this are copied: below it a Buffer object's overhead is no longer negligible. */
export const SLICE_MIN = 4096;
/** First capacity of the copy buffer. */
const ACC_MIN = 1024;

export class Assembler {
  /** Payload bytes held. */
  bytes = 0;
  private parts: Buffer[] = [];
  /** Copy buffer for small pieces: acc[0, accLen) is in use. */
  private acc: Buffer = EMPTY;
  private accLen = 0;

  push(piece: Buffer): void {
    const len = piece.length;
    if (len === 0) return;
    this.bytes += len;
    if (len >= SLICE_MIN && len * 2 >= piece.buffer.byteLength) {
      this.seal();
      this.parts.push(piece);
      return;
    }
    const need = this.accLen + len;
    if (need > this.acc.length) {
      // Double (so copying stays linear overall), never below what is needed.
      const grown = Buffer.allocUnsafe(Math.max(need, this.acc.length * 2, ACC_MIN));
      this.acc.copy(grown, 0, 0, this.accLen);
      this.acc = grown;
    }
    piece.copy(this.acc, this.accLen);
    this.accLen = need;
  }

  /** The bytes pushed so far, as one Buffer; the assembler is empty afterwards. */
  take(): Buffer {
    let out: Buffer;
    if (this.parts.length === 0) {
      out = this.accLen === 0 ? EMPTY : this.acc.subarray(0, this.accLen);
    } else {
      this.seal();
      out = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.bytes);
    }
    this.clear();
    return out;
  }

  /** The bytes pushed so far as the list of Buffers that hold them, in order, without joining them;
   *  the assembler is empty afterwards. */
  takeParts(): Buffer[] {
    this.seal();
    const parts = this.parts;
    this.clear();
    return parts;
  }

  clear(): void {
    this.parts = [];
    this.acc = EMPTY;
    this.accLen = 0;
    this.bytes = 0;
  }

  /** Move the copy buffer's contents into parts (its capacity is < 2× its length, or ACC_MIN). */
  private seal(): void {
    if (this.accLen === 0) return;
    this.parts.push(this.acc.subarray(0, this.accLen));
    this.acc = EMPTY;
    this.accLen = 0;
  }
}
