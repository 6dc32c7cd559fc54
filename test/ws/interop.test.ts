// Interop with the `ws` package in both directions over real sockets on 127.0.0.1:
//   ws client → wasmlane server (on every engine), wasmlane client → ws server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WsClient, { WebSocketServer } from 'ws';
import type { AddressInfo } from 'node:net';
import { availableEngines } from '../../src/wasm/instance.js';
import { startUpgradeServer } from './upgrade-server.js';
import { Server } from '../../src/server.js';
import { connect } from '../../src/ws/client.js';
import type { WebSocket, WebSocketHandlers } from '../../src/ws/websocket.js';

function open(url: string, opts: WsClient.ClientOptions = {}): Promise<WsClient> {
  return new Promise((resolve, reject) => {
    const ws = new WsClient(url, { perMessageDeflate: false, maxPayload: 64 * 1024 * 1024, ...opts });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

type Msg = { data: Buffer; isBinary: boolean };
const nextMessage = (ws: WsClient | WebSocket): Promise<Msg> =>
  new Promise((resolve) => ws.once('message', (data: Buffer, isBinary: boolean) => resolve({ data, isBinary })));
const closed = (ws: WsClient | WebSocket): Promise<{ code: number; reason: string }> =>
  new Promise((resolve) => ws.once('close', (code: number, reason: Buffer) => resolve({ code, reason: reason.toString() })));

export function pattern(size: number): Buffer {
  const b = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) b[i] = (i * 31 + (i >>> 8)) & 0xff;
  return b;
}

// 7-bit, 16-bit and 64-bit length encodings at their edges (§5.2), and past the 256 KiB WASM window.
const SIZES = [0, 1, 125, 126, 65535, 65536, 1024 * 1024 + 3];

for (const engine of availableEngines()) {
  describe(`ws client → wasmlane Server (engine ${engine})`, () => {
    let server: Server;
    let url: string;
    const closes: string[] = [];
    beforeAll(async () => {
      server = new Server({ host: '127.0.0.1', port: 0, engine });
      server.ws(
        '/',
        {
          message(ws, data, isBinary) {
            const text = isBinary ? '' : data.toString();
            if (text.startsWith('close:')) return ws.close(Number(text.slice(6, 10)), text.slice(11));
            ws.send(data, isBinary);
          },
          close: (_ws, code, reason) => void closes.push(`${code} ${reason.toString()}`),
        } satisfies WebSocketHandlers,
        { engine, heartbeatIntervalMs: 0, maxPayload: 20 * 1024 * 1024 },
      );
      url = `ws://127.0.0.1:${(await server.listen()).port}/`;
    });
    afterAll(() => server.close({ timeoutMs: 500 }));

    it('echoes text and binary of every length class', async () => {
      const ws = await open(url);
      for (const size of SIZES) {
        const bin = pattern(size);
        ws.send(bin, { binary: true });
        const got = await nextMessage(ws);
        expect(got.isBinary).toBe(true);
        expect(got.data.equals(bin), `binary ${size}`).toBe(true);
        const text = 'é'.repeat(size >> 1) + (size & 1 ? 'a' : '');
        ws.send(text);
        const gotText = await nextMessage(ws);
        expect(gotText.isBinary).toBe(false);
        expect(gotText.data.toString(), `text ${size}`).toBe(text);
      }
      ws.close(1000);
      expect((await closed(ws)).code).toBe(1000);
    });

    it('echoes a 16 MiB message', async () => {
      const ws = await open(url);
      const big = pattern(16 * 1024 * 1024);
      ws.send(big);
      const got = await nextMessage(ws);
      expect(got.data.length).toBe(big.length);
      expect(got.data.equals(big)).toBe(true);
      ws.terminate();
    });

    it('reassembles fragments sent with fin: false', async () => {
      const ws = await open(url);
      ws.send('Hel', { fin: false });
      ws.send('lo, ', { fin: false });
      ws.ping('mid-message'); // control frames may be interleaved (§5.4)
      ws.send('wörld', { fin: true });
      expect((await nextMessage(ws)).data.toString()).toBe('Hello, wörld');
      const parts = [pattern(70000), pattern(3), pattern(0), pattern(200000)];
      for (let i = 0; i < parts.length; i++) ws.send(parts[i]!, { binary: true, fin: i === parts.length - 1 });
      expect((await nextMessage(ws)).data.equals(Buffer.concat(parts))).toBe(true);
      ws.terminate();
    });

    it('answers pings with the same data', async () => {
      const ws = await open(url);
      const pong = new Promise<Buffer>((resolve) => ws.once('pong', resolve));
      ws.ping('are you there');
      expect((await pong).toString()).toBe('are you there');
      ws.terminate();
    });

    it('completes close handshakes started by the client (1000, 4000 + reason, no code)', async () => {
      for (const [code, reason, expected] of [
        [1000, '', '1000 '],
        [4000, 'bye now', '4000 bye now'],
        [undefined, '', '1005 '],
      ] as const) {
        const ws = await open(url);
        const done = closed(ws);
        const before = closes.length;
        if (code === undefined) ws.close();
        else ws.close(code, reason);
        const c = await done;
        // The server echoes the code only (§5.5.1 "typically echos the status code it received").
        expect(c.code).toBe(code ?? 1005);
        expect(c.reason).toBe('');
        await new Promise((r) => setTimeout(r, 20));
        expect(closes.slice(before)).toEqual([expected]);
      }
    });

    it('closes from the server with a code and reason', async () => {
      const ws = await open(url);
      const done = closed(ws);
      ws.send('close:4321 server says bye');
      expect(await done).toEqual({ code: 4321, reason: 'server says bye' });
    });
  });
}

describe('ws client → wasmlane server: limits and heartbeat', () => {
  it('closes with 1009 when a message exceeds maxPayload', async () => {
    const server = await startUpgradeServer({ message: (ws, d) => ws.send(d) }, { maxPayload: 1000 });
    try {
      const ws = await open(server.url);
      ws.send(pattern(1000));
      expect((await nextMessage(ws)).data.length).toBe(1000);
      const done = closed(ws);
      ws.send(pattern(1001));
      expect((await done).code).toBe(1009);
    } finally {
      await server.close();
    }
  });

  it('closes with 1009 when a message has more than maxFragments frames', async () => {
    const server = await startUpgradeServer({ message: (ws, d) => ws.send(d) }, { maxFragments: 3, heartbeatIntervalMs: 0 });
    try {
      const ws = await open(server.url);
      for (const fin of [false, false, true]) ws.send('ab', { fin });
      expect((await nextMessage(ws)).data.toString()).toBe('ababab');
      const done = closed(ws);
      for (const fin of [false, false, false, true]) ws.send('ab', { fin });
      expect((await done).code).toBe(1009);
    } finally {
      await server.close();
    }
  });

  it('keeps a ponging ws client alive across heartbeats', async () => {
    let pongs = 0;
    const server = await startUpgradeServer({ pong: () => void pongs++ }, { heartbeatIntervalMs: 40 });
    try {
      const ws = await open(server.url);
      await new Promise((r) => setTimeout(r, 300));
      expect(ws.readyState).toBe(WsClient.OPEN);
      expect(pongs).toBeGreaterThanOrEqual(2);
      ws.close();
      await closed(ws);
    } finally {
      await server.close();
    }
  });
});

describe('wasmlane client → ws server', () => {
  let wss: WebSocketServer;
  let url: string;
  const serverCloses: string[] = [];
  beforeAll(async () => {
    wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false, maxPayload: 64 * 1024 * 1024 });
    wss.on('connection', (ws, req) => {
      if (req.url === '/hello') ws.send('hello from ws');
      ws.on('message', (data: Buffer, isBinary) => {
        const text = isBinary ? '' : data.toString();
        if (text.startsWith('close:')) return ws.close(Number(text.slice(6, 10)), text.slice(11));
        if (text === 'ping-me') return ws.ping('srv');
        ws.send(data, { binary: isBinary });
      });
      ws.on('close', (code, reason) => serverCloses.push(`${code} ${reason.toString()}`));
    });
    await new Promise((r) => wss.once('listening', r));
    url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    for (const c of wss.clients) c.terminate();
    return new Promise<void>((r) => wss.close(() => r()));
  });

  it('echoes every length class and 16 MiB, masked by our client', async () => {
    const ws = await connect(url, { maxPayload: 20 * 1024 * 1024 });
    for (const size of [...SIZES, 16 * 1024 * 1024]) {
      const bin = pattern(size);
      ws.send(bin);
      const got = await nextMessage(ws);
      expect(got.isBinary).toBe(true);
      expect(got.data.equals(bin), `binary ${size}`).toBe(true);
    }
    ws.send('text ✓');
    expect(await nextMessage(ws)).toEqual({ data: Buffer.from('text ✓'), isBinary: false });
    ws.close(1000);
    expect((await closed(ws)).code).toBe(1000);
  });

  it('receives a message the server sends right after the handshake', async () => {
    const ws = await connect(`${url}/hello`);
    expect((await nextMessage(ws)).data.toString()).toBe('hello from ws');
    ws.terminate();
  });

  it('answers server pings and gets pongs for its own', async () => {
    const ws = await connect(url);
    const pong = new Promise<Buffer>((resolve) => ws.once('pong', resolve));
    ws.ping('x1');
    expect((await pong).toString()).toBe('x1');
    const ping = new Promise<Buffer>((resolve) => ws.once('ping', resolve));
    ws.send('ping-me');
    expect((await ping).toString()).toBe('srv');
    ws.terminate();
  });

  it('closes in both directions with codes and reasons', async () => {
    const a = await connect(url);
    const before = serverCloses.length;
    const doneA = closed(a);
    a.close(4000, 'client bye');
    expect(await doneA).toEqual({ code: 4000, reason: 'client bye' });
    await new Promise((r) => setTimeout(r, 20));
    expect(serverCloses.slice(before)).toEqual(['4000 client bye']);

    const b = await connect(url);
    const doneB = closed(b);
    b.send('close:4999 srv bye');
    expect(await doneB).toEqual({ code: 4999, reason: 'srv bye' });
    expect(b.readyState).toBe(3);
  });

  it('reports 1009 when the server sends more than maxPayload', async () => {
    const ws = await connect(url, { maxPayload: 100 });
    const done = closed(ws);
    ws.send(pattern(101));
    expect((await done).code).toBe(1009);
  });
});

describe('wasmlane client → ws server over TLS (wss://)', () => {
  it('handshakes and echoes through node:tls', async () => {
    const { spawnSync } = await import('node:child_process');
    const { mkdtempSync, readFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { createServer } = await import('node:https');
    const dir = mkdtempSync(join(tmpdir(), 'wasmlane-wss-'));
    try {
      const r = spawnSync('openssl', [
        'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost',
        '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
        '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
      ], { stdio: 'ignore', timeout: 10_000 });
      if (r.status !== 0) return; // no openssl here: nothing to test with
      const cert = readFileSync(join(dir, 'cert.pem'));
      const https = createServer({ key: readFileSync(join(dir, 'key.pem')), cert });
      const wss = new WebSocketServer({ server: https, perMessageDeflate: false });
      wss.on('connection', (ws) => ws.on('message', (d: Buffer, b) => ws.send(d, { binary: b })));
      await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', resolve));
      try {
        const port = (https.address() as AddressInfo).port;
        const ws = await connect(`wss://127.0.0.1:${port}/`, { tls: { ca: cert } });
        ws.send('over tls');
        expect(await nextMessage(ws)).toEqual({ data: Buffer.from('over tls'), isBinary: false });
        const done = closed(ws);
        ws.close(1000);
        expect((await done).code).toBe(1000);
      } finally {
        for (const c of wss.clients) c.terminate();
        await new Promise<void>((resolve) => https.close(() => resolve()));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('permessage-deflate interop (RFC 7692)', () => {
  const text = 'compress me please '.repeat(500);
  const random = Buffer.from(Array.from({ length: 70000 }, (_, i) => (i * 2654435761) >>> 24));

  it('ws client ↔ wasmlane server: negotiates, echoes compressed and small messages in order', async () => {
    const server = new Server({ host: '127.0.0.1', port: 0 });
    server.ws('/', { message: (ws, d, b) => ws.send(d, b) } satisfies WebSocketHandlers, {
      perMessageDeflate: { threshold: 64 },
      heartbeatIntervalMs: 0,
    });
    const { port } = await server.listen();
    try {
      const ws = await open(`ws://127.0.0.1:${port}/`, { perMessageDeflate: { threshold: 0 } });
      expect(ws.extensions).toContain('permessage-deflate');
      const got: Msg[] = [];
      ws.on('message', (data: Buffer, isBinary: boolean) => got.push({ data, isBinary }));
      const sent = [text, 'tiny', random, '', text.toUpperCase(), pattern(2 * 1024 * 1024)];
      for (const m of sent) ws.send(m);
      for (let i = 0; i < 300 && got.length < sent.length; i++) await new Promise((r) => setTimeout(r, 10));
      expect(got.map((m) => m.data.toString('base64'))).toEqual(sent.map((m) => Buffer.from(m).toString('base64')));
      ws.close(1000);
      expect((await closed(ws)).code).toBe(1000);
    } finally {
      await server.close({ timeoutMs: 500 });
    }
  });

  it('wasmlane client ↔ ws server: offers, accepts the answer, compresses both ways', async () => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: { threshold: 0 } });
    wss.on('connection', (ws) => ws.on('message', (d: Buffer, b) => ws.send(d, { binary: b })));
    await new Promise((r) => wss.once('listening', r));
    try {
      const ws = await connect(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}/`, {
        perMessageDeflate: { threshold: 0, clientNoContextTakeover: true },
      });
      expect(ws.extensions).toContain('permessage-deflate');
      for (const m of [text, random, 'x', pattern(1024 * 1024)]) {
        ws.send(m);
        expect((await nextMessage(ws)).data.equals(Buffer.from(m))).toBe(true);
      }
      ws.close(1000);
      expect((await closed(ws)).code).toBe(1000);
    } finally {
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
    }
  });

  it('closes with 1009 when a compressed message inflates past maxPayload', async () => {
    const server = new Server({ host: '127.0.0.1', port: 0 });
    server.ws('/', {}, { perMessageDeflate: true, maxPayload: 10_000, heartbeatIntervalMs: 0 });
    const { port } = await server.listen();
    try {
      const ws = await open(`ws://127.0.0.1:${port}/`, { perMessageDeflate: { threshold: 0 } });
      const done = closed(ws);
      ws.send(Buffer.alloc(1_000_000)); // ~1 KiB on the wire, 1 MB inflated
      expect((await done).code).toBe(1009);
    } finally {
      await server.close({ timeoutMs: 500 });
    }
  });

  it('publish shares one compressed frame among server_no_context_takeover subscribers', async () => {
    const server = new Server({ host: '127.0.0.1', port: 0 });
    const negotiated: string[] = [];
    server.ws('/', {
      open: (ws) => {
        negotiated.push(ws.extensions);
        ws.subscribe('t');
      },
    } satisfies WebSocketHandlers, {
      perMessageDeflate: { serverNoContextTakeover: true, threshold: 16 },
      heartbeatIntervalMs: 0,
    });
    const { port } = await server.listen();
    try {
      const compressed = await Promise.all([1, 2, 3].map(() => open(`ws://127.0.0.1:${port}/`, { perMessageDeflate: true })));
      const plain = await open(`ws://127.0.0.1:${port}/`);
      const all = [...compressed, plain];
      await new Promise((r) => setTimeout(r, 20));
      expect(negotiated.filter((e) => e.includes('server_no_context_takeover'))).toHaveLength(3);
      expect(negotiated).toContain('');
      const messages = [text, 'short', text.slice(3)];
      const got = all.map(() => [] as string[]);
      all.forEach((ws, i) => ws.on('message', (d: Buffer) => got[i]!.push(d.toString())));
      for (const m of messages) expect(server.publish('t', m)).toBe(4);
      for (let i = 0; i < 200 && got.some((g) => g.length < messages.length); i++) await new Promise((r) => setTimeout(r, 10));
      for (const g of got) expect(g).toEqual(messages);
      for (const ws of all) ws.terminate();
    } finally {
      await server.close({ timeoutMs: 500 });
    }
  });
});
