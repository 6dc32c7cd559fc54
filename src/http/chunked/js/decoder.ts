// The TypeScript chunked decoder: the twin state machine (core.ts) run directly over the
// caller's buffer, with its table in a private Int32Array. Only a trailer line split across calls
// is copied (into a small concatenation with the next bytes).
import { CHUNK_INPUT_SIZE, CHUNK_SLOTS } from '../../../abi.js';
import { decodeChunkedJs } from './core.js';
import { ChunkedDecoderBase, resolveChunkedLimits } from '../host.js';
import type { ChunkedLimits, ChunkedSink } from '../decoder.js';

export class JsChunkedDecoder extends ChunkedDecoderBase {
  readonly engine = 'js' as const;

  constructor(sink: ChunkedSink, limits?: Partial<ChunkedLimits>) {
    super(sink, resolveChunkedLimits(limits), new Int32Array(CHUNK_SLOTS));
  }

  protected step(buf: Uint8Array, pos: number, end: number): number {
    const pending = this.pending;
    if (pending === null) {
      const w = end - pos;
      const rc = decodeChunkedJs(buf, pos, w, this.slots);
      return this.settle(rc, this.slots, 0, 0, w, buf, pos, buf, pos);
    }
    // The rest may be a large pipelined request: join only a bounded window (the line is shorter).
    const w = Math.min(end - pos, CHUNK_INPUT_SIZE);
    const joined = new Uint8Array(pending.length + w);
    joined.set(pending, 0);
    joined.set(buf.subarray(pos, pos + w), pending.length);
    const rc = decodeChunkedJs(joined, 0, joined.length, this.slots);
    return this.settle(rc, this.slots, 0, pending.length, w, buf, pos, joined, 0);
  }
}
