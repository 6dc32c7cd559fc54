// Writing frames to one socket: the WebSocket object's only path to the wire, and the only frame
// writer. Frame encoding and client masking are src/ws/frame/encode.ts's; this adds corked multi-buffer writes,
// write-order preservation while permessage-deflate compresses asynchronously, and the shared
// (encode-once) frame used by publish.
import type { Socket } from 'node:net';
import { constants as zlibConstants, deflateRawSync } from 'node:zlib';
import { encodeFrame, encodeServerFrame, OP_BINARY, OP_TEXT, prepareFrame } from './frame/encode.js';
import { createWsCodec, type WsCodec } from './codec/index.js';
import type { MessageDeflater } from './protocol.js';
import type { EngineKind } from '../wasm/instance.js';
import type { PublishedMessage } from '../pubsub.js';

export { OP_BINARY, OP_CLOSE, OP_CONTINUATION, OP_PING, OP_PONG, OP_TEXT } from './frame/encode.js';

export type Frame = Buffer | readonly Buffer[];

/** The message as an unmasked server frame, built once per publish (PublishedMessage.encoded 'ws'). */
export function sharedFrame(message: PublishedMessage): Frame {
  return prepareFrame(message.data, message.isBinary);
}

const EMPTY = Buffer.alloc(0);
const TRAILER = Buffer.from([0x00, 0x00, 0xff, 0xff]);

/**
 * The message compressed with a fresh context (RFC 7692 §7.2.1: sync flush, trailing 00 00 ff ff
 * removed) as a server frame with RSV1. Sound only for subscribers that agreed to
 * server_no_context_takeover: their inflater expects no history, so one encoding serves them all.
 */
export function sharedDeflatedFrame(message: PublishedMessage, windowBits: number): Frame {
  let data = deflateRawSync(message.data, { windowBits: Math.max(9, windowBits), finishFlush: zlibConstants.Z_SYNC_FLUSH });
  if (data.length >= 4 && data.subarray(data.length - 4).equals(TRAILER)) data = data.subarray(0, data.length - 4);
  return prepareFrame(data, message.isBinary, true);
}

interface Pending {
  readonly opcode: number;
  readonly payload: Buffer;
  /** Counted in pendingBytes until written. */
  readonly bytes: number;
  frame: Frame | undefined; // set once compressed (or immediately when not compressed)
}

/** What a connection's writer is fixed with at the handshake. */
export interface WriterConfig {
  /** We are the client: mask every frame (RFC 6455 §5.1). */
  readonly mask: boolean;
  /** Set when permessage-deflate was negotiated. */
  readonly deflater: MessageDeflater | undefined;
  /** Messages shorter than `threshold` bytes are sent uncompressed. */
  readonly deflateOptions: { readonly threshold: number } | false;
  /** Window bits of a compressed publish frame this peer can share (server_no_context_takeover). */
  readonly sharedDeflateBits: number | undefined;
  /** The connection's engine, chosen once by the Server or connect(). */
  readonly engine: EngineKind;
}

export class FrameWriter {
  /** Bytes accepted by message() and not yet handed to the socket (waiting for compression). */
  pendingBytes = 0;
  private readonly queue: Pending[] = [];
  private deflating = false;
  /** We returned false while the socket itself was not full: we owe a drain when the queue empties. */
  private owedDrain = false;
  /** Inside a read chunk's batch (batchStart/batchEnd): frames are held or corked until its end. */
  private batching = false;
  /** The batch's first frame, not yet written (the socket is not corked for a single frame). */
  private held: Buffer | null = null;
  /** The batch corked the socket (a second frame came). */
  private corked = false;
  /** Called when the compression queue has emptied (read backpressure waits for it, src/ws/flow.ts). */
  onIdle: (() => void) | undefined = undefined;
  /** Masking codec (client side only), created once per connection. */
  private readonly codec: WsCodec | undefined;
  private readonly mask: boolean;
  private readonly deflater: MessageDeflater | undefined;
  private readonly deflateOptions: { readonly threshold: number } | false;
  private readonly sharedDeflateBits: number | undefined;

  constructor(
    private readonly socket: Socket,
    config: WriterConfig,
    /** Called when a backpressure signal we gave (not the socket) is over; socket drains come via 'drain'. */
    private readonly onDrain: () => void,
  ) {
    this.mask = config.mask;
    this.deflater = config.deflater;
    this.deflateOptions = config.deflateOptions;
    this.sharedDeflateBits = config.sharedDeflateBits;
    this.codec = config.mask ? createWsCodec(config.engine) : undefined;
  }

  private encode(opcode: number, payload: Buffer, rsv1: boolean): Frame {
    if (!this.mask) return encodeServerFrame(opcode, payload, true, rsv1);
    return encodeFrame(opcode, payload, {
      fin: true,
      rsv1,
      mask: this.mask,
      ...(this.codec === undefined ? {} : { codec: this.codec }),
    });
  }

  /** Queue a complete data message; the return value is the socket's backpressure signal. */
  message(payload: Buffer, opcode: number): boolean {
    const compress =
      this.deflater !== undefined && this.deflateOptions !== false && payload.length >= this.deflateOptions.threshold;
    if (!compress && this.queue.length === 0) {
      return this.raw(this.encode(opcode, payload, false));
    }
    // Compressed messages finish asynchronously; later messages wait behind them to keep order (§5.4).
    const item: Pending = { opcode, payload, bytes: payload.length, frame: undefined };
    if (!compress) item.frame = this.encode(opcode, payload, false);
    this.queue.push(item);
    this.pendingBytes += payload.length;
    this.pump();
    return this.backpressure();
  }

  /**
   * A published message (src/pubsub.ts), encoded once per publish where this wire allows it: the
   * shared unmasked frame, or one shared compression per window size (RFC 7692 §7.1.1.1).
   */
  publish(message: PublishedMessage): boolean {
    if (this.deflater === undefined) return this.raw(message.encoded('ws', sharedFrame));
    if (this.deflateOptions !== false && message.data.length < this.deflateOptions.threshold) {
      return this.prepared(message.encoded('ws', sharedFrame), message.data.length); // small: uncompressed
    }
    const bits = this.sharedDeflateBits;
    if (bits !== undefined) {
      // No context takeover on our side: one compression serves every subscriber with these window bits.
      return this.prepared(message.encoded(`ws-deflate-${bits}`, (m) => sharedDeflatedFrame(m, bits)), message.data.length);
    }
    // With context takeover each connection's compressor has its own history: compress per socket.
    return this.message(message.data, message.isBinary ? OP_BINARY : OP_TEXT);
  }

  /** A frame encoded elsewhere (publish), written in order after any message still compressing. */
  prepared(frame: Frame, payloadBytes: number): boolean {
    if (this.queue.length === 0) return this.raw(frame);
    this.queue.push({ opcode: 0, payload: EMPTY, bytes: payloadBytes, frame });
    this.pendingBytes += payloadBytes;
    this.pump();
    return this.backpressure();
  }

  /** The send() result while messages wait for compression: false above the socket's high-water mark. */
  private backpressure(): boolean {
    if (this.socket.writableLength + this.pendingBytes < this.socket.writableHighWaterMark) return true;
    if (!this.socket.writableNeedDrain) this.owedDrain = true;
    return false;
  }

  /**
   * Control frames (§5.5) may be injected between data messages, so they never wait in the queue.
   * `flushed` runs when the frame has been handed to the kernel (a control frame is one Buffer).
   */
  control(opcode: number, payload: Buffer, flushed?: () => void): void {
    if (this.socket.destroyed || !this.socket.writable) return;
    this.raw(this.encode(opcode, payload, false), flushed);
  }

  /**
   * Drop the frames waiting for compression (the connection is being closed for a policy: what
   * follows is our close frame, and nothing queued may delay it, §7.1.2).
   */
  /** The connection is gone: release the deflater's zlib memory. */
  destroy(): void {
    this.deflater?.close?.();
  }

  discard(): void {
    this.queue.length = 0;
    this.pendingBytes = 0;
    this.owedDrain = false;
  }

  /**
   * The frames of one read chunk (src/ws/websocket.ts receive()) leave in one syscall. The socket is
   * corked lazily, at the chunk's second frame: the usual chunk answers with one frame, which then
   * goes out as a plain write at batchEnd() — a cork/uncork pair around a single write costs a
   * writev bookkeeping pass (clearBuffer) that the write itself does not need.
   */
  batchStart(): void {
    this.batching = true;
  }

  /** End of the chunk: the one frame held is written now, or the corked frames are released. */
  batchEnd(): void {
    this.batching = false;
    this.flush();
  }

  /** Bytes of the frame the batch holds (part of bufferedAmount). */
  get heldBytes(): number {
    return this.held === null ? 0 : this.held.length;
  }

  /** Write what the batch holds before the socket is ended or handed over (order: §5.4). */
  flush(): void {
    const held = this.held;
    if (held !== null) {
      this.held = null;
      if (!this.socket.destroyed) this.socket.write(held);
    }
    if (this.corked) {
      this.corked = false;
      this.socket.uncork();
    }
  }

  /** Write an encoded frame (one buffer, or header + payload corked into one syscall). */
  raw(frame: Frame, flushed?: () => void): boolean {
    const socket = this.socket;
    if (socket.destroyed || !socket.writable) return false;
    if (this.batching) {
      if (!this.corked) {
        if (this.held === null && flushed === undefined && Buffer.isBuffer(frame)) {
          this.held = frame;
          // What socket.write() would answer once this frame is queued (false: 'drain' follows the
          // write at batchEnd, which then sets needDrain itself).
          return socket.writableLength + frame.length < socket.writableHighWaterMark;
        }
        this.corked = true;
        socket.cork();
      }
      if (this.held !== null) {
        socket.write(this.held);
        this.held = null;
      }
    }
    if (Buffer.isBuffer(frame)) return socket.write(frame, flushed);
    socket.cork();
    let ok = true;
    for (const part of frame) ok = socket.write(part);
    socket.uncork();
    return ok;
  }

  private pump(): void {
    while (this.queue.length > 0) {
      const head = this.queue[0]!;
      if (head.frame === undefined) {
        if (!this.deflating) this.compress(head);
        return;
      }
      this.queue.shift();
      this.pendingBytes -= head.bytes;
      this.raw(head.frame);
    }
    if (this.owedDrain) {
      this.owedDrain = false;
      // If the socket is full now, its own 'drain' event follows; otherwise signal it here.
      if (!this.socket.writableNeedDrain) this.onDrain();
    }
    this.onIdle?.();
  }

  private compress(item: Pending): void {
    this.deflating = true;
    this.deflater!.deflate(item.payload, true, (err, data) => {
      this.deflating = false;
      if (err !== null || data === undefined) {
        // A compressor failure is an internal error (1011); dropping the connection is the safe answer.
        this.queue.length = 0;
        this.pendingBytes = 0;
        this.socket.destroy(err ?? undefined);
        return;
      }
      // RSV1 on the first (here: only) frame marks the message compressed (RFC 7692 §6).
      item.frame = this.encode(item.opcode, data, true);
      this.pump();
    });
  }
}
