// Frame decoder factory: the twin for an engine already chosen by the caller (the Server or
// connect() resolves it once per connection; nothing here reads WASMLANE_ENGINE).
import { loadWasm, type EngineKind } from '../../wasm/instance.js';
import type { FrameDecoder, FrameDecoderConfig } from './decoder.js';
import { JsFrameDecoder } from './js.js';
import { WasmFrameDecoder } from './wasm.js';

export type { FrameDecoder, FrameDecoderConfig } from './decoder.js';
export { bulkRemain } from './decoder.js';
export { JsFrameDecoder } from './js.js';
export { WasmFrameDecoder } from './wasm.js';

export function createFrameDecoder(config: FrameDecoderConfig, kind: EngineKind): FrameDecoder {
  return kind === 'js' ? new JsFrameDecoder(config) : new WasmFrameDecoder(loadWasm(kind)!, config);
}
