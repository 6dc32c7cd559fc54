// Hostile input must never crash the server: random bytes, truncated and mangled requests, abrupt
// disconnects in every state. After the storm a normal request still gets its answer.
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { request } from 'undici';
import { ENGINES, exchange, start } from './helpers.js';
import { rng as prng } from '../http/head/support/gen.js';

const SEEDS = [
  'GET / HTTP/1.1\r\nHost: x\r\n\r\n',
  'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello',
  'POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n',
  'GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n',
];

for (const engine of ENGINES) {
  describe(`robustness (${engine})`, () => {
    it('survives 300 mangled requests and disconnects, then answers normally', async () => {
      const app = await start((s) => {
        s.get('/', (ctx) => ctx.send('ok'));
        s.post('/echo', async (ctx) => ctx.send(await ctx.request.bytes()));
        s.get('/ws', (ctx) => ctx.send('not a websocket route here'));
      }, { engine, request: { headTimeoutMs: 300, readTimeoutMs: 300, idleTimeoutMs: 300 } });
      app.server.onPanic(() => {});
      try {
        const random = prng(0x5eed + engine.length);
        const jobs: Promise<unknown>[] = [];
        for (let i = 0; i < 300; i++) {
          const base = Buffer.from(SEEDS[i % SEEDS.length]!.repeat(1 + (i % 3)), 'latin1');
          const mangled = Buffer.from(base);
          const edits = Math.floor(random() * 4);
          for (let e = 0; e < edits; e++) mangled[Math.floor(random() * mangled.length)] = Math.floor(random() * 256);
          const cut = random() < 0.3 ? Math.floor(random() * mangled.length) : mangled.length;
          const bytes = mangled.subarray(0, cut);
          if (i % 10 === 0) {
            // Abrupt reset in the middle of a request.
            jobs.push(new Promise<void>((resolve) => {
              const socket = connect(app.port, '127.0.0.1', () => {
                socket.write(bytes.subarray(0, bytes.length >> 1));
                setTimeout(() => { socket.resetAndDestroy(); resolve(); }, 2);
              });
              socket.on('error', () => resolve());
            }));
          } else {
            jobs.push(exchange(app.port, [bytes], { timeoutMs: 1500, end: i % 2 === 0 }));
          }
          if (jobs.length >= 20) await Promise.all(jobs.splice(0));
        }
        await Promise.all(jobs);
        const res = await request(`${app.url}/`);
        expect(await res.body.text()).toBe('ok');
      } finally {
        await app.close();
      }
    }, 30_000);
  });
}
