// Frame decoder factory: the twin for an engine (WASMLANE_ENGINE honoured by resolveEngine).
import { loadWasm, resolveEngine, type EngineKind } from '../../wasm/instance.js';
import type { FrameDecoder, FrameDecoderConfig } from './decoder.js';
import { JsFrameDecoder } from './js.js';
import { WasmFrameDecoder } from './wasm.js';

export type { FrameDecoder, FrameDecoderConfig } from './decoder.js';
export { JsFrameDecoder } from './js.js';
export { WasmFrameDecoder } from './wasm.js';

export function createFrameDecoder(config: FrameDecoderConfig, engine?: EngineKind | 'auto'): FrameDecoder {
  const kind = resolveEngine(engine);
  return kind === 'js' ? new JsFrameDecoder(config) : new WasmFrameDecoder(loadWasm(kind)!, config);
}
