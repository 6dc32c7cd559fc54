// Connection hardening over real sockets: the total request deadline (requestTimeoutMs), the handler
// deadline (handlerTimeoutMs, server-wide and per route), CONNECT with content (RFC 9110 §9.3.6), and
// the memory a body costs while it is buffered (src/http/body-buffer.ts).
import { connect } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import type { RequestBody } from '../../src/http/body.js';
import { ENGINES, exchange, start, statuses } from './helpers.js';
import type { Running } from './helpers.js';

/** A server whose onRequestError hook puts the code in an x-code field and records it. */
async function coded(setup: Parameters<typeof start>[0], options: Parameters<typeof start>[1]): Promise<Running & { codes: string[] }> {
  const codes: string[] = [];
  const app = await start((s) => {
    setup(s);
    s.onRequestError((error, ctx) => {
      codes.push(error.code);
      ctx.header('x-code', error.code);
    });
  }, options);
  return Object.assign(app, { codes });
}

for (const engine of ENGINES) {
  describe(`request deadline (${engine})`, () => {
    // Phase timeouts far away: only requestTimeoutMs can end these requests.
    const SLOW_PHASES = { headTimeoutMs: 20_000, readTimeoutMs: 20_000, idleTimeoutMs: 20_000, requestTimeoutMs: 600 };
    const echo = (s: Running['server']): void => {
      s.post('/', async (ctx) => ctx.send(await ctx.request.text()));
    };

    it('answers 408 and closes when a Content-Length body trickles in (1 byte / 50 ms)', async () => {
      const app = await coded(echo, { engine, request: SLOW_PHASES });
      try {
        const body = [...'x'.repeat(200)];
        const r = await exchange(app.port, ['POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 200\r\n\r\n', ...body], { gapMs: 50, timeoutMs: 15_000 });
        expect(statuses(r.text)).toEqual([408]);
        expect(r.text).toMatch(/x-code: WL_REQUEST_TIMEOUT\r\n/);
        expect(r.closed).toBe(true);
      } finally {
        await app.close();
      }
    });

    it('answers 408 and closes when a chunked body trickles in', async () => {
      const app = await coded(echo, { engine, request: SLOW_PHASES });
      try {
        const chunks = Array.from({ length: 200 }, () => '1\r\nx\r\n');
        const r = await exchange(app.port, ['POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n', ...chunks, '0\r\n\r\n'], { gapMs: 50, timeoutMs: 15_000 });
        expect(statuses(r.text)).toEqual([408]);
        expect(r.text).toMatch(/x-code: WL_REQUEST_TIMEOUT\r\n/);
        expect(r.closed).toBe(true);
      } finally {
        await app.close();
      }
    });

    it('answers 408 and closes when a head trickles in under a longer headTimeoutMs', async () => {
      const app = await coded(echo, { engine, request: SLOW_PHASES });
      try {
        const parts = [...`POST / HTTP/1.1\r\nHost: x\r\nX-Slow: ${'a'.repeat(150)}\r\nContent-Length: 0\r\n\r\n`];
        const r = await exchange(app.port, parts, { gapMs: 50, timeoutMs: 15_000 });
        expect(statuses(r.text)).toEqual([408]);
        expect(r.closed).toBe(true);
      } finally {
        await app.close();
      }
    });

    it('runs from each request\'s first byte: a keep-alive connection outlives it', async () => {
      const app = await coded(echo, { engine, request: SLOW_PHASES });
      try {
        // Four requests, each sent in two parts 150 ms apart: the connection lives ~1.2 s (twice the
        // deadline) but no single request takes longer than 150 ms.
        const head = 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nab';
        const parts = Array.from({ length: 4 }, () => [head, 'cde']).flat();
        const r = await exchange(app.port, parts, { gapMs: 150, until: (t) => statuses(t).length === 4, timeoutMs: 15_000 });
        expect(statuses(r.text)).toEqual([200, 200, 200, 200]);
        expect(app.codes).toEqual([]);
      } finally {
        await app.close();
      }
    });
  });

  describe(`handler deadline (${engine})`, () => {
    it('answers 503 WL_HANDLER_TIMEOUT through onRequestError and closes when a handler never settles', async () => {
      const app = await coded((s) => s.get('/hang', () => new Promise(() => {})), { engine, request: { handlerTimeoutMs: 300 } });
      try {
        const r = await exchange(app.port, ['GET /hang HTTP/1.1\r\nHost: x\r\n\r\n'], { timeoutMs: 10_000 });
        expect(statuses(r.text)).toEqual([503]);
        expect(r.text).toMatch(/x-code: WL_HANDLER_TIMEOUT\r\n/);
        expect(r.text).toMatch(/connection: close\r\n/);
        expect(r.closed).toBe(true);
        expect(app.codes).toEqual(['WL_HANDLER_TIMEOUT']);
      } finally {
        await app.close();
      }
    });

    it('takes a per-route handlerTimeoutMs over the server one (on and off)', async () => {
      const app = await coded((s) => {
        s.get('/short', () => new Promise(() => {}), { handlerTimeoutMs: 300 });
        s.get('/off', async (ctx) => {
          await new Promise((r) => setTimeout(r, 800));
          ctx.send('finished');
        }, { handlerTimeoutMs: 0 });
      }, { engine, request: { handlerTimeoutMs: 400 } });
      try {
        const short = await exchange(app.port, ['GET /short HTTP/1.1\r\nHost: x\r\n\r\n'], { timeoutMs: 10_000 });
        expect(statuses(short.text)).toEqual([503]);
        expect(short.closed).toBe(true);
        const off = await exchange(app.port, ['GET /off HTTP/1.1\r\nHost: x\r\n\r\n'], { until: /finished$/, timeoutMs: 10_000 });
        expect(statuses(off.text)).toEqual([200]);
      } finally {
        await app.close();
      }
      const never = await coded((s) => s.get('/hang', () => new Promise(() => {}), { handlerTimeoutMs: 300 }), { engine });
      try {
        const r = await exchange(never.port, ['GET /hang HTTP/1.1\r\nHost: x\r\n\r\n'], { timeoutMs: 10_000 });
        expect(statuses(r.text)).toEqual([503]); // server default off, the route turns it on
      } finally {
        await never.close();
      }
    });

    it('leaves handlers that answer (or start a stream) in time alone, across keep-alive requests', async () => {
      const app = await coded((s) => {
        s.get('/quick', async (ctx) => {
          await new Promise((r) => setTimeout(r, 20));
          ctx.send('quick');
        });
        s.get('/stream', (ctx) => {
          const stream = ctx.stream(200);
          stream.write('begun;');
          setTimeout(() => {
            stream.write('ended');
            stream.end();
          }, 700); // the response started in time: no 503
        });
      }, { engine, request: { handlerTimeoutMs: 300 } });
      try {
        // The second request comes after more than the timeout: the first one's deadline is gone.
        const get = 'GET /quick HTTP/1.1\r\nHost: x\r\n\r\n';
        const r = await exchange(app.port, [get, get], { gapMs: 600, until: (t) => statuses(t).length === 2 && t.endsWith('quick'), timeoutMs: 10_000 });
        expect(statuses(r.text)).toEqual([200, 200]);
        expect(r.text).not.toMatch(/connection: close/);
        const s = await exchange(app.port, ['GET /stream HTTP/1.1\r\nHost: x\r\n\r\n'], { until: /0\r\n\r\n$/, timeoutMs: 10_000 });
        expect(statuses(s.text)).toEqual([200]);
        expect(s.text).toMatch(/begun;[\s\S]*ended/);
        expect(app.codes).toEqual([]);
      } finally {
        await app.close();
      }
    });

    it('drops what a handler does after its timeout (no second response, no crash)', async () => {
      const panics: unknown[] = [];
      let lateDone!: (outcome: string) => void;
      const late = new Promise<string>((r) => (lateDone = r));
      const app = await coded((s) => {
        s.get('/late', async (ctx) => {
          await new Promise((r) => setTimeout(r, 600));
          try {
            ctx.status(200).send('too late');
            lateDone('sent');
          } catch (error) {
            lateDone((error as { code?: string }).code ?? 'error');
            throw error; // a rejection after the timeout must be contained too
          }
        });
        s.get('/ok', (ctx) => ctx.send('ok'));
        s.onPanic((_ctx, error) => panics.push(error));
      }, { engine, request: { handlerTimeoutMs: 200 } });
      try {
        const r = await exchange(app.port, ['GET /late HTTP/1.1\r\nHost: x\r\n\r\n'], { timeoutMs: 10_000 });
        expect(statuses(r.text)).toEqual([503]);
        expect(r.text).not.toMatch(/too late/);
        expect(r.closed).toBe(true);
        expect(await late).toBe('WL_RESPONSE_ALREADY_SENT');
        await new Promise((r) => setTimeout(r, 20)); // let the rejection reach the connection
        const after = await exchange(app.port, ['GET /ok HTTP/1.1\r\nHost: x\r\n\r\n'], { until: /ok$/ });
        expect(statuses(after.text)).toEqual([200]);
        expect(panics).toEqual([]);
      } finally {
        await app.close();
      }
    });
  });

  describe(`CONNECT with content (${engine})`, () => {
    const connectApp = (): Promise<Running & { codes: string[] }> => coded((s) => s.get('/', (ctx) => ctx.send('ok')), { engine });

    it('answers 400 WL_CONNECT_WITH_BODY and closes for Content-Length > 0', async () => {
      const app = await connectApp();
      try {
        const r = await exchange(app.port, ['CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\nContent-Length: 5\r\n\r\nhelloGET / HTTP/1.1\r\nHost: x\r\n\r\n'], { timeoutMs: 5000 });
        expect(statuses(r.text)).toEqual([400]); // the bytes after the head are never read as a request
        expect(r.text).toMatch(/x-code: WL_CONNECT_WITH_BODY\r\n/);
        expect(r.closed).toBe(true);
      } finally {
        await app.close();
      }
    });

    it('answers 400 WL_CONNECT_WITH_BODY and closes for Transfer-Encoding', async () => {
      const app = await connectApp();
      try {
        const r = await exchange(app.port, ['CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n'], { timeoutMs: 5000 });
        expect(statuses(r.text)).toEqual([400]);
        expect(r.text).toMatch(/x-code: WL_CONNECT_WITH_BODY\r\n/);
        expect(r.closed).toBe(true);
      } finally {
        await app.close();
      }
    });

    it('lets Content-Length: 0 through (no content declared)', async () => {
      const app = await connectApp();
      try {
        const r = await exchange(app.port, ['CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\nContent-Length: 0\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n'], { until: /ok$/, timeoutMs: 5000 });
        // No CONNECT route here: routed as usual (404), and the connection goes on.
        expect(statuses(r.text)).toEqual([404, 200]);
        expect(app.codes).toEqual(['WL_NOT_FOUND']);
      } finally {
        await app.close();
      }
    });
  });
}
