// WebSocket frame decoding in one pass over bytes resident in the window (RFC 6455 §5.2):
// header checks, in-place unmasking (§5.3) and UTF-8 validation of text (§8.1), with the decoder
// state kept in the WS table so a call can stop anywhere and the next one continue.
// The table layout and the record format are documented in assembly/abi.ts (W_* slots).
// src/ws/frame/js.ts is the TypeScript twin; both run the same corpus at every split.
import {
  W_CONFIG, W_MAX_LO, W_MAX_HI, W_MAX_FRAGMENTS, W_STATE, W_FRAME, W_REMAIN_LO, W_REMAIN_HI, W_KEY,
  W_KEY_OFF, W_MSG, W_UTF8, W_MSG_LEN_LO, W_MSG_LEN_HI, W_FRAGMENTS, W_COUNT, W_ERROR_POS, W_BULK_MIN, W_FIXED,
  W_REC_STRIDE, W_MAX_RECORDS, W_CFG_SERVER, W_CFG_DEFLATE, W_CFG_NO_UTF8, W_F_FIN, W_F_RSV1, W_F_MASKED, W_R_END,
  W_R_COMPRESSED, W_MSG_COMPRESSED, WS_HEADER, WS_PAYLOAD,
  E_WS_UNMASKED, E_WS_RSV, E_WS_OPCODE, E_WS_CONTROL_TOO_LONG, E_WS_CONTROL_FRAGMENTED, E_WS_LENGTH,
  E_WS_TOO_BIG, E_WS_INVALID_UTF8, E_WS_CONTINUATION, E_WS_UNEXPECTED_MASK, E_WS_TOO_MANY_FRAGMENTS,
} from '../abi';
import { WS_TABLE_PTR } from '../regions';
import { maskInPlace } from './mask';
import { utf8Step } from './utf8';

export { maskInPlace as wsMask } from './mask';
export { utf8Step as wsUtf8 } from './utf8';

// Lengths above 2^53 - 1 cannot be represented by the host (ws rejects them with 1009 too).
const MAX_SAFE: u64 = 0x1f_ffff_ffff_ffff;

@inline function slot(i: i32): i32 { return load<i32>(WS_TABLE_PTR + (<usize>i << 2)); }
@inline function setSlot(i: i32, v: i32): void { store<i32>(WS_TABLE_PTR + (<usize>i << 2), v); }
@inline function slot64(lo: i32): u64 {
  return (<u64><u32>slot(lo)) | ((<u64><u32>slot(lo + 1)) << 32);
}
@inline function setSlot64(lo: i32, v: u64): void {
  setSlot(lo, <i32>(<u32>v));
  setSlot(lo + 1, <i32>(<u32>(v >> 32)));
}
@inline function be16(p: usize): u32 { return (<u32>load<u8>(p) << 8) | <u32>load<u8>(p, 1); }
@inline function be32(p: usize): u32 { return bswap<u32>(load<u32>(p)); }

@inline function fail(code: i32, pos: i32, count: i32): i32 {
  setSlot(W_ERROR_POS, pos);
  setSlot(W_COUNT, count);
  return code;
}

/**
 * Rules checked on the first two header bytes, in this order (the TS twin keeps it):
 * RSV2/RSV3 and unnegotiated RSV1 (§5.2), opcode and fragmentation rules (§5.4, §5.5, RFC 7692 §6.1),
 * then the MASK bit (§5.1). Returns 0 or an E_WS_* code.
 */
@inline function checkFirstBytes(b0: u32, b1: u32, cfg: i32, msg: i32): i32 {
  const fin = (b0 & 0x80) != 0;
  const rsv1 = (b0 & 0x40) != 0;
  const opcode = b0 & 0x0f;
  const len7 = b1 & 0x7f;
  if ((b0 & 0x30) != 0) return E_WS_RSV;
  if (rsv1 && (cfg & W_CFG_DEFLATE) == 0) return E_WS_RSV;
  if (opcode == 0) {
    if (msg == 0) return E_WS_CONTINUATION;
    if (rsv1) return E_WS_RSV; //               RSV1 marks the first frame only (RFC 7692 §6.1)
  } else if (opcode == 1 || opcode == 2) {
    if (msg != 0) return E_WS_CONTINUATION; // new data frame before the message's final fragment
  } else if (opcode >= 8 && opcode <= 10) {
    if (!fin) return E_WS_CONTROL_FRAGMENTED;
    if (len7 > 125) return E_WS_CONTROL_TOO_LONG;
    if (rsv1) return E_WS_RSV; //               control frames are never compressed (RFC 7692 §6.1)
  } else {
    return E_WS_OPCODE;
  }
  const masked = (b1 & 0x80) != 0;
  if ((cfg & W_CFG_SERVER) != 0) {
    if (!masked) return E_WS_UNMASKED;
  } else if (masked) {
    return E_WS_UNEXPECTED_MASK;
  }
  return 0;
}

/** Decode frames in [ptr, ptr+len); see the W_* contract in abi.ts. */
export function wsDecode(ptr: usize, len: i32): i32 {
  const cfg = slot(W_CONFIG);
  let state = slot(W_STATE);
  let frame = slot(W_FRAME);
  let remain = slot64(W_REMAIN_LO);
  let keyOff = slot(W_KEY_OFF);
  let msg = slot(W_MSG);
  let utf8 = slot(W_UTF8);
  const bulkMin = <u64><u32>slot(W_BULK_MIN);
  const checkUtf8 = (cfg & W_CFG_NO_UTF8) == 0;
  let count = 0;
  let p = 0;
  while (count < W_MAX_RECORDS) {
    if (state == WS_HEADER) {
      if (len - p < 2) break;
      const b0 = <u32>load<u8>(ptr + p);
      const b1 = <u32>load<u8>(ptr + p, 1);
      const rc = checkFirstBytes(b0, b1, cfg, msg);
      if (rc != 0) return fail(rc, p, count);
      const len7 = b1 & 0x7f;
      const masked = (b1 & 0x80) != 0;
      const hsize = 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + (masked ? 4 : 0);
      if (len - p < hsize) break;
      // §5.2: "the minimal number of bytes MUST be used to encode the length" and the 64-bit form
      // has its most significant bit 0. We enforce both (ws accepts non-minimal forms).
      let n: u64 = <u64>len7;
      if (len7 == 126) {
        n = <u64>be16(ptr + p + 2);
        if (n < 126) return fail(E_WS_LENGTH, p, count);
      } else if (len7 == 127) {
        const hi = be32(ptr + p + 2);
        n = ((<u64>hi) << 32) | <u64>be32(ptr + p + 6);
        if ((hi & 0x80000000) != 0 || n < 65536) return fail(E_WS_LENGTH, p, count);
      }
      const opcode = <i32>(b0 & 0x0f);
      if (opcode < 8) {
        const first = opcode != 0;
        const fragments = first ? 1 : slot(W_FRAGMENTS) + 1;
        const maxFragments = slot(W_MAX_FRAGMENTS);
        if (maxFragments > 0 && fragments > maxFragments) return fail(E_WS_TOO_MANY_FRAGMENTS, p, count);
        if (n > MAX_SAFE) return fail(E_WS_TOO_BIG, p, count);
        const total = (first ? 0 : slot64(W_MSG_LEN_LO)) + n;
        const max = slot64(W_MAX_LO);
        if (total > MAX_SAFE || (max > 0 && total > max)) return fail(E_WS_TOO_BIG, p, count);
        setSlot(W_FRAGMENTS, fragments);
        setSlot64(W_MSG_LEN_LO, total);
        if (first) {
          msg = opcode | ((b0 & 0x40) != 0 ? W_MSG_COMPRESSED : 0);
          utf8 = 0;
        }
      }
      frame = opcode | ((b0 & 0x80) != 0 ? W_F_FIN : 0) | ((b0 & 0x40) != 0 ? W_F_RSV1 : 0) | (masked ? W_F_MASKED : 0);
      if (masked) setSlot(W_KEY, <i32>be32(ptr + p + hsize - 4));
      remain = n;
      keyOff = 0;
      p += hsize;
      state = WS_PAYLOAD;
      // A large data frame cut by the end of the input: stop before its payload (W_BULK_MIN).
      if (opcode < 8 && bulkMin != 0 && n >= bulkMin && n > <u64>(len - p)) break;
    }
    // WS_PAYLOAD: take what is here (an empty frame still yields its one record).
    const avail = <u64>(len - p);
    const take = <i32>(remain < avail ? remain : avail);
    if (take == 0 && remain != 0) break;
    const opcode = frame & 0x0f;
    if ((frame & W_F_MASKED) != 0) {
      maskInPlace(ptr + p, take, <u32>slot(W_KEY), keyOff);
      keyOff = (keyOff + take) & 3;
    }
    remain -= <u64>take;
    const end = remain == 0;
    const isData = opcode < 8;
    const fin = (frame & W_F_FIN) != 0;
    if (isData && msg == 1 && checkUtf8) { // uncompressed text, as it arrives (compressed: after inflation)
      utf8 = utf8Step(ptr + p, take, utf8);
      if (utf8 < 0 || (end && fin && utf8 != 0)) return fail(E_WS_INVALID_UTF8, p, count);
    }
    const rec = W_FIXED + count * W_REC_STRIDE;
    let info = opcode | (fin ? W_F_FIN : 0) | (end ? W_R_END : 0);
    const compressed = isData && (msg & W_MSG_COMPRESSED) != 0;
    if (compressed) info |= W_R_COMPRESSED;
    setSlot(rec, info);
    setSlot(rec + 1, p);
    setSlot(rec + 2, take);
    count++;
    p += take;
    if (end) {
      state = WS_HEADER;
      if (isData && fin) msg = 0;
      // A compressed frame is inflated before anything after it is decoded (the host pauses).
      if (compressed) break;
    }
  }
  setSlot(W_STATE, state);
  setSlot(W_FRAME, frame);
  setSlot64(W_REMAIN_LO, remain);
  setSlot(W_KEY_OFF, keyOff);
  setSlot(W_MSG, msg);
  setSlot(W_UTF8, utf8);
  setSlot(W_COUNT, count);
  return p;
}
