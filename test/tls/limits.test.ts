// TLS limits and failures over real sockets: the handshake timeout (request.headTimeoutMs) drops a
// client that connects and never handshakes; a failed handshake (plain HTTP on the TLS port, garbage,
// a client that does not trust the certificate, a client that leaves mid-handshake) never crashes the
// server, is logged at debug level and never reaches onConnection; maxConnections counts TLS sockets and
// refuses before the handshake; graceful close() on TLS; onConnection/onClose see TLS sockets.
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { capture, waitFor } from '../support/log-capture.js';
import { opensslOrSkip } from '../support/certs.js';
import { exchange } from '../server/helpers.js';
import { connectTls, handshake, startTls, trustingAgent } from './helpers.js';
import type { TlsRunning } from './helpers.js';

const hasOpenssl = opensslOrSkip('tls limits.test');

/** Resolves when the server closes `socket` (or after 5 s, with false). */
function closedByServer(socket: Socket): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), 5_000);
    socket.on('error', () => {});
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
    socket.resume();
  });
}

function openTcp(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

describe.skipIf(!hasOpenssl)('TLS limits and errors', () => {
  let app: TlsRunning | undefined;

  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('drops a client that connects and never handshakes after headTimeoutMs, and logs it', async () => {
    const { logger, lines } = capture();
    app = await startTls((s) => s.get('/', (ctx) => ctx.send('ok')), { logger, request: { headTimeoutMs: 300 } });
    const silent = await openTcp(app.port);
    expect(await closedByServer(silent)).toBe(true);
    const line = await waitFor(() => lines.find((l) => l.msg === 'wasmlane: TLS handshake failed'));
    expect(line.err?.code).toBe('ERR_TLS_HANDSHAKE_TIMEOUT');
    expect(line.level).toBe(20); // debug: one client's problem
  });

  it('survives failed handshakes: plain HTTP, garbage, an untrusting client, one that leaves mid-handshake', async () => {
    const { logger, lines } = capture();
    const opened: unknown[] = [];
    app = await startTls((s) => {
      s.get('/', (ctx) => ctx.send('still serving'));
      s.onConnection((info) => void opened.push(info.id));
    }, { logger });
    const plain = await exchange(app.port, ['GET / HTTP/1.1\r\nHost: localhost\r\n\r\n']);
    expect(plain.closed).toBe(true);
    expect(plain.text).not.toMatch(/^HTTP/);
    const garbage = await exchange(app.port, [Buffer.alloc(64, 0x16)]);
    expect(garbage.closed).toBe(true);
    await expect(handshake(app.port, { ca: [] })).rejects.toMatchObject({ code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
    const leaver = await openTcp(app.port);
    leaver.end(); // FIN before any ClientHello
    expect(await closedByServer(leaver)).toBe(true);

    await waitFor(() => (lines.filter((l) => l.msg === 'wasmlane: TLS handshake failed').length >= 4 ? true : undefined));
    const codes = lines.filter((l) => l.msg === 'wasmlane: TLS handshake failed').map((l) => l.err?.code);
    expect(codes).toContain('ERR_SSL_HTTP_REQUEST');
    expect(codes).toContain('ECONNRESET');
    expect(opened).toEqual([]); // no connection was made
    const agent = trustingAgent();
    try {
      expect(await (await request(`${app.url}/`, { dispatcher: agent })).body.text()).toBe('still serving');
    } finally {
      await agent.close();
    }
  });

  it('maxConnections counts TLS sockets and refuses the next one before its handshake', async () => {
    const { logger, lines } = capture();
    app = await startTls((s) => s.get('/', (ctx) => ctx.send('ok')), { logger, maxConnections: 1 });
    const first = await handshake(app.port);
    await expect(handshake(app.port)).rejects.toBeDefined();
    const refused = await waitFor(() => lines.find((l) => l.msg === 'wasmlane: connection refused (maxConnections)'));
    expect(refused).toMatchObject({ maxConnections: 1, remoteAddress: '127.0.0.1' });
    first.destroy();
    // The slot frees when the server sees the close: retry for up to 2 s.
    let second: TLSSocket | undefined;
    for (let i = 0; i < 40 && second === undefined; i++) {
      second = await handshake(app.port).catch(async () => {
        await new Promise((r) => setTimeout(r, 50));
        return undefined;
      });
    }
    expect(second?.authorized).toBe(true);
    second?.destroy();
  });

  it('graceful close(): the in-flight request finishes, a fresh connection gets its grace, idle ones close', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    app = await startTls((s) => {
      s.get('/slow', async (ctx) => {
        await gate;
        ctx.send('slow done');
      });
      s.get('/', (ctx) => ctx.send('ok'));
    });
    const agent = trustingAgent();
    const idle = await handshake(app.port);
    idle.write('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n');
    await new Promise<void>((r) => idle.once('data', () => r()));
    const fresh = await handshake(app.port); // handshaken, no request yet
    const slow = request(`${app.url}/slow`, { dispatcher: agent });
    await new Promise((r) => setTimeout(r, 100)); // the slow request is in the handler
    const closing = app.close();
    app = undefined;
    expect(await closedByServer(idle)).toBe(true);
    fresh.write('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n'); // within the 1 s grace
    let late = '';
    for await (const chunk of fresh) late += String(chunk); // until the server closes
    expect(late).toMatch(/^HTTP\/1\.1 200 [^]*connection: close[^]*ok$/i);
    release();
    const res = await slow;
    expect(res.headers.connection).toBe('close');
    expect(await res.body.text()).toBe('slow done');
    await closing;
    await agent.close();
  });

  it('close() destroys a handshake still pending at its deadline', async () => {
    app = await startTls((s) => s.get('/', (ctx) => ctx.send('ok')), { request: { headTimeoutMs: 60_000 } });
    const stuck = await openTcp(app.port);
    const gone = closedByServer(stuck);
    await app.server.close({ timeoutMs: 200 });
    app = undefined;
    expect(await gone).toBe(true);
  });

  it('onConnection and onClose see TLS sockets', async () => {
    const events: string[] = [];
    app = await startTls((s) => {
      s.get('/', (ctx) => ctx.send('ok'));
      s.onConnection((info) => void events.push(`open ${(info.socket as TLSSocket).encrypted}`));
      s.onClose(() => void events.push('close'));
    });
    const socket = connectTls(app.port);
    const done = exchange(0, ['GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n'], { connect: () => socket });
    expect((await done).text).toMatch(/ok$/);
    await waitFor(() => (events.length === 2 ? true : undefined));
    expect(events).toEqual(['open true', 'close']);
  });
});
