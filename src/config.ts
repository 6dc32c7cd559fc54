// Server and request configuration: typed defaults, three request presets, and one validator used by
// both the programmatic options and JSON files. Every problem is a WasmlaneError('WL_INVALID_CONFIG')
// naming the key and the bad value; unknown keys are rejected so that a typo cannot silently leave a
// limit at its default. Resolved configs are frozen: the server reads them, never mutates them.
import { INPUT_SIZE, MAX_HEADERS } from './abi.js';
import { WasmlaneError } from './errors.js';
import type { HeadLimits } from './http/head/parser.js';
import { LOGGER_METHODS } from './logger.js';
import type { Logger } from './logger.js';
import { ENGINE_OPTIONS, type EngineOption } from './wasm/instance.js';
import { checkTls, type TlsConfig } from './tls-config.js';

export type { TlsConfig } from './tls-config.js';

export interface RequestConfig {
  /** Max request-head bytes (request line + fields + CRLFCRLF), ≤ 65536 (abi INPUT_SIZE) → 431. */
  bufferSize: number;
  /** Max request-target bytes → 414 (RFC 9112 §3). */
  maxPathSize: number;
  /** Max field lines, ≤ 256 (abi MAX_HEADERS) → 431. */
  maxHeaderCount: number;
  /** Max field-name bytes → 431. */
  maxHeaderKeySize: number;
  /** Max field-value bytes → 431. */
  maxHeaderValueSize: number;
  /** Max body bytes (Content-Length or decoded chunked) → 413. */
  maxBodySize: number;
  /** Time allowed for a whole request head once its first byte arrived (slowloris guard) → 408; 0 disables. */
  headTimeoutMs: number;
  /** Max silence while a body is being received → 408; 0 disables. */
  readTimeoutMs: number;
  /** Total time for a whole request, head and body (Content-Length or chunked), from its first byte
   *  → 408 and close; 0 disables. Like node:http's `requestTimeout` (300 s): a body trickled at 1 byte/s
   *  never trips `readTimeoutMs`, which measures silence only. */
  requestTimeoutMs: number;
  /** Time a handler (with its middleware) has to start a response once the request is routed → 503
   *  `WL_HANDLER_TIMEOUT` and close; 0 = off (the default). Also settable per route. */
  handlerTimeoutMs: number;
  /** Refuse request-target bytes RFC 3986 does not allow but browsers send unencoded
   *  (`| ^ { } \` and backtick, WHATWG URL) → 400. Default false: accept them, as node:http does. */
  strictTarget: boolean;
  /** Keep-alive idle time between requests before the socket is closed; 0 disables. */
  idleTimeoutMs: number;
  /** Requests served on one connection before it is closed (Connection: close); 0 = unlimited. */
  maxRequestsPerConnection: number;
}

/** HTTP/2 over TLS (the `http2` option; docs/http2.md): the session's SETTINGS and memory bound. */
export interface Http2Config {
  /** SETTINGS_MAX_CONCURRENT_STREAMS (RFC 9113 §6.5.2): streams one client may have open at once. */
  maxConcurrentStreams: number;
  /** SETTINGS_INITIAL_WINDOW_SIZE (RFC 9113 §6.9.2): request-body bytes a client may send on one
   *  stream ahead of the handler reading them. */
  initialWindowSize: number;
  /** node:http2's maxSessionMemory, in MiB: a session using more has new streams refused. */
  maxSessionMemory: number;
}

export const DEFAULT_HTTP2_CONFIG: Readonly<Http2Config> = Object.freeze({
  maxConcurrentStreams: 100, // RFC 9113 §6.5.2 recommends no fewer than 100
  initialWindowSize: 65_535, // the protocol's default (RFC 9113 §6.9.2)
  maxSessionMemory: 10, // node:http2's default
});

export type { EngineOption } from './wasm/instance.js';

export interface ServerConfig {
  host: string;
  port: number;
  backlog: number;
  /** TCP_NODELAY (socket.setNoDelay). */
  nodelay: boolean;
  /** SO_KEEPALIVE (socket.setKeepAlive) — TCP probes, unrelated to HTTP keep-alive. */
  keepAlive: boolean;
  keepAliveInitialDelayMs: number;
  engine: EngineOption;
  request: RequestConfig;
  /** Writable/readable stream highWaterMark for sockets and bodies, in bytes. */
  highWaterMark: number;
  /** Open connections (HTTP and upgraded WebSocket ones) above which a new connection is closed at
   *  once (FIN, no response); 0 = unlimited. */
  maxConnections: number;
  /** A pino-compatible logger (info/warn/error/child methods; debug used when present): one line per
   *  response, accept/socket errors, panics. null = no logging. Not JSON-loadable. */
  logger: Logger | null;
  /** Serve HTTPS (and wss) with these node:tls options (src/tls-config.ts; docs/tls.md); null = plain
   *  TCP. JSON-loadable when the key and certificates are PEM strings (Buffers and SNICallback are not). */
  tls: Readonly<TlsConfig> | null;
  /** HTTP/2 over TLS (ALPN "h2", docs/http2.md) with these settings; null = HTTP/1.1 only. Needs
   *  `tls`. As an option: true (the defaults) or some of the Http2Config keys. */
  http2: Readonly<Http2Config> | null;
}

export type Preset = 'default' | 'strict' | 'relaxed';

export type ServerOptions = Partial<Omit<ServerConfig, 'request' | 'http2'>> & {
  request?: Partial<RequestConfig>;
  preset?: Preset;
  /** true: HTTP/2 with the default settings; an object: some settings; false/null: HTTP/1.1 only. */
  http2?: boolean | Partial<Http2Config> | null;
};

const KiB = 1024;
const MiB = 1024 * KiB;
/** setTimeout fires at once (with a warning) above 2^31 - 1 ms, so timeouts are capped there. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

export const DEFAULT_REQUEST_CONFIG: Readonly<RequestConfig> = Object.freeze({
  bufferSize: 16 * KiB, // room for large cookies; Node's default max header size is 16 KiB too
  maxPathSize: 8 * KiB, // RFC 9112 §3 recommends supporting at least 8000 octets
  maxHeaderCount: 100, // Node's default maxHeadersCount (2000) is far above what clients send
  maxHeaderKeySize: 256,
  maxHeaderValueSize: 8 * KiB,
  maxBodySize: 1 * MiB, // fastify's bodyLimit default
  headTimeoutMs: 10_000,
  readTimeoutMs: 30_000,
  idleTimeoutMs: 5_000, // Node's server.keepAliveTimeout
  maxRequestsPerConnection: 0,
  requestTimeoutMs: 300_000,
  handlerTimeoutMs: 0,
  strictTarget: false,
});

/** For servers exposed to untrusted clients with small requests (APIs): smaller limits, faster timeouts. */
export const STRICT_REQUEST_CONFIG: Readonly<RequestConfig> = Object.freeze({
  bufferSize: 8 * KiB,
  maxPathSize: 2 * KiB,
  maxHeaderCount: 50,
  maxHeaderKeySize: 128,
  maxHeaderValueSize: 4 * KiB,
  maxBodySize: 64 * KiB,
  headTimeoutMs: 5_000,
  readTimeoutMs: 10_000,
  idleTimeoutMs: 5_000,
  maxRequestsPerConnection: 1_000,
  requestTimeoutMs: 60_000,
  handlerTimeoutMs: 0,
  strictTarget: false,
});

/** For trusted networks, proxies and uploads: the largest heads the WASM input region holds. */
export const RELAXED_REQUEST_CONFIG: Readonly<RequestConfig> = Object.freeze({
  bufferSize: INPUT_SIZE,
  maxPathSize: 32 * KiB,
  maxHeaderCount: MAX_HEADERS,
  maxHeaderKeySize: 1 * KiB,
  maxHeaderValueSize: 32 * KiB,
  maxBodySize: 16 * MiB,
  headTimeoutMs: 30_000,
  readTimeoutMs: 120_000,
  idleTimeoutMs: 30_000,
  maxRequestsPerConnection: 0,
  requestTimeoutMs: 600_000,
  handlerTimeoutMs: 0,
  strictTarget: false,
});

const PRESETS: Readonly<Record<Preset, Readonly<RequestConfig>>> = Object.freeze({
  default: DEFAULT_REQUEST_CONFIG,
  strict: STRICT_REQUEST_CONFIG,
  relaxed: RELAXED_REQUEST_CONFIG,
});

export const DEFAULT_SERVER_CONFIG: Readonly<ServerConfig> = Object.freeze({
  host: '0.0.0.0', // all IPv4 interfaces, like most servers (and Hyperlane); use '127.0.0.1' for local only
  port: 8080, // Hyperlane uses 60000; 8080 is the conventional unprivileged HTTP port
  backlog: 511, // Node's net.Server default
  nodelay: true, // responses are written corked in one piece, so Nagle only adds latency
  keepAlive: true,
  keepAliveInitialDelayMs: 60_000,
  engine: 'auto',
  request: DEFAULT_REQUEST_CONFIG,
  highWaterMark: 64 * KiB, // Node's default for net sockets' readable side
  maxConnections: 0,
  logger: null,
  tls: null,
  http2: null,
});

// --- validation -----------------------------------------------------------------------------------

type Rule =
  | { readonly type: 'int'; readonly min: number; readonly max: number; readonly note?: string }
  | { readonly type: 'bool' }
  | { readonly type: 'host' }
  | { readonly type: 'logger' }
  | { readonly type: 'tls' }
  | { readonly type: 'http2' }
  | { readonly type: 'enum'; readonly values: readonly string[] };

const int = (min: number, max: number, note?: string): Rule =>
  note === undefined ? { type: 'int', min, max } : { type: 'int', min, max, note };
const TIMEOUT = int(0, MAX_TIMER_MS, '0 disables');

const REQUEST_RULES: Readonly<Record<keyof RequestConfig, Rule>> = {
  bufferSize: int(1, INPUT_SIZE, 'the WASM input region size'),
  maxPathSize: int(1, INPUT_SIZE),
  maxHeaderCount: int(1, MAX_HEADERS, 'the result-table size'),
  maxHeaderKeySize: int(1, INPUT_SIZE),
  maxHeaderValueSize: int(1, INPUT_SIZE),
  maxBodySize: int(1, Number.MAX_SAFE_INTEGER),
  headTimeoutMs: TIMEOUT,
  readTimeoutMs: TIMEOUT,
  idleTimeoutMs: TIMEOUT,
  maxRequestsPerConnection: int(0, Number.MAX_SAFE_INTEGER, '0 = unlimited'),
  requestTimeoutMs: TIMEOUT,
  handlerTimeoutMs: TIMEOUT,
  strictTarget: { type: 'bool' },
};

const SERVER_RULES: Readonly<Record<Exclude<keyof ServerConfig, 'request'>, Rule>> = {
  host: { type: 'host' },
  port: int(0, 65535, '0 = any free port'),
  backlog: int(1, 2 ** 31 - 1),
  nodelay: { type: 'bool' },
  keepAlive: { type: 'bool' },
  keepAliveInitialDelayMs: int(0, MAX_TIMER_MS),
  engine: { type: 'enum', values: ENGINE_OPTIONS },
  highWaterMark: int(1, 2 ** 31 - 1),
  maxConnections: int(0, 2 ** 31 - 1, '0 = unlimited'),
  logger: { type: 'logger' },
  tls: { type: 'tls' },
  http2: { type: 'http2' },
};

const HTTP2_RULES: Readonly<Record<keyof Http2Config, Rule>> = {
  maxConcurrentStreams: int(1, 2 ** 31 - 1),
  initialWindowSize: int(1, 2 ** 31 - 1, 'RFC 9113 §6.9.2'),
  maxSessionMemory: int(1, 2 ** 31 - 1, 'MiB'),
};

const PRESET_RULE: Rule = { type: 'enum', values: Object.keys(PRESETS) };

function fail(key: string, detail: string): never {
  throw new WasmlaneError('WL_INVALID_CONFIG', `${key} ${detail}`);
}

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (value === null || typeof value !== 'object') return String(value);
  return Array.isArray(value) ? 'an array' : 'an object';
}

function checkValue(key: string, value: unknown, rule: Rule): void {
  switch (rule.type) {
    case 'int':
      if (typeof value !== 'number' || !Number.isInteger(value) || value < rule.min || value > rule.max) {
        const note = rule.note === undefined ? '' : ` (${rule.note})`;
        fail(key, `must be an integer in ${rule.min}..${rule.max}${note}, got ${show(value)}`);
      }
      return;
    case 'bool':
      if (typeof value !== 'boolean') fail(key, `must be true or false, got ${show(value)}`);
      return;
    case 'host':
      if (typeof value !== 'string' || value.length === 0 || /\s/.test(value)) {
        fail(key, `must be a non-empty host name or IP address without spaces, got ${show(value)}`);
      }
      return;
    case 'logger': {
      // A logger is an instance (pino's prototype holds its methods), so no plain-object check.
      const target = value as Record<string, unknown> | null;
      if (value === null) return;
      if (typeof value !== 'object' || LOGGER_METHODS.some((m) => typeof target![m] !== 'function')) {
        fail(key, `must be null or a pino-compatible logger with ${LOGGER_METHODS.join(', ')} methods, got ${show(value)}`);
      }
      return;
    }
    case 'tls':
      if (value === null) return;
      if (!isPlainObject(value)) fail(key, `must be null or an object of node:tls options, got ${show(value)}`);
      checkTls(value, (name, detail) => fail(name === '' ? key : `${key}.${name}`, detail));
      return;
    case 'http2':
      if (typeof value === 'boolean' || value === null) return;
      if (!isPlainObject(value)) fail(key, `must be true, false, null or an object of HTTP/2 settings, got ${show(value)}`);
      merge<Http2Config>('http2.', DEFAULT_HTTP2_CONFIG, value, HTTP2_RULES); // throws on a bad key or value
      return;
    case 'enum':
      if (typeof value !== 'string' || !rule.values.includes(value)) {
        fail(key, `must be one of ${rule.values.map((v) => JSON.stringify(v)).join(', ')}, got ${show(value)}`);
      }
      return;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Copy `source`'s defined keys over `base`, rejecting unknown keys and bad values. */
function merge<C extends object>(prefix: string, base: Readonly<C>, source: unknown, rules: Readonly<Record<string, Rule>>): C {
  const out = { ...base } as Record<string, unknown>;
  if (source === undefined) return out as C;
  if (!isPlainObject(source)) fail(prefix === '' ? 'options' : prefix.slice(0, -1), `must be an object, got ${show(source)}`);
  for (const key of Object.keys(source)) {
    const value = source[key];
    const rule = Object.hasOwn(rules, key) ? rules[key] : undefined;
    if (rule === undefined) {
      const known = Object.keys(rules).join(', ');
      fail(`${prefix}${key}`, `is not a known option (known: ${known})`);
    }
    if (value === undefined) continue; // Partial<…>: an explicit undefined means "keep the default"
    checkValue(`${prefix}${key}`, value, rule);
    out[key] = stored(rule, value);
  }
  return out as C;
}

/** The resolved form of a checked value: objects frozen, `http2: true` its defaults. */
function stored(rule: Rule, value: unknown): unknown {
  if (rule.type === 'tls' && value !== null) return Object.freeze({ ...(value as object) });
  if (rule.type === 'http2') {
    if (value === true) return DEFAULT_HTTP2_CONFIG;
    if (value === false || value === null) return null;
    return Object.freeze(merge<Http2Config>('http2.', DEFAULT_HTTP2_CONFIG, value, HTTP2_RULES));
  }
  return value;
}

/** Merge the preset and the options over the defaults, validate everything, freeze the result. */
export function resolveServerConfig(options?: ServerOptions): ServerConfig {
  if (options !== undefined && !isPlainObject(options)) fail('options', `must be an object, got ${show(options)}`);
  const { request, preset, ...server } = (options ?? {}) as ServerOptions & Record<string, unknown>;
  if (preset !== undefined) checkValue('preset', preset, PRESET_RULE);
  const requestBase = PRESETS[preset ?? 'default'];
  const resolvedRequest = Object.freeze(merge<RequestConfig>('request.', requestBase, request, REQUEST_RULES));
  const resolved = merge<Omit<ServerConfig, 'request'>>('', DEFAULT_SERVER_CONFIG, server, SERVER_RULES);
  // RFC 9113 §3.2: HTTP/2 is chosen by ALPN during the TLS handshake; cleartext h2c is not offered.
  if (resolved.http2 !== null && resolved.tls === null) fail('http2', 'needs the tls option (HTTP/2 is offered over TLS with ALPN "h2"; cleartext h2c is not supported)');
  return Object.freeze({ ...resolved, request: resolvedRequest });
}

/** Same as resolveServerConfig, from JSON text or an already parsed object (e.g. a config file). */
export function loadServerConfig(json: string | object): ServerConfig {
  let parsed: unknown = json;
  if (typeof json === 'string') {
    try {
      parsed = JSON.parse(json) as unknown;
    } catch (err) {
      fail('JSON', `is not valid: ${(err as Error).message}`);
    }
  }
  if (!isPlainObject(parsed)) fail('JSON config', `must be an object, got ${show(parsed)}`);
  return resolveServerConfig(parsed as ServerOptions);
}

/** The head-parser limits a request config implies. */
export function headLimitsFrom(request: RequestConfig): HeadLimits {
  return Object.freeze({
    maxTargetLength: request.maxPathSize,
    maxHeaderCount: request.maxHeaderCount,
    maxHeaderNameLength: request.maxHeaderKeySize,
    maxHeaderValueLength: request.maxHeaderValueSize,
    maxHeadSize: request.bufferSize,
    strictTarget: request.strictTarget,
  });
}
