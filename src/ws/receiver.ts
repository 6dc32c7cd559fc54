// The Receiver: bytes in → messages and control events (RFC 6455 §5, §7, §8).
//
// A flat state machine (ws's lib/receiver.js habit): integer states, one loop in run(), a method per
// concern. Frame headers and unmasking happen in the frame decoder (WASM over the window, or its TS
// twin in place), which reports payload pieces as records; a large frame that spans reads is gathered
// and decoded whole into its message Buffer (src/ws/bulk.ts). UTF-8 of text (§8.1) is checked as
// pieces arrive: by Node's buffer.isUtf8 here (utf8 'native', the default), or inside the decoder's
// pass (utf8 'engine'). This file assembles the pieces: fragments (§5.4) with control frames
// interleaved, close frames (§5.5.1, §7.4), ping/pong, and permessage-deflate (RFC 7692), during which
// decoding pauses so order is kept. After an error or a close frame the receiver ignores further input.
import * as abi from '../abi.js';
import { errorFromAbi, WasmlaneError } from '../errors.js';
import { createWsCodec, type Utf8Validator, type WsCodec } from './codec/index.js';
import { nativeUtf8 } from './codec/native.js';
import { bulkRemain, createFrameDecoder, type FrameDecoder } from './frame/index.js';
import { isValidCloseCode } from './close-codes.js';
import { Assembler } from './assembler.js';
import { BULK_MIN, BulkFrame } from './bulk.js';
import type { ReceiverEvents, ReceiverOptions } from './protocol.js';

/** ws's default: 100 MiB. */
export const DEFAULT_MAX_PAYLOAD = 100 * 1024 * 1024;

const RUNNING = 0;
const INFLATING = 1; // waiting for the inflater; input is queued
const CLOSED = 2; //    a close frame arrived: nothing after it is read (§5.5.1)
const DEAD = 3; //      error or destroy()

const EMPTY = Buffer.alloc(0);

function join(parts: Buffer[], total: number): Buffer {
  if (parts.length === 0) return EMPTY;
  if (parts.length === 1) return parts[0]!;
  return Buffer.concat(parts, total);
}

export class Receiver {
  private state = RUNNING;
  private running = false;
  private readonly decoder: FrameDecoder;
  /** Whole-buffer UTF-8 checks (inflated text, close reasons): Node's, or the engine's codec. */
  private readonly utf8: Pick<WsCodec, 'isUtf8'>;
  /** Incremental check of uncompressed text pieces when Node validates; undefined: the decoder does. */
  private readonly text: Utf8Validator | undefined;
  private readonly events: ReceiverEvents;
  private readonly options: ReceiverOptions;
  // Input not yet decoded: `input` from `pos`, then whole chunks in `queue`.
  private input: Buffer = EMPTY;
  private pos = 0;
  private readonly queue: Buffer[] = [];
  /** Bytes in `queue`: input that arrived while a frame was inflating (read backpressure, flow.ts). */
  queuedBytes = 0;
  private readonly pieces: Buffer[] = [];
  // Message being assembled (§5.4).
  private inMessage = false;
  private binary = false;
  private compressed = false;
  // Pieces are copied or kept as slices by the Assembler, so memory follows the payload size, not
  // the number or size of the TCP reads it came in.
  private readonly parts = new Assembler();
  /** A large frame's payload being gathered (src/ws/bulk.ts). */
  private readonly bulk = new BulkFrame();
  // Pieces of the current compressed frame, inflated when the frame ends.
  private readonly frameParts = new Assembler();
  // Pieces of the current control frame (≤ 125 bytes in total, §5.5).
  private controlParts: Buffer[] = [];
  private controlBytes = 0;

  constructor(options: ReceiverOptions, events: ReceiverEvents) {
    this.options = options;
    this.events = events;
    const native = options.utf8 !== 'engine';
    this.utf8 = native ? nativeUtf8 : createWsCodec(options.engine);
    this.text = native ? nativeUtf8.utf8Validator() : undefined;
    this.decoder = createFrameDecoder({
      isServer: options.isServer,
      deflate: options.inflate !== undefined,
      maxPayload: options.maxPayload ?? DEFAULT_MAX_PAYLOAD,
      maxFragments: options.maxFragments ?? 0,
      checkUtf8: !native,
      bulkMin: BULK_MIN,
    }, options.engine);
  }

  /** Feed bytes from the socket. Payloads are unmasked in place in it and handed out as slices. */
  write(chunk: Buffer): void {
    if (this.state >= CLOSED || chunk.length === 0) return;
    this.queue.push(chunk);
    this.queuedBytes += chunk.length;
    if (!this.running && this.state === RUNNING) this.run();
  }

  /** Stop: further input and pending inflations are ignored; the inflater's zlib memory is released. */
  destroy(): void {
    if (this.state !== DEAD) this.options.inflate?.close?.();
    this.state = DEAD;
    this.queue.length = 0;
    this.queuedBytes = 0;
    this.input = EMPTY;
    this.parts.clear();
    this.frameParts.clear();
    this.bulk.clear();
  }

  /** Closed or dead: a method call (not a field test) so TS does not narrow the state away. */
  private stopped(): boolean { return this.state >= CLOSED; }

  private run(): void {
    this.running = true;
    try {
      while (this.state === RUNNING) {
        if (this.pos >= this.input.length) {
          const next = this.queue.shift();
          if (next === undefined) break;
          this.queuedBytes -= next.length;
          this.input = next;
          this.pos = 0;
        }
        if (this.bulk.needed > 0) {
          this.pos += this.bulk.gather(this.input, this.pos);
          if (this.bulk.needed === 0) this.onBulkFrame();
          continue;
        }
        const rc = this.decoder.decode(this.input, this.pos, this.input.length);
        const t = this.decoder.table;
        const count = t[abi.W_COUNT]!;
        // Slice every piece before any event runs (a handler may write() again or destroy us).
        const pieces = this.pieces;
        for (let i = 0; i < count; i++) {
          const r = abi.W_FIXED + i * abi.W_REC_STRIDE;
          pieces[i] = this.piece(t[r + abi.W_REC_OFF]!, t[r + abi.W_REC_LEN]!);
        }
        for (let i = 0; i < count && !this.stopped(); i++) {
          this.onPiece(t[abi.W_FIXED + i * abi.W_REC_STRIDE + abi.W_REC_INFO]!, pieces[i]!);
          pieces[i] = EMPTY;
        }
        if (this.stopped()) return;
        if (rc < 0) return this.fail(errorFromAbi(rc));
        this.pos += rc;
        const bulk = bulkRemain(t);
        if (bulk > 0) this.bulk.begin(t, bulk); // the decoder stopped before a large payload
        else if (rc === 0) {
          // Fewer bytes than a frame header: join them with the next chunk.
          const next = this.queue.shift();
          if (next === undefined) break;
          this.queuedBytes -= next.length;
          this.input = Buffer.concat([this.input.subarray(this.pos), next]);
          this.pos = 0;
        }
      }
    } finally {
      this.running = false;
    }
  }

  /** A bulk frame's payload has all arrived: decode it into one Buffer and hand it on as one piece. */
  private onBulkFrame(): void {
    const payload = this.bulk.decode(this.decoder);
    if (typeof payload === 'number') return this.fail(errorFromAbi(payload));
    this.onPiece(this.bulk.info, payload);
  }

  /** A payload piece: a slice of the input chunk (both decoders leave payloads unmasked there). */
  private piece(off: number, len: number): Buffer {
    if (len === 0) return EMPTY;
    const start = this.decoder.base + off;
    return this.input.subarray(start, start + len);
  }

  private onPiece(info: number, piece: Buffer): void {
    const opcode = info & 0x0f;
    const end = (info & abi.W_R_END) !== 0;
    const len = piece.length;
    if (opcode >= 8) {
      if (len > 0) { this.controlParts.push(piece); this.controlBytes += len; }
      if (end) this.onControl(opcode);
      return;
    }
    if (!this.inMessage) {
      this.inMessage = true;
      this.binary = opcode === 2;
      this.compressed = (info & abi.W_R_COMPRESSED) !== 0;
    }
    const fin = (info & abi.W_F_FIN) !== 0;
    if (this.compressed) {
      // A frame that arrived whole is inflated straight from its slice (the common case, no copy).
      if (end && this.frameParts.bytes === 0) return this.inflateFrame(fin, piece);
      this.frameParts.push(piece);
      if (end) this.inflateFrame(fin, this.frameParts.take());
      return;
    }
    // UTF-8 of uncompressed text: checked here as it arrives (§8.1), unless the decoder did.
    const text = this.text;
    if (text !== undefined && !this.binary) {
      if (!text.push(piece, 0, len) || (end && fin && !text.end())) return this.fail(new WasmlaneError('WL_WS_INVALID_UTF8'));
      if (end && fin) text.reset();
    }
    if (end && fin && this.parts.bytes === 0) return this.deliver(piece); // whole in one read: the slice itself
    this.parts.push(piece);
    if (end && fin) this.deliver(this.parts.take());
  }

  private deliver(data: Buffer): void {
    const binary = this.binary;
    this.inMessage = false;
    this.events.message(data, binary);
  }

  private inflateFrame(fin: boolean, payload: Buffer): void {
    this.state = INFLATING;
    // The decoder stopped right after this frame, so nothing later has been decoded yet (RFC 7692
    // §6.2 order): decoding resumes when the inflater answers.
    this.options.inflate!.inflate(payload, fin, (err, data) => {
      if (this.state !== INFLATING) return;
      if (err) return this.fail(err);
      if (data !== undefined && fin && this.parts.bytes === 0) {
        // Single-frame message: the inflater's output is the message.
        if (!this.binary && !this.utf8.isUtf8(data, 0, data.length)) return this.fail(new WasmlaneError('WL_WS_INVALID_UTF8'));
        this.deliver(data);
      } else {
        if (data !== undefined) this.parts.push(data);
        if (fin) {
          const text = this.parts.take();
          if (!this.binary && !this.utf8.isUtf8(text, 0, text.length)) {
            return this.fail(new WasmlaneError('WL_WS_INVALID_UTF8'));
          }
          this.deliver(text);
        }
      }
      if (this.state !== INFLATING) return; // the message handler destroyed us
      this.state = RUNNING;
      if (!this.running) this.run();
      this.events.inflated?.();
    });
  }

  private onControl(opcode: number): void {
    const data = join(this.controlParts, this.controlBytes);
    this.controlParts = [];
    this.controlBytes = 0;
    if (opcode === 0x9) return this.events.ping(data);
    if (opcode === 0xa) return this.events.pong(data);
    // Close (§5.5.1): empty, or a 2-byte code and a UTF-8 reason.
    if (data.length === 0) {
      this.state = CLOSED;
      return this.events.close(1005, EMPTY);
    }
    if (data.length === 1) return this.fail(new WasmlaneError('WL_WS_BAD_CLOSE_CODE', 'close payload of 1 byte'));
    const code = data.readUInt16BE(0);
    if (!isValidCloseCode(code)) return this.fail(new WasmlaneError('WL_WS_BAD_CLOSE_CODE', String(code)));
    const reason = data.subarray(2);
    if (!this.utf8.isUtf8(reason, 0, reason.length)) {
      return this.fail(new WasmlaneError('WL_WS_INVALID_UTF8', 'close reason'));
    }
    this.state = CLOSED;
    this.events.close(code, reason);
  }

  private fail(err: WasmlaneError): void {
    if (this.state === DEAD) return;
    this.destroy();
    this.events.error(err);
  }
}
