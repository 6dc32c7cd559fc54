// Middleware order, Status.Reject, panics, error hooks, groups and per-request state isolation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { Status } from '../../src/hooks.js';
import { WasmlaneError } from '../../src/errors.js';
import { ENGINES, exchange, start, statuses } from './helpers.js';
import type { Running } from './helpers.js';

for (const engine of ENGINES) {
  describe(`hooks and context (${engine})`, () => {
    let app: Running;
    const panics: unknown[] = [];
    beforeAll(async () => {
      app = await start((s) => {
        s.requestMiddleware((ctx) => {
          ctx.attributes.set('order', ['global-req']);
          if (ctx.request.header('x-block') === 'yes') {
            ctx.status(403).send('blocked');
            return Status.Reject;
          }
          return Status.Continue;
        });
        s.responseMiddleware((ctx) => {
          (ctx.attributes.get('order') as string[] | undefined)?.push('global-res');
          ctx.header('x-order', ((ctx.attributes.get('order') as string[] | undefined) ?? []).join(','));
        });
        s.group('/api', (g) => {
          g.requestMiddleware(async (ctx) => {
            await new Promise((r) => setTimeout(r, 1));
            (ctx.attributes.get('order') as string[]).push('group-req');
          });
          g.responseMiddleware((ctx) => void (ctx.attributes.get('order') as string[]).push('group-res'));
          g.get('/x', (ctx) => {
            (ctx.attributes.get('order') as string[]).push('handler');
            ctx.send('x');
          }, {
            requestMiddleware: [(ctx) => void (ctx.attributes.get('order') as string[]).push('route-req')],
            responseMiddleware: [(ctx) => void (ctx.attributes.get('order') as string[]).push('route-res')],
          });
          g.get('/reject', (ctx) => ctx.send('never'), { requestMiddleware: [() => Status.Reject] });
        });
        s.get('/throw', () => {
          throw new Error('sync boom');
        });
        s.get('/reject-async', async () => {
          await new Promise((r) => setTimeout(r, 1));
          throw new Error('async boom');
        });
        s.get('/custom-panic', () => {
          throw new Error('teapot please');
        });
        s.post('/json', async (ctx) => ctx.json(await ctx.request.json()));
        s.get('/bad-header', (ctx) => ctx.header('x-evil', 'a\r\nset-cookie: pwned=1').send('no'));
        // State isolation: request N sets everything it can; request N+1 reports what it sees.
        s.get('/set', (ctx) => {
          ctx.attributes.set('secret', 'from-set');
          ctx.header('x-secret', 'leak').status(299).send('set');
        });
        s.get('/peek', (ctx) => {
          ctx.json({
            attrs: [...ctx.attributes.keys()].filter((k) => k !== 'order'),
            params: ctx.params,
            status: ctx.response.status,
            header: ctx.response.get('x-secret') ?? null,
            sent: ctx.sent,
          });
        });
        s.get('/peek/{id}', (ctx) => ctx.json({ params: ctx.params }));
        s.onPanic((ctx, error) => {
          panics.push(error);
          if ((error as Error).message === 'teapot please') ctx.status(418).send('short and stout');
        });
        s.onRequestError((error, ctx) => {
          if (error.code === 'WL_NOT_FOUND') ctx.header('x-error', error.code).json({ error: error.code });
        });
      }, { engine });
    });
    afterAll(() => app.close());

    it('runs global → group → route request middleware, handler, then response middleware', async () => {
      const res = await request(`${app.url}/api/x`);
      expect(await res.body.text()).toBe('x');
      expect(res.headers['x-order']).toBe('global-req,group-req,route-req,handler,global-res');
      // response middleware order: global, group, route (the header is written by the global one, first)
    });

    it('Status.Reject stops the chain and sends what was set, keeping the connection', async () => {
      const r = await exchange(app.port, ['GET /api/x HTTP/1.1\r\nHost: x\r\nX-Block: yes\r\n\r\nGET /api/reject HTTP/1.1\r\nHost: x\r\n\r\nGET /api/x HTTP/1.1\r\nHost: x\r\n\r\n'],
        { until: /\r\n\r\nx$/ });
      expect(statuses(r.text)).toEqual([403, 200, 200]);
      expect(r.text).toMatch(/blocked/);
      expect(r.text).not.toMatch(/never/);
    });

    it('turns a sync throw and an async rejection into 500 and keeps the connection usable', async () => {
      const before = panics.length;
      const r = await exchange(app.port, ['GET /throw HTTP/1.1\r\nHost: x\r\n\r\nGET /reject-async HTTP/1.1\r\nHost: x\r\n\r\nGET /api/x HTTP/1.1\r\nHost: x\r\n\r\n'],
        { until: /\r\n\r\nx$/ });
      expect(statuses(r.text)).toEqual([500, 500, 200]);
      expect(panics.slice(before).map((e) => (e as Error).message)).toEqual(['sync boom', 'async boom']);
    });

    it('lets onPanic send its own response', async () => {
      const res = await request(`${app.url}/custom-panic`);
      expect(res.statusCode).toBe(418);
      expect(await res.body.text()).toBe('short and stout');
    });

    it('lets onRequestError customise error responses (and 405 keeps Allow)', async () => {
      const res = await request(`${app.url}/missing`);
      expect(res.statusCode).toBe(404);
      expect(res.headers['x-error']).toBe('WL_NOT_FOUND');
      expect(await res.body.json()).toEqual({ error: 'WL_NOT_FOUND' });
      const r405 = await request(`${app.url}/throw`, { method: 'POST', body: 'x' });
      expect(r405.statusCode).toBe(405);
      expect(r405.headers.allow).toBe('GET, HEAD');
      await r405.body.dump();
    });

    it('answers 400 to invalid JSON bodies and echoes valid ones', async () => {
      const bad = await request(`${app.url}/json`, { method: 'POST', body: '{nope' });
      expect(bad.statusCode).toBe(400);
      await bad.body.dump();
      const good = await request(`${app.url}/json`, { method: 'POST', body: '{"a":[1,2]}' });
      expect(await good.body.json()).toEqual({ a: [1, 2] });
    });

    it('refuses header injection in response fields', async () => {
      const r = await exchange(app.port, ['GET /bad-header HTTP/1.1\r\nHost: x\r\n\r\n'], { until: /\r\n\r\n[\s\S]+$/ });
      expect(statuses(r.text)).toEqual([500]);
      expect(r.text).not.toMatch(/pwned/);
      expect(panics.some((e) => e instanceof WasmlaneError && e.code === 'WL_INVALID_RESPONSE_HEADER')).toBe(true);
    });

    it('isolates state between keep-alive requests (attributes, params, status, fields)', async () => {
      const r = await exchange(app.port, [
        'GET /peek/abc HTTP/1.1\r\nHost: x\r\n\r\nGET /set HTTP/1.1\r\nHost: x\r\n\r\nGET /peek HTTP/1.1\r\nHost: x\r\n\r\n',
      ], { until: /"sent":false}$/ });
      expect(statuses(r.text)).toEqual([200, 299, 200]);
      const last = JSON.parse(r.text.slice(r.text.lastIndexOf('\r\n\r\n') + 4));
      expect(last).toEqual({ attrs: [], params: {}, status: 200, header: null, sent: false });
      expect(r.text.split('HTTP/1.1 200 OK').pop()).not.toMatch(/x-secret/);
    });
  });
}
