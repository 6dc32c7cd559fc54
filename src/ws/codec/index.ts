// Codec factory: the best engine that runs here, or the one asked for (WASMLANE_ENGINE honoured
// by resolveEngine). Codecs are stateless apart from validators, so one instance per engine is shared.
import { loadWasm, resolveEngine, type EngineKind } from '../../wasm/instance.js';
import { JsWsCodec } from './js.js';
import { WasmWsCodec } from './wasm.js';
import type { WsCodec } from '../protocol.js';

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
