// Public exports of wasmlane (a plain export list; each layer adds its own lines).
export { Server } from './server.js';
export type { RequestErrorHook, PanicHook } from './server.js';
export { Status } from './hooks.js';
export type { Middleware, StepResult } from './hooks.js';
export { Context } from './context.js';
export type { Params } from './context.js';
export { RouteGroup } from './route-registrar.js';
export type { Handler, RouteOptions } from './route-registrar.js';
export type { Request, HttpVersion } from './http/request.js';
export type { RequestBody } from './http/body.js';
export type { ResponseState } from './http/response.js';
export type { ResponseStream, UpgradeRequest } from './http/stream-types.js';
export type { InjectOptions, InjectResponse } from './inject.js';
export { STATUS_TEXT } from './http/status-lines.js';
export { WasmlaneError, ERRORS } from './errors.js';
export type { ErrorCode } from './errors.js';
export { resolveServerConfig, loadServerConfig } from './config.js';
export type { ServerConfig, ServerOptions, RequestConfig } from './config.js';
export type { RouteParams, RouteMatch } from './router.js';
export { availableEngines } from './wasm/instance.js';
export type { EngineKind } from './wasm/instance.js';
export { connect } from './ws/client.js';
export type { ConnectOptions } from './ws/client.js';
export { WebSocket } from './ws/websocket.js';
export type { WebSocketHandlers } from './ws/websocket.js';
export type { WebSocketOptions, PerMessageDeflateOptions, SlowConsumerPolicy } from './ws/options.js';
export type { UpgradeVerdict } from './ws/upgrade.js';
export { TopicRegistry } from './pubsub.js';
export type { TopicSubscriber, PublishedMessage } from './pubsub.js';
export { SseStream } from './sse.js';
export type { SseOptions, SseEvent, SseSubscribeOptions } from './sse.js';

// --- Low-level API: the parsers and codecs behind the server, for proxies, tools and benchmarks ---
export * as abi from './abi.js';
export { errorFromAbi, codeForAbi } from './errors.js';
export type { ErrorSpec } from './errors.js';
export { resolveEngine, loadWasm } from './wasm/instance.js';
export { createHeadParser, resolveHeadLimits } from './http/head-parsers.js';
export type { HeadParser, HeadLimits } from './http/head-parser.js';
export { DEFAULT_HEAD_LIMITS } from './http/head-parser.js';
export {
  ParsedHead, METHOD_NAMES, methodOf, targetOf, contentLengthOf, headerName, headerValue, findHeader, lowerName,
} from './http/head-result.js';
export { createChunkedDecoder } from './http/chunked-decoders.js';
export type { ChunkedDecoder, ChunkedSink, ChunkedLimits } from './http/chunked.js';
export { DEFAULT_CHUNKED_LIMITS } from './http/chunked.js';
export { createWsCodec } from './ws/codecs.js';
export type { WsCodec, Utf8Validator, ReceiverOptions, ReceiverEvents } from './ws/protocol.js';
export { Receiver, isValidCloseCode } from './ws/receiver.js';
export { Sender, encodeFrame, prepareFrame } from './ws/sender.js';
export { Router, joinPaths } from './router.js';
export {
  DEFAULT_REQUEST_CONFIG, STRICT_REQUEST_CONFIG, RELAXED_REQUEST_CONFIG, DEFAULT_SERVER_CONFIG, headLimitsFrom,
} from './config.js';

// --- Static files (issue 9): serveStatic(root, options), docs/static.md ---
export { serveStatic } from './middleware/static.js';
export type { StaticOptions, StaticHandler } from './middleware/static.js';
export type { StreamOptions, BodyProducer } from './context.js';
