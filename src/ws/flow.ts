// Output-driven flow control for one WebSocket connection: what a peer sends must not make us queue
// unbounded output towards it, nor unbounded input we cannot decode yet. Per connection, timer-free:
//
// Read backpressure. Input produces output (automatic pongs, the application's echoes and replies).
// After each read chunk, when our pending output — frames waiting in userland (compression queue)
// plus the socket's writableLength — is above maxBufferedAmount, we stop reading (socket.pause()).
// A peer that floods us without reading our answers then fills its own send buffer and stalls
// instead of our memory growing. Reading resumes once the socket has flushed what was queued: an
// empty write's callback runs after every earlier write has reached the kernel (Node runs write
// callbacks in order), which works whatever the socket's high-water mark is.
//
// Input waiting for an inflation. While a compressed frame inflates (asynchronously, RFC 7692) the
// Receiver queues what arrives after it; a peer sending frames that inflate slowly (many small frames
// expanding to maxPayload) could grow that queue faster than it is decoded. Reading also stops while
// more than MAX_QUEUED_INPUT bytes wait there, and resumes when an inflation has drained them.
//
// Automatic pongs. RFC 6455 §5.5.3 lets an endpoint that has not yet answered earlier pings answer
// only the most recent one: pings decoded from one read chunk get a single pong, written when the
// chunk is done. A pong is *pending* from the moment it is written to the socket until its write
// callback runs, i.e. until Node has handed it to the kernel (not merely to its own write buffer).
// When a pong is due while maxPendingPongs are pending, the peer is sending pings faster than it
// reads our answers and the connection is closed with 1008 (onTooManyPongs).
import type { Socket } from 'node:net';
import { OP_PONG, type FrameWriter } from './wire.js';

const EMPTY = Buffer.alloc(0);

/** Most input bytes the Receiver may hold undecoded (behind an inflation) before reading stops. */
export const MAX_QUEUED_INPUT = 1024 * 1024;

export class Flow {
  /** Automatic pongs written and not yet flushed to the kernel. */
  pendingPongs = 0;
  private paused = false;
  /** An empty write's callback is outstanding. */
  private waiting = false;
  /** Inside a read chunk: pongs wait for its end. */
  private batch = false;
  /** Payload of the most recent ping not answered yet. */
  private pong: Buffer | undefined;
  private readonly pongFlushed = (): void => void this.pendingPongs--;
  private readonly flushed = (): void => {
    this.waiting = false;
    this.recheck();
  };

  constructor(
    private readonly socket: Socket,
    private readonly writer: FrameWriter,
    private readonly maxBufferedAmount: number,
    private readonly maxPendingPongs: number,
    private readonly onTooManyPongs: () => void,
    /** Input bytes queued in the Receiver. */
    private readonly queuedInput: () => number,
  ) {
    writer.onIdle = () => this.recheck();
  }

  /** A read chunk is about to be decoded. */
  begin(): void {
    this.batch = true;
  }

  /** The chunk is decoded: answer its pings (still inside the caller's cork). */
  end(): void {
    this.batch = false;
    this.flushPong();
  }

  /** A ping wants an automatic pong (§5.5.2). */
  ping(data: Buffer): void {
    this.pong = data; // replaces an unanswered earlier one (§5.5.3)
    if (!this.batch) this.flushPong();
  }

  /**
   * Our close frame is about to be written: answer a ping decoded before it (§5.5.2) unless `drop`
   * (a policy close: nothing may delay the close frame), and read again — while closing, input no
   * longer produces output, and the peer's close frame or FIN must be seen (§7.1.1).
   */
  beforeClose(drop: boolean): void {
    const data = this.pong;
    this.pong = undefined;
    if (data !== undefined && !drop) this.writer.control(OP_PONG, data);
    this.release();
  }

  private flushPong(): void {
    const data = this.pong;
    if (data === undefined) return;
    this.pong = undefined;
    if (this.pendingPongs >= this.maxPendingPongs) return this.onTooManyPongs();
    this.pendingPongs++;
    this.writer.control(OP_PONG, data, this.pongFlushed);
  }

  /** After a read chunk (uncorked): stop reading while the output is above maxBufferedAmount. */
  check(): void {
    if (this.paused || (!this.outputFull() && this.queuedInput() <= MAX_QUEUED_INPUT)) return;
    this.paused = true;
    this.socket.pause();
    this.waitForFlush();
  }

  /** The Receiver finished an inflation (its queued input went down). */
  inflated(): void {
    this.recheck();
  }

  private outputFull(): boolean {
    return this.socket.writableLength + this.writer.pendingBytes > this.maxBufferedAmount;
  }

  private release(): void {
    if (!this.paused) return;
    this.paused = false;
    this.socket.resume();
  }

  private waitForFlush(): void {
    const socket = this.socket;
    // Socket bytes: the empty write's callback runs once they have all been flushed. Frames still
    // compressing: the writer calls onIdle when its queue empties.
    if (this.waiting || socket.writableLength === 0 || !socket.writable) return;
    this.waiting = true;
    socket.write(EMPTY, this.flushed);
  }

  private recheck(): void {
    if (!this.paused) return;
    if (this.outputFull()) return this.waitForFlush();
    if (this.queuedInput() > MAX_QUEUED_INPUT) return; // inflated() calls again
    this.release();
  }
}
