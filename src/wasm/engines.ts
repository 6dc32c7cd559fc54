// EngineSet: the engine chosen ONCE (per server, per client) and a factory for every loop that runs
// on it: the request-head parser, the chunked decoder, the WebSocket codec (mask/unmask, UTF-8) and
// the WebSocket frame decoder. Everything below a Server gets its parsers here, so `engine: 'js'`
// means every loop runs on the TypeScript twins (hono's SmartRouter / undici's habit: choose once).
import type { ChunkedDecoder, ChunkedLimits, ChunkedSink } from '../http/chunked.js';
import { createChunkedDecoder } from '../http/chunked-decoders.js';
import type { HeadLimits, HeadParser } from '../http/head-parser.js';
import { JsHeadParser } from '../http/head-parser-js.js';
import { WasmHeadParser } from '../http/head-parser-wasm.js';
import { createWsCodec } from '../ws/codecs.js';
import { createFrameDecoder } from '../ws/frame-decoder.js';
import type { FrameDecoder, FrameDecoderConfig } from '../ws/frame-decoder.js';
import type { WsCodec } from '../ws/protocol.js';
import { loadWasm, resolveEngine } from './instance.js';
import type { EngineKind, EngineOption, WasmInstance } from './instance.js';

export class EngineSet {
  /** The engine every loop of this set runs on. */
  readonly kind: EngineKind;
  readonly #wasm: WasmInstance | null;

  /** `requested`: an engine, or 'auto'/undefined (WASMLANE_ENGINE, read here once, else the best that runs). */
  constructor(requested?: EngineOption) {
    this.kind = resolveEngine(requested);
    this.#wasm = this.kind === 'js' ? null : loadWasm(this.kind);
  }

  /** A head parser; `limits` already validated (resolveHeadLimits), so a connection pays no check. */
  headParser(limits: HeadLimits): HeadParser {
    return this.#wasm === null ? new JsHeadParser(limits) : new WasmHeadParser(this.#wasm, limits);
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
