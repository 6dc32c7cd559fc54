// Cookies over real sockets: undici's fetch sends Cookie fields, Set-Cookie lines are read back one by
// one with headers.getSetCookie() (never folded); raw sockets send several Cookie lines. Also
// ctx.request.searchParams and remotePort.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cookies } from '../../src/middleware/cookies.js';
import { ENGINES, exchange, start } from '../server/helpers.js';
import type { Running } from '../server/helpers.js';

const OLD = 'old-secret-old-secret-old-secret-0';
const NEW = 'new-secret-new-secret-new-secret-1';

for (const engine of ENGINES) {
  describe(`cookies over sockets (${engine})`, () => {
    let app: Running;
    beforeAll(async () => {
      app = await start((s) => {
        s.onRequestError((error, ctx) => void ctx.header('x-code', error.code));
        s.get('/echo', (ctx) => ctx.json({ cookies: ctx.request.cookies, sid: ctx.request.cookie('sid') ?? null }));
        s.get('/set', (ctx) => {
          ctx.setCookie('a', '1', { path: '/', httpOnly: true, sameSite: 'Lax' });
          ctx.setCookie('b', '2', { maxAge: 60, secure: true, sameSite: 'None', partitioned: true });
          ctx.setCookie('__Host-c', '3', { secure: true, path: '/' });
          ctx.clearCookie('old', { path: '/' });
          ctx.send('ok');
        });
        s.get('/bad', (ctx) => {
          ctx.setCookie('x', 'y', { sameSite: 'None' }); // browsers reject None without Secure
          ctx.send('unreachable');
        });
        s.get('/sign-old', (ctx) => ctx.setCookie('sid', 'user42', { signed: true, httpOnly: true }).send('ok'),
          { requestMiddleware: [cookies({ secrets: [OLD] })] });
        s.get('/read', (ctx) => ctx.json({ sid: ctx.request.signedCookie('sid') ?? null }),
          { requestMiddleware: [cookies({ secrets: [NEW, OLD] })] });
        s.get('/read-new-only', (ctx) => ctx.json({ sid: ctx.request.signedCookie('sid') ?? null }),
          { requestMiddleware: [cookies({ secrets: [NEW] })] });
        s.get('/no-keys', (ctx) => ctx.json({ sid: ctx.request.signedCookie('sid') ?? null }));
        s.get('/q', (ctx) => ctx.json({
          a: ctx.request.searchParams.getAll('a'),
          b: ctx.request.searchParams.get('b'),
          same: ctx.request.searchParams === ctx.request.searchParams,
          port: ctx.request.remotePort,
          address: ctx.request.remoteAddress,
        }));
      }, { engine });
    });
    afterAll(() => app.close());

    it('parses the Cookie field undici sends (first occurrence wins, values as sent)', async () => {
      const res = await fetch(`${app.url}/echo`, { headers: { cookie: 'sid=abc; theme=dark; sid=later; q="x y"' } });
      expect(await res.json()).toEqual({ cookies: { sid: 'abc', theme: 'dark', q: '"x y"' }, sid: 'abc' });
      const none = await fetch(`${app.url}/echo`);
      expect(await none.json()).toEqual({ cookies: {}, sid: null });
    });

    it('reads every Cookie line of a raw request', async () => {
      const r = await exchange(app.port, ['GET /echo HTTP/1.1\r\nHost: x\r\nCookie: a=1; sid=s1\r\nX-Other: y\r\nCookie: sid=s2; b=2\r\nConnection: close\r\n\r\n']);
      const body = JSON.parse(r.text.slice(r.text.indexOf('\r\n\r\n') + 4)) as unknown;
      expect(body).toEqual({ cookies: { a: '1', sid: 's1', b: '2' }, sid: 's1' });
    });

    it('writes one Set-Cookie line per cookie (getSetCookie), with the attributes', async () => {
      const res = await fetch(`${app.url}/set`);
      expect(res.status).toBe(200);
      expect(res.headers.getSetCookie()).toEqual([
        'a=1; Path=/; HttpOnly; SameSite=Lax',
        'b=2; Max-Age=60; Secure; SameSite=None; Partitioned',
        '__Host-c=3; Path=/; Secure',
        'old=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/',
      ]);
    });

    it('answers 500 WL_INVALID_COOKIE for SameSite=None without Secure', async () => {
      const res = await fetch(`${app.url}/bad`);
      expect(res.status).toBe(500);
      expect(res.headers.get('x-code')).toBe('WL_INVALID_COOKIE');
      expect(res.headers.getSetCookie()).toEqual([]);
    });

    it('round-trips a signed cookie across key rotation and refuses tampered ones', async () => {
      const set = await fetch(`${app.url}/sign-old`);
      const line = set.headers.getSetCookie()[0]!;
      expect(line).toMatch(/^sid=user42\.[A-Za-z0-9_-]{43}; HttpOnly$/);
      const cookie = line.slice(0, line.indexOf(';'));
      const read = (path: string, c: string): Promise<unknown> => fetch(`${app.url}${path}`, { headers: { cookie: c } }).then((r) => r.json());
      expect(await read('/read', cookie)).toEqual({ sid: 'user42' }); // signed with OLD, verified with [NEW, OLD]
      expect(await read('/read-new-only', cookie)).toEqual({ sid: false }); // OLD retired
      expect(await read('/read', cookie.replace('user42', 'user43'))).toEqual({ sid: false });
      expect(await read('/read', `${cookie.slice(0, -2)}AA`)).toEqual({ sid: false });
      expect(await read('/read', 'sid=user42')).toEqual({ sid: false });
      expect(await read('/read', 'other=1')).toEqual({ sid: null });
    });

    it('answers 500 WL_INVALID_COOKIE when signedCookie() is used without cookies({ secrets })', async () => {
      const res = await fetch(`${app.url}/no-keys`, { headers: { cookie: 'sid=x' } });
      expect(res.status).toBe(500);
      expect(res.headers.get('x-code')).toBe('WL_INVALID_COOKIE');
    });

    it('parses the query with URLSearchParams once, and reports the peer port', async () => {
      const socket = connect(app.port, '127.0.0.1');
      await new Promise((resolve) => socket.once('connect', resolve));
      const localPort = socket.localPort;
      let text = '';
      socket.setEncoding('utf8');
      socket.on('data', (d: string) => (text += d));
      socket.write('GET /q?a=1&b=x+y%20z&a=%E2%82%AC&a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      await new Promise((resolve) => socket.once('close', resolve));
      const body = JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)) as Record<string, unknown>;
      expect(body).toEqual({ a: ['1', '€', ''], b: 'x y z', same: true, port: localPort, address: '127.0.0.1' });
    });
  });
}
