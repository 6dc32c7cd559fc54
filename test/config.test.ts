import { describe, expect, it } from 'vitest';
import {
  DEFAULT_REQUEST_CONFIG,
  DEFAULT_SERVER_CONFIG,
  RELAXED_REQUEST_CONFIG,
  STRICT_REQUEST_CONFIG,
  headLimitsFrom,
  loadServerConfig,
  resolveServerConfig,
} from '../src/config.js';
import type { RequestConfig, ServerOptions } from '../src/config.js';
import { INPUT_SIZE, MAX_HEADERS } from '../src/abi.js';
import { DEFAULT_HEAD_LIMITS } from '../src/http/head/parser.js';
import { configError } from './support/config-error.js';

describe('defaults and presets', () => {
  it('no options → the documented defaults, frozen', () => {
    const config = resolveServerConfig();
    expect(config).toEqual(DEFAULT_SERVER_CONFIG);
    expect(config).toMatchObject({ host: '0.0.0.0', port: 8080, backlog: 511, nodelay: true, keepAlive: true, engine: 'auto', highWaterMark: 65536 });
    expect(config.request).toEqual({
      bufferSize: 16384, maxPathSize: 8192, maxHeaderCount: 100, maxHeaderKeySize: 256, maxHeaderValueSize: 8192,
      maxBodySize: 1048576, headTimeoutMs: 10000, readTimeoutMs: 30000, idleTimeoutMs: 5000, maxRequestsPerConnection: 0,
      requestTimeoutMs: 300000, handlerTimeoutMs: 0, strictTarget: false,
    });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.request)).toBe(true);
    expect(resolveServerConfig({})).toEqual(config);
  });

  it('the default request config agrees with the head parser defaults', () => {
    expect(headLimitsFrom(DEFAULT_REQUEST_CONFIG)).toEqual(DEFAULT_HEAD_LIMITS);
  });

  it('strict is tighter and relaxed looser than default on every size limit', () => {
    const sizes: Array<Exclude<keyof RequestConfig, 'strictTarget'>> = ['bufferSize', 'maxPathSize', 'maxHeaderCount', 'maxHeaderKeySize', 'maxHeaderValueSize', 'maxBodySize', 'headTimeoutMs', 'requestTimeoutMs'];
    for (const key of sizes) {
      expect(STRICT_REQUEST_CONFIG[key], key).toBeLessThan(DEFAULT_REQUEST_CONFIG[key]);
      expect(RELAXED_REQUEST_CONFIG[key], key).toBeGreaterThan(DEFAULT_REQUEST_CONFIG[key]);
    }
    expect(RELAXED_REQUEST_CONFIG.bufferSize).toBe(INPUT_SIZE);
    expect(RELAXED_REQUEST_CONFIG.maxHeaderCount).toBe(MAX_HEADERS);
  });

  it('every preset passes its own validation', () => {
    for (const preset of ['default', 'strict', 'relaxed'] as const) {
      const expected = { default: DEFAULT_REQUEST_CONFIG, strict: STRICT_REQUEST_CONFIG, relaxed: RELAXED_REQUEST_CONFIG }[preset];
      expect(resolveServerConfig({ preset }).request).toEqual(expected);
      expect(resolveServerConfig({ request: { ...expected } }).request).toEqual(expected);
    }
  });
});

describe('merging', () => {
  it('options override the preset key by key; the rest stays', () => {
    const config = resolveServerConfig({ preset: 'strict', port: 0, host: '127.0.0.1', request: { maxBodySize: 10 } });
    expect(config.port).toBe(0);
    expect(config.host).toBe('127.0.0.1');
    expect(config.backlog).toBe(DEFAULT_SERVER_CONFIG.backlog);
    expect(config.request).toEqual({ ...STRICT_REQUEST_CONFIG, maxBodySize: 10 });
  });

  it('explicit undefined keeps the default', () => {
    const config = resolveServerConfig({ port: undefined, request: { bufferSize: undefined } });
    expect(config).toEqual(DEFAULT_SERVER_CONFIG);
  });

  it('does not mutate the options nor the presets', () => {
    const options: ServerOptions = { request: { maxHeaderCount: 10 } };
    const snapshot = structuredClone(options);
    const config = resolveServerConfig(options);
    expect(options).toEqual(snapshot);
    expect(config.request).not.toBe(options.request);
    expect(DEFAULT_REQUEST_CONFIG.maxHeaderCount).toBe(100);
  });

  it('accepts the boundary values', () => {
    const config = resolveServerConfig({
      port: 65535, backlog: 1, keepAliveInitialDelayMs: 0, highWaterMark: 1, engine: 'js',
      request: { bufferSize: INPUT_SIZE, maxHeaderCount: MAX_HEADERS, headTimeoutMs: 0, readTimeoutMs: 2 ** 31 - 1, maxBodySize: Number.MAX_SAFE_INTEGER, maxRequestsPerConnection: 0 },
    });
    expect(config.request.bufferSize).toBe(65536);
    expect(config.request.maxHeaderCount).toBe(256);
    expect(resolveServerConfig({ port: 0, request: { bufferSize: 1, maxHeaderCount: 1 } }).port).toBe(0);
  });
});

describe('validation errors name the key and the value', () => {
  const BAD: Array<[options: unknown, key: string, value: string]> = [
    [{ prot: 8080 }, 'prot', 'not a known option'],
    [{ request: { bufferSise: 1 } }, 'request.bufferSise', 'not a known option'],
    [{ port: 65536 }, 'port', '65536'],
    [{ port: -1 }, 'port', '-1'],
    [{ port: 80.5 }, 'port', '80.5'],
    [{ port: '8080' }, 'port', '"8080"'],
    [{ port: Number.NaN }, 'port', 'NaN'],
    [{ backlog: 0 }, 'backlog', '0'],
    [{ host: '' }, 'host', '""'],
    [{ host: 42 }, 'host', '42'],
    [{ host: 'a b' }, 'host', '"a b"'],
    [{ nodelay: 'yes' }, 'nodelay', '"yes"'],
    [{ keepAlive: 1 }, 'keepAlive', '1'],
    [{ keepAliveInitialDelayMs: -5 }, 'keepAliveInitialDelayMs', '-5'],
    [{ engine: 'simd' }, 'engine', '"simd"'],
    [{ highWaterMark: 0 }, 'highWaterMark', '0'],
    [{ preset: 'loose' }, 'preset', '"loose"'],
    [{ request: 5 }, 'request', '5'],
    [{ request: [] }, 'request', 'an array'],
    [{ request: { bufferSize: 65537 } }, 'request.bufferSize', '65537'],
    [{ request: { bufferSize: 0 } }, 'request.bufferSize', '0'],
    [{ request: { maxPathSize: 0 } }, 'request.maxPathSize', '0'],
    [{ request: { maxHeaderCount: 257 } }, 'request.maxHeaderCount', '257'],
    [{ request: { maxHeaderKeySize: 1.5 } }, 'request.maxHeaderKeySize', '1.5'],
    [{ request: { maxHeaderValueSize: null } }, 'request.maxHeaderValueSize', 'null'],
    [{ request: { maxBodySize: 2 ** 53 } }, 'request.maxBodySize', String(2 ** 53)],
    [{ request: { headTimeoutMs: -1 } }, 'request.headTimeoutMs', '-1'],
    [{ request: { readTimeoutMs: 2 ** 31 } }, 'request.readTimeoutMs', String(2 ** 31)],
    [{ request: { idleTimeoutMs: Infinity } }, 'request.idleTimeoutMs', 'Infinity'],
    [{ request: { maxRequestsPerConnection: -1 } }, 'request.maxRequestsPerConnection', '-1'],
    [{ request: { maxBodySize: 10n } }, 'request.maxBodySize', '10n'],
  ];
  for (const [options, key, value] of BAD) {
    it(`${JSON.stringify(options, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))} → ${key}`, () => {
      const err = configError(() => resolveServerConfig(options as ServerOptions));
      expect(err.message.startsWith(`Invalid server or request configuration: ${key} `)).toBe(true);
      expect(err.message).toContain(value);
    });
  }

  it('the message lists the range for integers and the choices for enums', () => {
    expect(configError(() => resolveServerConfig({ request: { maxHeaderCount: 0 } })).message).toContain('1..256');
    expect(configError(() => resolveServerConfig({ engine: 'x' as never })).message).toContain('"wasm-simd"');
    expect(configError(() => resolveServerConfig({ typo: 1 } as never)).message).toContain('known: host, port');
  });

  it('rejects non-object options', () => {
    for (const bad of [null, 5, 'x', [], new Date()]) configError(() => resolveServerConfig(bad as never));
  });

  it('does not accept inherited keys or __proto__ tricks', () => {
    const evil = JSON.parse('{"__proto__": {"port": 1}}') as ServerOptions;
    const err = configError(() => resolveServerConfig(evil));
    expect(err.message).toContain('__proto__');
    configError(() => resolveServerConfig({ toString: 'x' } as never));
  });
});

describe('loadServerConfig', () => {
  it('loads JSON text with the same rules', () => {
    const config = loadServerConfig('{"port": 3000, "preset": "relaxed", "request": {"maxBodySize": 5}}');
    expect(config.port).toBe(3000);
    expect(config.request).toEqual({ ...RELAXED_REQUEST_CONFIG, maxBodySize: 5 });
    expect(Object.isFrozen(config.request)).toBe(true);
  });

  it('loads an already parsed object', () => {
    expect(loadServerConfig({ engine: 'wasm', request: { idleTimeoutMs: 0 } })).toEqual(
      resolveServerConfig({ engine: 'wasm', request: { idleTimeoutMs: 0 } }),
    );
  });

  it('rejects invalid JSON, non-object JSON and bad values', () => {
    expect(configError(() => loadServerConfig('{port: 1}')).message).toContain('JSON is not valid');
    expect(configError(() => loadServerConfig('[1]')).message).toContain('must be an object');
    expect(configError(() => loadServerConfig('null')).message).toContain('must be an object');
    expect(configError(() => loadServerConfig('{"request": {"bufferSize": 100000}}')).message).toContain('request.bufferSize');
    expect(configError(() => loadServerConfig('{"Port": 1}')).message).toContain('Port is not a known option');
  });
});

describe('headLimitsFrom', () => {
  it('maps each request limit to its head-parser limit', () => {
    const request = resolveServerConfig({
      request: { bufferSize: 1001, maxPathSize: 1002, maxHeaderCount: 3, maxHeaderKeySize: 1004, maxHeaderValueSize: 1005, strictTarget: true },
    }).request;
    expect(headLimitsFrom(request)).toEqual({
      maxHeadSize: 1001, maxTargetLength: 1002, maxHeaderCount: 3, maxHeaderNameLength: 1004, maxHeaderValueLength: 1005,
      strictTarget: true,
    });
    expect(Object.isFrozen(headLimitsFrom(request))).toBe(true);
  });
});
