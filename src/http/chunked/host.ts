// Host logic shared by both chunked decoders (WASM and TypeScript): limits, the decode loop, and the
// reading of one call's results out of the chunk table (src/abi.ts C_* slots).
//
// Each engine implements step(): one call of its state machine over `pending ++ buf[pos, pos + w)`.
// `pending` is a trailer field line whose CRLF had not arrived: the state machine leaves such a
// line unconsumed (so its table state stays a handful of integers), and we keep a copy and put it
// in front of the next bytes. The trailer line limit bounds that copy. Size lines and data are never
// retained: size lines are consumed byte by byte, data is handed out as spans of the caller's buffer.
import {
  CHUNK_INPUT_SIZE, CHUNK_SLOTS, C_ERROR_POS, C_FIXED, C_LIMIT_EXT, C_LIMIT_LINE, C_LIMIT_SIZE_DIGITS,
  C_LIMIT_TRAILERS, C_SPAN_COUNT, C_SPAN_STRIDE, C_STATE, C_TRAILER_SPANS, C_TRAILER_STRIDE, CS_DONE, CS_TRAILER,
} from '../../abi.js';
import { WasmlaneError } from '../../errors.js';
import type { EngineKind } from '../../wasm/instance.js';
import { DEFAULT_CHUNKED_LIMITS, type ChunkedDecoder, type ChunkedLimits, type ChunkedSink } from './decoder.js';
import { latin1 } from '../latin1.js';

/**
 * Complete and check limits. A retained trailer line must fit the WASM chunk region next to at
 * least one new byte, hence the ceiling on maxTrailerLineLength (the same for every engine, so
 * engines never disagree).
 */
export function resolveChunkedLimits(overrides?: Partial<ChunkedLimits>): ChunkedLimits {
  const limits = { ...DEFAULT_CHUNKED_LIMITS, ...overrides };
  const ceilings: Record<keyof ChunkedLimits, number> = {
    maxChunkSizeDigits: 0x7fffffff,
    maxExtensionLength: 0x7fffffff,
    maxTrailerCount: 0x7fffffff,
    maxTrailerLineLength: CHUNK_INPUT_SIZE - 2,
  };
  for (const key of Object.keys(ceilings) as (keyof ChunkedLimits)[]) {
    const value = limits[key];
    // A chunk-size has at least one digit, so a digit limit of 0 would refuse every body.
    const floor = key === 'maxChunkSizeDigits' ? 1 : 0;
    if (!Number.isInteger(value) || value < floor || value > ceilings[key]) {
      throw new WasmlaneError('WL_INVALID_CONFIG', `${key} must be an integer in [${floor}, ${ceilings[key]}]`);
    }
  }
  return Object.freeze(limits);
}


export abstract class ChunkedDecoderBase implements ChunkedDecoder {
  abstract readonly engine: EngineKind;
  protected pending: Uint8Array | null = null;
  /** Body bytes consumed since reset (a retained partial trailer line counts as consumed). */
  protected consumed = 0;
  private finished = false;
  private failure = 0;
  private failurePosition = -1;

  /** `slots` holds this body's state slots [0, C_FIXED) (for the JS twin, the whole table). */
  protected constructor(
    protected readonly sink: ChunkedSink,
    readonly limits: ChunkedLimits,
    protected readonly slots: Int32Array,
  ) {
    this.reset();
  }

  get done(): boolean {
    return this.finished;
  }

  /** 0 while the body is fine, else the E_* code it failed with. */
  get errorCode(): number {
    return this.failure;
  }

  /** Offset from the start of the body (split-independent) of the byte that made it invalid, or -1. */
  get lastErrorPosition(): number {
    return this.failurePosition;
  }

  /** Body bytes consumed since reset(): framing, data and trailers. */
  get bytesConsumed(): number {
    return this.consumed;
  }

  reset(): void {
    this.slots.fill(0, 0, C_FIXED); // C_STATE = CS_SIZE, nothing remaining, no trailers yet
    this.slots[C_LIMIT_SIZE_DIGITS] = this.limits.maxChunkSizeDigits;
    this.slots[C_LIMIT_EXT] = this.limits.maxExtensionLength;
    this.slots[C_LIMIT_TRAILERS] = this.limits.maxTrailerCount;
    this.slots[C_LIMIT_LINE] = this.limits.maxTrailerLineLength;
    this.pending = null;
    this.finished = false;
    this.failure = 0;
    this.failurePosition = -1;
    this.consumed = 0;
  }

  decode(buf: Uint8Array, start: number, end: number): number {
    if (this.failure !== 0) return this.failure;
    if (this.finished) return 0;
    let pos = start;
    while (pos < end) {
      const n = this.step(buf, pos, end);
      if (n < 0) {
        this.failure = n;
        this.pending = null;
        return n;
      }
      pos += n;
      if (this.finished) return pos - start;
    }
    return end - start;
  }

  /** Consume some of buf[pos, end) (at least one byte); returns the count or an E_* code. */
  protected abstract step(buf: Uint8Array, pos: number, end: number): number;

  /**
   * Read the results of one state-machine call over `pending ++ buf[pos, pos + w)`, whose table is
   * t[tb, tb + CHUNK_SLOTS) and whose bytes are readable at text[textBase, textBase + pendLen + w).
   * Returns the bytes of buf consumed or the E_* code.
   */
  protected settle(
    rc: number, t: Int32Array, tb: number, pendLen: number, w: number,
    buf: Uint8Array, pos: number, text: Uint8Array, textBase: number,
  ): number {
    if (rc < 0) {
      this.failurePosition = this.consumed - pendLen + t[tb + C_ERROR_POS]!;
      return rc;
    }
    // Data spans map straight back to the caller's buffer: data always precedes the trailer
    // section, so a call that carries a pending trailer line has no data spans.
    const dataBase = pos - pendLen;
    const spans = t[tb + C_SPAN_COUNT]!;
    for (let k = 0; k < spans; k++) {
      const at = tb + C_FIXED + k * C_SPAN_STRIDE;
      const off = dataBase + t[at]!;
      this.sink.data(buf, off, off + t[at + 1]!);
    }
    const trailers = t[tb + C_TRAILER_SPANS]!;
    if (trailers > 0 && this.sink.trailer) {
      for (let k = 0; k < trailers; k++) {
        const at = tb + CHUNK_SLOTS - (k + 1) * C_TRAILER_STRIDE;
        const name = textBase + t[at]!;
        const value = textBase + t[at + 2]!;
        this.sink.trailer(latin1(text, name, name + t[at + 1]!), latin1(text, value, value + t[at + 3]!));
      }
    }
    const state = t[tb + C_STATE]!;
    const total = pendLen + w;
    const freeSlots = CHUNK_SLOTS - C_FIXED - spans * C_SPAN_STRIDE - trailers * C_TRAILER_STRIDE;
    if (state === CS_TRAILER && rc < total && freeSlots >= C_TRAILER_STRIDE) {
      // Stopped inside a trailer line (not for lack of table room): keep the line for next time.
      this.pending = text.slice(textBase + rc, textBase + total);
      this.consumed += w;
      return w;
    }
    if (rc < pendLen) throw new Error('wasmlane: chunked decoder lost a retained trailer line');
    this.pending = null;
    const n = rc - pendLen;
    this.consumed += n;
    if (state === CS_DONE) this.finished = true;
    else if (n === 0) throw new Error('wasmlane: chunked decoder made no progress');
    return n;
  }
}
