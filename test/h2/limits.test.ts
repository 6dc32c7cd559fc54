// Every limit of the server applies to HTTP/2 streams, crossed over a real socket: maxBodySize (413 by
// Content-Length and while streaming), the head limits of the server's own parser (431, 414: the same
// answers as HTTP/1.1), header lists far beyond them (refused by node:http2), maxConcurrentStreams
// (SETTINGS; a client that ignores it gets REFUSED_STREAM), readTimeoutMs / requestTimeoutMs (408),
// handlerTimeoutMs (503), and the connection's idle and fresh-connection timeouts (GOAWAY).
import { afterEach, describe, expect, it } from 'vitest';
import { constants } from 'node:http2';
import type { ClientHttp2Session } from 'node:http2';
import { connect } from 'node:tls';
import { request } from 'undici';
import { opensslOrSkip } from '../support/certs.js';
import { testCerts, trustingAgent } from '../tls/helpers.js';
import type { TlsRunning } from '../tls/helpers.js';
import { curl, eventually, h2Request, h2Session, startH2 } from './helpers.js';
import { RawH2 } from './raw.js';

const hasOpenssl = opensslOrSkip('h2 limits.test');
const { NGHTTP2_REFUSED_STREAM } = constants;

let app: TlsRunning | undefined;
let session: ClientHttp2Session | undefined;

afterEach(async () => {
  session?.destroy();
  session = undefined;
  await app?.close();
  app = undefined;
});

const GET = (path: string, extra: Record<string, string | string[]> = {}) => ({ ':method': 'GET', ':path': path, ...extra });
const POST = (path: string, extra: Record<string, string | number> = {}) => ({ ':method': 'POST', ':path': path, ...extra });

describe.skipIf(!hasOpenssl)('HTTP/2: body limit', () => {
  it('a Content-Length over maxBodySize is answered 413 before reading, and the upload is stopped (RST_STREAM NO_ERROR)', async () => {
    let handlerRan = false;
    app = await startH2((s) => {
      s.post('/up', async (ctx) => {
        handlerRan = true;
        ctx.send(String((await ctx.request.bytes()).length));
      });
    }, { request: { maxBodySize: 1000 } });
    session = await h2Session(app.url);
    const res = await h2Request(session, POST('/up', { 'content-length': 5_000_000 }), Buffer.alloc(5_000_000));
    expect(res.status).toBe(413);
    expect(res.body.toString()).toBe('Body is larger than maxBodySize: 5000000 > 1000 bytes\n');
    expect(res.rstCode).toBe(constants.NGHTTP2_NO_ERROR);
    expect(handlerRan).toBe(false);
    // The session is not harmed: the next stream is served.
    const ok = await h2Request(session, POST('/up', { 'content-length': 3 }), 'abc');
    expect([ok.status, ok.body.toString()]).toEqual([200, '3']);
  });

  it('a body without Content-Length that grows over maxBodySize is answered 413 (route limit)', async () => {
    app = await startH2((s) => {
      s.post('/up', async (ctx) => ctx.send(String((await ctx.request.bytes()).length)), { maxBodySize: 64 * 1024 });
    });
    session = await h2Session(app.url);
    // node:http2 sends no Content-Length unless told: DATA frames until END_STREAM.
    const res = await h2Request(session, POST('/up'), Buffer.alloc(200 * 1024));
    expect(res.status).toBe(413);
    const within = await h2Request(session, POST('/up'), Buffer.alloc(64 * 1024));
    expect([within.status, within.body.toString()]).toEqual([200, String(64 * 1024)]);
  });

  it('curl --http2 over the limit gets the same 413 as curl --http1.1', async () => {
    app = await startH2((s) => s.post('/up', async (ctx) => ctx.send(await ctx.request.bytes())), { request: { maxBodySize: 10 } });
    for (const version of ['--http2', '--http1.1']) {
      const out = await curl([version, '-w', '|%{http_code} %{http_version}', '--data-binary', 'more than ten bytes', `${app.url}/up`]);
      const [body, status] = out.stdout.toString().split('|');
      expect(body).toBe('Body is larger than maxBodySize: 19 > 10 bytes\n');
      expect(status).toBe(`413 ${version === '--http2' ? '2' : '1.1'}`);
    }
  });
});

describe.skipIf(!hasOpenssl)('HTTP/2: head limits (the server parser answers, as on HTTP/1.1)', () => {
  const limits = { maxHeaderValueSize: 1000, maxHeaderCount: 20, maxPathSize: 200 };

  it('a field value over maxHeaderValueSize: 431; too many fields: 431; a long path: 414', async () => {
    app = await startH2((s) => s.get('/{*rest}', (ctx) => ctx.send('ok')), { request: limits });
    session = await h2Session(app.url);
    const longValue = await h2Request(session, GET('/a', { 'x-big': 'v'.repeat(1001) }));
    expect([longValue.status, longValue.body.toString()]).toEqual([431, 'Field value is longer than maxHeaderValueSize\n']);
    const fields: Record<string, string> = {};
    for (let i = 0; i < 20; i++) fields[`x-f${i}`] = 'v'; // + host from :authority = 21 lines
    const many = await h2Request(session, GET('/a', fields));
    expect([many.status, many.body.toString()]).toEqual([431, 'More field lines than maxHeaderCount\n']);
    const longPath = await h2Request(session, GET(`/${'p'.repeat(200)}`));
    expect([longPath.status, longPath.body.toString()]).toEqual([414, 'Request-target is longer than maxPathSize\n']);
    const fine = await h2Request(session, GET('/a', { 'x-big': 'v'.repeat(500) }));
    expect([fine.status, fine.body.toString()]).toEqual([200, 'ok']);
  });

  it('the same requests over HTTP/1.1 get the same answers', async () => {
    app = await startH2((s) => s.get('/{*rest}', (ctx) => ctx.send('ok')), { request: limits });
    const agent = trustingAgent();
    try {
      const res = await request(`${app.url}/a`, { dispatcher: agent, headers: { 'x-big': 'v'.repeat(1001) } });
      expect([res.statusCode, await res.body.text()]).toEqual([431, 'Field value is longer than maxHeaderValueSize\n']);
    } finally {
      await agent.close();
    }
  });

  it('cookie crumbs are one Cookie line for the parser (RFC 9113 §8.2.3): 60 crumbs pass maxHeaderCount 20', async () => {
    app = await startH2((s) => s.get('/c', (ctx) => ctx.json({ n: Object.keys(ctx.request.cookies).length, lines: ctx.request.headerValues('cookie').length })),
      { request: limits });
    session = await h2Session(app.url);
    const crumbs = Array.from({ length: 60 }, (_, i) => `k${i}=${i}`);
    const res = await h2Request(session, GET('/c', { cookie: crumbs }));
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body.toString())).toEqual({ n: 60, lines: 1 });
  });

  it('a header list far beyond the limits is refused by node:http2 (SETTINGS_MAX_HEADER_LIST_SIZE); the session goes on', async () => {
    app = await startH2((s) => s.get('/a', (ctx) => ctx.send('ok')), { request: { bufferSize: 4096 } });
    session = await h2Session(app.url);
    // bufferSize + 32 per field (maxHeaderCount + 5 pseudo/spare): room for any head the parser takes.
    const advertised = session.remoteSettings.maxHeaderListSize!;
    expect(advertised).toBe(4096 + 32 * (100 + 5));
    const huge = await h2Request(session, GET('/a', { 'x-huge': 'h'.repeat(advertised + 1000) }));
    expect({ status: huge.status, rst: huge.rstCode }).toEqual({ status: 0, rst: constants.NGHTTP2_ENHANCE_YOUR_CALM });
    // Within the advertised size but over bufferSize: the parser's 431, as on HTTP/1.1.
    const over = await h2Request(session, GET('/a', { 'x-big': 'h'.repeat(5000) }));
    expect(over.status).toBe(431);
    const next = await h2Request(session, GET('/a'));
    expect(next.status).toBe(200);
  });
});

describe.skipIf(!hasOpenssl)('HTTP/2: concurrent streams', () => {
  it('maxConcurrentStreams is the SETTINGS a client sees; node:http2 clients queue the rest', async () => {
    let active = 0;
    let most = 0;
    const waiting: (() => void)[] = [];
    app = await startH2((s) => {
      s.get('/hold', async (ctx) => {
        active++;
        most = Math.max(most, active);
        // Released in pairs: with a limit of 2 every pair fills; a third stream would raise `most`.
        if (active === 2) for (const release of waiting.splice(0)) release();
        else await new Promise<void>((resolve) => waiting.push(resolve));
        active--;
        ctx.send('done');
      });
    }, { http2: { maxConcurrentStreams: 2 } });
    session = await h2Session(app.url);
    expect(session.remoteSettings.maxConcurrentStreams).toBe(2);
    const results = await Promise.all(Array.from({ length: 6 }, () => h2Request(session!, GET('/hold'))));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(most).toBe(2);
  });

  const holdFields = [[':method', 'GET'], [':scheme', 'https'], [':authority', 'localhost'], [':path', '/hold']] as const;

  it('streams over the limit, sent before the client acknowledged it, are refused (REFUSED_STREAM, RFC 9113 §5.1.2)', async () => {
    const waiting: (() => void)[] = [];
    app = await startH2((s) => {
      s.get('/hold', async (ctx) => {
        await new Promise<void>((resolve) => waiting.push(resolve));
        ctx.send('done');
      });
    }, { http2: { maxConcurrentStreams: 2 } });
    const raw = await RawH2.open(app.port, { ack: false });
    try {
      for (const id of [1, 3, 5]) raw.request(id, holdFields);
      await raw.until(() => raw.streams.get(5)?.rst !== undefined && waiting.length === 2);
      expect(raw.streams.get(5)?.rst).toBe(NGHTTP2_REFUSED_STREAM);
      for (const release of waiting.splice(0)) release();
      await raw.until(() => raw.streams.get(1)?.ended === true && raw.streams.get(3)?.ended === true);
      expect([raw.streams.get(1)?.status, raw.streams.get(3)?.status]).toEqual([200, 200]);
    } finally {
      raw.close();
    }
  });

  it('a client that exceeds the limit it acknowledged loses its connection (nghttp2: PROTOCOL_ERROR); others are served', async () => {
    const waiting: (() => void)[] = [];
    app = await startH2((s) => {
      s.get('/hold', async (ctx) => {
        await new Promise<void>((resolve) => waiting.push(resolve));
        ctx.send('done');
      });
      s.get('/a', (ctx) => ctx.send('ok'));
    }, { http2: { maxConcurrentStreams: 2 } });
    const raw = await RawH2.open(app.port);
    try {
      await raw.until(() => raw.settings);
      for (const id of [1, 3, 5]) raw.request(id, holdFields);
      await raw.until(() => raw.closed);
      expect(raw.closed).toBe(true);
      expect(raw.streams.get(5)?.status).toBeUndefined();
      for (const release of waiting.splice(0)) release();
      session = await h2Session(app.url);
      expect((await h2Request(session, GET('/a'))).status).toBe(200);
    } finally {
      raw.close();
    }
  });
});

describe.skipIf(!hasOpenssl)('HTTP/2: timeouts', () => {
  it('readTimeoutMs: a body that stops arriving is answered 408', async () => {
    app = await startH2((s) => s.post('/up', async (ctx) => ctx.send(String((await ctx.request.bytes()).length))),
      { request: { readTimeoutMs: 200 } });
    session = await h2Session(app.url);
    const stream = session.request(POST('/up'));
    stream.write('part of a body, then silence');
    const status = await new Promise<number>((resolve) => stream.once('response', (h) => resolve(Number(h[':status']))));
    expect(status).toBe(408);
    stream.destroy();
  });

  it('requestTimeoutMs: a body trickled in small DATA frames is cut at the total time (408)', async () => {
    app = await startH2((s) => s.post('/up', async (ctx) => ctx.send(String((await ctx.request.bytes()).length))),
      { request: { requestTimeoutMs: 300, readTimeoutMs: 10_000 } });
    session = await h2Session(app.url);
    const stream = session.request(POST('/up'));
    const trickle = setInterval(() => stream.write('x'), 30);
    try {
      const status = await new Promise<number>((resolve) => stream.once('response', (h) => resolve(Number(h[':status']))));
      expect(status).toBe(408);
    } finally {
      clearInterval(trickle);
      stream.destroy();
    }
  });

  it('handlerTimeoutMs: a handler that never answers gets 503 in its stead', async () => {
    app = await startH2((s) => s.get('/stuck', () => new Promise(() => {})), { request: { handlerTimeoutMs: 150 } });
    session = await h2Session(app.url);
    const res = await h2Request(session, GET('/stuck'));
    expect([res.status, res.body.toString()]).toEqual([503, 'The handler did not start a response within handlerTimeoutMs: 150 ms\n']);
  });

  it('idleTimeoutMs: a connection with no open stream gets GOAWAY and is closed', async () => {
    app = await startH2((s) => s.get('/a', (ctx) => ctx.send('ok')), { request: { idleTimeoutMs: 200 } });
    session = await h2Session(app.url);
    const goaway = new Promise<number>((resolve) => session!.once('goaway', (code: number) => resolve(code)));
    const closed = new Promise<void>((resolve) => session!.once('close', resolve));
    expect((await h2Request(session, GET('/a'))).status).toBe(200);
    expect(await goaway).toBe(constants.NGHTTP2_NO_ERROR);
    await closed;
    await eventually(() => app!.server.connectionCount === 0);
  });

  it('headTimeoutMs: a TLS connection that negotiated h2 and sends nothing is closed', async () => {
    app = await startH2((s) => s.get('/a', (ctx) => ctx.send('ok')), { request: { headTimeoutMs: 200 } });
    const socket = connect({ host: '127.0.0.1', port: app.port, servername: 'localhost', ca: testCerts().ca.ca, ALPNProtocols: ['h2'] });
    socket.on('error', () => {});
    socket.resume();
    await new Promise<void>((resolve) => socket.once('secureConnect', resolve));
    expect(socket.alpnProtocol).toBe('h2');
    await new Promise<void>((resolve) => socket.once('close', resolve));
    await eventually(() => app!.server.connectionCount === 0);
  });

  it('maxRequestsPerConnection: GOAWAY after that many streams; the last one is served', async () => {
    app = await startH2((s) => s.get('/a', (ctx) => ctx.send('ok')), { request: { maxRequestsPerConnection: 2 } });
    session = await h2Session(app.url);
    const goaway = new Promise<void>((resolve) => session!.once('goaway', () => resolve()));
    expect((await h2Request(session, GET('/a'))).status).toBe(200);
    expect((await h2Request(session, GET('/a'))).status).toBe(200);
    await goaway;
  });
});
