// Limits that need their own server configuration: head size across chunks, requests per connection,
// error hooks on head-level errors, the route body limit on chunked bodies.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES, exchange, start, statuses } from './helpers.js';
import type { Running } from './helpers.js';

for (const engine of ENGINES) {
  describe(`limits (${engine})`, () => {
    let app: Running;
    const seen: string[] = [];
    beforeAll(async () => {
      app = await start((s) => {
        s.get('/', (ctx) => ctx.send('ok'));
        s.onRequestError((error, ctx) => {
          seen.push(`${error.code}:${ctx.request.method}`);
          ctx.header('x-code', error.code);
        });
      }, { engine, request: { bufferSize: 1024, maxRequestsPerConnection: 3 } });
    });
    afterAll(() => app.close());

    it('answers 431 to a head larger than bufferSize that arrives in pieces', async () => {
      const head = `GET / HTTP/1.1\r\nHost: x\r\n${Array.from({ length: 40 }, (_, i) => `X-Filler-${i}: ${'v'.repeat(20)}\r\n`).join('')}\r\n`;
      expect(head.length).toBeGreaterThan(1024);
      const parts: string[] = [];
      for (let i = 0; i < head.length; i += 100) parts.push(head.slice(i, i + 100));
      const r = await exchange(app.port, parts, { gapMs: 3 });
      expect(statuses(r.text)).toEqual([431]);
      expect(r.text).toMatch(/x-code: WL_HEAD_TOO_LARGE\r\n/);
      expect(r.closed).toBe(true);
      expect(seen).toContain('WL_HEAD_TOO_LARGE:');
    });

    it('accepts a head just under bufferSize split at many points', async () => {
      const filler = 'X-F: ' + 'v'.repeat(1024 - 'GET / HTTP/1.1\r\nHost: x\r\n\r\n'.length - 'X-F: \r\n'.length) + '\r\n';
      const head = `GET / HTTP/1.1\r\nHost: x\r\n${filler}\r\n`;
      expect(head.length).toBe(1024);
      for (const cut of [1, 17, 511, 1000, 1023]) {
        const r = await exchange(app.port, [head.slice(0, cut), head.slice(cut)], { gapMs: 3, until: /ok$/ });
        expect(statuses(r.text), `cut ${cut}`).toEqual([200]);
      }
    });

    it('closes after maxRequestsPerConnection responses', async () => {
      const req = 'GET / HTTP/1.1\r\nHost: x\r\n\r\n';
      const r = await exchange(app.port, [req.repeat(5)]);
      expect(statuses(r.text)).toEqual([200, 200, 200]);
      expect(r.text.match(/connection: close/g)).toHaveLength(1);
      expect(r.closed).toBe(true);
    });
  });
}
