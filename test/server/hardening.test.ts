// Connection hardening over real sockets: the total request deadline (requestTimeoutMs), the handler
// deadline (handlerTimeoutMs, server-wide and per route), CONNECT with content (RFC 9110 §9.3.6), and
// the memory a body costs while it is buffered (src/http/body-buffer.ts).
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import type { RequestBody } from '../../src/http/body.js';
import { ENGINES, exchange, start, statuses } from './helpers.js';
import type { Running } from './helpers.js';

// Memory is measured in this process (the server runs in it) after a full GC.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
function heapAndExternal(): number {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}
const MiB = 1024 * 1024;

/** A raw client: everything the server sends, and whether it closed. */
function client(port: number): Promise<{ socket: Socket; text: () => string; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    socket.setNoDelay(true); // every write its own TCP segment
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
    const closed = new Promise<void>((r) => socket.on('close', () => r()));
    socket.on('error', () => {});
    socket.once('connect', () => resolve({ socket, text: () => text, closed }));
    socket.once('error', reject);
  });
}

/** Write each part on its own; yield to the event loop every `per` writes so that the server (in
 *  this process) reads them as they come: a few bytes per read, as from a slow client. */
async function trickle(socket: Socket, parts: (string | Buffer)[], per = 2): Promise<void> {
  for (let i = 0; i < parts.length; i++) {
    socket.write(parts[i]!);
    if (i % per === per - 1) await new Promise((r) => setImmediate(r));
  }
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 5));
}

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

describe('body memory with 1-byte segments (Content-Length; the engine only parses the head)', () => {
  it('buffers a 256 KiB body for bytes() at ~its size, not ~200 bytes per segment', async () => {
    let body: RequestBody | null = null;
    const app = await start((s) => {
      s.post('/', async (ctx) => {
        body = ctx.request.body;
        const bytes = await ctx.request.bytes();
        ctx.send(`${bytes.length}:${bytes.every((b) => b === 0x78)}`);
      });
    });
    try {
      const size = 256 * 1024;
      const before = heapAndExternal();
      const c = await client(app.port);
      c.socket.write(`POST / HTTP/1.1\r\nHost: x\r\nContent-Length: ${size}\r\n\r\n`);
      const one = Buffer.from('x');
      await trickle(c.socket, Array.from({ length: size - 1 }, () => one));
      await until(() => body !== null && (body as RequestBody).received === size - 1);
      const grown = heapAndExternal() - before;
      // Kept as one view per segment this was ~25 MB here (~150 MB for 1 MiB).
      expect(grown).toBeLessThan(4 * MiB);
      c.socket.write(one);
      await until(() => c.text().endsWith(`${size}:true`));
      expect(statuses(c.text())).toEqual([200]);
      c.socket.destroy();
    } finally {
      await app.close();
    }
  });
});

for (const engine of ENGINES) {
  describe(`body memory and backpressure (${engine})`, () => {
    it('answers 413 to a chunked body of 1-byte chunks over the route limit, memory bounded before it', async () => {
      let body: RequestBody | null = null;
      const limit = 128 * 1024;
      const app = await coded((s) => {
        s.post('/', async (ctx) => {
          body = ctx.request.body;
          ctx.send(String((await ctx.request.bytes()).length));
        }, { maxBodySize: limit });
      }, { engine });
      try {
        const before = heapAndExternal();
        const c = await client(app.port);
        c.socket.write('POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n');
        await trickle(c.socket, Array.from({ length: limit }, () => '1\r\nx\r\n'));
        await until(() => body !== null && (body as RequestBody).received === limit);
        const grown = heapAndExternal() - before;
        expect(grown).toBeLessThan(4 * MiB); // one view per chunk: ~20 MB
        c.socket.write('1\r\nx\r\n');
        await c.closed;
        expect(statuses(c.text())).toEqual([413]);
        expect(app.codes).toEqual(['WL_BODY_TOO_LARGE']);
      } finally {
        await app.close();
      }
    });

    it('pauses the socket while a for-await reader stalls: unread bytes stay bounded', async () => {
      let body: RequestBody | null = null;
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const app = await start((s) => {
        s.post('/', async (ctx) => {
          body = ctx.request.body;
          let total = 0;
          let first = true;
          for await (const chunk of ctx.request.body) {
            total += chunk.length;
            if (first) await gate; // a reader that stops after its first piece
            first = false;
          }
          ctx.send(String(total));
        }, { maxBodySize: 64 * MiB });
      }, { engine });
      try {
        const size = 8 * MiB;
        const c = await client(app.port);
        c.socket.write(`POST / HTTP/1.1\r\nHost: x\r\nContent-Length: ${size}\r\n\r\n`);
        const piece = Buffer.alloc(16 * 1024, 0x61);
        for (let sent = 0; sent < size; sent += piece.length) c.socket.write(piece);
        // Wait until the server stops taking bytes (kernel buffers full, our socket paused).
        let last = -1;
        let still = 0;
        while (still < 10) {
          await new Promise((r) => setTimeout(r, 20));
          const now = body === null ? -1 : (body as RequestBody).received;
          still = now === last ? still + 1 : 0;
          last = now;
        }
        // The first piece (handed to the reader) + up to 64 KiB unread + the read (≤ 64 KiB) that
        // crossed the mark and paused the socket; nothing after that.
        expect(last).toBeGreaterThan(64 * 1024);
        expect(last).toBeLessThanOrEqual(3 * 64 * 1024);
        release();
        await until(() => c.text().endsWith(String(size)));
        expect(statuses(c.text())).toEqual([200]);
        c.socket.destroy();
      } finally {
        await app.close();
      }
    });
  });
}
