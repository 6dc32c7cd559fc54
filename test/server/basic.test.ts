// Basic request/response behaviour over real sockets, under the JS twin and the best WASM engine.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { ENGINES, exchange, start } from './helpers.js';
import type { Running } from './helpers.js';

for (const engine of ENGINES) {
  describe(`basic (${engine})`, () => {
    let app: Running;
    beforeAll(async () => {
      app = await start((s) => {
        s.get('/', (ctx) => ctx.send('hello'));
        s.get('/users/{id}', (ctx) => ctx.json({ id: ctx.params.id, query: ctx.request.query }));
        s.post('/echo', async (ctx) => {
          const body = await ctx.request.text();
          ctx.status(201).header('content-type', 'text/plain').header('x-len', body.length).send(body);
        });
        s.get('/headers', (ctx) => ctx.json({ ua: ctx.request.header('User-Agent'), list: [...ctx.request.headers].length }));
        s.get('/fields/{*rest}', (ctx) => {
          const r = ctx.request;
          ctx.json({ method: r.method, target: r.target, headers: [...r.headers], latin: r.header('x-latin'),
            repeated: r.headerValues('X-REP'), joined: r.header('x-rep'), empty: r.header('empty'), missing: r.header('nope') });
        });
        s.get('/empty', () => {});
        s.get('/nocontent', (ctx) => ctx.status(204).send('ignored'));
      }, { engine });
    });
    afterAll(() => app.close());

    it('answers a GET with a body, content-length and date', async () => {
      const res = await request(`${app.url}/`);
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-length']).toBe('5');
      expect(typeof res.headers.date).toBe('string');
      expect(await res.body.text()).toBe('hello');
    });

    it('passes params and query', async () => {
      const res = await request(`${app.url}/users/42?x=1&y=2`);
      expect(await res.body.json()).toEqual({ id: '42', query: 'x=1&y=2' });
      expect(res.headers['content-type']).toBe('application/json');
    });

    it('echoes a POST body (content-length)', async () => {
      const payload = 'a'.repeat(100_000);
      const res = await request(`${app.url}/echo`, { method: 'POST', body: payload });
      expect(res.statusCode).toBe(201);
      expect(res.headers['x-len']).toBe('100000');
      expect(await res.body.text()).toBe(payload);
    });

    it('reads headers case-insensitively', async () => {
      const res = await request(`${app.url}/headers`, { headers: { 'user-agent': 'probe/1' } });
      const json = (await res.body.json()) as { ua: string; list: number };
      expect(json.ua).toBe('probe/1');
      expect(json.list).toBeGreaterThan(1);
    });

    // Every string of a request is cut from one latin1 decode of its head (src/http/head/result.ts), and
    // Request.headers lower-cases the names from that text lower-cased once: obs-text values must come
    // through byte for byte (RFC 9110 §5.5) beside Title-Case names, also for a head gathered from two
    // reads (kept as a copy) and for the second head of a pipelined chunk.
    it('reads fields byte-exact: obs-text values, Title-Case names, repeats, long targets', async () => {
      const target = `/fields/${'a'.repeat(40)}?q=%C3%A9`; // over the 32-byte target cache: sliced
      const head = `GET ${target} HTTP/1.1\r\nHost: x\r\nX-Latin: \xc0\xde \xff\x80 end\r\nX-REP: one\r\n`
        + 'Empty:\r\nx-rep:  two \r\nACCEPT-Encoding: gzip\r\n\r\n';
      const want = {
        method: 'GET', target, latin: '\xc0\xde \xff\x80 end', repeated: ['one', 'two'], joined: 'one, two', empty: '',
        headers: [['host', 'x'], ['x-latin', '\xc0\xde \xff\x80 end'], ['x-rep', 'one'], ['empty', ''], ['x-rep', 'two'],
          ['accept-encoding', 'gzip']],
      };
      const bytes = Buffer.from(head, 'latin1');
      const bodies = (text: string): unknown[] => Buffer.from(text, 'latin1').toString('utf8').split('HTTP/1.1 200 OK')
        .filter(Boolean).map((r) => JSON.parse(r.slice(r.indexOf('\r\n\r\n') + 4)));
      const whole = await exchange(app.port, [Buffer.concat([bytes, bytes])], { until: /\}[^}]*\}$/ });
      expect(bodies(whole.text)).toEqual([want, want]);
      const split = await exchange(app.port, [bytes.subarray(0, 70), bytes.subarray(70)], { gapMs: 20, until: /\}$/ });
      expect(bodies(split.text)).toEqual([want]);
    });

    it('sends an empty 200 when the handler sent nothing', async () => {
      const res = await request(`${app.url}/empty`);
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-length']).toBe('0');
      expect(await res.body.text()).toBe('');
    });

    it('sends no body and no content-length on 204', async () => {
      const r = await exchange(app.port, ['GET /nocontent HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n'], { until: /hello$/ });
      expect(r.text).toMatch(/^HTTP\/1\.1 204 No Content\r\n/);
      expect(r.text.split('\r\n\r\n')[0]).not.toMatch(/content-length/i);
      expect(r.text).toMatch(/\r\n\r\nHTTP\/1\.1 200 OK\r\n/);
    });

    it('answers HEAD with the GET content-length and no body', async () => {
      const r = await exchange(app.port, ['HEAD / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n'], { until: /hello$/ });
      const [first] = r.text.split('HTTP/1.1 200 OK').filter(Boolean);
      expect(first).toMatch(/content-length: 5\r\n/);
      expect(first!.endsWith('\r\n\r\n')).toBe(true);
    });
  });
}
