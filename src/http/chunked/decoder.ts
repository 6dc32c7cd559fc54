// The chunked transfer-coding decoder interface (RFC 9112 §7.1): one implementation per engine,
// all driving the same state machine over the chunk table in src/abi.ts (C_* slots).
//
// Contract: decode(buf, start, end) consumes body bytes buf[start, end) incrementally — any split,
// down to one byte per call, gives the same data and trailers as one call. Data is handed to
// sink.data as spans of the caller's own buffer (no copy). Trailer fields are validated with the
// same field grammar as the head (RFC 9112 §7.1.2) and handed to sink.trailer as latin1 strings.
// Returns the bytes consumed from buf: all of them, unless the message completed inside this
// buffer (then `done` is true and the rest belongs to the next message), or a negative abi.E_* code
// (then the decoder stays failed until reset()).
import type { EngineKind } from '../../wasm/instance.js';

export interface ChunkedLimits {
  /** Max hex digits of one chunk-size, leading zeros included (≥ 1) → E_CHUNK_SIZE_TOO_LONG. The
   *  grammar allows any number of leading zeros (RFC 9112 §7.1); this bounds a line of `000…`. The
   *  value is bounded separately (≤ 2^53 - 1, E_CHUNK_SIZE_OVERFLOW). */
  readonly maxChunkSizeDigits: number;
  /** Max bytes of chunk extensions on one chunk-size line → E_CHUNK_EXT_TOO_LONG. */
  readonly maxExtensionLength: number;
  /** Max trailer field lines → E_TOO_MANY_HEADERS. */
  readonly maxTrailerCount: number;
  /** Max bytes of one trailer field line → E_HEADER_VALUE_TOO_LONG. */
  readonly maxTrailerLineLength: number;
}

export const DEFAULT_CHUNKED_LIMITS: ChunkedLimits = Object.freeze({
  // 2^53 - 1 takes 14 hex digits; 64 leaves room for any fixed-width zero padding a client uses.
  maxChunkSizeDigits: 64,
  maxExtensionLength: 1024,
  maxTrailerCount: 32,
  maxTrailerLineLength: 8192,
});

export interface ChunkedSink {
  data(buf: Uint8Array, start: number, end: number): void;
  trailer?(name: string, value: string): void;
}

export interface ChunkedDecoder {
  readonly engine: EngineKind;
  /** True once the last chunk and the trailer section have been consumed. */
  readonly done: boolean;
  decode(buf: Uint8Array, start: number, end: number): number;
  /** Start a new body (keep-alive reuse). */
  reset(): void;
}
