// Interfaces between the WebSocket layers (RFC 6455):
//   codec     — byte loops: mask/unmask and UTF-8 validation (WASM SIMD, WASM, TS twin)
//   Receiver  — bytes in → frames → messages / control events, with every protocol check (§5, §8)
//   Sender    — messages out → frames (masked when we are the client), fragmentation, pre-encoding
//   WebSocket — the connection object users see (src/ws/websocket.ts), built on the two above.
import type { EngineKind } from '../wasm/instance.js';
import type { WasmlaneError } from '../errors.js';

export interface WsCodec {
  readonly engine: EngineKind;
  /** XOR buf[offset, offset+length) in place with `key` (4 bytes, big-endian in a u32), starting
   *  at key byte `keyOffset` (0..3) — lets a payload be unmasked piece by piece as it arrives. */
  unmask(buf: Uint8Array, offset: number, length: number, key: number, keyOffset: number): void;
  /** Write src[srcOffset, +length) XOR key into dst[dstOffset, …) (dst may equal src). */
  mask(src: Uint8Array, srcOffset: number, length: number, dst: Uint8Array, dstOffset: number, key: number): void;
  /** Whole-buffer UTF-8 validity (RFC 3629: no overlongs, no surrogates, ≤ U+10FFFF). */
  isUtf8(buf: Uint8Array, offset: number, length: number): boolean;
  /** Incremental validator for text split across fragments: push() is false at the first invalid
   *  byte; end() is false when the input stopped inside a sequence. */
  utf8Validator(): Utf8Validator;
}

export interface Utf8Validator {
  push(buf: Uint8Array, offset: number, length: number): boolean;
  end(): boolean;
  reset(): void;
}

export interface ReceiverOptions {
  engine?: EngineKind | 'auto';
  /** true: peer is a client, frames must be masked; false: peer is a server, frames must not be. */
  isServer: boolean;
  /** Max message (and frame) payload bytes → close 1009. Default 100 MiB (ws's default). */
  maxPayload?: number;
  /** Max frames in one fragmented message → close 1009. */
  maxFragments?: number;
  /** Set when permessage-deflate was negotiated: RSV1 is then legal on the first frame of a message. */
  inflate?: MessageInflater;
}

export interface ReceiverEvents {
  message(data: Buffer, isBinary: boolean): void;
  ping(data: Buffer): void;
  pong(data: Buffer): void;
  /** A valid close frame arrived (code 1005 when it had no payload). */
  close(code: number, reason: Buffer): void;
  /** A protocol violation: err.closeCode says which code to close with; the receiver is then dead. */
  error(err: WasmlaneError): void;
  /** An inflation finished and the input queued meanwhile was decoded (queuedBytes went down). */
  inflated?(): void;
}

/** Decompresses one message's payload (permessage-deflate, RFC 7692 §7.2.2), bounded by maxPayload. */
export interface MessageInflater {
  inflate(payload: Buffer, fin: boolean, callback: (err: WasmlaneError | null, data?: Buffer) => void): void;
}

/** Compresses one message's payload (RFC 7692 §7.2.1). */
export interface MessageDeflater {
  deflate(payload: Buffer, fin: boolean, callback: (err: Error | null, data?: Buffer) => void): void;
}
