// The client: connect() against wasmlane's own Server (server.ws routes), and the §4.1 checks of the
// server's answer against hand-written servers that get the handshake wrong.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type AddressInfo, type Server as NetServer } from 'node:net';
import { Server } from '../../src/server.js';
import { connect } from '../../src/ws/client.js';
import { WebSocket } from '../../src/ws/websocket.js';
import { acceptKey } from '../../src/ws/handshake.js';
import { frame, parseFrames } from './raw-peer.js';

const nextMessage = (ws: WebSocket): Promise<[string, boolean]> =>
  new Promise((resolve) => ws.once('message', (d: Buffer, b: boolean) => resolve([d.toString(), b])));
/** The next `n` messages; one listener for all, since several may be emitted in one tick. */
const collect = (ws: WebSocket, n: number): Promise<[string, boolean][]> =>
  new Promise((resolve) => {
    const got: [string, boolean][] = [];
    const on = (d: Buffer, b: boolean): void => {
      got.push([d.toString(), b]);
      if (got.length === n) {
        ws.off('message', on);
        resolve(got);
      }
    };
    ws.on('message', on);
  });
const closed = (ws: WebSocket): Promise<[number, string]> =>
  new Promise((resolve) => ws.once('close', (c: number, r: Buffer) => resolve([c, r.toString()])));

describe('connect() ↔ wasmlane Server', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = new Server({ host: '127.0.0.1', port: 0 });
    server.ws('/echo', { message: (ws: WebSocket, d: Buffer, b: boolean) => ws.send(d, b) }, { heartbeatIntervalMs: 0 });
    server.ws(
      '/greet/{name}',
      {
        upgrade: (req: { params: Record<string, string> }) => ({ data: req.params.name }),
        open: (ws: WebSocket) => {
          ws.send(`hi ${String(ws.data)}`);
          ws.send(Buffer.from([1, 2, 3]));
        },
      },
      { protocols: ['chat.v2', 'chat.v1'] },
    );
    server.ws('/room', {
      open: (ws: WebSocket) => ws.subscribe('room'),
      message: (ws: WebSocket, d: Buffer) => ws.publish('room', d, false),
    });
    const { port } = await server.listen();
    base = `ws://127.0.0.1:${port}`;
  });
  afterAll(() => server.close({ timeoutMs: 500 }));

  it('echoes text and binary, then closes cleanly with 1000', async () => {
    const ws = await connect(`${base}/echo`);
    expect(ws.readyState).toBe(WebSocket.OPEN);
    ws.send('héllo');
    expect(await nextMessage(ws)).toEqual(['héllo', false]);
    ws.send(Buffer.from('bin'));
    expect(await nextMessage(ws)).toEqual(['bin', true]);
    ws.send('as binary', true);
    expect(await nextMessage(ws)).toEqual(['as binary', true]);
    const done = closed(ws);
    ws.close(1000, 'ok');
    expect(ws.readyState).toBe(WebSocket.CLOSING);
    expect(await done).toEqual([1000, '']);
    expect(ws.readyState).toBe(WebSocket.CLOSED);
  });

  it('sees messages sent in open() (they may arrive with the 101) and the selected protocol', async () => {
    const ws = await connect(`${base}/greet/ada`, { protocols: ['chat.v1', 'chat.v2'] });
    expect(ws.protocol).toBe('chat.v1');
    expect(await collect(ws, 2)).toEqual([['hi ada', false], ['\u0001\u0002\u0003', true]]);
    ws.terminate();
  });

  it('delivers a publish to every subscriber, including the publisher', async () => {
    const clients = await Promise.all([1, 2, 3].map(() => connect(`${base}/room`)));
    await new Promise((r) => setTimeout(r, 20));
    const got = Promise.all(clients.map((c) => nextMessage(c)));
    clients[1]!.send('to all');
    expect(await got).toEqual([['to all', false], ['to all', false], ['to all', false]]);
    const again = Promise.all(clients.map((c) => nextMessage(c)));
    expect(server.publish('room', Buffer.from('from server'))).toBe(3);
    expect(await again).toEqual([['from server', true], ['from server', true], ['from server', true]]);
    expect(server.publish('nobody-here', 'x')).toBe(0);
    for (const c of clients) c.terminate();
  });

  it('answers 426 to a plain GET on a WebSocket route', async () => {
    const res = await fetch(`${base.replace('ws', 'http')}/echo`);
    expect(res.status).toBe(426);
    expect(res.headers.get('upgrade')).toBe('websocket');
  });

  it('reads frames pipelined behind the upgrade request', async () => {
    const url = new URL(base);
    const socket = (await import('node:net')).connect(Number(url.port), '127.0.0.1');
    let got = Buffer.alloc(0);
    socket.on('data', (d) => (got = Buffer.concat([got, d])));
    socket.write(
      Buffer.concat([
        Buffer.from(
          'GET /echo HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
            'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
        ),
        frame(1, 'pipelined'),
      ]),
    );
    for (let i = 0; i < 100 && parseFrames(got.subarray(got.indexOf('\r\n\r\n') + 4)).frames.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(got.toString('latin1').startsWith('HTTP/1.1 101')).toBe(true);
    const { frames } = parseFrames(got.subarray(got.indexOf('\r\n\r\n') + 4));
    expect(frames[0]?.payload.toString()).toBe('pipelined');
    socket.destroy();
  });

  it('closes open WebSockets with 1001 when the server closes', async () => {
    const other = new Server({ host: '127.0.0.1', port: 0 });
    other.ws('/', {});
    const { port } = await other.listen();
    const ws = await connect(`ws://127.0.0.1:${port}/`);
    const done = closed(ws);
    const shut = other.close({ timeoutMs: 2000 });
    expect((await done)[0]).toBe(1001);
    await shut;
  });

  it('validates route options at registration', () => {
    const s = new Server({ host: '127.0.0.1', port: 0 });
    expect(() => s.ws('/a', {}, { maxPayload: -1 })).toThrow(/WebSocket|websocket/);
    // @ts-expect-error an invalid value, checked at run time too
    expect(() => s.ws('/b', {}, { slowConsumerPolicy: 'block' })).toThrow(/slowConsumerPolicy/);
    expect(() => s.ws('/c', {}, { perMessageDeflate: { serverMaxWindowBits: 7 } })).toThrow(/window bits/);
  });

  it('rejects non-ws URLs and invalid protocols', async () => {
    await expect(connect('http://127.0.0.1:1/')).rejects.toThrow(TypeError);
    await expect(connect(`${base}/echo`, { protocols: ['bad protocol'] })).rejects.toThrow(TypeError);
  });
});

/** A server that answers the handshake with whatever `answer(key)` returns, then maybe a frame. */
async function fakeServer(answer: (key: string) => string): Promise<{ url: string; server: NetServer }> {
  const server = createServer((socket) => {
    socket.on('error', () => {});
    let buf = '';
    socket.on('data', (d) => {
      buf += d.toString('latin1');
      if (!buf.includes('\r\n\r\n')) return;
      const key = /sec-websocket-key: (\S+)/i.exec(buf)?.[1] ?? '';
      const text = answer(key);
      if (text !== '') socket.write(text);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/`, server };
}

const ok = (key: string, extra = '') =>
  `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptKey(key)}\r\n${extra}\r\n`;

describe('connect() validates the server answer (§4.1)', () => {
  it.each([
    ['a non-101 status', () => 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n', /unexpected status 200/],
    ['a wrong accept', (_k: string) => ok('AAAAAAAAAAAAAAAAAAAAAA=='), /Accept mismatch/],
    ['no Upgrade', (k: string) => ok(k).replace('Upgrade: websocket\r\n', ''), /Upgrade header/],
    ['an unoffered protocol', (k: string) => ok(k, 'Sec-WebSocket-Protocol: other\r\n'), /not offered/],
    ['an unoffered extension', (k: string) => ok(k, 'Sec-WebSocket-Extensions: permessage-deflate\r\n'), /extension/],
    ['a malformed head', () => 'garbage\r\n\r\n', /malformed/],
  ])('fails on %s', async (_name, answer, message) => {
    const { url, server } = await fakeServer(answer);
    try {
      await expect(connect(url, { protocols: ['mine'] })).rejects.toThrow(message);
    } finally {
      server.close();
    }
  });

  it('reads a 101 and the first frame split at every byte', async () => {
    const key = 'dGhlIHNhbXBsZSBub25jZQ==';
    const whole = Buffer.concat([Buffer.from(ok(key, 'Sec-WebSocket-Protocol: mine\r\n')), frame(1, 'first ✓', { mask: false })]);
    let split = 0;
    const server = createServer((socket) => {
      socket.on('error', () => {});
      const at = split;
      socket.once('data', (d) => {
        const k = /sec-websocket-key: (\S+)/i.exec(d.toString('latin1'))?.[1] ?? '';
        // Same bytes for every connection: only the accept value depends on the client's key.
        const bytes = Buffer.from(whole.toString('latin1').replace(acceptKey(key), acceptKey(k)), 'latin1');
        socket.write(bytes.subarray(0, at));
        setTimeout(() => socket.write(bytes.subarray(at)), 2);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    try {
      for (split = 1; split < whole.length; split++) {
        const ws = await connect(url, { protocols: ['mine'] });
        expect(ws.protocol).toBe('mine');
        expect(await nextMessage(ws), `split at ${split}`).toEqual(['first ✓', false]);
        ws.terminate();
      }
    } finally {
      server.close();
    }
  });

  it('fails when the server closes or stays silent', async () => {
    const silent = await fakeServer(() => '');
    try {
      await expect(connect(silent.url, { handshakeTimeoutMs: 100 })).rejects.toThrow(/timed out/);
    } finally {
      silent.server.close();
    }
    await expect(connect('ws://127.0.0.1:1/')).rejects.toThrow();
  });

  it('fails the connection with 1002 when the server masks its frames (§5.1)', async () => {
    let serverSaw: Buffer = Buffer.alloc(0);
    const server = createServer((socket) => {
      socket.on('error', () => {});
      let shook = false;
      socket.on('data', (d) => {
        if (shook) {
          serverSaw = Buffer.concat([serverSaw, d]);
          return;
        }
        shook = true;
        const key = /sec-websocket-key: (\S+)/i.exec(d.toString('latin1'))?.[1] ?? '';
        socket.write(Buffer.concat([Buffer.from(ok(key)), frame(1, 'masked!', { mask: true })]));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const ws = await connect(`ws://127.0.0.1:${(server.address() as AddressInfo).port}/`, { closeTimeoutMs: 200 });
      const [code] = await closed(ws);
      expect(code).toBe(1002);
      const { frames } = parseFrames(serverSaw);
      expect(frames[0]?.opcode).toBe(8);
      expect(frames[0]?.payload.readUInt16BE(0)).toBe(1002);
    } finally {
      server.close();
    }
  });
});
