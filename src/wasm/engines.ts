// EngineSet: the engine chosen ONCE (per server, per client) and a factory for every loop that runs
// on it: the request-head parser, the chunked decoder, the WebSocket codec (mask/unmask, UTF-8) and
// the WebSocket frame decoder. Everything below a Server gets its parsers here, so `engine: 'js'`
// means every loop runs on the TypeScript twins (hono's SmartRouter / undici's habit: choose once).
import type { ChunkedDecoder, ChunkedLimits, ChunkedSink } from '../http/chunked/decoder.js';
import { createChunkedDecoder } from '../http/chunked/index.js';
import { headParserFor } from '../http/head/index.js';
import type { HeadLimits, HeadParser } from '../http/head/parser.js';
import { createWsCodec } from '../ws/codec/index.js';
import type { WsCodec } from '../ws/codec/index.js';
import { createFrameDecoder } from '../ws/frame/index.js';
import type { FrameDecoder, FrameDecoderConfig } from '../ws/frame/index.js';
import { resolveEngine } from './instance.js';
import type { EngineKind, EngineOption } from './instance.js';

export class EngineSet {
  /** The engine every loop of this set runs on. */
  readonly kind: EngineKind;

  /** `requested`: an engine, or 'auto'/undefined (WASMLANE_ENGINE, read here once, else the best that runs). */
  constructor(requested?: EngineOption) {
    this.kind = resolveEngine(requested);
  }

  /** A head parser; `limits` already validated (resolveHeadLimits), so a connection pays no check. */
  headParser(limits: HeadLimits): HeadParser {
    return headParserFor(this.kind, limits);
  }

  chunkedDecoder(sink: ChunkedSink, limits?: Partial<ChunkedLimits>): ChunkedDecoder {
    return createChunkedDecoder(this.kind, sink, limits);
  }

  /** Mask/unmask and UTF-8 validation (one shared codec per engine). */
  wsCodec(): WsCodec {
    return createWsCodec(this.kind);
  }

  frameDecoder(config: FrameDecoderConfig): FrameDecoder {
    return createFrameDecoder(config, this.kind);
  }
}
