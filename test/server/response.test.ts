// Response details: closeAfter, repeated fields, bytes bodies, non-ASCII bodies and field values,
// HEAD on a stream, statuses without content, the Date line.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { ENGINES, exchange, start, statuses } from './helpers.js';
import type { Running } from './helpers.js';

for (const engine of ENGINES) {
  describe(`responses (${engine})`, () => {
    let app: Running;
    beforeAll(async () => {
      app = await start((s) => {
        s.get('/close', (ctx) => ctx.closeAfter().send('bye'));
        s.get('/cookies', (ctx) => ctx.appendHeader('set-cookie', 'a=1').appendHeader('set-cookie', 'b=2').send('c'));
        s.get('/bytes', (ctx) => ctx.header('content-type', 'application/octet-stream').send(Uint8Array.from([0, 1, 2, 255])));
        s.get('/utf8', (ctx) => ctx.header('x-latin', 'café').send('héllo ✓'));
        s.get('/stream', (ctx) => {
          const stream = ctx.stream(200, { 'x-kind': 'stream' });
          stream.write('data');
          stream.end();
        });
        s.get('/304', (ctx) => ctx.status(304).send('ignored'));
        s.get('/html', (ctx) => ctx.html('<p>hi</p>'));
        s.get('/twice', (ctx) => {
          ctx.send('one');
          ctx.send('two');
        });
      }, { engine });
      app.server.onPanic(() => {});
    });
    afterAll(() => app.close());

    it('closeAfter() sends Connection: close and closes', async () => {
      const r = await exchange(app.port, ['GET /close HTTP/1.1\r\nHost: x\r\n\r\nGET /html HTTP/1.1\r\nHost: x\r\n\r\n']);
      expect(statuses(r.text)).toEqual([200]);
      expect(r.text).toMatch(/connection: close\r\n/);
      expect(r.closed).toBe(true);
    });

    it('keeps repeated fields (set-cookie) as separate lines', async () => {
      const r = await exchange(app.port, ['GET /cookies HTTP/1.1\r\nHost: x\r\n\r\n'], { until: /\r\n\r\nc$/ });
      expect(r.text.match(/set-cookie: [ab]=\d\r\n/g)).toEqual(['set-cookie: a=1\r\n', 'set-cookie: b=2\r\n']);
    });

    it('sends bytes bodies exactly', async () => {
      const res = await request(`${app.url}/bytes`);
      expect([...Buffer.from(await res.body.arrayBuffer())]).toEqual([0, 1, 2, 255]);
      expect(res.headers['content-length']).toBe('4');
    });

    it('counts UTF-8 bytes in content-length and writes latin1 field values byte for byte', async () => {
      const r = await exchange(app.port, ['GET /utf8 HTTP/1.1\r\nHost: x\r\n\r\n'], { until: (t) => Buffer.from(t, 'latin1').includes(Buffer.from('✓')) });
      const bytes = Buffer.from(r.text, 'latin1');
      expect(r.text).toMatch(new RegExp(`content-length: ${Buffer.byteLength('héllo ✓')}\\r\\n`));
      expect(bytes.includes(Buffer.from('x-latin: caf\xe9\r\n', 'latin1'))).toBe(true);
      expect(bytes.subarray(bytes.indexOf('\r\n\r\n') + 4).toString('utf8')).toBe('héllo ✓');
    });

    it('answers HEAD on a streamed route with the head only and keeps the connection', async () => {
      const r = await exchange(app.port, ['HEAD /stream HTTP/1.1\r\nHost: x\r\n\r\nGET /html HTTP/1.1\r\nHost: x\r\n\r\n'], { until: /<p>hi<\/p>$/ });
      expect(r.text).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*x-kind: stream\r\ntransfer-encoding: chunked\r\n\r\nHTTP\/1\.1 200 OK/);
      expect(r.text).not.toMatch(/data/);
    });

    it('sends 304 without content or content-length, with a Date line', async () => {
      const r = await exchange(app.port, ['GET /304 HTTP/1.1\r\nHost: x\r\n\r\nGET /html HTTP/1.1\r\nHost: x\r\n\r\n'], { until: /<p>hi<\/p>$/ });
      const first = r.text.slice(0, r.text.indexOf('\r\n\r\n') + 4);
      expect(first).toMatch(/^HTTP\/1\.1 304 Not Modified\r\ndate: \w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT\r\n/);
      expect(first).not.toMatch(/content-length/);
      expect(r.text.slice(first.length)).toMatch(/^HTTP\/1\.1 200 OK/);
    });

    it('refuses a second send() (500 through onPanic, nothing of the first leaks)', async () => {
      const res = await request(`${app.url}/twice`);
      expect(res.statusCode).toBe(500);
      expect(await res.body.text()).not.toMatch(/one|two/);
    });
  });
}
