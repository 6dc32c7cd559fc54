// HTTP/2 sessions in the server's lifecycle: graceful close() sends GOAWAY and lets the streams in
// flight finish, its timeout destroys what is left, SSE streams end at close; onConnection/onClose
// hear one connection per session whatever its number of streams; maxConnections counts sessions;
// request ids share the session's connection number.
import { afterEach, describe, expect, it } from 'vitest';
import { constants } from 'node:http2';
import type { ClientHttp2Session } from 'node:http2';
import { request } from 'undici';
import type { Agent } from 'undici';
import { opensslOrSkip } from '../support/certs.js';
import { trustingAgent } from '../tls/helpers.js';
import type { TlsRunning } from '../tls/helpers.js';
import { eventually, h2Agent, h2Request, h2Session, startH2 } from './helpers.js';

const hasOpenssl = opensslOrSkip('h2 lifecycle.test');

let app: TlsRunning | undefined;
const sessions: ClientHttp2Session[] = [];
const agents: Agent[] = [];

afterEach(async () => {
  for (const s of sessions.splice(0)) s.destroy();
  for (const a of agents.splice(0)) await a.destroy();
  await app?.close();
  app = undefined;
});

async function open(): Promise<ClientHttp2Session> {
  const session = await h2Session(app!.url);
  sessions.push(session);
  return session;
}

const GET = (path: string) => ({ ':method': 'GET', ':path': path });

describe.skipIf(!hasOpenssl)('HTTP/2: graceful shutdown', () => {
  it('close() drains a session: the stream in flight completes, a new one is refused, then GOAWAY', async () => {
    let release!: () => void;
    let started!: () => void;
    const inHandler = new Promise<void>((resolve) => (started = resolve));
    app = await startH2((s) => {
      s.get('/slow', async (ctx) => {
        started();
        await new Promise<void>((r) => (release = r));
        ctx.send('finished during the drain');
      });
    });
    const session = await open();
    const goaway = new Promise<{ code: number; last: number }>((resolve) =>
      session.once('goaway', (code: number, last: number) => resolve({ code, last })));
    const response = h2Request(session, GET('/slow'));
    await inHandler;
    const closed = app.server.close({ timeoutMs: 5000 });
    // RFC 9113 §8.7: REFUSED_STREAM, the request was not processed (a client may retry it elsewhere).
    const refused = await h2Request(session, GET('/slow'));
    expect([refused.status, refused.rstCode]).toEqual([0, constants.NGHTTP2_REFUSED_STREAM]);
    release();
    const res = await response;
    expect([res.status, res.body.toString()]).toEqual([200, 'finished during the drain']);
    expect(await goaway).toEqual({ code: constants.NGHTTP2_NO_ERROR, last: 3 });
    await closed;
    expect(app.server.connectionCount).toBe(0);
  });

  it('undici keeps its request in flight across close() (GOAWAY waits for it)', async () => {
    let release!: () => void;
    let started!: () => void;
    const inHandler = new Promise<void>((resolve) => (started = resolve));
    app = await startH2((s) => {
      s.get('/slow', async (ctx) => {
        started();
        await new Promise<void>((r) => (release = r));
        ctx.send('done');
      });
    });
    const agent = h2Agent();
    agents.push(agent);
    const pending = request(`${app.url}/slow`, { dispatcher: agent }).then(async (r) => [r.statusCode, await r.body.text()]);
    await inHandler;
    const closed = app.server.close({ timeoutMs: 5000 });
    release();
    expect(await pending).toEqual([200, 'done']);
    await closed;
  });

  it('an idle session is closed at once by close()', async () => {
    app = await startH2((s) => s.get('/a', (ctx) => ctx.send('ok')));
    const session = await open();
    expect((await h2Request(session, GET('/a'))).status).toBe(200);
    const sessionClosed = new Promise<void>((resolve) => session.once('close', resolve));
    await app.server.close({ timeoutMs: 10_000 });
    await sessionClosed;
    expect(app.server.connectionCount).toBe(0);
  });

  it('close() timeout destroys a session whose stream never finishes', async () => {
    app = await startH2((s) => s.get('/stuck', () => new Promise(() => {})));
    const session = await open();
    const response = h2Request(session, GET('/stuck'));
    await eventually(() => app!.server.connectionCount === 1);
    await app.server.close({ timeoutMs: 300 });
    const res = await response;
    expect(res.status).toBe(0); // no response: the stream was cut with the session
    expect(app.server.connectionCount).toBe(0);
  });

  it('an SSE stream over HTTP/2 is ended by close()', async () => {
    app = await startH2((s) => s.get('/events', (ctx) => {
      const sse = ctx.sse();
      sse.send({ data: 'first' });
    }));
    const agent = h2Agent();
    agents.push(agent);
    const res = await request(`${app.url}/events`, { dispatcher: agent });
    expect(res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    const chunks: string[] = [];
    const reading = (async () => {
      for await (const chunk of res.body) chunks.push(chunk.toString());
    })();
    await eventually(() => chunks.join('').includes('data: first'));
    await app.server.close({ timeoutMs: 5000 });
    await reading; // the body ended (END_STREAM), the read loop is over
    expect(chunks.join('')).toContain('data: first\n\n');
  });
});

describe.skipIf(!hasOpenssl)('HTTP/2: connections', () => {
  it('onConnection / onClose fire once per session, whatever its number of streams; HTTP/1.1 ones too', async () => {
    const events: string[] = [];
    app = await startH2((s) => {
      s.onConnection((info) => events.push(`open ${info.id}`));
      s.onClose((info) => events.push(`close ${info.id}`));
      s.get('/a', (ctx) => ctx.send(ctx.request.httpVersion));
    });
    const session = await open();
    for (let i = 0; i < 3; i++) expect((await h2Request(session, GET('/a'))).body.toString()).toBe('2.0');
    expect(events).toEqual(['open 1']);
    session.close();
    await eventually(() => events.length === 2);
    const h1 = trustingAgent();
    agents.push(h1);
    expect(await (await request(`${app.url}/a`, { dispatcher: h1 })).body.text()).toBe('1.1');
    await h1.close();
    await eventually(() => events.length === 4);
    expect(events).toEqual(['open 1', 'close 1', 'open 2', 'close 2']);
  });

  it('request ids of one session share its connection number', async () => {
    const ids: string[] = [];
    app = await startH2((s) => {
      s.onResponse((_ctx, info) => ids.push(info.requestId));
      s.get('/a', (ctx) => ctx.send('ok'));
    });
    const session = await open();
    await h2Request(session, GET('/a'));
    await h2Request(session, GET('/a'));
    expect(ids).toEqual(['1-1', '1-2']);
  });

  it('maxConnections counts HTTP/2 sessions', async () => {
    app = await startH2((s) => s.get('/a', (ctx) => ctx.send('ok')), { maxConnections: 1 });
    const first = await open();
    expect((await h2Request(first, GET('/a'))).status).toBe(200);
    expect(app.server.connectionCount).toBe(1);
    await expect(h2Session(app.url)).rejects.toThrow();
    first.close();
    await eventually(() => app!.server.connectionCount === 0);
    const second = await open();
    expect((await h2Request(second, GET('/a'))).status).toBe(200);
  });
});
