// One app, one port, two protocols: the same routes, middleware, hooks and error answers run for
// HTTP/1.1 (the server's own parser) and HTTP/2 (ALPN h2, node:http2 sessions), and every answer is
// the same except what the protocol itself changes (the version a handler reads, Connection /
// Transfer-Encoding framing fields that HTTP/2 has no room for). Clients: undici with and without
// allowH2, and curl --http1.1 / --http2 against the very same server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import type { Agent } from 'undici';
import { Status } from '../../src/hooks.js';
import type { Server } from '../../src/server.js';
import { opensslOrSkip } from '../support/certs.js';
import type { TlsRunning } from '../tls/helpers.js';
import { trustingAgent } from '../tls/helpers.js';
import { curl, h2Agent, startH2 } from './helpers.js';

const hasOpenssl = opensslOrSkip('h2 same-app.test');

/** Everything a handler can observe or produce, registered once. */
function routes(s: Server, seen: { responses: string[] }): void {
  s.requestMiddleware((ctx) => {
    ctx.attributes.set('mw', 'server');
    if (ctx.request.header('x-reject') !== undefined) {
      ctx.status(403).send('rejected by middleware\n');
      return Status.Reject;
    }
  });
  s.responseMiddleware((ctx) => {
    if (!ctx.headersSent) ctx.header('x-response-mw', 'yes');
  });
  s.onPanic(() => {}); // the throwing routes below are expected: keep the log quiet
  s.onResponse((ctx, info) => seen.responses.push(`${ctx.request.method} ${ctx.request.path} ${info.status}`));
  s.onRequestError((error, ctx) => {
    if (error.code === 'WL_NOT_FOUND') ctx.send(`custom 404 for ${ctx.request.path}\n`);
  });
  s.get('/users/{id}', (ctx) => ctx.json({
    id: ctx.params.id, q: ctx.request.searchParams.get('q'), mw: ctx.attributes.get('mw'),
    cookies: ctx.request.cookies, host: ctx.request.header('host'), accept: ctx.request.header('x-multi'),
  }));
  s.group('/g', (g) => {
    g.requestMiddleware((ctx) => {
      ctx.attributes.set('group', 'g');
    });
    g.get('/x', (ctx) => ctx.send(`group ${String(ctx.attributes.get('group'))}`));
  });
  s.post('/echo', async (ctx) => ctx.send(await ctx.request.bytes()));
  s.post('/json', async (ctx) => ctx.json({ got: await ctx.request.json() }));
  s.put('/count', async (ctx) => {
    let n = 0;
    for await (const chunk of ctx.request.body) n += chunk.length;
    ctx.json({ n });
  });
  s.get('/cookies', (ctx) => {
    ctx.setCookie('a', '1', { path: '/' }).setCookie('b', '2', { path: '/' });
    ctx.appendHeader('vary', 'x-one').appendHeader('vary', 'x-two');
    ctx.status(201).send('two cookies');
  });
  s.get('/empty', (ctx) => ctx.status(204).send());
  s.get('/stream', (ctx) => {
    const out = ctx.stream(200, { 'content-type': 'text/plain' });
    let i = 0;
    const tick = (): void => {
      if (i === 5) return out.end();
      out.write(`part ${i++}\n`);
      setTimeout(tick, 2);
    };
    tick();
  });
  s.get('/deferred', (ctx) => ctx.sendStream(11, (out) => {
    out.write('hello ');
    out.write('world');
    out.end();
  }));
  s.get('/throws', () => {
    throw new Error('handler bug (expected in this test)');
  });
  s.get('/rejects', async () => {
    await Promise.resolve();
    throw new Error('async handler bug (expected in this test)');
  });
  s.get('/only-get', (ctx) => ctx.send('get'));
}

interface Answer {
  status: number;
  headers: Record<string, string | string[]>;
  body: string;
}

/** The protocol-neutral view of a response: framing and per-response fields dropped, repeated
 *  fields combined (RFC 9110 §5.3; undici's HTTP/2 client combines them, its HTTP/1.1 one does not)
 *  except Set-Cookie. */
function neutral(status: number, headers: Record<string, string | string[] | undefined>, body: string): Answer {
  const kept: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || ['date', 'connection', 'keep-alive', 'transfer-encoding'].includes(name)) continue;
    kept[name] = Array.isArray(value) && name !== 'set-cookie' ? value.join(', ') : value;
  }
  return { status, headers: kept, body };
}

const CASES: { name: string; method: string; path: string; headers?: Record<string, string>; body?: string }[] = [
  { name: 'params, query, cookies, server middleware', method: 'GET', path: '/users/42?q=find%20me',
    headers: { cookie: 'x=1; y=2', 'x-multi': 'one' } },
  { name: 'group middleware', method: 'GET', path: '/g/x' },
  { name: 'pre-routing reject', method: 'GET', path: '/users/1', headers: { 'x-reject': '1' } },
  { name: 'custom 404', method: 'GET', path: '/nowhere' },
  { name: '405 with Allow', method: 'DELETE', path: '/only-get' },
  { name: '501 unknown method', method: 'PURGE', path: '/only-get' },
  { name: 'HEAD of a GET route', method: 'HEAD', path: '/only-get' },
  { name: 'bytes echo', method: 'POST', path: '/echo', body: 'é'.repeat(5000) },
  { name: 'JSON body', method: 'POST', path: '/json', headers: { 'content-type': 'application/json' }, body: '{"a":[1,2]}' },
  { name: 'invalid JSON is a 400', method: 'POST', path: '/json', body: '{nope' },
  { name: 'for await over the body', method: 'PUT', path: '/count', body: 'z'.repeat(300_000) },
  { name: 'Set-Cookie lines and appended fields', method: 'GET', path: '/cookies' },
  { name: '204', method: 'GET', path: '/empty' },
  { name: 'chunked stream / DATA frames', method: 'GET', path: '/stream' },
  { name: 'sendStream with a length', method: 'GET', path: '/deferred' },
  { name: 'handler throws: 500', method: 'GET', path: '/throws' },
  { name: 'handler rejects: 500', method: 'GET', path: '/rejects' },
];

describe.skipIf(!hasOpenssl)('the same app over HTTP/1.1 and HTTP/2 on one port', () => {
  let app: TlsRunning;
  let h1: Agent;
  let h2: Agent;
  const seen = { responses: [] as string[] };

  beforeAll(async () => {
    app = await startH2((s) => routes(s, seen));
    h1 = trustingAgent();
    h2 = h2Agent();
  }, 20_000);

  afterAll(async () => {
    await h1?.close();
    await h2?.close();
    await app?.close();
  });

  async function ask(agent: Agent, c: (typeof CASES)[number]): Promise<Answer> {
    const res = await request(`${app.url}${c.path}`, {
      dispatcher: agent, method: c.method, headers: c.headers, body: c.body,
    });
    return neutral(res.statusCode, res.headers, await res.body.text());
  }

  it.each(CASES)('$name: identical answers', async (c) => {
    const one = await ask(h1, c);
    const two = await ask(h2, c);
    expect(two).toEqual(one);
    expect(one.status).toBeGreaterThan(0);
  });

  it('the handler can tell the protocols apart by httpVersion only', async () => {
    const version = (agent: Agent) => request(`${app.url}/v`, { dispatcher: agent }).then((r) => r.body.text());
    app.server.get('/v', (ctx) => ctx.send(`${ctx.request.httpVersion} ${ctx.request.version} ${ctx.request.protocol}`));
    expect(await version(h1)).toBe('1.1 1.1 https');
    expect(await version(h2)).toBe('2.0 2.0 https');
  });

  it('onResponse hooks hear both protocols the same way', async () => {
    seen.responses.length = 0;
    await request(`${app.url}/g/x`, { dispatcher: h1 }).then((r) => r.body.text());
    await request(`${app.url}/g/x`, { dispatcher: h2 }).then((r) => r.body.text());
    expect(seen.responses).toEqual(['GET /g/x 200', 'GET /g/x 200']);
  });

  it('curl --http2 and --http1.1 on the same port get the same body, over the protocol asked for', async () => {
    const url = `${app.url}/users/7?q=curl`;
    const two = await curl(['--http2', '-H', 'Cookie: x=1', '-H', 'Cookie: y=2', '-w', '\n%{http_version}', url]);
    const one = await curl(['--http1.1', '-H', 'Cookie: x=1; y=2', '-w', '\n%{http_version}', url]);
    expect(two.code).toBe(0);
    expect(one.code).toBe(0);
    const [body2, version2] = two.stdout.toString().split('\n');
    const [body1, version1] = one.stdout.toString().split('\n');
    expect(version2).toBe('2');
    expect(version1).toBe('1.1');
    // RFC 9113 §8.2.3: curl sends two cookie fields over HTTP/2; the handler sees one Cookie line.
    expect(JSON.parse(body2!)).toEqual(JSON.parse(body1!));
    expect(JSON.parse(body2!)).toMatchObject({ id: '7', q: 'curl', cookies: { x: '1', y: '2' } });
  });

  it('repeated fields leave as separate field lines on both protocols (curl -i shows the wire)', async () => {
    for (const version of ['--http1.1', '--http2']) {
      const out = await curl([version, '-i', `${app.url}/cookies`]);
      const lines = out.stdout.toString('latin1').split('\r\n');
      expect(lines.filter((l) => l.toLowerCase().startsWith('set-cookie:'))).toEqual(['set-cookie: a=1; Path=/', 'set-cookie: b=2; Path=/']);
      expect(lines.filter((l) => l.toLowerCase().startsWith('vary:'))).toEqual(['vary: x-one', 'vary: x-two']);
    }
  });

  it('curl --http2 uploads and downloads a large body in both directions', async () => {
    const big = Buffer.alloc(3 * 1024 * 1024 + 17);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7 + 3) & 0xff;
    app.server.post('/big-echo', async (ctx) => ctx.send(await ctx.request.bytes()), { maxBodySize: 8 * 1024 * 1024 });
    const out = await curl(['--http2', '--data-binary', '@-', '-H', 'content-type: application/octet-stream',
      `${app.url}/big-echo`], big);
    expect(out.code).toBe(0);
    expect(out.stdout.equals(big)).toBe(true);
  });
});
