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
export type { ServerConfig, ServerOptions, RequestConfig, TlsConfig } from './config.js';
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
export { createHeadParser, resolveHeadLimits, DEFAULT_HEAD_LIMITS, HeadResult } from './http/head/index.js';
export type { HeadParser, HeadLimits } from './http/head/index.js';
export {
  ParsedHead, METHOD_NAMES, methodOf, targetOf, contentLengthOf, headerName, headerValue, findHeader, lowerName,
} from './http/head/index.js';
export { createChunkedDecoder } from './http/chunked/index.js';
export type { ChunkedDecoder, ChunkedSink, ChunkedLimits } from './http/chunked/decoder.js';
export { DEFAULT_CHUNKED_LIMITS } from './http/chunked/decoder.js';
export { createWsCodec } from './ws/codec/index.js';
export type { WsCodec, Utf8Validator } from './ws/codec/index.js';
export type { ReceiverOptions, ReceiverEvents } from './ws/protocol.js';
export { Receiver } from './ws/receiver.js';
export { isValidCloseCode } from './ws/close-codes.js';
export { encodeFrame, prepareFrame } from './ws/frame/encode.js';
export { Router, joinPaths } from './router.js';
export {
  DEFAULT_REQUEST_CONFIG, STRICT_REQUEST_CONFIG, RELAXED_REQUEST_CONFIG, DEFAULT_SERVER_CONFIG, headLimitsFrom,
} from './config.js';

// --- Cookies and forms (issue 9): ctx.request.cookie()/signedCookie()/form()/parts(), ctx.setCookie() ---
export { cookies } from './middleware/cookies.js';
export type { CookiesOptions } from './middleware/cookies.js';
export { parseCookies, serializeCookie, serializeClearCookie } from './http/cookies.js';
export type { CookieOptions, SameSite, CookiePriority } from './http/cookies.js';
export { Form, FormFile } from './http/form.js';
export type { FormOptions } from './http/form.js';
export { MultipartPart, MultipartReader, DEFAULT_FORM_LIMITS } from './http/multipart-reader.js';
export type { FormLimits } from './http/multipart-reader.js';
export { MultipartParser } from './http/multipart.js';
export type { MultipartSink } from './http/multipart.js';
export type { Peer } from './http/request.js';

// --- Batteries: CORS and compression (issue 9) ---
export type { MiddlewarePlugin } from './route-registrar.js';
export type { StreamFilter } from './http/stream-types.js';
export { cors } from './middleware/cors.js';
export type { CorsOptions, OriginFunction, OriginVerdict } from './middleware/cors.js';
export { compress, isCompressible } from './middleware/compress.js';
export type { CompressOptions, Encoding } from './middleware/compress.js';
export { negotiateEncoding, parseAcceptEncoding } from './middleware/accept-encoding.js';

// --- Static files (issue 9): serveStatic(root, options), docs/static.md ---
export { serveStatic } from './middleware/static.js';
export type { StaticOptions, StaticHandler } from './middleware/static.js';
export type { StreamOptions, BodyProducer } from './context.js';

// --- Types (issue 9): typed params per level, ws.data from upgrade, WebSocket events; docs/types.md ---
export type { WebSocketEvents, WebSocketListener } from './ws/websocket.js';
export type { RouteHandler, LevelContext } from './route-registrar.js';
export type { JoinPattern, ParamNames } from './router.js';
export type { RouteRegistrar } from './route-registrar.js';

// --- Fetch handlers (issue 10): serve(app.fetch), mountFetch(server, prefix, handler), docs/fetch.md ---
export { serve, mountFetch, fetchHandler, installFetchGlobals, restoreFetchGlobals, FetchRequest, FetchResponse, LazyRequest } from './fetch/index.js';
export type { FetchHandler, FetchEnv, FetchMountOptions, ServeOptions, ServedServer } from './fetch/index.js';

// --- Scale-out (issue 11): cluster() on every core, pluggable topic brokers, docs/scaling.md ---
export type { TopicBroker, BrokerLink } from './broker.js';
export type { ServerInit } from './server.js';
export { cluster, ClusterPrimary, ClusterWorker, ClusterBroker } from './cluster/index.js';
export type { ClusterOptions, Cluster, ClusterStats, WorkerReport, WorkerStats, BrokerCounters } from './cluster/index.js';

// --- Hook phases, logging, server extras (issue 9): docs/hooks.md, docs/logging.md ---
export type { Logger } from './logger.js';
export type { ConnectionHook, ConnectionInfo, ResponseHook, ResponseInfo } from './lifecycle.js';
export type { RouteInfo } from './app.js';
