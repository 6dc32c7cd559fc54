// Codec factory: the best engine that runs here, or the one asked for (WASMLANE_ENGINE honoured
// by resolveEngine). Codecs are stateless apart from validators, so one instance per engine is shared.
import { loadWasm, resolveEngine, type EngineKind } from '../../wasm/instance.js';
import { JsWsCodec } from './js.js';
import type { WsCodec } from './types.js';
import { WasmWsCodec } from './wasm.js';

export type { Utf8Validator, WsCodec } from './types.js';
export { JsWsCodec } from './js.js';
export { WasmWsCodec } from './wasm.js';

const codecs = new Map<EngineKind, WsCodec>();

export function createWsCodec(engine?: EngineKind | 'auto'): WsCodec {
  const kind = resolveEngine(engine);
  let codec = codecs.get(kind);
  if (codec === undefined) {
    codec = kind === 'js' ? new JsWsCodec() : new WasmWsCodec(loadWasm(kind)!);
    codecs.set(kind, codec);
  }
  return codec;
}
