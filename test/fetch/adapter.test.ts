// The fetch adapter's own behaviour over real sockets: abort on disconnect, response backpressure
// and cancellation, request-body backpressure, mounting beside wasmlane routes and server.ws(),
// native Responses (no lightweight globals), errors.
import net from 'node:net';
import { request } from 'undici';
import WebSocketClient from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { FetchResponse, mountFetch, restoreFetchGlobals, serve, Server } from '../../src/index.js';
import type { FetchEnv, ServedServer } from '../../src/index.js';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close({ timeoutMs: 1000 })));
  restoreFetchGlobals();
});

async function start(handler: (req: Request, env: FetchEnv) => Response | Promise<Response>, overrideGlobals?: boolean): Promise<ServedServer> {
  const server = await serve(handler, { host: '127.0.0.1', port: 0, overrideGlobals, route: { maxBodySize: 128 * 1024 * 1024 } });
  servers.push(server);
  return server;
}

function rawRequest(port: number, text: string): net.Socket {
  const socket = net.connect(port, '127.0.0.1');
  socket.on('error', () => {});
  socket.write(text);
  return socket;
}

describe('fetch adapter', () => {
  it('aborts request.signal when the client disconnects before the response', async () => {
    let aborted!: () => void;
    const abortedP = new Promise<void>((resolve) => (aborted = resolve));
    let entered!: () => void;
    const enteredP = new Promise<void>((resolve) => (entered = resolve));
    const server = await start((req) => req.url.endsWith('/wait') ? new Promise<Response>((resolve) => {
      req.signal.addEventListener('abort', () => {
        aborted();
        resolve(new Response('late'));
      });
      entered();
    }) : new Response('still serving'));
    const socket = rawRequest(server.address.port, 'GET /wait HTTP/1.1\r\nHost: x\r\n\r\n');
    await enteredP;
    socket.resetAndDestroy(); // RST: the server's socket closes (a FIN alone is a half-close, allowHalfOpen)
    await abortedP; // bounded by the test timeout
    // The server is still healthy afterwards.
    const res = await request(`http://127.0.0.1:${server.address.port}/`);
    expect(res.statusCode).toBe(200);
    expect(await res.body.text()).toBe('still serving');
  });

  it('pulls a streamed response body only as fast as the client reads, and cancels it when the client goes away', async () => {
    const CHUNK = new Uint8Array(64 * 1024).fill(120);
    let pulled = 0;
    let cancelled!: () => void;
    const cancelledP = new Promise<void>((resolve) => (cancelled = resolve));
    const server = await start(() => new Response(new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += CHUNK.byteLength;
        controller.enqueue(CHUNK); // endless: only backpressure bounds it
      },
      cancel() {
        cancelled();
      },
    }, { highWaterMark: 1 })));
    const socket = rawRequest(server.address.port, 'GET /endless HTTP/1.1\r\nHost: x\r\n\r\n');
    let received = 0;
    await new Promise<void>((resolve) => socket.once('data', (chunk: Buffer) => {
      received += chunk.length;
      resolve();
    }));
    socket.pause(); // stop reading: kernel buffers fill, then write() reports false
    let stable = 0;
    let last = -1;
    for (let i = 0; i < 200 && stable < 5; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      stable = pulled === last ? stable + 1 : 0;
      last = pulled;
    }
    expect(stable).toBe(5); // production stopped
    expect(pulled).toBeLessThan(32 * 1024 * 1024); // bounded by socket buffers + high-water mark, not endless
    socket.destroy();
    await cancelledP;
    expect(received).toBeGreaterThan(0);
  });

  it('reads the request body on demand: an unread body pauses the socket instead of queueing', async () => {
    let env!: FetchEnv;
    let gotFirst!: () => void;
    const firstP = new Promise<void>((resolve) => (gotFirst = resolve));
    let finish!: () => void;
    const finishP = new Promise<void>((resolve) => (finish = resolve));
    const server = await start(async (req, e) => {
      env = e;
      const reader = req.body!.getReader();
      await reader.read();
      gotFirst();
      await finishP;
      await reader.cancel();
      return new Response('stopped');
    });
    const TOTAL = 64 * 1024 * 1024;
    const socket = rawRequest(server.address.port, `POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: ${TOTAL}\r\n\r\n`);
    const piece = Buffer.alloc(256 * 1024, 97);
    let written = 0;
    const pump = (): void => {
      while (written < TOTAL) {
        written += piece.length;
        if (!socket.write(piece)) return void socket.once('drain', pump);
      }
    };
    pump();
    await firstP;
    let stable = 0;
    let last = -1;
    for (let i = 0; i < 200 && stable < 5; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      const now = env.ctx.request.body.received;
      stable = now === last ? stable + 1 : 0;
      last = now;
    }
    expect(stable).toBe(5);
    expect(env.ctx.request.body.received).toBeLessThan(16 * 1024 * 1024);
    finish();
    socket.destroy();
  });

  it('mounts beside wasmlane routes and server.ws() on one server', async () => {
    const server = new Server({ host: '127.0.0.1', port: 0 });
    servers.push(server);
    server.get('/native', (ctx) => ctx.send('native route'));
    server.ws('/ws', { message: (ws, data, binary) => ws.send(data, binary) }, { heartbeatIntervalMs: 0 });
    mountFetch(server, '/app', (req) => new Response(`fetch ${new URL(req.url).pathname}`));
    const { port } = await server.listen();
    const base = `http://127.0.0.1:${port}`;
    expect(await (await request(`${base}/native`)).body.text()).toBe('native route');
    expect(await (await request(`${base}/app`)).body.text()).toBe('fetch /app');
    expect(await (await request(`${base}/app/a/b?c=1`)).body.text()).toBe('fetch /app/a/b');
    expect((await request(`${base}/elsewhere`)).statusCode).toBe(404);
    const ws = new WebSocketClient(`ws://127.0.0.1:${port}/ws`);
    const echoed = await new Promise<string>((resolve, reject) => {
      ws.on('open', () => ws.send('ping'));
      ws.on('message', (data) => resolve(String(data)));
      ws.on('error', reject);
    });
    ws.close();
    expect(echoed).toBe('ping');
  });

  it('runs with native Request/Response (overrideGlobals: false): bodies, status, Set-Cookie lines', async () => {
    const server = await start(async (req) => {
      expect(req instanceof Request).toBe(true);
      const headers = new Headers({ 'x-n': String((await req.text()).length) });
      headers.append('set-cookie', 'a=1');
      headers.append('set-cookie', 'b=2');
      return new Response('native body', { status: 202, headers });
    }, false);
    expect(globalThis.Response).not.toBe(FetchResponse);
    const res = await request(`http://127.0.0.1:${server.address.port}/`, { method: 'POST', body: 'abc' });
    expect(res.statusCode).toBe(202);
    expect(res.headers['x-n']).toBe('3');
    expect(res.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    expect(res.headers['content-length']).toBe('11');
    expect(await res.body.text()).toBe('native body');
  });

  it('answers 500 when the handler throws or returns something other than a Response', async () => {
    const server = await start((req) => {
      if (req.url.endsWith('/throw')) throw new Error('handler failed');
      return 'not a response' as unknown as Response;
    });
    const thrown = await request(`http://127.0.0.1:${server.address.port}/throw`);
    expect(thrown.statusCode).toBe(500);
    await thrown.body.dump();
    const wrong = await request(`http://127.0.0.1:${server.address.port}/wrong`);
    expect(wrong.statusCode).toBe(500);
    await wrong.body.dump();
  });

  it('cuts the connection when a streamed body errors after the head went out', async () => {
    const server = await start(() => new Response(new ReadableStream<Uint8Array>({
      async pull(controller) {
        controller.enqueue(new TextEncoder().encode('partial'));
        await new Promise((resolve) => setTimeout(resolve, 10));
        controller.error(new Error('producer failed'));
      },
    })));
    const res = await request(`http://127.0.0.1:${server.address.port}/`);
    expect(res.statusCode).toBe(200);
    await expect(res.body.text()).rejects.toThrow();
  });

  it('gives the lightweight Response to code that uses the global, and instanceof works both ways', async () => {
    await start(() => new Response('x'));
    const light = new Response('light');
    expect(light).toBeInstanceOf(FetchResponse);
    expect(light instanceof Response).toBe(true);
    expect(await light.text()).toBe('light');
    expect(Response.json({ a: 1 }) instanceof Response).toBe(true);
  });
});
