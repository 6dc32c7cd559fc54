// Factory for chunked decoders: picks the engine (explicit, WASMLANE_ENGINE, or the best available)
// and builds the matching implementation of the ChunkedDecoder interface.
import { resolveEngine, type EngineKind } from '../wasm/instance.js';
import type { ChunkedLimits, ChunkedSink } from './chunked.js';
import type { ChunkedDecoderBase } from './chunked-host.js';
import { JsChunkedDecoder } from './chunked-js.js';
import { WasmChunkedDecoder } from './chunked-wasm.js';

export { ChunkedDecoderBase, resolveChunkedLimits } from './chunked-host.js';
export { JsChunkedDecoder } from './chunked-js.js';
export { WasmChunkedDecoder } from './chunked-wasm.js';

export function createChunkedDecoder(
  engine: EngineKind | 'auto' | undefined,
  sink: ChunkedSink,
  limits?: Partial<ChunkedLimits>,
): ChunkedDecoderBase {
  const kind = resolveEngine(engine);
  return kind === 'js' ? new JsChunkedDecoder(sink, limits) : new WasmChunkedDecoder(kind, sink, limits);
}
