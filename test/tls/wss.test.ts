// WebSocket over TLS (wss): the same upgrade, frame codec and close handshake on a TLSSocket. Clients:
// the `ws` package trusting the throwaway CA (text and binary echo, permessage-deflate, close codes
// both ways, 1001 at server.close()), and wasmlane's own connect('wss://…').
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocketClient from 'ws';
import { connect } from '../../src/ws/client.js';
import { opensslOrSkip } from '../support/certs.js';
import { startTls, testCerts } from './helpers.js';
import type { TlsRunning } from './helpers.js';

const hasOpenssl = opensslOrSkip('wss.test');

async function openWs(url: string, options: WebSocketClient.ClientOptions = {}): Promise<WebSocketClient> {
  const ws = new WebSocketClient(url, { ca: testCerts().ca.ca, ...options });
  await once(ws, 'open');
  return ws;
}

function nextMessage(ws: WebSocketClient): Promise<{ data: Buffer; isBinary: boolean }> {
  return new Promise((resolve) => ws.once('message', (data: Buffer, isBinary: boolean) => resolve({ data, isBinary })));
}

function closed(ws: WebSocketClient): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => ws.once('close', (code: number, reason: Buffer) => resolve({ code, reason: String(reason) })));
}

describe.skipIf(!hasOpenssl)('wss', () => {
  let app: TlsRunning;
  const serverCloses: number[] = [];

  beforeAll(async () => {
    app = await startTls((s) => {
      s.ws('/echo', {
        upgrade: (req) => ({ data: { secure: req.secure } }),
        open: (ws) => ws.send(JSON.stringify({ hello: 'wss', secure: (ws.data as { secure: boolean }).secure })),
        message: (ws, data, isBinary) => {
          if (!isBinary && String(data) === 'bye') return ws.close(4002, 'server says bye');
          ws.send(data, isBinary);
        },
        close: (_ws, code) => void serverCloses.push(code),
      }, { perMessageDeflate: true });
    });
  }, 20_000);

  afterAll(async () => {
    await app?.close();
  });

  it('upgrades over TLS and echoes text and binary; the upgrade hook sees secure', async () => {
    const ws = new WebSocketClient(`wss://127.0.0.1:${app.port}/echo`, { ca: testCerts().ca.ca });
    const greeting = nextMessage(ws);
    await once(ws, 'open');
    expect(JSON.parse(String((await greeting).data))).toEqual({ hello: 'wss', secure: true });
    ws.send('text over tls');
    expect(await nextMessage(ws)).toEqual({ data: Buffer.from('text over tls'), isBinary: false });
    const bytes = Buffer.from(Array.from({ length: 70_000 }, (_, i) => i & 0xff)); // 64-bit length, many records
    ws.send(bytes);
    const back = await nextMessage(ws);
    expect(back.isBinary).toBe(true);
    expect(back.data.equals(bytes)).toBe(true);
    expect(ws.extensions).toMatch(/permessage-deflate/);
    const done = closed(ws);
    ws.close(4001, 'client says bye');
    expect((await done).code).toBe(4001); // the server echoes the code (RFC 6455 §5.5.1)
    await expect.poll(() => serverCloses.includes(4001)).toBe(true);
  });

  it('the server closes with its own code', async () => {
    const ws = await openWs(`wss://localhost:${app.port}/echo`);
    const done = closed(ws);
    ws.send('bye');
    expect(await done).toEqual({ code: 4002, reason: 'server says bye' });
  });

  it('wasmlane connect("wss://…") with the CA', async () => {
    const ws = await connect(`wss://localhost:${app.port}/echo`, { tls: { ca: testCerts().ca.ca } });
    const messages: string[] = [];
    ws.on('message', (data) => void messages.push(String(data)));
    await expect.poll(() => messages.length).toBe(1);
    ws.send('own client');
    await expect.poll(() => messages.length).toBe(2);
    expect(messages[1]).toBe('own client');
    ws.close(1000);
  });

  it('server.close() sends 1001 Going Away over wss', async () => {
    const other = await startTls((s) => s.ws('/w', { message: (ws, data) => ws.send(data) }));
    const ws = await openWs(`wss://127.0.0.1:${other.port}/w`);
    const done = closed(ws);
    await other.close();
    expect((await done).code).toBe(1001);
  });
});
