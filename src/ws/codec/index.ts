// Codec factory for an engine already chosen by the caller (the Server or connect() resolves it once;
// nothing here reads WASMLANE_ENGINE). Codecs are stateless apart from validators, so one instance
// per engine is shared.
import { loadWasm, type EngineKind } from '../../wasm/instance.js';
import { JsWsCodec } from './js.js';
import type { WsCodec } from './types.js';
import { WasmWsCodec } from './wasm.js';

export type { Utf8Validator, WsCodec } from './types.js';
export { JsWsCodec } from './js.js';
export { WasmWsCodec } from './wasm.js';

const codecs = new Map<EngineKind, WsCodec>();

export function createWsCodec(kind: EngineKind): WsCodec {
  let codec = codecs.get(kind);
  if (codec === undefined) {
    codec = kind === 'js' ? new JsWsCodec() : new WasmWsCodec(loadWasm(kind)!);
    codecs.set(kind, codec);
  }
  return codec;
}
