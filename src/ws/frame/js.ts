// The TypeScript twin of assembly/ws/frame.ts (wsDecode): decodes frames in place over the caller's
// buffer (unmasking there) and fills the same table as the WASM decoder (./wasm.ts).
// test/ws/frame/decoder.test.ts compares the two tables slot by slot; the corpus replays every split.
import * as abi from '../../abi.js';
import { maskJs, utf8StepJs } from '../codec/js.js';
import {
  configure, MAX_SAFE, set64, TWO32, u64, type FrameDecoder, type FrameDecoderConfig,
} from './decoder.js';

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
    return decodeFramesJs(this.table, buf, start, end);
  }

  /** In place, then one copy: the JS twin has no window to copy out of. */
  payloadInto(buf: Uint8Array, start: number, len: number, dst: Uint8Array, dstOff: number): number {
    const rc = this.decode(buf, start, start + len);
    this.table[abi.W_COUNT] = 0; // the payload goes to dst: no records
    if (rc < 0) return rc;
    dst.set(buf.subarray(start, start + len), dstOff);
    return len;
  }
}

function fail(t: Int32Array, code: number, pos: number, count: number): number {
  t[abi.W_ERROR_POS] = pos;
  t[abi.W_COUNT] = count;
  return code;
}

/**
 * wsDecode in TypeScript over table `t` (state in, state and records out): buf[start, end) decoded in
 * place. Also run by the WASM decoder on short inputs (./wasm.ts), on its own host table.
 */
export function decodeFramesJs(t: Int32Array, buf: Uint8Array, start: number, end: number): number {
  const cfg = t[abi.W_CONFIG]!;
  let state = t[abi.W_STATE]!, frame = t[abi.W_FRAME]!, remain = u64(t, abi.W_REMAIN_LO);
  let keyOff = t[abi.W_KEY_OFF]!, msg = t[abi.W_MSG]!, utf8 = t[abi.W_UTF8]!;
  const len = end - start;
  const bulkMin = t[abi.W_BULK_MIN]! >>> 0;
  const checkUtf8 = (cfg & abi.W_CFG_NO_UTF8) === 0;
  let count = 0, p = 0;
  while (count < abi.W_MAX_RECORDS) {
    if (state === abi.WS_HEADER) {
      if (len - p < 2) break;
      const b0 = buf[start + p]!, b1 = buf[start + p + 1]!;
      const rc = checkFirstBytes(b0, b1, cfg, msg);
      if (rc !== 0) return fail(t, rc, p, count);
      const len7 = b1 & 0x7f;
      const masked = (b1 & 0x80) !== 0;
      const hsize = 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) + (masked ? 4 : 0);
      if (len - p < hsize) break;
      const h = start + p;
      let n = len7;
      if (len7 === 126) {
        n = (buf[h + 2]! << 8) | buf[h + 3]!;
        if (n < 126) return fail(t, abi.E_WS_LENGTH, p, count); //  §5.2: minimal length encoding
      } else if (len7 === 127) {
        const hi = ((buf[h + 2]! << 24) | (buf[h + 3]! << 16) | (buf[h + 4]! << 8) | buf[h + 5]!) >>> 0;
        const lo = ((buf[h + 6]! << 24) | (buf[h + 7]! << 16) | (buf[h + 8]! << 8) | buf[h + 9]!) >>> 0;
        if (hi >= 0x80000000 || (hi === 0 && lo < 65536)) return fail(t, abi.E_WS_LENGTH, p, count);
        n = hi >= 0x200000 ? Infinity : hi * TWO32 + lo; // ≥ 2^53: too big below
      }
      const opcode = b0 & 0x0f;
      if (opcode < 8) {
        const first = opcode !== 0;
        const fragments = first ? 1 : t[abi.W_FRAGMENTS]! + 1;
        const maxFragments = t[abi.W_MAX_FRAGMENTS]!;
        if (maxFragments > 0 && fragments > maxFragments) return fail(t, abi.E_WS_TOO_MANY_FRAGMENTS, p, count);
        if (n > MAX_SAFE) return fail(t, abi.E_WS_TOO_BIG, p, count);
        const total = (first ? 0 : u64(t, abi.W_MSG_LEN_LO)) + n;
        const max = u64(t, abi.W_MAX_LO);
        if (total > MAX_SAFE || (max > 0 && total > max)) return fail(t, abi.E_WS_TOO_BIG, p, count);
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
      if (opcode < 8 && bulkMin !== 0 && n >= bulkMin && n > len - p) break; // W_BULK_MIN
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
    if (isData && msg === 1 && checkUtf8) {
      utf8 = utf8StepJs(buf, start + p, take, utf8);
      if (utf8 < 0 || (isEnd && fin && utf8 !== 0)) return fail(t, abi.E_WS_INVALID_UTF8, p, count);
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
