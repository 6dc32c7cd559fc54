// Frame encoding and sending (RFC 6455 §5): encodeFrame() for one frame, prepareFrame() for a server
// frame encoded once and written to many sockets (broadcast), and Sender over one socket: corked
// writes, fragmented messages (§5.4), control frames (§5.5), permessage-deflate (RFC 7692).
import { randomFillSync } from 'node:crypto';
import { WasmlaneError } from '../errors.js';
import { createWsCodec } from './codec/index.js';
import {
  headerLength, writeHeader, OP_BINARY, OP_CLOSE, OP_CONTINUATION, OP_PING, OP_PONG, OP_TEXT,
  MAX_CLOSE_REASON, MAX_CONTROL_PAYLOAD,
} from './frame/encode.js';
import type { MessageDeflater, WsCodec } from './protocol.js';
import { isValidCloseCode } from './receiver.js';

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
  codec?: WsCodec;
}

/**
 * One frame: header + payload in one Buffer for small or masked payloads (the masked copy is
 * written straight behind the header, the caller's data is never modified), else [header, payload].
 */
export function encodeFrame(opcode: number, payload: Buffer, options: EncodeOptions): Buffer | Buffer[] {
  const len = payload.length;
  const key = options.mask ? (options.maskKey ?? nextMaskKey()) : undefined;
  const hlen = headerLength(len, key !== undefined);
  const fields = { fin: options.fin, rsv1: options.rsv1, maskKey: key };
  if (key === undefined && len > MERGE_LIMIT) {
    const header = Buffer.allocUnsafe(hlen);
    writeHeader(header, 0, opcode, len, fields);
    return [header, payload];
  }
  const out = Buffer.allocUnsafe(hlen + len);
  writeHeader(out, 0, opcode, len, fields);
  if (key === undefined) out.set(payload, hlen);
  else (options.codec ?? createWsCodec()).mask(payload, 0, len, out, hlen, key);
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

/** The writes a Sender needs (net.Socket, tls.TLSSocket, a test Writable). */
export interface FrameSink {
  write(chunk: Buffer): boolean;
  cork(): void;
  uncork(): void;
}

export interface SenderOptions {
  /** We are the client: mask every frame (§5.1). */
  mask: boolean;
  /** Set when permessage-deflate was negotiated. */
  deflater?: MessageDeflater;
  /** Messages shorter than this are sent uncompressed. Default 1024. */
  threshold?: number;
  codec?: WsCodec;
}

export interface SendOptions {
  binary?: boolean;
  /** false: more fragments of this message follow (§5.4). Default true. */
  fin?: boolean;
  /** Compress when a deflater is set and the message is at least `threshold` bytes. Default true. */
  compress?: boolean;
}

type Job = () => void;

export class Sender {
  private readonly sink: FrameSink;
  private readonly options: SenderOptions;
  private readonly codec: WsCodec;
  // Fragmentation state: inside a message, continuation frames follow (§5.4); whether the message
  // is compressed is decided on its first frame (RSV1 there only, RFC 7692 §6.1).
  private inMessage = false;
  private messageCompressed = false;
  // While a deflate is running, later sends wait here so frames leave in order.
  private readonly queue: Job[] = [];
  private busy = false;

  constructor(sink: FrameSink, options: SenderOptions) {
    this.sink = sink;
    this.options = options;
    this.codec = options.codec ?? createWsCodec();
  }

  /** Send a message, or one fragment of it (fin: false). */
  send(data: Buffer | string, options: SendOptions = {}, cb?: (err?: Error | null) => void): void {
    const payload = typeof data === 'string' ? Buffer.from(data) : data;
    const fin = options.fin ?? true;
    const first = !this.inMessage;
    const opcode = first ? (options.binary ?? typeof data !== 'string') ? OP_BINARY : OP_TEXT : OP_CONTINUATION;
    if (first) {
      const deflater = this.options.deflater;
      this.messageCompressed = deflater !== undefined && options.compress !== false
        && payload.length >= (this.options.threshold ?? 1024);
    }
    this.inMessage = !fin;
    const compressed = this.messageCompressed;
    this.enqueue(() => {
      if (!compressed) {
        this.writeFrame(opcode, payload, fin, false);
        cb?.(null);
        return;
      }
      this.busy = true;
      this.options.deflater!.deflate(payload, fin, (err, out) => {
        if (err) { cb?.(err); this.busy = false; return this.next(); }
        this.writeFrame(opcode, out!, fin, first);
        cb?.(null);
        this.busy = false;
        this.next();
      });
    });
  }

  ping(data: Buffer | string = ''): void { this.control(OP_PING, data); }
  pong(data: Buffer | string = ''): void { this.control(OP_PONG, data); }

  /** Close frame (§5.5.1): no code → empty payload (received as 1005); reason ≤ 123 bytes of UTF-8. */
  close(code?: number, reason: string | Buffer = ''): void {
    let payload: Buffer;
    if (code === undefined) {
      payload = Buffer.alloc(0);
    } else {
      if (!isValidCloseCode(code)) throw new WasmlaneError('WL_WS_BAD_CLOSE_CODE', String(code));
      const r = typeof reason === 'string' ? Buffer.from(reason) : reason;
      if (r.length > MAX_CLOSE_REASON) throw new RangeError(`close reason is ${r.length} bytes (max ${MAX_CLOSE_REASON})`);
      payload = Buffer.allocUnsafe(2 + r.length);
      payload.writeUInt16BE(code, 0);
      payload.set(r, 2);
    }
    this.control(OP_CLOSE, payload);
  }

  private control(opcode: number, data: Buffer | string): void {
    const payload = typeof data === 'string' ? Buffer.from(data) : data;
    if (payload.length > MAX_CONTROL_PAYLOAD) throw new RangeError(`control payload is ${payload.length} bytes (max 125)`);
    this.enqueue(() => this.writeFrame(opcode, payload, true, false));
  }

  private enqueue(job: Job): void {
    if (this.busy || this.queue.length > 0) this.queue.push(job);
    else job();
  }

  private next(): void {
    while (!this.busy) {
      const job = this.queue.shift();
      if (job === undefined) return;
      job();
    }
  }

  private writeFrame(opcode: number, payload: Buffer, fin: boolean, rsv1: boolean): void {
    const frame = encodeFrame(opcode, payload, { fin, rsv1, mask: this.options.mask, codec: this.codec });
    if (Buffer.isBuffer(frame)) { this.sink.write(frame); return; }
    this.sink.cork();
    for (const part of frame) this.sink.write(part);
    this.sink.uncork();
  }
}
