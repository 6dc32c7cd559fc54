// Frame decoders: the WASM one (assembly/ws/frame.ts, bytes copied into the window) and its
// TypeScript twin (in place over the caller's buffer). Both fill the same table format (W_* slots
// in src/abi.ts): decoder state in slots [0, W_FIXED), then one record per payload piece.
// test/ws/codec.test.ts compares the two tables slot by slot; the corpus replays every split.
import * as abi from '../../abi.js';
import { loadWasm, resolveEngine, type EngineKind, type WasmInstance } from '../../wasm/instance.js';
import { maskJs, utf8StepJs } from '../codec/js.js';
import { wsWindow } from '../codec/wasm.js';

const TWO32 = 0x1_0000_0000;
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

export interface FrameDecoderConfig {
  /** We are the server: client frames must be masked (RFC 6455 §5.1). */
  isServer: boolean;
  /** permessage-deflate negotiated: RSV1 allowed on a message's first frame. */
  deflate: boolean;
  /** 0 = no limit. */
  maxPayload: number;
  /** 0 = no limit. */
  maxFragments: number;
}

export interface FrameDecoder {
  readonly engine: EngineKind;
  /** State slots and the records of the last call (W_COUNT of them from W_FIXED). */
  readonly table: Int32Array;
  /** Payload piece i lives at source[base + off, + len): the caller's `buf` after decode(). */
  source: Uint8Array;
  base: number;
  /** Decode buf[start, end): bytes consumed (≥ 0) or a negative abi.E_WS_* code. */
  decode(buf: Uint8Array, start: number, end: number): number;
}

function configure(table: Int32Array, config: FrameDecoderConfig): void {
  table.fill(0);
  table[abi.W_CONFIG] = (config.isServer ? abi.W_CFG_SERVER : 0) | (config.deflate ? abi.W_CFG_DEFLATE : 0);
  const max = config.maxPayload > 0 ? Math.min(config.maxPayload, MAX_SAFE) : 0;
  table[abi.W_MAX_LO] = max % TWO32 | 0;
  table[abi.W_MAX_HI] = Math.floor(max / TWO32) | 0;
  table[abi.W_MAX_FRAGMENTS] = config.maxFragments > 0 ? Math.min(config.maxFragments, 0x7fffffff) : 0;
}

const u64 = (t: Int32Array, lo: number): number => (t[lo]! >>> 0) + (t[lo + 1]! >>> 0) * TWO32;
function set64(t: Int32Array, lo: number, v: number): void {
  t[lo] = v % TWO32 | 0;
  t[lo + 1] = Math.floor(v / TWO32) | 0;
}

/** §5.2/§5.4/§5.5/§5.1 checks on the first two header bytes, in the same order as the WASM build. */
function checkFirstBytes(b0: number, b1: number, cfg: number, msg: number): number {
  const fin = (b0 & 0x80) !== 0;
  const rsv1 = (b0 & 0x40) !== 0;
  const opcode = b0 & 0x0f;
  if ((b0 & 0x30) !== 0) return abi.E_WS_RSV;
  if (rsv1 && (cfg & abi.W_CFG_DEFLATE) === 0) return abi.E_WS_RSV;
  if (opcode === 0) {
    if (msg === 0) return abi.E_WS_CONTINUATION;
    if (rsv1) return abi.E_WS_RSV; //                    RFC 7692 §6.1: RSV1 on the first frame only
  } else if (opcode === 1 || opcode === 2) {
    if (msg !== 0) return abi.E_WS_CONTINUATION;
  } else if (opcode >= 8 && opcode <= 10) {
    if (!fin) return abi.E_WS_CONTROL_FRAGMENTED; //     §5.5
    if ((b1 & 0x7f) > 125) return abi.E_WS_CONTROL_TOO_LONG;
    if (rsv1) return abi.E_WS_RSV;
  } else {
    return abi.E_WS_OPCODE;
  }
  const masked = (b1 & 0x80) !== 0;
  if ((cfg & abi.W_CFG_SERVER) !== 0) { if (!masked) return abi.E_WS_UNMASKED; }
  else if (masked) return abi.E_WS_UNEXPECTED_MASK;
  return 0;
}

/** The TypeScript twin of wsDecode: unmasks in place in `buf`. */
export class JsFrameDecoder implements FrameDecoder {
  readonly engine = 'js' as const;
  readonly table = new Int32Array(abi.WS_SLOTS);
  source: Uint8Array = new Uint8Array(0);
  base = 0;

  constructor(config: FrameDecoderConfig) { configure(this.table, config); }

  decode(buf: Uint8Array, start: number, end: number): number {
    this.source = buf;
    this.base = start;
    const t = this.table;
    const cfg = t[abi.W_CONFIG]!;
    let state = t[abi.W_STATE]!, frame = t[abi.W_FRAME]!, remain = u64(t, abi.W_REMAIN_LO);
    let keyOff = t[abi.W_KEY_OFF]!, msg = t[abi.W_MSG]!, utf8 = t[abi.W_UTF8]!;
    const len = end - start;
    let count = 0, p = 0;
    while (count < abi.W_MAX_RECORDS) {
      if (state === abi.WS_HEADER) {
        if (len - p < 2) break;
        const b0 = buf[start + p]!, b1 = buf[start + p + 1]!;
        const rc = checkFirstBytes(b0, b1, cfg, msg);
        if (rc !== 0) return this.fail(rc, p, count);
        const len7 = b1 & 0x7f;
        const masked = (b1 & 0x80) !== 0;
        const hsize = 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) + (masked ? 4 : 0);
        if (len - p < hsize) break;
        const h = start + p;
        let n = len7;
        if (len7 === 126) {
          n = (buf[h + 2]! << 8) | buf[h + 3]!;
          if (n < 126) return this.fail(abi.E_WS_LENGTH, p, count); //  §5.2: minimal length encoding
        } else if (len7 === 127) {
          const hi = ((buf[h + 2]! << 24) | (buf[h + 3]! << 16) | (buf[h + 4]! << 8) | buf[h + 5]!) >>> 0;
          const lo = ((buf[h + 6]! << 24) | (buf[h + 7]! << 16) | (buf[h + 8]! << 8) | buf[h + 9]!) >>> 0;
          if (hi >= 0x80000000 || (hi === 0 && lo < 65536)) return this.fail(abi.E_WS_LENGTH, p, count);
          n = hi >= 0x200000 ? Infinity : hi * TWO32 + lo; // ≥ 2^53: too big below
        }
        const opcode = b0 & 0x0f;
        if (opcode < 8) {
          const first = opcode !== 0;
          const fragments = first ? 1 : t[abi.W_FRAGMENTS]! + 1;
          const maxFragments = t[abi.W_MAX_FRAGMENTS]!;
          if (maxFragments > 0 && fragments > maxFragments) return this.fail(abi.E_WS_TOO_MANY_FRAGMENTS, p, count);
          if (n > MAX_SAFE) return this.fail(abi.E_WS_TOO_BIG, p, count);
          const total = (first ? 0 : u64(t, abi.W_MSG_LEN_LO)) + n;
          const max = u64(t, abi.W_MAX_LO);
          if (total > MAX_SAFE || (max > 0 && total > max)) return this.fail(abi.E_WS_TOO_BIG, p, count);
          t[abi.W_FRAGMENTS] = fragments;
          set64(t, abi.W_MSG_LEN_LO, total);
          if (first) {
            msg = opcode | ((b0 & 0x40) !== 0 ? abi.W_MSG_COMPRESSED : 0);
            utf8 = 0;
          }
        }
        frame = opcode | ((b0 & 0x80) !== 0 ? abi.W_F_FIN : 0) | ((b0 & 0x40) !== 0 ? abi.W_F_RSV1 : 0)
          | (masked ? abi.W_F_MASKED : 0);
        if (masked) t[abi.W_KEY] = (buf[h + hsize - 4]! << 24) | (buf[h + hsize - 3]! << 16) | (buf[h + hsize - 2]! << 8) | buf[h + hsize - 1]!;
        remain = n;
        keyOff = 0;
        p += hsize;
        state = abi.WS_PAYLOAD;
      }
      const take = Math.min(remain, len - p);
      if (take === 0 && remain !== 0) break;
      const opcode = frame & 0x0f;
      if ((frame & abi.W_F_MASKED) !== 0) {
        maskJs(buf, start + p, take, buf, start + p, t[abi.W_KEY]!, keyOff);
        keyOff = (keyOff + take) & 3;
      }
      remain -= take;
      const isEnd = remain === 0;
      const isData = opcode < 8;
      const fin = (frame & abi.W_F_FIN) !== 0;
      if (isData && msg === 1) {
        utf8 = utf8StepJs(buf, start + p, take, utf8);
        if (utf8 < 0 || (isEnd && fin && utf8 !== 0)) return this.fail(abi.E_WS_INVALID_UTF8, p, count);
      }
      const compressed = isData && (msg & abi.W_MSG_COMPRESSED) !== 0;
      const rec = abi.W_FIXED + count * abi.W_REC_STRIDE;
      t[rec] = opcode | (fin ? abi.W_F_FIN : 0) | (isEnd ? abi.W_R_END : 0) | (compressed ? abi.W_R_COMPRESSED : 0);
      t[rec + 1] = p;
      t[rec + 2] = take;
      count++;
      p += take;
      if (isEnd) {
        state = abi.WS_HEADER;
        if (isData && fin) msg = 0;
        if (compressed) break;
      }
    }
    t[abi.W_STATE] = state;
    t[abi.W_FRAME] = frame;
    set64(t, abi.W_REMAIN_LO, remain);
    t[abi.W_KEY_OFF] = keyOff;
    t[abi.W_MSG] = msg;
    t[abi.W_UTF8] = utf8;
    t[abi.W_COUNT] = count;
    return p;
  }

  private fail(code: number, pos: number, count: number): number {
    this.table[abi.W_ERROR_POS] = pos;
    this.table[abi.W_COUNT] = count;
    return code;
  }
}

interface DecodeExports { wsWindowPtr(): number; wsTablePtr(): number; wsDecode(ptr: number, len: number): number }

/**
 * The WASM decoder: copies up to one window of input, restores this connection's state into the
 * shared table, decodes, saves state and records back, and copies the decoded span back over the
 * input (one copy in, one copy out per window, however many frames it holds). Bytes left in the window after a call
 * that stopped early (table full) are reused by the next call when nobody used the window since.
 */
export class WasmFrameDecoder implements FrameDecoder {
  readonly engine: EngineKind;
  readonly table = new Int32Array(abi.WS_SLOTS);
  source: Uint8Array = new Uint8Array(0);
  base = 0;
  private readonly u8: Uint8Array;
  private readonly fns: DecodeExports;
  private readonly i32: Int32Array;
  private readonly tableIndex: number;
  private cachedBuf: Uint8Array | null = null;
  private cachedStart = 0;
  private cachedEnd = 0;

  constructor(instance: WasmInstance, config: FrameDecoderConfig) {
    this.engine = instance.kind;
    this.fns = instance.exports as unknown as DecodeExports;
    this.i32 = instance.i32;
    this.u8 = instance.u8;
    this.tableIndex = this.fns.wsTablePtr() >>> 2;
    configure(this.table, config);
  }

  decode(buf: Uint8Array, start: number, end: number): number {
    const window = this.fns.wsWindowPtr();
    let ptr: number;
    let len: number;
    // Reuse the resident copy when it still holds every requested byte, or at least a full header
    // (14 bytes) so the call is sure to make progress.
    if (wsWindow.owner === this && buf === this.cachedBuf && start >= this.cachedStart && start < this.cachedEnd
      && (this.cachedEnd >= end || this.cachedEnd - start >= 14)) {
      ptr = window + (start - this.cachedStart);
      len = Math.min(this.cachedEnd, end) - start;
    } else {
      len = Math.min(end - start, abi.WS_WINDOW_SIZE);
      this.u8.set(buf.subarray(start, start + len), window);
      wsWindow.owner = this;
      this.cachedBuf = buf;
      this.cachedStart = start;
      this.cachedEnd = start + len;
      ptr = window;
    }
    const shared = this.i32;
    const ti = this.tableIndex;
    shared.set(this.table.subarray(0, abi.W_FIXED), ti);
    const rc = this.fns.wsDecode(ptr, len);
    const count = shared[ti + abi.W_COUNT]!;
    this.table.set(shared.subarray(ti, ti + abi.W_FIXED + count * abi.W_REC_STRIDE));
    // One copy out per call: the decoded span (payloads now unmasked) goes back over the caller's
    // bytes, so payload pieces are plain slices of `buf`, exactly as with the TS twin.
    const decoded = rc >= 0 ? rc : len;
    if (decoded > 0) buf.set(this.u8.subarray(ptr, ptr + decoded), start);
    this.source = buf;
    this.base = start;
    return rc;
  }
}

export function createFrameDecoder(config: FrameDecoderConfig, engine?: EngineKind | 'auto'): FrameDecoder {
  const kind = resolveEngine(engine);
  return kind === 'js' ? new JsFrameDecoder(config) : new WasmFrameDecoder(loadWasm(kind)!, config);
}
