// Timeouts, graceful shutdown, streamed responses, inject(), the WebSocket hand-off, curl.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { request } from 'undici';
import WebSocketClient from 'ws';
import { Server } from '../../src/server.js';
import { ENGINES, exchange, start, statuses } from './helpers.js';

const FAST = { headTimeoutMs: 200, readTimeoutMs: 200, idleTimeoutMs: 200 };

for (const engine of ENGINES) {
  describe(`timeouts (${engine})`, () => {
    it('answers 408 and closes when a head trickles in slower than headTimeoutMs (slowloris)', async () => {
      const app = await start((s) => s.get('/', (ctx) => ctx.send('ok')), { engine, request: FAST });
      try {
        // One byte every 50 ms: each byte would re-arm an inactivity timer; ours runs from the first byte.
        const parts = [...'GET / HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaaa\r\n\r\n'];
        const r = await exchange(app.port, parts, { gapMs: 50, timeoutMs: 5000 });
        expect(statuses(r.text)).toEqual([408]);
        expect(r.closed).toBe(true);
      } finally {
        await app.close();
      }
    });

    it('answers 408 and closes when a body stalls', async () => {
      const app = await start((s) => s.post('/', async (ctx) => ctx.send(await ctx.request.text())), { engine, request: FAST });
      try {
        const r = await exchange(app.port, ['POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc'], { timeoutMs: 5000 });
        expect(statuses(r.text)).toEqual([408]);
        expect(r.closed).toBe(true);
      } finally {
        await app.close();
      }
    });

    it('closes an idle keep-alive connection silently', async () => {
      const app = await start((s) => s.get('/', (ctx) => ctx.send('ok')), { engine, request: FAST });
      try {
        const r = await exchange(app.port, ['GET / HTTP/1.1\r\nHost: x\r\n\r\n'], { timeoutMs: 5000 });
        expect(statuses(r.text)).toEqual([200]);
        expect(r.text).not.toMatch(/connection: close/);
        expect(r.closed).toBe(true);
        const silent = await exchange(app.port, [], { timeoutMs: 5000 });
        expect(silent.text).toBe('');
        expect(silent.closed).toBe(true);
      } finally {
        await app.close();
      }
    });
  });
}

describe('graceful shutdown', () => {
  it('closes idle connections now, lets the in-flight request finish with Connection: close', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let entered!: () => void;
    const inside = new Promise<void>((r) => (entered = r));
    const app = await start((s) => {
      s.get('/', (ctx) => ctx.send('ok'));
      s.get('/slow', async (ctx) => {
        entered();
        await gate;
        ctx.send('slow done');
      });
    });
    const idle = exchange(app.port, ['GET / HTTP/1.1\r\nHost: x\r\n\r\n'], { timeoutMs: 5000 });
    const busy = exchange(app.port, ['GET /slow HTTP/1.1\r\nHost: x\r\n\r\n'], { timeoutMs: 5000 });
    await inside;
    await new Promise((r) => setTimeout(r, 50)); // let the idle one get its answer
    const closing = app.server.close({ timeoutMs: 3000 });
    const idleResult = await idle;
    expect(idleResult.closed).toBe(true);
    expect(statuses(idleResult.text)).toEqual([200]);
    // New connections are refused once closing.
    const refused = await new Promise<boolean>((resolve) => {
      const s = connect(app.port, '127.0.0.1');
      s.on('error', () => resolve(true));
      s.on('connect', () => { s.destroy(); resolve(false); });
    });
    expect(refused).toBe(true);
    release();
    const busyResult = await busy;
    expect(busyResult.text).toMatch(/connection: close\r\n[\s\S]*slow done$/);
    expect(busyResult.closed).toBe(true);
    await closing;
    expect(app.server.connectionCount).toBe(0);
  });

  it('ends upgraded WebSocket connections too', async () => {
    const app = await start((s) => s.ws('/ws', { open: () => {} }));
    const client = new WebSocketClient(`ws://127.0.0.1:${app.port}/ws`);
    await new Promise<void>((resolve, reject) => {
      client.on('open', () => resolve());
      client.on('error', reject);
    });
    expect(app.server.upgradedSockets.size).toBe(1);
    const closed = new Promise<void>((resolve) => client.on('close', () => resolve()));
    await app.server.close({ timeoutMs: 300 });
    await closed;
    expect(app.server.upgradedSockets.size).toBe(0);
  });

  it('destroys what remains at the deadline', async () => {
    const app = await start((s) => s.get('/hang', () => new Promise(() => {})));
    const hung = exchange(app.port, ['GET /hang HTTP/1.1\r\nHost: x\r\n\r\n'], { timeoutMs: 5000 });
    await new Promise((r) => setTimeout(r, 50));
    await app.server.close({ timeoutMs: 100 });
    const result = await hung;
    expect(result.closed).toBe(true);
    expect(result.text).toBe('');
  });
});

for (const engine of ENGINES) {
  describe(`streams, inject, upgrade (${engine})`, () => {
    it('streams chunked on 1.1, close-delimited on 1.0, and goes on with the next request', async () => {
      const app = await start((s) => {
        s.get('/stream', (ctx) => {
          const stream = ctx.stream(200, { 'content-type': 'text/plain' });
          let i = 0;
          const tick = (): void => {
            if (i === 3) return stream.end();
            stream.write(`part${i++};`);
            setTimeout(tick, 5);
          };
          tick();
        });
        s.get('/after', (ctx) => ctx.send('after'));
      }, { engine });
      try {
        const res = await request(`${app.url}/stream`);
        expect(res.headers['transfer-encoding']).toBe('chunked');
        expect(await res.body.text()).toBe('part0;part1;part2;');
        const r = await exchange(app.port, ['GET /stream HTTP/1.1\r\nHost: x\r\n\r\nGET /after HTTP/1.1\r\nHost: x\r\n\r\n'], { until: /after$/ });
        expect(r.text).toMatch(/6\r\npart0;\r\n6\r\npart1;\r\n6\r\npart2;\r\n0\r\n\r\nHTTP\/1\.1 200 OK/);
        const old = await exchange(app.port, ['GET /stream HTTP/1.0\r\n\r\n']);
        expect(old.text).not.toMatch(/transfer-encoding/);
        expect(old.text).toMatch(/\r\n\r\npart0;part1;part2;$/);
        expect(old.closed).toBe(true);
      } finally {
        await app.close();
      }
    });

    it('inject() runs a request through the whole pipeline without a socket', async () => {
      const server = new Server({ engine });
      server.requestMiddleware((ctx) => void ctx.attributes.set('seen', true));
      server.post('/sum/{a}', async (ctx) => {
        const body = (await ctx.request.json()) as { b: number };
        ctx.header('x-seen', String(ctx.attributes.get('seen'))).json({ sum: Number(ctx.params.a) + body.b });
      });
      const res = await server.inject({ method: 'POST', path: '/sum/2', body: { b: 3 } });
      expect(res.status).toBe(200);
      expect(res.headers['x-seen']).toBe('true');
      expect(res.json()).toEqual({ sum: 5 });
      const missing = await server.inject({ path: '/nope' });
      expect(missing.status).toBe(404);
    });

    it('answers 426 to a plain GET on a WebSocket route and hands an upgrade over', async () => {
      const app = await start((s) => {
        s.ws('/ws/{room}', {
          message: (ws: { send(d: string): void }, data: Buffer) => ws.send(`echo:${data.toString()}`),
        });
      }, { engine });
      try {
        const plain = await request(`${app.url}/ws/lobby`);
        expect(plain.statusCode).toBe(426);
        expect(plain.headers.upgrade).toBe('websocket');
        expect(String(plain.headers.connection).toLowerCase()).toMatch(/upgrade/);
        await plain.body.dump();
        const client = new WebSocketClient(`ws://127.0.0.1:${app.port}/ws/lobby`);
        const reply = await new Promise<string>((resolve, reject) => {
          client.on('open', () => client.send('hi'));
          client.on('message', (data) => resolve(String(data)));
          client.on('error', reject);
        });
        expect(reply).toBe('echo:hi');
        expect(app.server.upgradedSockets.size).toBe(1);
        client.terminate();
      } finally {
        await app.close();
      }
    });
  });
}

describe.skipIf(!existsSync('/usr/bin/curl'))('curl', () => {
  it('gets, posts and keeps the connection alive across two URLs', async () => {
    const app = await start((s) => {
      s.get('/hello/{name}', (ctx) => ctx.send(`hello ${ctx.params.name}`));
      s.post('/echo', async (ctx) => ctx.send(await ctx.request.text()));
    });
    try {
      const run = (args: string[]): Promise<string> => new Promise((resolve, reject) => {
        execFile('curl', ['-sS', '--max-time', '5', ...args], (error, stdout, stderr) => (error ? reject(new Error(stderr)) : resolve(stdout + stderr)));
      });
      expect(await run([`${app.url}/hello/curl`])).toBe('hello curl');
      expect(await run(['-H', 'Expect: 100-continue', '--data-binary', 'posted', `${app.url}/echo`])).toBe('posted');
      const both = await run(['-v', `${app.url}/hello/a`, `${app.url}/hello/b`]);
      expect(both).toMatch(/Re-using existing connection|Reusing existing/);
    } finally {
      await app.close();
    }
  });
});

for (const engine of ENGINES) {
  describe(`flow control and failures (${engine})`, () => {
    it('streams a large upload through for-await with the socket paused and resumed', async () => {
      const app = await start((s) => {
        s.post('/upload', async (ctx) => {
          let total = 0;
          const hash = createHash('sha256');
          for await (const chunk of ctx.request.body) {
            total += chunk.length;
            hash.update(chunk);
            await new Promise((r) => setImmediate(r)); // a slow consumer
          }
          ctx.json({ total, sha: hash.digest('hex') });
        }, { maxBodySize: 8 * 1024 * 1024 });
      }, { engine });
      try {
        const payload = Buffer.alloc(4 * 1024 * 1024);
        for (let i = 0; i < payload.length; i++) payload[i] = (i * 7) & 0xff;
        const sha = createHash('sha256').update(payload).digest('hex');
        const res = await request(`${app.url}/upload`, { method: 'POST', body: payload });
        expect(await res.body.json()).toEqual({ total: payload.length, sha });
      } finally {
        await app.close();
      }
    });

    it('reports write() false over the high-water mark and drains when the client reads', async () => {
      let sawFalse = false;
      let drained = false;
      const app = await start((s) => {
        s.get('/flood', (ctx) => {
          const stream = ctx.stream(200);
          const chunk = Buffer.alloc(64 * 1024, 0x61);
          let sent = 0;
          const pump = (): void => {
            while (sent < 64) {
              sent++;
              if (!stream.write(chunk)) {
                sawFalse = true;
                return;
              }
            }
            stream.end();
          };
          stream.onDrain(() => {
            drained = true;
            pump();
          });
          pump();
        });
      }, { engine, highWaterMark: 16 * 1024 });
      try {
        const res = await request(`${app.url}/flood`);
        let received = 0;
        for await (const part of res.body) received += (part as Buffer).length;
        expect(received).toBe(64 * 64 * 1024);
        expect(sawFalse).toBe(true);
        expect(drained).toBe(true);
      } finally {
        await app.close();
      }
    });

    it('destroys the connection when a handler throws after its stream started', async () => {
      const app = await start((s) => {
        s.get('/half', async (ctx) => {
          ctx.stream(200).write('partial');
          await new Promise((r) => setTimeout(r, 5));
          throw new Error('late failure');
        });
      }, { engine });
      app.server.onPanic(() => {});
      try {
        const r = await exchange(app.port, ['GET /half HTTP/1.1\r\nHost: x\r\n\r\n'], { timeoutMs: 3000 });
        expect(r.text).toMatch(/partial/);
        expect(r.text).not.toMatch(/0\r\n\r\n$/); // no last-chunk: the client sees the body as cut
        expect(r.closed).toBe(true);
      } finally {
        await app.close();
      }
    });

    it('answers pipelined async requests of a client that half-closed, in order', async () => {
      const app = await start((s) => {
        s.get('/later/{n}', async (ctx) => {
          await new Promise((r) => setTimeout(r, 10 - Number(ctx.params.n)));
          ctx.send(`<${ctx.params.n}>`);
        });
      }, { engine });
      try {
        const raw = [1, 2, 3].map((n) => `GET /later/${n} HTTP/1.1\r\nHost: x\r\n\r\n`).join('');
        const r = await exchange(app.port, [raw], { end: true });
        expect(r.text.match(/<\d>/g)).toEqual(['<1>', '<2>', '<3>']);
        expect(r.text.match(/connection: close/g)).toHaveLength(1);
        expect(r.closed).toBe(true);
      } finally {
        await app.close();
      }
    });
  });
}
