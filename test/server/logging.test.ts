// The `logger` option with a real pino instance writing JSON lines to a stream captured here: one
// line per response (method, path, status, bytes, duration, request id), 5xx at error level, panics
// through logger.error (not console.error), socket errors logged, and the option's validation
// (an object with info/warn/error/child; not loadable from JSON).
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import pino from 'pino';
import { request } from 'undici';
import { loadServerConfig, resolveServerConfig } from '../../src/config.js';
import { WasmlaneError } from '../../src/errors.js';
import { capture, waitFor } from '../support/log-capture.js';
import { exchange, start } from './helpers.js';
import type { Running } from './helpers.js';

describe('logger option (pino)', () => {
  let app: Running;
  const { logger, lines } = capture();
  beforeAll(async () => {
    app = await start((s) => {
      s.get('/hello', (ctx) => ctx.send('hello'));
      s.get('/boom', () => {
        throw new Error('kaboom');
      });
      s.get('/stream', (ctx) => {
        const stream = ctx.stream(200);
        stream.write('abc');
        stream.write('def');
        stream.end();
      });
    }, { logger });
  });
  afterAll(() => app.close());

  it('writes one JSON line per response with method, path, status, bytes, duration and a request id', async () => {
    const res = await exchange(app.port, ['GET /hello HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n']);
    const line = await waitFor(() => lines.find((l) => l.path === '/hello'));
    expect(line).toMatchObject({ level: 30, msg: 'request completed', method: 'GET', path: '/hello', status: 200 });
    expect(line.bytes).toBe(Buffer.byteLength(res.text, 'latin1'));
    expect(typeof line.durationMs).toBe('number');
    expect(line.reqId).toMatch(/^[0-9a-z]+-1$/);
  });

  it('numbers requests per connection and honours an incoming x-request-id', async () => {
    await exchange(app.port, [
      'GET /hello?a=1 HTTP/1.1\r\nhost: x\r\n\r\nGET /hello HTTP/1.1\r\nhost: x\r\nx-request-id: trace-42\r\nconnection: close\r\n\r\n',
    ]);
    const tagged = await waitFor(() => lines.find((l) => l.reqId === 'trace-42'));
    expect(tagged.path).toBe('/hello');
    const ids = lines.filter((l) => l.path === '/hello').map((l) => l.reqId!);
    const second = ids.at(-2)!;
    expect(second).toMatch(/-1$/);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('logs a 404 and counts a streamed response body', async () => {
    await request(`${app.url}/missing`).then((r) => r.body.text());
    const missing = await waitFor(() => lines.find((l) => l.path === '/missing'));
    expect(missing.status).toBe(404);
    const res = await exchange(app.port, ['GET /stream HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n']);
    const streamed = await waitFor(() => lines.find((l) => l.path === '/stream'));
    expect(streamed.status).toBe(200);
    expect(streamed.bytes).toBe(Buffer.byteLength(res.text, 'latin1'));
  });

  it('a panic goes to logger.error (not console.error) and its 500 line is at error level', async () => {
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const res = await request(`${app.url}/boom`);
      await res.body.text();
      expect(res.statusCode).toBe(500);
      const panic = await waitFor(() => lines.find((l) => l.msg === 'wasmlane: handler failed'));
      expect(panic.level).toBe(50);
      expect(panic.err?.message).toBe('kaboom');
      const line = await waitFor(() => lines.find((l) => l.path === '/boom' && l.msg === 'request completed'));
      expect(line).toMatchObject({ level: 50, status: 500 });
      expect(consoleError).not.toHaveBeenCalled();
    } finally {
      consoleError.mockRestore();
    }
  });

  it('logs a socket error instead of swallowing it', async () => {
    // A reset (SO_LINGER 0) mid-head.
    await new Promise<void>((resolve) => {
      const socket = connect(app.port, '127.0.0.1', () => {
        socket.write('GET /hello HTTP/1.1\r\nhost: x\r\n');
        setTimeout(() => {
          socket.resetAndDestroy();
          resolve();
        }, 20);
      });
    });
    // On Linux the RST makes the server's read fail with ECONNRESET: routine, so at debug level.
    const line = await waitFor(() => lines.find((l) => l.msg === 'wasmlane: socket error'));
    expect(line.level).toBe(20);
    expect(line.err?.code).toBe('ECONNRESET');
  });
});

describe('logger option validation', () => {
  it('accepts a pino instance and null', () => {
    expect(resolveServerConfig({ logger: pino({ enabled: false }) }).logger).not.toBeNull();
    expect(resolveServerConfig({ logger: null }).logger).toBeNull();
    expect(resolveServerConfig({}).logger).toBeNull();
  });

  it('rejects a value without the info/warn/error/child methods, naming them', () => {
    for (const bad of [{}, { info() {}, warn() {}, error() {} }, 'pino', 42, console]) {
      let error: unknown;
      try {
        resolveServerConfig({ logger: bad as never });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(WasmlaneError);
      expect((error as WasmlaneError).message).toContain('info, warn, error, child');
    }
  });

  it('cannot come from JSON (a JSON object has no methods)', () => {
    expect(() => loadServerConfig('{"logger": {"info": "x"}}')).toThrow(/logger must be null or a pino-compatible logger/);
    expect(loadServerConfig('{"logger": null}').logger).toBeNull();
  });
});
