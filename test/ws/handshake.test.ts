// Opening handshake rules (RFC 6455 §4.1, §4.2.1, §4.2.2) as pure functions.
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import type { UpgradeRequest } from '../../src/http/stream-types.js';
import {
  acceptKey,
  buildAcceptResponse,
  buildClientRequest,
  buildRejectResponse,
  checkUpgradeRequest,
  generateKey,
  hasToken,
  isValidKey,
  parseResponseHead,
  selectProtocol,
  verifyServerAnswer,
} from '../../src/ws/handshake.js';

function request(headers: [string, string][], method = 'GET', version = 11): UpgradeRequest {
  return {
    method,
    path: '/chat',
    query: '',
    version,
    headers,
    params: {},
    remoteAddress: '127.0.0.1',
    secure: false,
    header(name: string) {
      const hit = headers.find(([k]) => k.toLowerCase() === name.toLowerCase());
      return hit?.[1];
    },
  };
}

const GOOD: [string, string][] = [
  ['Host', 'server.example.com'],
  ['Upgrade', 'websocket'],
  ['Connection', 'Upgrade'],
  ['Sec-WebSocket-Key', 'dGhlIHNhbXBsZSBub25jZQ=='],
  ['Sec-WebSocket-Version', '13'],
];

function without(name: string, extra: [string, string][] = []): [string, string][] {
  return [...GOOD.filter(([k]) => k !== name), ...extra];
}

describe('accept key (§1.3, §4.2.2)', () => {
  it('matches the RFC 6455 §1.3 example', () => {
    expect(acceptKey('dGhlIHNhbXBsZSBub25jZQ==')).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
  });
  it('is base64(SHA-1(key + GUID)) for random keys', () => {
    for (let i = 0; i < 20; i++) {
      const key = generateKey();
      const expected = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
      expect(acceptKey(key)).toBe(expected);
      expect(Buffer.from(key, 'base64')).toHaveLength(16);
      expect(isValidKey(key)).toBe(true);
    }
  });
});

describe('Sec-WebSocket-Key validity (§4.2.1 item 5)', () => {
  it.each([
    ['15 bytes', Buffer.alloc(15, 1).toString('base64')],
    ['17 bytes', Buffer.alloc(17, 1).toString('base64')],
    ['no padding', 'dGhlIHNhbXBsZSBub25jZQ'],
    ['bad character', 'dGhlIHNhbXBsZSBub25jZ!=='],
    ['non-zero pad bits', 'dGhlIHNhbXBsZSBub25jZR=='],
    ['empty', ''],
    ['base64url alphabet', '-GhlIHNhbXBsZSBub25jZQ=='],
  ])('rejects %s', (_name, key) => {
    expect(isValidKey(key)).toBe(false);
    const result = checkUpgradeRequest(request(without('Sec-WebSocket-Key', [['Sec-WebSocket-Key', key]])));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.status).toBe(400);
  });
  it('rejects a missing or repeated key', () => {
    const missing = checkUpgradeRequest(request(without('Sec-WebSocket-Key')));
    expect(missing.ok ? 0 : missing.status).toBe(400);
    const twice = checkUpgradeRequest(request([...GOOD, ['Sec-WebSocket-Key', 'dGhlIHNhbXBsZSBub25jZQ==']]));
    expect(twice.ok ? 0 : twice.status).toBe(400);
  });
});

describe('request checks (§4.2.1)', () => {
  it('accepts the RFC example and reports the key', () => {
    const result = checkUpgradeRequest(request(GOOD));
    expect(result).toEqual({ ok: true, key: 'dGhlIHNhbXBsZSBub25jZQ==', protocols: [], extensions: undefined });
  });
  it('accepts case-insensitive tokens inside lists', () => {
    const headers = without('Upgrade', [['Upgrade', 'h2c, WebSocket']]);
    const result = checkUpgradeRequest(request([...headers.filter(([k]) => k !== 'Connection'), ['Connection', 'keep-alive, UPGRADE']]));
    expect(result.ok).toBe(true);
  });
  it.each([
    ['method POST', request(GOOD, 'POST'), 400],
    ['HTTP/1.0', request(GOOD, 'GET', 10), 400],
    ['no Upgrade', request(without('Upgrade')), 400],
    ['Upgrade: h2c', request(without('Upgrade', [['Upgrade', 'h2c']])), 400],
    ['Upgrade: websocketx', request(without('Upgrade', [['Upgrade', 'websocketx']])), 400],
    ['no Connection', request(without('Connection')), 400],
    ['Connection: upgraded', request(without('Connection', [['Connection', 'upgraded']])), 400],
    ['no version', request(without('Sec-WebSocket-Version')), 426],
    ['version 8', request(without('Sec-WebSocket-Version', [['Sec-WebSocket-Version', '8']])), 426],
    ['version 14', request(without('Sec-WebSocket-Version', [['Sec-WebSocket-Version', '14']])), 426],
    ['protocol not a token', request([...GOOD, ['Sec-WebSocket-Protocol', 'chat, a b']]), 400],
    ['duplicate protocol', request([...GOOD, ['Sec-WebSocket-Protocol', 'chat, chat']]), 400],
  ])('rejects %s', (_name, req, status) => {
    const result = checkUpgradeRequest(req);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.status).toBe(status);
    if (status === 426) expect(result.headers['Sec-WebSocket-Version']).toBe('13');
  });
  it('collects protocols across repeated fields in order', () => {
    const result = checkUpgradeRequest(request([...GOOD, ['Sec-WebSocket-Protocol', 'a, b'], ['Sec-WebSocket-Protocol', 'c']]));
    expect(result.ok && result.protocols).toEqual(['a', 'b', 'c']);
  });
});

describe('token lists', () => {
  it('hasToken splits on commas and ignores OWS and case', () => {
    expect(hasToken(' Keep-Alive ,  Upgrade ', 'upgrade')).toBe(true);
    expect(hasToken('upgrade-insecure', 'upgrade')).toBe(false);
    expect(hasToken(undefined, 'upgrade')).toBe(false);
  });
});

describe('subprotocol selection (§4.2.2 item 5.4)', () => {
  it('picks the first offered protocol the server supports', () => {
    expect(selectProtocol(['b', 'a'], ['a', 'b'])).toBe('b');
    expect(selectProtocol(['x'], ['a'])).toBeUndefined();
    expect(selectProtocol([], ['a'])).toBeUndefined();
  });
  it('lets handleProtocols decide, but only among offered values', () => {
    expect(selectProtocol(['a', 'b'], undefined, (o) => o[1])).toBe('b');
    expect(selectProtocol(['a', 'b'], undefined, () => 'zzz')).toBeUndefined();
    expect(selectProtocol(['a', 'b'], ['a'], () => false)).toBeUndefined();
  });
});

describe('responses', () => {
  it('builds a 101 with the accept key, protocol and extensions', () => {
    const text = buildAcceptResponse('dGhlIHNhbXBsZSBub25jZQ==', 'chat', 'permessage-deflate', { 'X-Id': '7' });
    expect(text.startsWith('HTTP/1.1 101 Switching Protocols\r\n')).toBe(true);
    expect(text.endsWith('\r\n\r\n')).toBe(true);
    const head = parseResponseHead(text.slice(0, -4))!;
    expect(head.status).toBe(101);
    expect(head.headers.get('sec-websocket-accept')).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
    expect(head.headers.get('sec-websocket-protocol')).toBe('chat');
    expect(head.headers.get('sec-websocket-extensions')).toBe('permessage-deflate');
    expect(head.headers.get('x-id')).toBe('7');
  });
  it('refuses header injection from hooks', () => {
    expect(() => buildAcceptResponse('dGhlIHNhbXBsZSBub25jZQ==', undefined, undefined, { 'X-A': 'a\r\nX-B: b' })).toThrow();
  });
  it('builds a complete rejection with a body length', () => {
    const text = buildRejectResponse(426, { 'Sec-WebSocket-Version': '13' });
    const [head, body] = text.split('\r\n\r\n') as [string, string];
    const parsed = parseResponseHead(head)!;
    expect(parsed.status).toBe(426);
    expect(parsed.headers.get('sec-websocket-version')).toBe('13');
    expect(Number(parsed.headers.get('content-length'))).toBe(Buffer.byteLength(body));
  });
});

describe('client side (§4.1)', () => {
  const key = 'dGhlIHNhbXBsZSBub25jZQ==';
  const ok = (extra: Record<string, string> = {}) =>
    parseResponseHead(buildAcceptResponse(key, extra.protocol, undefined).slice(0, -4))!;

  it('builds a request the server-side check accepts', () => {
    const text = buildClientRequest('h:1', '/p?q=1', key, ['a', 'b'], undefined, { Origin: 'http://x' });
    const lines = text.slice(0, -4).split('\r\n');
    expect(lines[0]).toBe('GET /p?q=1 HTTP/1.1');
    const fields = lines.slice(1).map((l) => {
      const i = l.indexOf(':');
      return [l.slice(0, i), l.slice(i + 1).trim()] as [string, string];
    });
    const result = checkUpgradeRequest(request(fields));
    expect(result.ok && result.protocols).toEqual(['a', 'b']);
  });
  it('accepts a valid 101 and reports the protocol', () => {
    expect(verifyServerAnswer(ok({ protocol: 'b' }), key, ['a', 'b'])).toEqual({ protocol: 'b', extensions: undefined });
    expect(verifyServerAnswer(ok(), key, ['a'])).toEqual({ protocol: '', extensions: undefined });
  });
  it('fails on a wrong status, accept, tokens or an unoffered protocol', () => {
    expect(typeof verifyServerAnswer({ ...ok(), status: 200 }, key, [])).toBe('string');
    expect(typeof verifyServerAnswer(ok(), generateKey(), [])).toBe('string');
    expect(typeof verifyServerAnswer(ok({ protocol: 'c' }), key, ['a'])).toBe('string');
    const noUpgrade = ok();
    noUpgrade.headers.delete('upgrade');
    expect(typeof verifyServerAnswer(noUpgrade, key, [])).toBe('string');
    const noConnection = ok();
    noConnection.headers.set('connection', 'close');
    expect(typeof verifyServerAnswer(noConnection, key, [])).toBe('string');
  });
  it('rejects malformed response heads', () => {
    expect(parseResponseHead('HTTP/2 101')).toBeNull();
    expect(parseResponseHead('HTTP/1.1 101 OK\r\nbad line')).toBeNull();
  });
});
