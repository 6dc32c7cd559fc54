// The `http2` option: true (the defaults), some settings, or off; it needs `tls` (no cleartext h2c);
// unknown keys and bad values are refused like every other option, also from JSON.
import { describe, expect, it } from 'vitest';
import { DEFAULT_HTTP2_CONFIG, loadServerConfig, resolveServerConfig } from '../../src/config.js';
import { headerListSize, sessionOptions } from '../../src/h2/gateway.js';
import { configError } from '../support/config-error.js';
import { opensslOrSkip } from '../support/certs.js';
import { testCerts } from '../tls/helpers.js';

const hasOpenssl = opensslOrSkip('h2 config.test');

describe.skipIf(!hasOpenssl)('the http2 option', () => {
  const tls = () => ({ key: testCerts().leaf.key, cert: testCerts().leaf.cert });

  it('true takes the defaults; an object overrides some; false and null turn it off', () => {
    expect(resolveServerConfig({ tls: tls(), http2: true }).http2).toEqual({ maxConcurrentStreams: 100, initialWindowSize: 65535, maxSessionMemory: 10 });
    expect(resolveServerConfig({ tls: tls(), http2: { maxConcurrentStreams: 7 } }).http2)
      .toEqual({ ...DEFAULT_HTTP2_CONFIG, maxConcurrentStreams: 7 });
    expect(resolveServerConfig({ tls: tls(), http2: false }).http2).toBeNull();
    expect(resolveServerConfig({ http2: null }).http2).toBeNull();
    expect(resolveServerConfig({}).http2).toBeNull();
    expect(Object.isFrozen(resolveServerConfig({ tls: tls(), http2: { initialWindowSize: 1 << 20 } }).http2)).toBe(true);
  });

  it('needs tls: cleartext h2c is not offered', () => {
    expect(configError(() => resolveServerConfig({ http2: true })).message).toContain('http2 needs the tls option');
  });

  it('refuses unknown keys, bad values and other types, naming the key', () => {
    expect(configError(() => resolveServerConfig({ tls: tls(), http2: { maxStreams: 5 } as never })).message)
      .toContain('http2.maxStreams is not a known option (known: maxConcurrentStreams, initialWindowSize, maxSessionMemory)');
    expect(configError(() => resolveServerConfig({ tls: tls(), http2: { maxConcurrentStreams: 0 } })).message)
      .toContain('http2.maxConcurrentStreams must be an integer in 1..2147483647');
    expect(configError(() => resolveServerConfig({ tls: tls(), http2: 'yes' as never })).message)
      .toContain('http2 must be true, false, null or an object of HTTP/2 settings, got "yes"');
  });

  it('loads from JSON', () => {
    const config = loadServerConfig(JSON.stringify({ tls: tls(), http2: { maxConcurrentStreams: 250 } }));
    expect(config.http2?.maxConcurrentStreams).toBe(250);
  });

  it('the session SETTINGS follow the request limits', () => {
    const request = resolveServerConfig({ preset: 'strict' }).request;
    const options = sessionOptions(DEFAULT_HTTP2_CONFIG, request);
    expect(headerListSize(request)).toBe(8 * 1024 + 32 * (50 + 5));
    expect(options.settings).toEqual({ maxConcurrentStreams: 100, initialWindowSize: 65535, enablePush: false, maxHeaderListSize: headerListSize(request) });
    expect(options.maxHeaderListPairs).toBe(Math.floor(headerListSize(request) / 32));
  });
});
