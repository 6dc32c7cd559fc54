// WebSocket route / client options: one validated, frozen record per route (resolved at registration,
// never per connection — fastify's habit), with the defaults documented beside each field.
import { WasmlaneError } from '../errors.js';
import { ENGINE_OPTIONS, resolveEngine, type EngineKind, type EngineOption } from '../wasm/instance.js';
import type { UpgradeRequest } from '../http/stream-types.js';
import type { Utf8Mode } from './protocol.js';

/** permessage-deflate parameters (RFC 7692 §7.1). `true` means all defaults. */
export interface PerMessageDeflateOptions {
  /** Ask/allow the server to reset its compression context per message (§7.1.1.1). Default false. */
  serverNoContextTakeover?: boolean;
  /** Ask/allow the client to reset its compression context per message (§7.1.1.2). Default false. */
  clientNoContextTakeover?: boolean;
  /** LZ77 window of the server's compressor, 8–15 (§7.1.2.1). Default 15. */
  serverMaxWindowBits?: number;
  /** LZ77 window of the client's compressor, 8–15 (§7.1.2.2). Default 15. */
  clientMaxWindowBits?: number;
  /** Messages shorter than this many bytes are sent uncompressed (RSV1 clear). Default 1024. */
  threshold?: number;
}

export type SlowConsumerPolicy = 'drop' | 'close';

export interface WebSocketOptions {
  /** Largest message (after reassembly and inflation) accepted; over it → close 1009. Default 16 MiB:
   *  ws allows 100 MiB, but a server shared by many clients should not hold 100 MiB per socket. */
  maxPayload?: number;
  /** Most frames in one fragmented message; over it → close 1009. Default 1024. */
  maxFragments?: number;
  /** Negotiate permessage-deflate (RFC 7692). Default false (off): compression costs CPU and memory. */
  perMessageDeflate?: boolean | PerMessageDeflateOptions;
  /** Ping every N ms; a peer that has not ponged by the next tick is terminated (1006). 0 = off. Default 30 000. */
  heartbeatIntervalMs?: number;
  /** After sending a close frame, wait this long for the peer's close / TCP end, then destroy. Default 5 000. */
  closeTimeoutMs?: number;
  /** Broadcast (publish) skips or closes a subscriber whose bufferedAmount is above this, and reading
   *  stops while bufferedAmount is above it (read backpressure, src/ws/flow.ts). Default 1 MiB. */
  maxBufferedAmount?: number;
  /** 'drop' (default): skip the message for that subscriber only. 'close': close it with 1008. */
  slowConsumerPolicy?: SlowConsumerPolicy;
  /** Most automatic pongs written and not yet flushed to the kernel; a ping that needs one more
   *  closes the connection with 1008 (WL_WS_TOO_MANY_PENDING_PONGS). Default 64. */
  maxPendingPongs?: number;
  /** Subprotocols the server speaks; the first one the client offers wins (RFC 6455 §4.2.2). */
  protocols?: string[];
  /** Pick a subprotocol yourself (overrides `protocols`); return one of `offered` or false for none. */
  handleProtocols?: (offered: readonly string[], request: UpgradeRequest) => string | false | undefined | null;
  /** Frame codec and decoder engine. Default 'auto': on a server route the server's engine
   *  (server.engines.kind), on connect() WASMLANE_ENGINE, else the best available. An explicit engine is
   *  resolved once, when the options are. */
  engine?: EngineOption;
  /** Who validates text messages as UTF-8 (RFC 6455 §8.1). 'native' (default): Node's buffer.isUtf8
   *  (simdutf, C++), faster than the WASM validator on every input measured (bench ws-utf8), so the
   *  product path uses it on every engine. 'engine': the engine's own validator (WASM SIMD, WASM or
   *  the TS twin) inside the frame decoder's pass — the twin kept for comparison (docs/websocket-protocol.md). */
  utf8?: Utf8Mode;
}

export interface ResolvedWebSocketOptions {
  readonly maxPayload: number;
  readonly maxFragments: number;
  readonly perMessageDeflate: Readonly<Required<PerMessageDeflateOptions>> | false;
  readonly heartbeatIntervalMs: number;
  readonly closeTimeoutMs: number;
  readonly maxBufferedAmount: number;
  readonly slowConsumerPolicy: SlowConsumerPolicy;
  readonly maxPendingPongs: number;
  readonly protocols: readonly string[] | undefined;
  readonly handleProtocols: WebSocketOptions['handleProtocols'];
  /** Chosen when the options were resolved; undefined = the server's engine (connect(): resolved there). */
  readonly engine: EngineKind | undefined;
  readonly utf8: Utf8Mode;
}

export const WS_DEFAULTS = Object.freeze({
  maxPayload: 16 * 1024 * 1024,
  maxFragments: 1024,
  heartbeatIntervalMs: 30_000,
  closeTimeoutMs: 5_000,
  maxBufferedAmount: 1024 * 1024,
  slowConsumerPolicy: 'drop' as SlowConsumerPolicy,
  maxPendingPongs: 64,
});

const DEFLATE_DEFAULTS: Required<PerMessageDeflateOptions> = {
  serverNoContextTakeover: false,
  clientNoContextTakeover: false,
  serverMaxWindowBits: 15,
  clientMaxWindowBits: 15,
  threshold: 1024,
};

function invalid(detail: string): never {
  throw new WasmlaneError('WL_INVALID_CONFIG', `websocket ${detail}`);
}

/** The keys of WebSocketOptions: anything else is a typo, rejected like server options (src/config.ts). */
export const WS_OPTION_KEYS: readonly (keyof WebSocketOptions)[] = Object.freeze([
  'maxPayload', 'maxFragments', 'perMessageDeflate', 'heartbeatIntervalMs', 'closeTimeoutMs', 'maxBufferedAmount',
  'slowConsumerPolicy', 'maxPendingPongs', 'protocols', 'handleProtocols', 'engine', 'utf8',
] as const);

const DEFLATE_KEYS: readonly (keyof PerMessageDeflateOptions)[] = Object.freeze([
  'serverNoContextTakeover', 'clientNoContextTakeover', 'serverMaxWindowBits', 'clientMaxWindowBits', 'threshold',
] as const);

/** Throw WL_INVALID_CONFIG naming the first own key of `object` not in `known`, with the known ones. */
export function rejectUnknownKeys(object: object, known: readonly string[], prefix: string): void {
  for (const key of Object.keys(object)) {
    if (!known.includes(key)) invalid(`${prefix}${key} is not a known option (known: ${known.join(', ')})`);
  }
}

function count(value: unknown, name: string, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    invalid(`${name} must be an integer ≥ ${min}`);
  }
  return value;
}

function resolveDeflate(value: WebSocketOptions['perMessageDeflate']): ResolvedWebSocketOptions['perMessageDeflate'] {
  if (value === undefined || value === false) return false;
  if (value === true) return Object.freeze({ ...DEFLATE_DEFAULTS });
  if (typeof value !== 'object' || value === null) invalid('perMessageDeflate must be a boolean or an object');
  rejectUnknownKeys(value, DEFLATE_KEYS, 'perMessageDeflate.');
  const merged = { ...DEFLATE_DEFAULTS, ...value };
  for (const bits of [merged.serverMaxWindowBits, merged.clientMaxWindowBits]) {
    // RFC 7692 §7.1.2: window bits are 8..15.
    if (!Number.isInteger(bits) || bits < 8 || bits > 15) invalid('perMessageDeflate window bits must be 8..15');
  }
  count(merged.threshold, 'perMessageDeflate.threshold', 0, 0);
  return Object.freeze(merged);
}

/**
 * Validate and complete options; throws WasmlaneError('WL_INVALID_CONFIG') on a bad value or an
 * unknown key (a typo such as `maxPayLoad` must not silently leave the default in place).
 * `known` is the accepted key set (connect() passes its own, without handleProtocols).
 */
export function resolveWebSocketOptions(options?: unknown, known: readonly string[] = WS_OPTION_KEYS): ResolvedWebSocketOptions {
  if (options !== undefined && (typeof options !== 'object' || options === null)) invalid('options must be an object');
  if (options !== undefined) rejectUnknownKeys(options, known, '');
  const o = (options ?? {}) as WebSocketOptions;
  const policy = o.slowConsumerPolicy ?? WS_DEFAULTS.slowConsumerPolicy;
  if (policy !== 'drop' && policy !== 'close') invalid("slowConsumerPolicy must be 'drop' or 'close'");
  if (o.protocols !== undefined && (!Array.isArray(o.protocols) || o.protocols.some((p) => typeof p !== 'string'))) {
    invalid('protocols must be an array of strings');
  }
  if (o.handleProtocols !== undefined && typeof o.handleProtocols !== 'function') invalid('handleProtocols must be a function');
  const engine = o.engine ?? 'auto';
  if (!ENGINE_OPTIONS.includes(engine)) invalid(`engine must be one of ${ENGINE_OPTIONS.join(', ')}`);
  const utf8 = o.utf8 ?? 'native';
  if (utf8 !== 'native' && utf8 !== 'engine') invalid("utf8 must be 'native' or 'engine'");
  return Object.freeze({
    maxPayload: count(o.maxPayload, 'maxPayload', WS_DEFAULTS.maxPayload, 1),
    maxFragments: count(o.maxFragments, 'maxFragments', WS_DEFAULTS.maxFragments, 1),
    perMessageDeflate: resolveDeflate(o.perMessageDeflate),
    heartbeatIntervalMs: count(o.heartbeatIntervalMs, 'heartbeatIntervalMs', WS_DEFAULTS.heartbeatIntervalMs, 0),
    closeTimeoutMs: count(o.closeTimeoutMs, 'closeTimeoutMs', WS_DEFAULTS.closeTimeoutMs, 1),
    maxBufferedAmount: count(o.maxBufferedAmount, 'maxBufferedAmount', WS_DEFAULTS.maxBufferedAmount, 0),
    slowConsumerPolicy: policy,
    maxPendingPongs: count(o.maxPendingPongs, 'maxPendingPongs', WS_DEFAULTS.maxPendingPongs, 1),
    protocols: o.protocols === undefined ? undefined : Object.freeze([...o.protocols]),
    handleProtocols: o.handleProtocols,
    engine: engine === 'auto' ? undefined : resolveEngine(engine),
    utf8,
  });
}
