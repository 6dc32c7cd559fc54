// Interfaces between the WebSocket layers (RFC 6455):
//   codec/    — byte loops: mask/unmask and UTF-8 validation (WASM SIMD, WASM, TS twin)
//   frame/    — frame decoding twins (bytes in) and frame encoding (bytes out)
//   Receiver  — bytes in → frames → messages / control events, with every protocol check (§5, §8)
//   wire.ts   — messages out → frames on the socket (masked when we are the client), compression order
//   WebSocket — the connection object users see (src/ws/websocket.ts), built on the layers above.
import type { EngineKind } from '../wasm/instance.js';
import type { WasmlaneError } from '../errors.js';

export interface ReceiverOptions {
  /** The engine, already chosen (by the Server or connect()): the receiver never resolves one. */
  engine: EngineKind;
  /** true: peer is a client, frames must be masked; false: peer is a server, frames must not be. */
  isServer: boolean;
  /** Max message (and frame) payload bytes → close 1009. Default 100 MiB (ws's default). */
  maxPayload?: number;
  /** Max frames in one fragmented message → close 1009. */
  maxFragments?: number;
  /** Set when permessage-deflate was negotiated: RSV1 is then legal on the first frame of a message. */
  inflate?: MessageInflater;
  /** Who validates text as UTF-8: 'native' (default) Node's buffer.isUtf8, 'engine' the engine's own
   *  validator inside the frame decoder (WebSocketOptions.utf8). */
  utf8?: Utf8Mode;
}

/** See WebSocketOptions.utf8. */
export type Utf8Mode = 'native' | 'engine';

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
  /** Release native zlib memory (the connection is gone). */
  close?(): void;
}

/** Compresses one message's payload (RFC 7692 §7.2.1). */
export interface MessageDeflater {
  deflate(payload: Buffer, fin: boolean, callback: (err: Error | null, data?: Buffer) => void): void;
  /** Release native zlib memory (the connection is gone). */
  close?(): void;
}
