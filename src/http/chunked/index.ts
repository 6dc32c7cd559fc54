// Factory for chunked decoders: picks the engine (explicit, WASMLANE_ENGINE, or the best available)
// and builds the matching implementation of the ChunkedDecoder interface.
import { resolveEngine, type EngineKind } from '../../wasm/instance.js';
import type { ChunkedLimits, ChunkedSink } from './decoder.js';
import type { ChunkedDecoderBase } from './host.js';
import { JsChunkedDecoder } from './js/decoder.js';
import { WasmChunkedDecoder } from './wasm.js';

export { ChunkedDecoderBase, resolveChunkedLimits } from './host.js';
export { JsChunkedDecoder } from './js/decoder.js';
export { WasmChunkedDecoder } from './wasm.js';

export function createChunkedDecoder(
  engine: EngineKind | 'auto' | undefined,
  sink: ChunkedSink,
  limits?: Partial<ChunkedLimits>,
): ChunkedDecoderBase {
  const kind = resolveEngine(engine);
  return kind === 'js' ? new JsChunkedDecoder(sink, limits) : new WasmChunkedDecoder(kind, sink, limits);
}
