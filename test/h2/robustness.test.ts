// HTTP/2 failure paths and flow control over real sockets: clients that reset streams mid-upload or
// mid-response, drop the connection, send bytes that are not HTTP/2, or field values HTTP/2 forbids;
// handlers that fail in HTTP/2-specific ways. None may crash the server or harm other streams. Also:
// backpressure both ways (the client's window paces a streamed response; an unread body stops the
// client's window), Expect: 100-continue, a WebSocket route (426: no upgrade on HTTP/2), fetch handlers.
import { afterEach, describe, expect, it } from 'vitest';
import { constants } from 'node:http2';
import type { ClientHttp2Session } from 'node:http2';
import { connect } from 'node:tls';
import { mountFetch } from '../../src/fetch/index.js';
import { opensslOrSkip } from '../support/certs.js';
import { testCerts } from '../tls/helpers.js';
import type { TlsRunning } from '../tls/helpers.js';
import { eventually, h2Request, h2Session, startH2 } from './helpers.js';
import { DATA, END_STREAM, frame, RawH2, RST_STREAM, SETTINGS } from './raw.js';

const hasOpenssl = opensslOrSkip('h2 robustness.test');

let app: TlsRunning | undefined;
const sessions: ClientHttp2Session[] = [];

afterEach(async () => {
  for (const s of sessions.splice(0)) s.destroy();
  await app?.close();
  app = undefined;
});

async function open(): Promise<ClientHttp2Session> {
  const session = await h2Session(app!.url);
  sessions.push(session);
  return session;
}

const GET = (path: string) => ({ ':method': 'GET', ':path': path });
const POST = (path: string) => ({ ':method': 'POST', ':path': path });
const BASE = [[':method', 'GET'], [':scheme', 'https'], [':authority', 'localhost']] as const;

describe.skipIf(!hasOpenssl)('HTTP/2: clients that go away', () => {
  it('a stream reset mid-upload fails the body read (WL_BODY_ABORTED); the session goes on', async () => {
    let failure: unknown;
    let reading = false;
    app = await startH2((s) => {
      s.post('/up', async (ctx) => {
        reading = true;
        try {
          await ctx.request.bytes();
        } catch (error) {
          failure = error;
          throw error;
        }
      });
      s.get('/a', (ctx) => ctx.send('ok'));
    });
    const raw = await RawH2.open(app.port);
    try {
      raw.request(1, [[':method', 'POST'], [':scheme', 'https'], [':authority', 'localhost'], [':path', '/up']], false);
      raw.send(frame(DATA, 0, 1, Buffer.alloc(1000)));
      await eventually(() => reading);
      raw.send(frame(RST_STREAM, 0, 1, Buffer.from([0, 0, 0, constants.NGHTTP2_CANCEL])));
      await eventually(() => failure !== undefined);
      expect((failure as { code?: string }).code).toBe('WL_BODY_ABORTED');
      raw.request(3, [...BASE, [':path', '/a']]);
      await raw.until(() => raw.streams.get(3)?.ended === true);
      expect(raw.streams.get(3)?.status).toBe(200);
    } finally {
      raw.close();
    }
  });

  it('a stream reset mid-response closes the response stream (onClose; write() returns false)', async () => {
    let closedSeen = false;
    let writeAfterClose: boolean | undefined;
    app = await startH2((s) => s.get('/forever', (ctx) => {
      const out = ctx.stream(200);
      const timer = setInterval(() => out.write('tick\n'), 5);
      out.onClose(() => {
        clearInterval(timer);
        closedSeen = true;
        writeAfterClose = out.write('late');
      });
    }));
    const session = await open();
    const stream = session.request(GET('/forever'));
    stream.on('error', () => {});
    await new Promise<void>((resolve) => stream.once('data', () => resolve()));
    stream.close(constants.NGHTTP2_CANCEL);
    await eventually(() => closedSeen);
    expect(writeAfterClose).toBe(false);
    await eventually(() => app!.server.connectionCount === 1); // the session itself is still there
  });

  it('a client that drops the connection mid-request costs only its connection', async () => {
    let started = false;
    app = await startH2((s) => {
      s.get('/stuck', () => {
        started = true;
        return new Promise(() => {});
      });
      s.get('/a', (ctx) => ctx.send('ok'));
    });
    const raw = await RawH2.open(app.port);
    raw.request(1, [...BASE, [':path', '/stuck']]);
    await eventually(() => started);
    raw.socket.destroy(); // no GOAWAY, no RST: the TCP connection is just gone
    await eventually(() => app!.server.connectionCount === 0);
    const session = await open();
    expect((await h2Request(session, GET('/a'))).status).toBe(200);
  });
});

describe.skipIf(!hasOpenssl)('HTTP/2: what HTTP/2 forbids never reaches a handler', () => {
  it('an HTTP/1.1 request on a connection that negotiated h2 (no preface) ends that connection only', async () => {
    app = await startH2((s) => s.get('/a', (ctx) => ctx.send('ok')));
    const socket = connect({ host: '127.0.0.1', port: app.port, servername: 'localhost', ca: testCerts().ca.ca, ALPNProtocols: ['h2'] });
    socket.on('error', () => {});
    socket.resume();
    await new Promise<void>((resolve) => socket.once('secureConnect', resolve));
    socket.write('GET /a HTTP/1.1\r\nHost: localhost\r\n\r\n');
    await new Promise<void>((resolve) => socket.once('close', resolve));
    await eventually(() => app!.server.connectionCount === 0);
    const session = await open();
    expect((await h2Request(session, GET('/a'))).status).toBe(200);
  });

  it('a frame of the wrong size ends that connection (GOAWAY FRAME_SIZE_ERROR), not the server', async () => {
    app = await startH2((s) => s.get('/a', (ctx) => ctx.send('ok')), { request: { headTimeoutMs: 200, idleTimeoutMs: 200 } });
    const raw = await RawH2.open(app.port);
    raw.send(frame(SETTINGS, 0, 0, Buffer.alloc(5))); // RFC 9113 §6.5: a multiple of 6 octets
    await raw.until(() => raw.goaway !== null);
    expect(raw.goaway?.code).toBe(constants.NGHTTP2_FRAME_SIZE_ERROR);
    // A peer that keeps the socket after that GOAWAY is closed by the connection's own timeout
    // (headTimeoutMs here, no stream started; idleTimeoutMs after one), then 2 s of linger at most.
    await raw.until(() => raw.closed);
    await eventually(() => app!.server.connectionCount === 0);
    const session = await open();
    expect((await h2Request(session, GET('/a'))).status).toBe(200);
  });

  it('a field value with CR LF is dropped by nghttp2, an upper-case name refused: nothing is injected into the rewritten head', async () => {
    const seen: string[] = [];
    app = await startH2((s) => s.get('/a', (ctx) => {
      seen.push(`${String(ctx.request.header('x-v'))} ${String(ctx.request.header('x-injected'))} ${ctx.request.headerCount}`);
      ctx.send('ok');
    }));
    const raw = await RawH2.open(app.port);
    try {
      raw.request(1, [...BASE, [':path', '/a'], ['x-v', 'a\r\nx-injected: yes']]);
      raw.request(3, [...BASE, [':path', '/a'], ['X-Upper', 'v']]);
      raw.request(5, [...BASE, [':path', '/a'], ['x-v', 'fine']]);
      await raw.until(() => raw.streams.get(5)?.ended === true);
      // RFC 9113 §8.2.1: CR, LF and NUL are not allowed in a field value; nghttp2 ignores such a field.
      expect(raw.streams.get(1)?.status).toBe(200);
      // RFC 9113 §8.2.1: upper-case field names make the request malformed (stream error).
      expect(raw.streams.get(3)?.rst).toBe(constants.NGHTTP2_PROTOCOL_ERROR);
      expect(raw.streams.get(5)?.status).toBe(200);
      // x-v, x-injected, field lines (Host from :authority, plus x-v on the last one)
      expect(seen).toEqual(['undefined undefined 1', 'fine undefined 2']);
    } finally {
      raw.close();
    }
  });

  it('a DATA frame on a stream that was never opened ends the connection (RFC 9113 §5.1), not the server', async () => {
    app = await startH2((s) => s.get('/a', (ctx) => ctx.send('ok')));
    const raw = await RawH2.open(app.port);
    raw.send(frame(DATA, END_STREAM, 7, Buffer.from('orphan')));
    await raw.until(() => raw.goaway !== null);
    expect(raw.goaway?.code).toBe(constants.NGHTTP2_PROTOCOL_ERROR);
    raw.close();
    const session = await open();
    expect((await h2Request(session, GET('/a'))).status).toBe(200);
  });
});

describe.skipIf(!hasOpenssl)('HTTP/2: answers that differ from HTTP/1.1 by necessity', () => {
  it('a WebSocket route answers 426 over HTTP/2 (no Upgrade on HTTP/2; RFC 8441 is not offered)', async () => {
    app = await startH2((s) => s.ws('/live', { message: (ws, data, binary) => ws.send(data, binary) }));
    const session = await open();
    expect(session.remoteSettings.enableConnectProtocol).toBe(false);
    const res = await h2Request(session, GET('/live'));
    expect(res.status).toBe(426);
    expect(res.headers.upgrade).toBeUndefined();
    expect(res.headers.connection).toBeUndefined();
  });

  it('a field that takes one value, set twice, makes node:http2 refuse the head: answered 500, reported to onPanic', async () => {
    const panics: string[] = [];
    app = await startH2((s) => {
      s.onPanic((_ctx, error) => panics.push((error as { code?: string }).code ?? String(error)));
      s.get('/twice', (ctx) => ctx.appendHeader('content-type', 'text/plain').appendHeader('content-type', 'text/html').send('x'));
    });
    const session = await open();
    const res = await h2Request(session, GET('/twice'));
    expect([res.status, res.body.toString()]).toEqual([500, 'Internal Server Error\n']);
    expect(panics).toEqual(['ERR_HTTP2_HEADER_SINGLE_VALUE']);
  });
});

describe.skipIf(!hasOpenssl)('HTTP/2: a response that cannot be completed is cut, the session goes on', () => {
  it('short of its Content-Length, or failing after ctx.stream(): RST_STREAM(INTERNAL_ERROR), never a complete-looking body', async () => {
    app = await startH2((s) => {
      s.onPanic(() => {}); // expected failures
      s.get('/short', (ctx) => {
        const out = ctx.stream(200, {}, { length: 10 });
        out.write('12345');
        out.end();
      });
      s.get('/fails', async (ctx) => {
        ctx.stream(200).write('partial');
        await new Promise((resolve) => setTimeout(resolve, 5));
        throw new Error('failure after the head (expected in this test)');
      });
      s.get('/a', (ctx) => ctx.send('ok'));
    });
    const session = await open();
    for (const path of ['/short', '/fails']) {
      const res = await h2Request(session, GET(path));
      expect(res.status).toBe(200);
      expect(res.rstCode).toBe(constants.NGHTTP2_INTERNAL_ERROR);
    }
    expect((await h2Request(session, GET('/a'))).status).toBe(200);
  });
});

describe.skipIf(!hasOpenssl)('HTTP/2: flow control both ways', () => {
  it('a streamed response is paced by the client window: write() returns false, onDrain resumes, every byte arrives', async () => {
    const size = 4 * 1024 * 1024;
    let refusals = 0;
    app = await startH2((s) => s.get('/big', (ctx) => {
      const out = ctx.stream(200, { 'content-type': 'application/octet-stream' }, { length: size });
      let sent = 0;
      const pump = (): void => {
        while (sent < size) {
          const chunk = Buffer.alloc(64 * 1024, sent / (64 * 1024));
          sent += chunk.length;
          if (!out.write(chunk)) {
            refusals++;
            return;
          }
        }
        out.end();
      };
      out.onDrain(pump);
      pump();
    }));
    const session = await open();
    const res = await h2Request(session, GET('/big'));
    expect(res.status).toBe(200);
    expect(res.headers['content-length']).toBe(String(size));
    expect(res.body.length).toBe(size);
    for (let i = 0; i < size / (64 * 1024); i++) expect(res.body[i * 64 * 1024]).toBe(i & 0xff);
    expect(refusals).toBeGreaterThan(0);
  });

  it('a body the handler does not read yet stops the client at its window; read later, it is intact', async () => {
    const size = 2 * 1024 * 1024;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    app = await startH2((s) => s.post('/later', async (ctx) => {
      await gate;
      const body = await ctx.request.bytes();
      ctx.json({ length: body.length, sum: body.reduce((a, b) => (a + b) & 0xffff, 0) });
    }, { maxBodySize: size }));
    const session = await open();
    const payload = Buffer.alloc(size);
    for (let i = 0; i < size; i++) payload[i] = i % 251;
    const stream = session.request(POST('/later'));
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    const done = new Promise<void>((resolve) => stream.on('close', resolve));
    stream.end(payload);
    // Unread on the server, the body stops at the stream window (64 KiB) plus what node buffers: most
    // of it waits on the client side.
    await eventually(() => stream.bufferSize > size / 2);
    release();
    await done;
    expect(JSON.parse(Buffer.concat(chunks).toString())).toEqual({ length: size, sum: payload.reduce((a, b) => (a + b) & 0xffff, 0) });
  });

  it('Expect: 100-continue gets a 100 once the handler reads the body', async () => {
    app = await startH2((s) => s.post('/up', async (ctx) => ctx.send(`got ${(await ctx.request.bytes()).length}`)));
    const session = await open();
    const stream = session.request({ ...POST('/up'), expect: '100-continue' });
    const got = new Promise<string>((resolve) => {
      let text = '';
      stream.on('data', (c: Buffer) => (text += c.toString()));
      stream.on('end', () => resolve(text));
    });
    await new Promise<void>((resolve) => stream.once('continue', () => resolve()));
    stream.end('after continue');
    expect(await got).toBe('got 14');
  });
});

describe.skipIf(!hasOpenssl)('HTTP/2: fetch handlers', () => {
  it('a fetch handler reads the request body and streams its response; its signal aborts when the stream is reset', async () => {
    let aborted = false;
    app = await startH2((s) => {
      mountFetch(s, '/f', async (req) => {
        if (req.method === 'POST') return new Response(`echo ${await req.text()} over ${new URL(req.url).protocol}`);
        req.signal.addEventListener('abort', () => (aborted = true));
        let timer: NodeJS.Timeout | undefined;
        return new Response(new ReadableStream({
          pull: (c) => new Promise<void>((resolve) => (timer = setTimeout(() => resolve(c.enqueue(new TextEncoder().encode('x'))), 5))),
          cancel: () => clearTimeout(timer),
        }));
      });
    });
    const session = await open();
    const echoed = await h2Request(session, POST('/f/echo'), 'body');
    expect([echoed.status, echoed.body.toString()]).toEqual([200, 'echo body over https:']);
    const stream = session.request(GET('/f/stream'));
    stream.on('error', () => {});
    await new Promise<void>((resolve) => stream.once('data', () => resolve()));
    stream.close(constants.NGHTTP2_CANCEL);
    await eventually(() => aborted);
    expect(aborted).toBe(true);
  });
});
