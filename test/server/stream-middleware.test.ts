// A response middleware runs after a handler that started a stream: the head is already on the wire,
// so ctx.headersSent tells the middleware to leave the fields alone, and a middleware that does not
// check is reported through onPanic (the connection is destroyed) instead of failing silently.
import { afterEach, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { Server } from '../../src/index.js';

let server: Server | undefined;
afterEach(async () => {
  await server?.close({ timeoutMs: 500 });
  server = undefined;
});

describe('response middleware and streamed responses', () => {
  it('sees headersSent and the stream still reaches the client', async () => {
    server = new Server({ host: '127.0.0.1', port: 0 });
    const seen: boolean[] = [];
    server.responseMiddleware((ctx) => {
      seen.push(ctx.headersSent);
      if (!ctx.headersSent) ctx.header('x-mw', '1');
    });
    server.get('/s', (ctx) => {
      const stream = ctx.stream(200, { 'content-type': 'text/plain' });
      stream.write('a');
      setTimeout(() => { stream.write('b'); stream.end(); }, 10);
    });
    server.get('/plain', (ctx) => ctx.send('p'));
    const { port } = await server.listen();
    const streamed = await request(`http://127.0.0.1:${port}/s`);
    expect(await streamed.body.text()).toBe('ab');
    expect(streamed.headers['x-mw']).toBeUndefined();
    const plain = await request(`http://127.0.0.1:${port}/plain`);
    expect(await plain.body.text()).toBe('p');
    expect(plain.headers['x-mw']).toBe('1');
    expect(seen).toEqual([true, false]);
  });

  it('reports a middleware that writes fields after the stream started to onPanic', async () => {
    server = new Server({ host: '127.0.0.1', port: 0 });
    const panics: string[] = [];
    server.onPanic((_ctx, error) => { panics.push((error as { code?: string }).code ?? String(error)); });
    server.responseMiddleware((ctx) => { ctx.header('x-late', '1'); });
    server.get('/s', (ctx) => { ctx.stream(200).write('a'); });
    const { port } = await server.listen();
    await request(`http://127.0.0.1:${port}/s`).then((r) => r.body.text()).catch(() => undefined);
    expect(panics).toEqual(['WL_RESPONSE_ALREADY_SENT']);
  });
});
