// Wire-level behaviour: split heads, pipelining, chunked bodies, 100-continue, error statuses,
// HTTP/1.0 — raw bytes over real sockets, under the JS twin and the best WASM engine.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Pool } from 'undici';
import { ENGINES, count, exchange, start, statuses } from './helpers.js';
import type { Running } from './helpers.js';

const GET = 'GET /items/7?q=1 HTTP/1.1\r\nHost: example.test\r\nUser-Agent: split/1\r\nAccept: */*\r\n\r\n';
const POST = 'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\nContent-Type: text/plain\r\n\r\nhello world';
const CHUNKED = 'POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n1;ext=1\r\n \r\n5\r\nworld\r\n0\r\nX-Trailer: t\r\n\r\n';

for (const engine of ENGINES) {
  describe(`protocol (${engine})`, () => {
    let app: Running;
    beforeAll(async () => {
      app = await start((s) => {
        s.get('/items/{id}', (ctx) => ctx.send(`item ${ctx.params.id} q=${ctx.request.query} ua=${ctx.request.header('user-agent')}`));
        s.post('/echo', async (ctx) => ctx.send(`[${await ctx.request.text()}]`));
        s.post('/ignore', (ctx) => ctx.send('ignored'));
        s.get('/n/{n}', (ctx) => ctx.send(`#${ctx.params.n};`));
        s.on('PROPFIND', '/dav', (ctx) => ctx.send('dav'));
        s.post('/small', async (ctx) => ctx.send(String((await ctx.request.bytes()).length)), { maxBodySize: 10 });
        s.get('/v', (ctx) => ctx.send(ctx.request.version));
      }, { engine, request: { maxPathSize: 64, maxHeaderCount: 10, maxBodySize: 1000 } });
    });
    afterAll(() => app.close());

    it('parses a head split at every byte', async () => {
      for (let cut = 1; cut < GET.length; cut++) {
        const r = await exchange(app.port, [GET.slice(0, cut), GET.slice(cut)], { gapMs: 2, until: /ua=split\/1$/ });
        expect(r.text, `cut at ${cut}`).toMatch(/item 7 q=q=1 ua=split\/1$/);
      }
    });

    it('reads a content-length body split at every byte', async () => {
      for (let cut = 1; cut < POST.length; cut++) {
        const r = await exchange(app.port, [POST.slice(0, cut), POST.slice(cut)], { gapMs: 2, until: /\]$/ });
        expect(r.text, `cut at ${cut}`).toMatch(/\[hello world\]$/);
      }
    });

    it('decodes a chunked body split at every byte (trailer ignored)', async () => {
      for (let cut = 1; cut < CHUNKED.length; cut++) {
        const r = await exchange(app.port, [CHUNKED.slice(0, cut), CHUNKED.slice(cut)], { gapMs: 2, until: /\]$/ });
        expect(r.text, `cut at ${cut}`).toMatch(/\[hello world\]$/);
      }
    });

    it('answers 16 pipelined requests in one write, in order, one byte at a time too', async () => {
      const batch = Array.from({ length: 16 }, (_, i) => `GET /n/${i} HTTP/1.1\r\nHost: x\r\n\r\n`).join('');
      const expected = Array.from({ length: 16 }, (_, i) => `#${i};`).join('');
      const once = await exchange(app.port, [batch], { until: (t) => count(t, '#') === 16 });
      expect(once.text.match(/#\d+;/g)!.join('')).toBe(expected);
      expect(statuses(once.text)).toEqual(new Array(16).fill(200));
      const bytes = await exchange(app.port, [...batch.slice(0, 200)].concat(batch.slice(200)), { until: (t) => count(t, '#') === 16 });
      expect(bytes.text.match(/#\d+;/g)!.join('')).toBe(expected);
    });

    it('pipelines with undici (Pool, pipelining 16) and keeps order', async () => {
      const pool = new Pool(app.url, { connections: 1, pipelining: 16 });
      try {
        const replies = await Promise.all(Array.from({ length: 64 }, (_, i) =>
          pool.request({ path: `/n/${i}`, method: 'GET' }).then((r) => r.body.text())));
        expect(replies).toEqual(Array.from({ length: 64 }, (_, i) => `#${i};`));
      } finally {
        await pool.close();
      }
    });

    it('pipelines POST bodies between heads and drains an unread body', async () => {
      const text = POST + 'POST /ignore HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nxxxxx' + CHUNKED + 'GET /n/1 HTTP/1.1\r\nHost: x\r\n\r\n';
      const r = await exchange(app.port, [text], { until: /#1;$/ });
      expect(r.text.match(/\[hello world\]|ignored|#1;/g)).toEqual(['[hello world]', 'ignored', '[hello world]', '#1;']);
    });

    it('sends 100 Continue only when the handler reads the body', async () => {
      const head = 'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n';
      const r = await exchange(app.port, [head], { until: /100 Continue\r\n\r\n/ });
      expect(r.text).toBe('HTTP/1.1 100 Continue\r\n\r\n');
      const full = await exchange(app.port, [head, 'abc'], { gapMs: 20, until: /\[abc\]$/ });
      expect(full.text).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 OK\r\n[\s\S]*\[abc\]$/);
      const ignored = await exchange(app.port, ['POST /ignore HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n']);
      expect(ignored.text).not.toMatch(/100 Continue/);
      expect(ignored.text).toMatch(/connection: close\r\n/);
      expect(ignored.closed).toBe(true);
    });

    it('answers 417 to an unknown expectation', async () => {
      const r = await exchange(app.port, ['POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nExpect: magic\r\n\r\n']);
      expect(statuses(r.text)).toEqual([417]);
      expect(r.closed).toBe(true);
    });

    const cases: [string, string, number, boolean][] = [
      ['malformed request line', 'GET / HTTP/1.1 x\r\nHost: x\r\n\r\n', 400, true],
      ['missing Host on 1.1', 'GET / HTTP/1.1\r\n\r\n', 400, true],
      ['unknown route', 'GET /nope HTTP/1.1\r\nHost: x\r\n\r\n', 404, false],
      ['wrong method', 'DELETE /echo HTTP/1.1\r\nHost: x\r\n\r\n', 405, false],
      ['unknown method', 'BREW /pot HTTP/1.1\r\nHost: x\r\n\r\n', 501, false],
      ['HTTP/2.0 request line', 'GET / HTTP/2.0\r\nHost: x\r\n\r\n', 505, true],
      ['target over maxPathSize', `GET /${'a'.repeat(100)} HTTP/1.1\r\nHost: x\r\n\r\n`, 414, true],
      ['too many fields', `GET / HTTP/1.1\r\nHost: x\r\n${'A: b\r\n'.repeat(20)}\r\n`, 431, true],
      ['Content-Length over the route limit', 'POST /small HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\nhello world', 413, true],
      ['Content-Length over the server limit', 'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n', 413, true],
      ['CL with TE (smuggling)', 'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', 400, true],
      ['bad chunk size', 'POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', 400, true],
    ];
    for (const [name, raw, status, closes] of cases) {
      it(`answers ${status} for ${name}${closes ? ' and closes' : ' and keeps the connection'}`, async () => {
        const r = await exchange(app.port, [raw + 'GET /n/9 HTTP/1.1\r\nHost: x\r\n\r\n'], { until: /#9;$/ });
        expect(statuses(r.text)[0]).toBe(status);
        if (closes) {
          expect(r.closed).toBe(true);
          expect(r.text).toMatch(/connection: close\r\n/);
          expect(r.text).not.toMatch(/#9;/);
        } else {
          expect(r.text).toMatch(/#9;$/);
        }
        if (status === 405) expect(r.text).toMatch(/allow: POST\r\n/);
      });
    }

    it('answers 413 when a chunked body crosses the limit while being read', async () => {
      const big = `POST /small HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n12345678\r\n8\r\n12345678\r\n0\r\n\r\n`;
      const r = await exchange(app.port, [big]);
      expect(statuses(r.text)).toEqual([413]);
      expect(r.closed).toBe(true);
      const ok = await exchange(app.port, ['POST /small HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n12345678\r\n0\r\n\r\n'], { until: /\r\n\r\n8$/ });
      expect(ok.text).toMatch(/\r\n\r\n8$/);
    });

    it('routes an absolute-form target by its path (RFC 9112 §3.2.2)', async () => {
      const r = await exchange(app.port, ['GET http://example.test/items/7?q=1 HTTP/1.1\r\nHost: example.test\r\nUser-Agent: abs\r\n\r\n'], { until: /ua=abs$/ });
      expect(r.text).toMatch(/item 7 q=q=1 ua=abs$/);
    });

    it('serves extension methods registered by name', async () => {
      const r = await exchange(app.port, ['PROPFIND /dav HTTP/1.1\r\nHost: x\r\n\r\n'], { until: /dav$/ });
      expect(statuses(r.text)).toEqual([200]);
    });

    it('answers HTTP/1.0 with an HTTP/1.1 status line and closes unless keep-alive was asked', async () => {
      const plain = await exchange(app.port, ['GET /v HTTP/1.0\r\n\r\n']);
      expect(plain.text).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
      expect(plain.text).toMatch(/connection: close\r\n/);
      expect(plain.text).toMatch(/1\.0$/);
      expect(plain.closed).toBe(true);
      const kept = await exchange(app.port, ['GET /v HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /v HTTP/1.0\r\nConnection: keep-alive\r\n\r\n'], { until: (t) => count(t, '1.0') >= 2 + 0 && count(t, 'HTTP/1.1 200') === 2 && t.endsWith('1.0') });
      expect(kept.text).toMatch(/connection: keep-alive\r\n/);
      expect(statuses(kept.text)).toEqual([200, 200]);
    });

    it('closes after a response to Connection: close', async () => {
      const r = await exchange(app.port, ['GET /n/1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\nGET /n/2 HTTP/1.1\r\nHost: x\r\n\r\n']);
      expect(r.text).toMatch(/connection: close\r\n/);
      expect(r.text).toMatch(/#1;$/);
      expect(r.closed).toBe(true);
    });

    it('answers every request of a client that half-closes after writing them', async () => {
      const r = await exchange(app.port, ['GET /n/1 HTTP/1.1\r\nHost: x\r\n\r\nGET /n/2 HTTP/1.1\r\nHost: x\r\n\r\n'], { end: true });
      expect(r.text.match(/#\d;/g)).toEqual(['#1;', '#2;']);
      expect(r.closed).toBe(true);
    });
  });
}
