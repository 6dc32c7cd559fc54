// Accepting what browsers and Node clients send, over real sockets, under the JS twin and the best WASM
// engine: request-targets with | ^ { } \ ` (WHATWG URL leaves them unencoded; node:http accepts them),
// refused only with request.strictTarget; static routes matched in either spelling; Express-style
// patterns refused at registration.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { ENGINES, exchange, start, statuses } from './helpers.js';
import type { Running } from './helpers.js';
import { WasmlaneError } from '../../src/errors.js';
import type { Server } from '../../src/server.js';

function routes(s: Server): void {
  const echo = (ctx: Parameters<Parameters<Server['get']>[1]>[0], route: string): void => {
    ctx.json({ route, target: ctx.request.target, path: ctx.request.path, query: ctx.request.query, params: ctx.params });
  };
  s.get('/p|a', (ctx) => echo(ctx, 'static bar'));
  s.get('/s/{v}', (ctx) => echo(ctx, 'param'));
  s.get('/a%3Ab', (ctx) => echo(ctx, 'encoded colon'));
  s.onRequestError((error, ctx) => {
    ctx.header('x-code', error.code); // which error answered a head the parser refused
  });
}

const get = (target: string) => `GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`;

function bodyOf(text: string): unknown {
  return JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4));
}

for (const engine of ENGINES) {
  describe(`browser request-targets, default options (${engine})`, () => {
    let app: Running;
    beforeAll(async () => {
      app = await start(routes, { engine });
    });
    afterAll(() => app.close());

    it('answers GET /p|a?q={1} (what new URL("http://x/p|a?q={1}") sends) with the target as sent', async () => {
      expect(new URL('http://x/p|a?q={1}').pathname + new URL('http://x/p|a?q={1}').search).toBe('/p|a?q={1}');
      const r = await exchange(app.port, [get('/p|a?q={1}')], { end: false });
      expect(statuses(r.text)).toEqual([200]);
      expect(bodyOf(r.text)).toEqual({ route: 'static bar', target: '/p|a?q={1}', path: '/p|a', query: 'q={1}', params: {} });
    });

    it('captures every browser byte in a parameter, raw and percent-encoded', async () => {
      const raw = await exchange(app.port, [get('/s/a|b^{c}`\\?x=`^|\\')]);
      expect(statuses(raw.text)).toEqual([200]);
      expect(bodyOf(raw.text)).toEqual({
        route: 'param', target: '/s/a|b^{c}`\\?x=`^|\\', path: '/s/a|b^{c}`\\', query: 'x=`^|\\', params: { v: 'a|b^{c}`\\' },
      });
      const encoded = await exchange(app.port, [get('/s/a%7Cb%5E%7Bc%7D%60%5C')]);
      expect((bodyOf(encoded.text) as { params: unknown }).params).toEqual({ v: 'a|b^{c}`\\' });
    });

    it('matches the static route from fetch and undici (the client encodes only what WHATWG URL encodes)', async () => {
      const viaFetch = await fetch(`${app.url}/p|a?q={1}`);
      expect(viaFetch.status).toBe(200);
      expect(await viaFetch.json()).toMatchObject({ route: 'static bar', path: '/p|a', query: 'q={1}' });
      const viaUndici = await request(`${app.url}/p%7Ca?q=%7B1%7D`);
      expect(viaUndici.statusCode).toBe(200);
      expect(await viaUndici.body.json()).toMatchObject({ route: 'static bar', path: '/p%7Ca', query: 'q=%7B1%7D' });
    });

    it('serves a route registered as /a%3Ab for /a:b and /a%3ab', async () => {
      for (const target of ['/a:b', '/a%3Ab', '/a%3ab']) {
        const r = await exchange(app.port, [get(target)]);
        expect(statuses(r.text), target).toEqual([200]);
        expect(bodyOf(r.text), target).toMatchObject({ route: 'encoded colon', path: target });
      }
    });

    it('still answers 400 WL_INVALID_TARGET to bytes browsers always encode (" < > and non-ASCII)', async () => {
      for (const target of ['/a"b', '/a?b<c', '/a?b>c', '/caf\xc3\xa9']) {
        const r = await exchange(app.port, [Buffer.from(get(target), 'latin1')]);
        expect(statuses(r.text), target).toEqual([400]);
        expect(r.text).toMatch(/x-code: WL_INVALID_TARGET\r\n/);
        expect(r.closed).toBe(true);
      }
    });
  });

  describe(`request.strictTarget: true (${engine})`, () => {
    let app: Running;
    beforeAll(async () => {
      app = await start(routes, { engine, request: { strictTarget: true } });
    });
    afterAll(() => app.close());

    it('answers 400 WL_INVALID_TARGET to a browser byte in the path or the query, and closes', async () => {
      for (const target of ['/p|a', '/s/a?q={1}', '/s/a^b', '/s/a`b', '/s/a\\b']) {
        const r = await exchange(app.port, [get(target)]);
        expect(statuses(r.text), target).toEqual([400]);
        expect(r.text).toMatch(/x-code: WL_INVALID_TARGET\r\n/);
        expect(r.closed).toBe(true);
      }
    });

    it('serves the percent-encoded spelling of the same request', async () => {
      const r = await exchange(app.port, [get('/p%7Ca?q=%7B1%7D')]);
      expect(statuses(r.text)).toEqual([200]);
      expect(bodyOf(r.text)).toMatchObject({ route: 'static bar', path: '/p%7Ca', query: 'q=%7B1%7D' });
    });
  });
}

describe('Express-style patterns on a server', () => {
  it('are refused at registration with WL_INVALID_ROUTE and the wasmlane spelling', async () => {
    const errors: WasmlaneError[] = [];
    const app = await start((s) => {
      for (const pattern of ['/users/:id', '/files/*']) {
        try {
          s.get(pattern, (ctx) => ctx.send('never'));
        } catch (err) {
          errors.push(err as WasmlaneError);
        }
      }
    });
    try {
      expect(errors.map((e) => e.code)).toEqual(['WL_INVALID_ROUTE', 'WL_INVALID_ROUTE']);
      expect(errors[0]!.message).toContain('"/users/{id}"');
      expect(errors[1]!.message).toContain('"/files/{*path}"');
      const r = await exchange(app.port, [get('/users/:id')]);
      expect(statuses(r.text)).toEqual([404]);
    } finally {
      await app.close();
    }
  });
});
