// Hook phases over real sockets: server request middleware before routing (so it sees 404/405/501
// paths), group middleware before routing for its prefix only, response middleware on EVERY response
// the server sends (handler, Reject, 404/405/413/414/431/501, parse-error 400, panic 500, timeout
// 503) with ctx.error, a throwing response middleware contained, onResponse with status and bytes,
// onConnection / onClose, and the order of all of it for each case.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { Status } from '../../src/hooks.js';
import type { ConnectionInfo, ResponseInfo } from '../../src/lifecycle.js';
import { exchange, start, statuses } from './helpers.js';
import type { Running } from './helpers.js';

const SECURITY = 'nosniff';

interface Seen {
  path: string;
  order: string[];
  info: ResponseInfo;
}

describe('hook phases', () => {
  let app: Running;
  const seen: Seen[] = [];
  const panics: unknown[] = [];
  const opened: ConnectionInfo[] = [];
  const closed: ConnectionInfo[] = [];
  const order = (ctx: { attributes: Map<unknown, unknown> }): string[] => {
    let list = ctx.attributes.get('order') as string[] | undefined;
    if (list === undefined) ctx.attributes.set('order', (list = []));
    return list;
  };
  beforeAll(async () => {
    app = await start((s) => {
      s.requestMiddleware((ctx) => {
        order(ctx).push('server-req');
        if (ctx.request.header('x-deny') === 'yes') {
          ctx.status(403).send('denied');
          return Status.Reject;
        }
        return undefined;
      });
      s.responseMiddleware((ctx) => {
        order(ctx).push('server-res');
        // Security headers on every response (an error answer starts from empty fields).
        ctx.header('x-content-type-options', SECURITY);
        const error = ctx.error as { code?: string } | null;
        ctx.header('x-error-code', error === null ? 'none' : (error.code ?? 'panic'));
      });
      s.responseMiddleware((ctx) => {
        if (ctx.request.path === '/res-throws') throw new Error('response middleware boom');
      });
      s.group('/admin', (g) => {
        g.requestMiddleware((ctx) => {
          order(ctx).push('group-req');
          if (ctx.request.header('authorization') !== 'letmein') {
            ctx.status(401).send('who are you');
            return Status.Reject;
          }
          return Status.Continue;
        });
        g.responseMiddleware((ctx) => {
          order(ctx).push('group-res');
          ctx.header('x-admin', '1');
        });
        g.get('/panel', (ctx) => {
          order(ctx).push('handler');
          ctx.send('panel');
        }, {
          requestMiddleware: [(ctx) => void order(ctx).push('route-req')],
          responseMiddleware: [(ctx) => void order(ctx).push('route-res')],
        });
      });
      s.get('/ok', (ctx) => {
        order(ctx).push('handler');
        ctx.send('ok');
      });
      s.post('/small', (ctx) => ctx.send('small'), { maxBodySize: 10 });
      s.get('/panic', (ctx) => {
        order(ctx).push('handler');
        throw new Error('handler boom');
      });
      s.get('/slow', async (ctx) => {
        order(ctx).push('handler');
        await new Promise((r) => setTimeout(r, 1500));
      }, { handlerTimeoutMs: 50 });
      s.get('/res-throws', (ctx) => ctx.header('x-from-handler', '1').send('still here'));
      s.onPanic((_ctx, error) => void panics.push(error));
      s.onResponse((ctx, info) => {
        order(ctx).push('onResponse');
        seen.push({ path: ctx.request.path, order: [...order(ctx)], info });
      });
      s.onConnection((info) => void opened.push(info));
      s.onClose((info) => void closed.push(info));
    }, { request: { maxPathSize: 64, maxHeaderCount: 10 } });
  });
  afterAll(() => app.close());

  const last = (path: string): Seen => {
    const hit = seen.filter((s) => s.path === path).at(-1);
    if (hit === undefined) throw new Error(`no onResponse for ${path}`);
    return hit;
  };

  async function get(path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}) {
    const res = await request(`${app.url}${path}`, { method: (init.method ?? 'GET') as 'GET', headers: init.headers, body: init.body });
    return { status: res.statusCode, headers: res.headers, body: await res.body.text() };
  }

  it('a handler response: server-req → route match → handler → server-res → onResponse', async () => {
    const res = await get('/ok');
    expect(res.status).toBe(200);
    expect(res.headers['x-content-type-options']).toBe(SECURITY);
    expect(res.headers['x-error-code']).toBe('none');
    expect(last('/ok').order).toEqual(['server-req', 'handler', 'server-res', 'onResponse']);
  });

  it('an unregistered path (404) runs server request middleware first and carries the response-middleware headers', async () => {
    const res = await get('/nowhere');
    expect(res.status).toBe(404);
    expect(res.headers['x-content-type-options']).toBe(SECURITY);
    expect(res.headers['x-error-code']).toBe('WL_NOT_FOUND');
    expect(last('/nowhere').order).toEqual(['server-req', 'server-res', 'onResponse']);
    expect(last('/nowhere').info.status).toBe(404);
  });

  it('405 (with Allow) and 501 carry them too', async () => {
    const a = await get('/ok', { method: 'DELETE' });
    expect(a.status).toBe(405);
    expect(a.headers['allow']).toContain('GET');
    expect(a.headers['x-content-type-options']).toBe(SECURITY);
    const b = await exchange(app.port, ['BREW /ok HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n']);
    expect(statuses(b.text)).toEqual([501]);
    expect(b.text).toMatch(/x-content-type-options: nosniff/i);
    expect(b.text).toMatch(/x-error-code: WL_NOT_IMPLEMENTED/i);
  });

  it('server request middleware can answer before routing (Reject): the router never sees it', async () => {
    const res = await get('/nowhere-either', { headers: { 'x-deny': 'yes' } });
    expect(res.status).toBe(403);
    expect(res.body).toBe('denied');
    expect(res.headers['x-content-type-options']).toBe(SECURITY);
    expect(last('/nowhere-either').order).toEqual(['server-req', 'server-res', 'onResponse']);
  });

  it('a handler panic: 500 with the headers, ctx.error is the thrown error, onPanic hears it', async () => {
    const before = panics.length;
    const res = await get('/panic');
    expect(res.status).toBe(500);
    expect(res.headers['x-content-type-options']).toBe(SECURITY);
    expect(res.headers['x-error-code']).toBe('panic');
    expect((panics.at(-1) as Error).message).toBe('handler boom');
    expect(panics.length).toBe(before + 1);
    expect(last('/panic').order).toEqual(['server-req', 'handler', 'server-res', 'onResponse']);
    expect((last('/panic').info.error as Error).message).toBe('handler boom');
  });

  it('a handler timeout: 503 WL_HANDLER_TIMEOUT goes through response middleware', async () => {
    const res = await get('/slow');
    expect(res.status).toBe(503);
    expect(res.headers['x-content-type-options']).toBe(SECURITY);
    expect(res.headers['x-error-code']).toBe('WL_HANDLER_TIMEOUT');
    expect(last('/slow').order).toEqual(['server-req', 'handler', 'server-res', 'onResponse']);
  });

  it('413 (Content-Length over the route limit) carries the headers', async () => {
    const res = await exchange(app.port, ['POST /small HTTP/1.1\r\nhost: x\r\ncontent-length: 100\r\n\r\n'], { until: /\r\n\r\n[\s\S]*\n$/ });
    expect(statuses(res.text)).toEqual([413]);
    expect(res.text).toMatch(/x-content-type-options: nosniff/i);
    expect(res.text).toMatch(/x-error-code: WL_BODY_TOO_LARGE/i);
  });

  it('a parse-error 400, a 414 and a 431 carry the headers (server-level response middleware)', async () => {
    const bad = await exchange(app.port, ['GET /ok HTTP/1.1\r\nhost: x\r\nbad header\r\n\r\n']);
    expect(statuses(bad.text)).toEqual([400]);
    expect(bad.text).toMatch(/x-content-type-options: nosniff/i);
    expect(bad.closed).toBe(true);
    const long = await exchange(app.port, [`GET /${'a'.repeat(100)} HTTP/1.1\r\nhost: x\r\n\r\n`]);
    expect(statuses(long.text)).toEqual([414]);
    expect(long.text).toMatch(/x-content-type-options: nosniff/i);
    const many = Array.from({ length: 20 }, (_, i) => `x-h${i}: ${i}\r\n`).join('');
    const big = await exchange(app.port, [`GET /ok HTTP/1.1\r\nhost: x\r\n${many}\r\n`]);
    expect(statuses(big.text)).toEqual([431]);
    expect(big.text).toMatch(/x-content-type-options: nosniff/i);
  });

  it('a throwing response middleware is contained: the response goes out once, the error goes to onPanic', async () => {
    const before = panics.length;
    // Two pipelined requests: exactly two responses (no second response for the failure, no close).
    const res = await exchange(app.port, [
      'GET /res-throws HTTP/1.1\r\nhost: x\r\n\r\nGET /ok HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n',
    ]);
    expect(statuses(res.text)).toEqual([200, 200]);
    expect(res.text).toContain('still here');
    expect(res.text).toMatch(/x-from-handler: 1/);
    expect(res.text).toMatch(/x-content-type-options: nosniff/); // set by the middleware before it
    expect(panics.length).toBe(before + 1);
    expect((panics.at(-1) as Error).message).toBe('response middleware boom');
  });

  it('group middleware runs before routing for paths under its prefix only', async () => {
    const unknown = await get('/admin/unknown');
    expect(unknown.status).toBe(401); // the auth check answers before the router would say 404
    expect(unknown.headers['x-admin']).toBe('1');
    expect(last('/admin/unknown').order).toEqual(['server-req', 'group-req', 'server-res', 'group-res', 'onResponse']);
    const encoded = await get('/adm%69n/panel'); // the router matches /admin/panel: so does the prefix
    expect(encoded.status).toBe(401);
    const outside = await get('/administrator');
    expect(outside.status).toBe(404);
    expect(outside.headers['x-admin']).toBeUndefined();
    expect(last('/administrator').order).toEqual(['server-req', 'server-res', 'onResponse']);
    const exact = await get('/admin');
    expect(exact.status).toBe(401);
  });

  it('a routed group request: server-req → group-req → route-req → handler → server-res → group-res → route-res', async () => {
    const res = await get('/admin/panel', { headers: { authorization: 'letmein' } });
    expect(res.status).toBe(200);
    expect(res.body).toBe('panel');
    expect(res.headers['x-admin']).toBe('1');
    expect(last('/admin/panel').order).toEqual([
      'server-req', 'group-req', 'route-req', 'handler', 'server-res', 'group-res', 'route-res', 'onResponse',
    ]);
    const missing = await get('/admin/nothing', { headers: { authorization: 'letmein' } });
    expect(missing.status).toBe(404);
    expect(last('/admin/nothing').order).toEqual(['server-req', 'group-req', 'server-res', 'group-res', 'onResponse']);
  });

  it('onResponse reports the status and the exact bytes written', async () => {
    const res = await exchange(app.port, ['GET /ok HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n']);
    expect(res.closed).toBe(true);
    const info = last('/ok').info;
    expect(info.status).toBe(200);
    expect(info.bytes).toBe(Buffer.byteLength(res.text, 'latin1'));
    expect(info.durationMs).toBeGreaterThanOrEqual(0);
    expect(info.requestId).toMatch(/^[0-9a-z]+-1$/);
    const tagged = await exchange(app.port, ['GET /nowhere HTTP/1.1\r\nhost: x\r\nx-request-id: abc-123\r\nconnection: close\r\n\r\n']);
    expect(last('/nowhere').info.bytes).toBe(Buffer.byteLength(tagged.text, 'latin1'));
    expect(last('/nowhere').info.requestId).toBe('abc-123');
  });

  it('onConnection sees each accepted socket, onClose the same info when it closes', async () => {
    const before = opened.length;
    await exchange(app.port, ['GET /ok HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n']);
    await new Promise((r) => setTimeout(r, 50));
    const mine = opened.slice(before);
    expect(mine.length).toBe(1);
    expect(mine[0]!.remoteAddress).toBe('127.0.0.1');
    expect(typeof mine[0]!.remotePort).toBe('number');
    for (let i = 0; i < 40 && !closed.includes(mine[0]!); i++) await new Promise((r) => setTimeout(r, 25));
    expect(closed).toContain(mine[0]);
  });
});

describe('hook phases without any middleware or hook', () => {
  let app: Running;
  beforeAll(async () => {
    app = await start((s) => {
      s.get('/', (ctx) => ctx.send('hi'));
    });
  });
  afterAll(() => app.close());

  it('serves 16 pipelined requests in order and answers 404 as before', async () => {
    const res = await exchange(app.port, ['GET / HTTP/1.1\r\nhost: x\r\n\r\n'.repeat(15) + 'GET /x HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n']);
    expect(statuses(res.text)).toEqual([...Array(15).fill(200), 404]);
  });
});
