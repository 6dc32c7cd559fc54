// Unknown WebSocket option keys are typos (`maxPayLoad`): like server options (src/config.ts) they
// throw WL_INVALID_CONFIG listing the known keys instead of silently leaving the default in place.
import { describe, expect, it } from 'vitest';
import { connect, Server } from '../../src/index.js';
import { resolveWebSocketOptions } from '../../src/ws/options.js';
import { configError } from '../support/config-error.js';

describe('WebSocket options: unknown keys', () => {
  it('server.ws() rejects an unknown key at registration, naming it and the known keys', () => {
    const server = new Server({ host: '127.0.0.1', port: 0 });
    const error = configError(() => server.ws('/a', {}, { maxPayLoad: 10 } as never));
    expect(error.message).toMatch(/maxPayLoad is not a known option/);
    expect(error.message).toMatch(/known: maxPayload, maxFragments, perMessageDeflate/);
  });

  it('rejects unknown perMessageDeflate keys', () => {
    const error = configError(() => resolveWebSocketOptions({ perMessageDeflate: { treshold: 10 } }));
    expect(error.message).toMatch(/perMessageDeflate\.treshold is not a known option \(known: serverNoContextTakeover/);
  });

  it('accepts every documented key, and resolved options again (the server re-resolves its records)', () => {
    const resolved = resolveWebSocketOptions({
      maxPayload: 1, maxFragments: 1, perMessageDeflate: true, heartbeatIntervalMs: 0, closeTimeoutMs: 1,
      maxBufferedAmount: 0, slowConsumerPolicy: 'close', maxPendingPongs: 1, protocols: ['a'],
      handleProtocols: () => false, engine: 'auto', utf8: 'engine',
    });
    expect(resolveWebSocketOptions(resolved)).toEqual(resolved);
  });

  it("rejects a utf8 other than 'native' or 'engine'", () => {
    const error = configError(() => resolveWebSocketOptions({ utf8: 'simd' }));
    expect(error.message).toMatch(/utf8 must be 'native' or 'engine'/);
  });

  it('connect() rejects an unknown key and handleProtocols (a server-only option)', () => {
    const typo = configError(() => connect('ws://127.0.0.1:1/', { handshakeTimeout: 5 } as never));
    expect(typo.message).toMatch(/connect\(\) handshakeTimeout is not a known option \(known: protocols, headers, handshakeTimeoutMs/);
    const serverOnly = configError(() => connect('ws://127.0.0.1:1/', { handleProtocols: () => false } as never));
    expect(serverOnly.message).toMatch(/handleProtocols is not a known option/);
    expect(serverOnly.message).not.toMatch(/known:.*handleProtocols/);
  });
});
