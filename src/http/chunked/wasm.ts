// The WASM chunked decoder: the AssemblyScript state machine (assembly/http/chunked.ts) driven from
// the host. Several bodies on several connections share one instance (its 'chunked' SharedRegion,
// src/wasm/region.ts, names the decoder that called last), so this body's state slots [0, C_FIXED)
// live here and are copied into the WASM chunk table around every call: the TypeScript twin and the
// data fast path below advance that host copy between WASM calls, so it is restored every time
// rather than only when another decoder took the region.
//
// Why data mostly never enters WASM: only the framing (size lines, the CRLF after data, trailers)
// needs a state machine. Once the machine is in CS_DATA with R bytes left, those bytes need no
// scanning at all, so step() hands them to the sink as a span of the caller's own buffer and just
// decrements C_REMAIN_* here — no copy, no call. That fast path is taken for runs of at least
// FAST_PATH_MIN bytes and whenever all the bytes at hand are data; a shorter run is cheaper to copy
// along with the framing around it than to pay an extra step for.
//
// What is copied is a window of the input. It starts at INITIAL_WINDOW, so a small body goes
// through in one call; after a long data run it drops to MIN_WINDOW (the framing between two big
// chunks is a few bytes: copying 64 KiB of the next chunk only to skip it would be waste) and it
// doubles with every call that finds framing, so a body of many small chunks costs one call per
// up to 64 KiB. Data spans found inside a window are mapped back to the caller's buffer: the sink
// never sees WASM memory.
//
// Small framing stays in JS (ARCHITECTURE.md habit 7): a window of at most MIN_WINDOW bytes — the
// CRLF and size line between two big chunks — is decoded by the TypeScript twin in place, because
// copying it in and calling out costs more than decoding those few bytes. That window ends at the
// size line's LF, so the next chunk's data goes out whole on the fast path: a few data bytes caught
// in the window would be a small span of their own (a copy and one more piece in the body buffer;
// a 1 MiB body of 16 KiB chunks had 131 spans, now 81). The twins share the table
// layout and the state numbers exactly (fuzzed slot by slot), so switching machines between calls
// is seamless. `smallFramingInJs: false` turns this off (the tests run both ways).
//
// Measured (CPU time per body, shared 2-core machine under heavy load, so indicative only):
// post-chunked fixture body (1012 B, 3 chunks) wasm ≈ js ≈ 270–300 ns; 64 KiB in 16 B chunks wasm
// ~100 µs vs js ~200 µs; 64 KiB in 4 KiB chunks wasm ~3 µs vs js ~1.5 µs (two steps per boundary).
import {
  CHUNK_INPUT_SIZE, CHUNK_SLOTS, C_AUX, C_LIMIT_EXT, C_LIMIT_LINE, C_LIMIT_SIZE_DIGITS, C_LIMIT_TRAILERS,
  C_REMAIN_HI, C_REMAIN_LO, C_STATE, C_TRAILER_COUNT, CS_DATA,
} from '../../abi.js';
import { loadWasm, type WasmInstance } from '../../wasm/instance.js';
import { regionOf, type RegionTenant, type SharedRegion } from '../../wasm/region.js';
import { decodeChunkedJs } from './js/core.js';
import { ChunkedDecoderBase, resolveChunkedLimits } from './host.js';
import type { ChunkedLimits, ChunkedSink } from './decoder.js';

/** Window of a body's first call: a small body (the post-chunked fixture is 1012 bytes) goes through in
 *  one call, which costs far less than several (~150 ns per step, CPU time on the project machine). */
const INITIAL_WINDOW = 4096;
/** Window after a long data run: the CRLF after the data and an ordinary size line ("ffff\r\n") fit;
 *  a longer line (extensions) just takes more calls, its state is kept byte by byte. */
const MIN_WINDOW = 16;
/** Windows up to this size are copied byte by byte: a JS loop costs ~1 ns/byte (more under load) and
 *  set(subarray) ~80 ns whatever the size (measured on the project machine, Node 20), so ~16 is the crossover. */
const COPY_LOOP_MAX = 16;
/** Data runs at least this long bypass WASM. Shorter ones are cheaper to copy within a framing
 *  window than to pay a separate step and call for (copy ~0.1 ns/byte vs ~150 ns per extra call,
 *  CPU time on the project machine), so bodies of ~1 KiB chunks go through WASM in big windows. */
const FAST_PATH_MIN = 2048;
/** Bytes of framing expected after a short data run: its CRLF and a size line with room to spare. */
const DATA_SLACK = 32;
const TWO_32 = 4294967296;

/** Bytes of buf[pos, pos + w) up to the LF that ends the size line after a data run's CRLF
 *  (bytes pos and pos + 1), or w when that LF is not in the window. Only a shorter window: the state
 *  machine decodes any split the same, so a malformed CRLF still fails at the same byte. */
function sizeLineEnd(buf: Uint8Array, pos: number, w: number): number {
  for (let k = 2; k < w; k++) if (buf[pos + k] === 0x0a) return k + 1;
  return w;
}

export interface WasmChunkedOptions {
  /** Decode windows of at most 16 bytes (the framing between big chunks) with the TypeScript twin in
   *  place instead of copying them into WASM. Default true; tests turn it off to drive every byte
   *  through WASM. */
  readonly smallFramingInJs?: boolean;
}

export class WasmChunkedDecoder extends ChunkedDecoderBase implements RegionTenant {
  readonly engine: 'wasm-simd' | 'wasm';
  private readonly wasm: WasmInstance;
  private readonly region: SharedRegion;
  private readonly regionPtr: number;
  private readonly tableBase: number;
  /** Cached: the exports object holds every ABI constant too, so a property lookup per call is not free. */
  private readonly decodeChunked: (ptr: number, len: number) => number;
  private readonly smallFramingInJs: boolean;
  private window = INITIAL_WINDOW;

  constructor(
    engine: 'wasm-simd' | 'wasm', sink: ChunkedSink, limits?: Partial<ChunkedLimits>, options: WasmChunkedOptions = {},
  ) {
    const wasm = loadWasm(engine);
    if (wasm === null) throw new Error(`wasmlane: engine "${engine}" cannot run on this platform`);
    // A whole table, not just the state slots, so the TypeScript twin can run on it directly.
    super(sink, resolveChunkedLimits(limits), new Int32Array(CHUNK_SLOTS));
    this.engine = engine;
    this.smallFramingInJs = options.smallFramingInJs ?? true;
    this.wasm = wasm;
    this.region = regionOf(wasm, 'chunked');
    this.regionPtr = wasm.exports.chunkInputPtr();
    this.tableBase = wasm.exports.chunkTablePtr() >>> 2;
    this.decodeChunked = wasm.exports.decodeChunked;
  }

  override reset(): void {
    super.reset();
    this.window = INITIAL_WINDOW;
  }

  /** Nothing to save: this body's state is copied out after every call. */
  regionLost(): void {}

  protected step(buf: Uint8Array, pos: number, end: number): number {
    const s = this.slots;
    if (s[C_STATE] === CS_DATA) {
      const remain = (s[C_REMAIN_HI]! >>> 0) * TWO_32 + (s[C_REMAIN_LO]! >>> 0);
      const avail = end - pos;
      // Fast path: chunk-data straight from the caller's buffer to the sink. Taken for long runs,
      // and whenever everything available is data (nothing in it would need the state machine).
      // A shorter run followed by framing is cheaper to let the machine span inside a window, except
      // the rest of a long run that the previous read cut (the window is still MIN_WINDOW: no window
      // call since that run): inside a window, the next chunk's first bytes would be a span of their own.
      if (remain >= FAST_PATH_MIN || (remain > 0 && (remain >= avail || this.window === MIN_WINDOW))) {
        const n = Math.min(remain, avail);
        const left = remain - n;
        s[C_REMAIN_LO] = left >>> 0;
        s[C_REMAIN_HI] = Math.floor(left / TWO_32);
        this.consumed += n;
        // Big chunks: the framing after this run is a few bytes, so start again with a small window.
        if (n >= FAST_PATH_MIN) this.window = MIN_WINDOW;
        this.sink.data(buf, pos, pos + n);
        return n;
      }
    }
    const { u8, i32 } = this.wasm;
    const pending = this.pending;
    const pendLen = pending === null ? 0 : pending.length;
    // In a short data run, size the window to reach past it: the run and the next size line go in one
    // call. A run that is over (0 left: only its CRLF is next) keeps the window it has.
    let want = this.window;
    const dataLeft = s[C_STATE] === CS_DATA && (s[C_REMAIN_LO]! !== 0 || s[C_REMAIN_HI]! !== 0);
    if (dataLeft) want = Math.max(want, s[C_REMAIN_LO]! + DATA_SLACK);
    let w = Math.min(end - pos, want, CHUNK_INPUT_SIZE - pendLen);
    if (pending === null && w <= MIN_WINDOW && this.smallFramingInJs) {
      // After a data run: stop the window at the LF that ends the next size line, so the data after
      // it is not split into a few bytes here and the rest as a fast-path span (one span per chunk).
      if (s[C_STATE] === CS_DATA && !dataLeft) w = sizeLineEnd(buf, pos, w);
      this.window = Math.min(this.window * 2, CHUNK_INPUT_SIZE);
      return this.settle(decodeChunkedJs(buf, pos, w, s), s, 0, 0, w, buf, pos, buf, pos);
    }
    this.region.acquire(this); // our state is on the host: restored below whether or not we held the region
    const region = this.regionPtr;
    if (pending !== null) u8.set(pending, region);
    if (w <= COPY_LOOP_MAX) {
      for (let k = 0, at = region + pendLen; k < w; k++) u8[at + k] = buf[pos + k]!;
    } else {
      u8.set(buf.subarray(pos, pos + w), region + pendLen);
    }
    const tb = this.tableBase;
    // Restore this body's state (and limits: another body may have used other ones), call, save.
    i32[tb + C_STATE] = s[C_STATE]!;
    i32[tb + C_REMAIN_LO] = s[C_REMAIN_LO]!;
    i32[tb + C_REMAIN_HI] = s[C_REMAIN_HI]!;
    i32[tb + C_AUX] = s[C_AUX]!;
    i32[tb + C_TRAILER_COUNT] = s[C_TRAILER_COUNT]!;
    i32[tb + C_LIMIT_EXT] = s[C_LIMIT_EXT]!;
    i32[tb + C_LIMIT_TRAILERS] = s[C_LIMIT_TRAILERS]!;
    i32[tb + C_LIMIT_LINE] = s[C_LIMIT_LINE]!;
    i32[tb + C_LIMIT_SIZE_DIGITS] = s[C_LIMIT_SIZE_DIGITS]!;
    const rc = this.decodeChunked(region, pendLen + w);
    s[C_STATE] = i32[tb + C_STATE]!;
    s[C_REMAIN_LO] = i32[tb + C_REMAIN_LO]!;
    s[C_REMAIN_HI] = i32[tb + C_REMAIN_HI]!;
    s[C_AUX] = i32[tb + C_AUX]!;
    s[C_TRAILER_COUNT] = i32[tb + C_TRAILER_COUNT]!;
    this.window = Math.min(this.window * 2, CHUNK_INPUT_SIZE);
    return this.settle(rc, i32, tb, pendLen, w, buf, pos, u8, region);
  }
}
