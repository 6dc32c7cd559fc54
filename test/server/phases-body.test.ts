// A body read by pre-routing (server-level) request middleware, before the route's limit is known:
// it is bounded by the largest limit any route has, so such middleware cannot be made to buffer an
// unbounded body (413 over it), and the route's own limit still applies once routed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exchange, start, statuses } from './helpers.js';
import type { Running } from './helpers.js';

describe('pre-routing middleware and request bodies', () => {
  let app: Running;
  beforeAll(async () => {
    app = await start((s) => {
      s.requestMiddleware(async (ctx) => {
        if (ctx.request.header('x-read-early') === 'yes') ctx.attributes.set('early', (await ctx.request.text()).length);
      });
      s.post('/big', (ctx) => ctx.send(`got ${String(ctx.attributes.get('early'))}`), { maxBodySize: 2000 });
      s.post('/small', (ctx) => ctx.send('small'), { maxBodySize: 10 });
    }, { request: { maxBodySize: 100 } });
  });
  afterAll(() => app.close());

  it('reads up to the largest route limit before routing; above it the answer is 413', async () => {
    const ok = await exchange(app.port, [`POST /big HTTP/1.1\r\nhost: x\r\nx-read-early: yes\r\ncontent-length: 1500\r\nconnection: close\r\n\r\n${'a'.repeat(1500)}`]);
    expect(statuses(ok.text)).toEqual([200]);
    expect(ok.text).toContain('got 1500');
    const over = await exchange(app.port, [`POST /big HTTP/1.1\r\nhost: x\r\nx-read-early: yes\r\ncontent-length: 5000\r\n\r\n${'a'.repeat(5000)}`]);
    expect(statuses(over.text)).toEqual([413]);
    expect(over.closed).toBe(true);
  });

  it('the route limit applies once routed (a body under the largest limit but over the route one is 413)', async () => {
    const res = await exchange(app.port, [`POST /small HTTP/1.1\r\nhost: x\r\ncontent-length: 50\r\n\r\n${'a'.repeat(50)}`]);
    expect(statuses(res.text)).toEqual([413]);
  });
});
