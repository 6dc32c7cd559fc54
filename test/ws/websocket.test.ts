// The WebSocket object on the server side, driven over real sockets: protocol errors (§7.1.7),
// the closing handshake and its timeout (§7.1.1), heartbeat, backpressure, the upgrade hook,
// subprotocols, and topics with a slow consumer.
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WsClient from 'ws';
import { startUpgradeServer, type UpgradeServer } from './upgrade-server.js';
import { closePayload, frame, rawPeer, rawRequest } from './raw-peer.js';
import { WebSocket } from '../../src/ws/websocket.js';
import type { WebSocketHandlers } from '../../src/ws/websocket.js';
import type { WebSocketOptions } from '../../src/ws/options.js';

const servers: UpgradeServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

async function serve(handlers: WebSocketHandlers, options: WebSocketOptions = {}): Promise<UpgradeServer> {
  const s = await startUpgradeServer(handlers, { heartbeatIntervalMs: 0, ...options });
  servers.push(s);
  return s;
}

function openWs(url: string, protocols?: string[], headers?: Record<string, string>): Promise<WsClient> {
  return new Promise((resolve, reject) => {
    const ws = new WsClient(url, protocols, { perMessageDeflate: false, ...(headers ? { headers } : {}) });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

function closeEvent(): { handler: WebSocketHandlers['close']; done: Promise<[number, string]> } {
  let resolve!: (v: [number, string]) => void;
  const done = new Promise<[number, string]>((r) => (resolve = r));
  return { handler: (_ws, code, reason) => resolve([code, reason.toString()]), done };
}

describe('protocol errors fail the connection (§7.1.7)', () => {
  it.each([
    ['an unmasked client frame → 1002', frame(1, 'hi', { mask: false }), 1002],
    ['a reserved opcode → 1002', frame(3, 'x'), 1002],
    ['an invalid close code → 1002', frame(8, closePayload(999)), 1002],
    ['close code 1005 on the wire → 1002', frame(8, closePayload(1005)), 1002],
    ['a 1-byte close payload → 1002', frame(8, Buffer.from([3])), 1002],
    ['invalid UTF-8 in a text frame → 1007', frame(1, Buffer.from([0xc3, 0x28])), 1007],
    ['a continuation without a start → 1002', frame(0, 'x'), 1002],
    ['a control frame over 125 bytes → 1002', frame(9, Buffer.alloc(126)), 1002],
  ])('%s, then TCP closed', async (_name, bytes, code) => {
    const closed = closeEvent();
    const s = await serve({ close: closed.handler });
    const peer = await rawPeer(s.port);
    expect(peer.response.split('\r\n')[0]).toBe('HTTP/1.1 101 Switching Protocols');
    peer.send(bytes);
    const f = await peer.waitFor((x) => x.opcode === 8);
    expect(f.payload.readUInt16BE(0)).toBe(code);
    await peer.ended; // the server closes TCP after its close frame
    expect((await closed.done)[0]).toBe(code);
  });

  it('reports 1006 when TCP drops without a close frame', async () => {
    const closed = closeEvent();
    const s = await serve({ close: closed.handler });
    const peer = await rawPeer(s.port);
    peer.socket.destroy();
    expect(await closed.done).toEqual([1006, '']);
  });
});

describe('closing handshake', () => {
  it('echoes the close code, then closes TCP first as the server (§7.1.1)', async () => {
    const closed = closeEvent();
    const s = await serve({ close: closed.handler });
    const peer = await rawPeer(s.port);
    peer.send(frame(8, closePayload(4001, 'done')));
    const f = await peer.waitFor((x) => x.opcode === 8);
    expect(f.payload.readUInt16BE(0)).toBe(4001);
    await peer.ended;
    expect(await closed.done).toEqual([4001, 'done']);
  });

  it('answers an empty close with an empty close (1005 is never sent)', async () => {
    const closed = closeEvent();
    const s = await serve({ close: closed.handler });
    const peer = await rawPeer(s.port);
    peer.send(frame(8, Buffer.alloc(0)));
    const f = await peer.waitFor((x) => x.opcode === 8);
    expect(f.payload.length).toBe(0);
    expect(await closed.done).toEqual([1005, '']);
  });

  it('destroys the socket after closeTimeoutMs when the peer never answers', async () => {
    const closed = closeEvent();
    const s = await serve({ open: (ws) => ws.close(1000, 'bye'), close: closed.handler }, { closeTimeoutMs: 100 });
    const peer = await rawPeer(s.port); // reads, but never sends its close frame
    const f = await peer.waitFor((x) => x.opcode === 8);
    expect(f.payload.subarray(2).toString()).toBe('bye');
    await peer.ended;
    expect((await closed.done)[0]).toBe(1006);
  });

  it('validates close() arguments and state transitions', async () => {
    let server!: WebSocket;
    const opened = new Promise<void>((resolve) => {
      void serve({
        open(ws) {
          server = ws;
          resolve();
        },
      }).then((s) => openWs(s.url));
    });
    await opened;
    expect(server.readyState).toBe(WebSocket.OPEN);
    expect(() => server.close(1005)).toThrow(RangeError);
    expect(() => server.close(1001)).toThrow(RangeError);
    expect(() => server.close(2999)).toThrow(RangeError);
    expect(() => server.close(5000)).toThrow(RangeError);
    expect(() => server.close(1000, 'x'.repeat(124))).toThrow(RangeError);
    expect(() => server.close(undefined, 'reason')).toThrow(TypeError);
    server.close(3000, 'é'.repeat(61)); // 122 bytes: allowed
    expect(server.readyState).toBe(WebSocket.CLOSING);
    expect(server.send('late')).toBe(false);
    await new Promise((r) => server.once('close', r));
    expect(server.readyState).toBe(WebSocket.CLOSED);
  });

  it('terminate() drops the connection and reports 1006', async () => {
    const closed = closeEvent();
    const s = await serve({ open: (ws) => setTimeout(() => ws.terminate(), 10), close: closed.handler });
    const peer = await rawPeer(s.port);
    await peer.ended;
    expect(peer.frames.filter((f) => f.opcode === 8)).toHaveLength(0);
    expect((await closed.done)[0]).toBe(1006);
  });
});

describe('application errors', () => {
  it('closes with 1011 when a handler throws, and the server keeps serving', async () => {
    const errors: unknown[] = [];
    const s = await serve({
      open: (ws) => void ws.on('error', (e) => errors.push(e)),
      message: (ws, data) => {
        if (data.toString() === 'boom') throw new Error('handler bug');
        ws.send(data);
      },
    });
    const a = await rawPeer(s.port);
    a.send(frame(1, 'boom'));
    const f = await a.waitFor((x) => x.opcode === 8);
    expect(f.payload.readUInt16BE(0)).toBe(1011);
    expect(errors).toHaveLength(1);
    const b = await rawPeer(s.port);
    b.send(frame(1, 'still here'));
    expect((await b.waitFor((x) => x.opcode === 2)).payload.toString()).toBe('still here'); // a Buffer echoes as binary
    b.socket.destroy();
  });
});

describe('heartbeat', () => {
  it('terminates a peer that never answers pings', async () => {
    const closed = closeEvent();
    const errors: string[] = [];
    const s = await serve(
      { open: (ws) => void ws.on('error', (e: { code?: string }) => errors.push(e.code ?? '')), close: closed.handler },
      { heartbeatIntervalMs: 50 },
    );
    const peer = await rawPeer(s.port); // reads frames but never sends a pong
    await peer.waitFor((f) => f.opcode === 9);
    await peer.ended;
    expect((await closed.done)[0]).toBe(1006);
    expect(errors).toEqual(['WL_WS_HEARTBEAT_TIMEOUT']);
  });
});

describe('backpressure', () => {
  it("returns false from send() over the high-water mark and emits 'drain' once flushed", async () => {
    const sendResults: boolean[] = [];
    let buffered = 0;
    let resumed = false;
    let drainedAfterResume = false;
    const drained = new Promise<void>((resolve) => {
      void serve({
        open(ws) {
          // Fill the kernel buffers of both ends while the peer does not read, so bytes stay queued here.
          const chunk = Buffer.alloc(256 * 1024, 1);
          for (let i = 0; i < 200 && ws.bufferedAmount < 1024 * 1024; i++) sendResults.push(ws.send(chunk));
          buffered = ws.bufferedAmount;
        },
        drain() {
          drainedAfterResume = resumed;
          resolve();
        },
      }).then(async (s) => {
        const peer = await rawPeer(s.port, { read: false });
        await tick(50);
        resumed = true;
        peer.socket.resume();
      });
    });
    await drained;
    expect(sendResults.at(-1)).toBe(false);
    expect(buffered).toBeGreaterThanOrEqual(1024 * 1024);
    expect(drainedAfterResume).toBe(true);
  });
});

describe('upgrade hook and subprotocols', () => {
  it('refuses with 403 when the hook returns false, or with the status it returns', async () => {
    const s = await serve({
      upgrade: (req) => (req.path === '/no' ? false : req.path === '/auth' ? { status: 401, headers: { 'WWW-Authenticate': 'Bearer' } } : 429),
    });
    const head = (path: string) =>
      `GET ${path} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`;
    expect((await rawRequest(s.port, head('/no'))).split('\r\n')[0]).toBe('HTTP/1.1 403 Forbidden');
    const auth = await rawRequest(s.port, head('/auth'));
    expect(auth.split('\r\n')[0]).toBe('HTTP/1.1 401 Unauthorized');
    expect(auth).toContain('WWW-Authenticate: Bearer');
    expect((await rawRequest(s.port, head('/other'))).split('\r\n')[0]).toBe('HTTP/1.1 429 Too Many Requests');
  });

  it('answers 400 and 426 to malformed handshakes', async () => {
    const s = await serve({});
    const base = 'GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n';
    const badKey = await rawRequest(s.port, `${base}Sec-WebSocket-Key: c2hvcnQ=\r\nSec-WebSocket-Version: 13\r\n\r\n`);
    expect(badKey.split('\r\n')[0]).toBe('HTTP/1.1 400 Bad Request');
    const badVersion = await rawRequest(s.port, `${base}Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n\r\n`);
    expect(badVersion.split('\r\n')[0]).toBe('HTTP/1.1 426 Upgrade Required');
    expect(badVersion).toContain('Sec-WebSocket-Version: 13');
  });

  it('waits for an async hook, keeps frames sent meanwhile, and exposes its data', async () => {
    const got: string[] = [];
    const s = await serve({
      upgrade: async (req) => {
        await tick(30);
        return { data: { user: req.header('x-user') }, headers: { 'X-Hello': 'yes' } };
      },
      message: (ws, data) => void got.push(`${(ws.data as { user: string }).user}:${data.toString()}`),
    });
    const peer = await rawPeer(s.port, { headers: 'X-User: ada\r\n' });
    expect(peer.response).toContain('X-Hello: yes');
    peer.send(frame(1, 'one'));
    await tick(50);
    expect(got).toEqual(['ada:one']);
    // Frames written before the 101 arrived (pipelined after the request) are kept too.
    const early = await rawPeerWithEarlyFrame(s.port);
    await tick(80);
    expect(got).toEqual(['ada:one', 'bob:early']);
    early.destroy();
  });

  it('selects the first offered protocol the server supports, or via handleProtocols', async () => {
    const s = await serve({}, { protocols: ['v2', 'v1'] });
    const a = await openWs(s.url, ['v3', 'v1', 'v2']);
    expect(a.protocol).toBe('v1');
    // No supported protocol: the 101 carries no Sec-WebSocket-Protocol (§4.2.2 item 5.4).
    const b = await rawPeer(s.port, { headers: 'Sec-WebSocket-Protocol: v9\r\n' });
    expect(b.response.split('\r\n')[0]).toBe('HTTP/1.1 101 Switching Protocols');
    expect(b.response.toLowerCase()).not.toContain('sec-websocket-protocol');
    a.terminate();
    b.socket.destroy();
    const t = await serve({}, { handleProtocols: (offered) => offered.at(-1) ?? false });
    const c = await openWs(t.url, ['x', 'y']);
    expect(c.protocol).toBe('y');
    c.terminate();
  });
});

async function rawPeerWithEarlyFrame(port: number) {
  const { connect } = await import('node:net');
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => {});
  socket.on('data', () => {});
  socket.write(
    'GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nX-User: bob\r\n' +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
  );
  socket.write(frame(1, 'early'));
  return socket;
}

describe('topics', () => {
  it('publishes one frame to many subscribers; a slow consumer is dropped without stalling the others', async () => {
    const s = await serve(
      {
        open: (ws) => void ws.subscribe('room'),
        message: (ws, data) => {
          if (data.toString() === 'leave') ws.unsubscribe('room');
        },
      },
      { maxBufferedAmount: 256 * 1024, slowConsumerPolicy: 'drop' },
    );
    const fast = await Promise.all([1, 2, 3, 4].map(() => openWs(s.url)));
    const counts = fast.map(() => 0);
    fast.forEach((ws, i) => ws.on('message', () => counts[i]!++));
    const slow = await rawPeer(s.port, { read: false });
    await tick(30);
    const payload = Buffer.alloc(64 * 1024, 7);
    const delivered: number[] = [];
    for (let i = 0; i < 100; i++) {
      delivered.push(s.publish('room', payload));
      await tick(1); // let the fast clients read
    }
    // Every publish reached the 4 fast readers; the slow one was skipped once its buffer filled.
    expect(delivered.every((n) => n === 4 || n === 5)).toBe(true);
    expect(delivered.filter((n) => n === 4).length).toBeGreaterThan(0);
    await tick(100);
    expect(counts).toEqual([100, 100, 100, 100]);
    // The slow consumer is still connected under 'drop'.
    expect(slow.socket.destroyed).toBe(false);
    fast[0]!.send('leave');
    await tick(30);
    // 3 fast subscribers left; the slow one still has a full buffer, so it is skipped again.
    expect(s.publish('room', 'after')).toBe(3);
    for (const ws of fast) ws.terminate();
    slow.socket.destroy();
  });

  it('writes the frames published in one tick to each subscriber in one write, in order with its own frames', async () => {
    const s = await serve({ open: (ws) => void ws.subscribe('t') });
    const peers = await Promise.all([1, 2, 3].map(() => rawPeer(s.port)));
    await tick(20);
    // Count the writes each server-side socket hands to its handle (Writable's _write / _writev).
    const writes = new Map<Socket, number>();
    for (const socket of s.sockets) {
      writes.set(socket, 0);
      for (const method of ['_write', '_writev'] as const) {
        const original = socket[method] as (...args: unknown[]) => void;
        socket[method] = function (this: Socket, ...args: unknown[]) {
          writes.set(socket, writes.get(socket)! + 1);
          return original.apply(this, args);
        } as never;
      }
    }
    expect(s.publish('t', 'one')).toBe(3);
    expect(s.publish('t', Buffer.from('two'))).toBe(3);
    expect(s.publish('t', 'three')).toBe(3);
    await Promise.all(peers.map((p) => p.waitFor((f) => f.payload.toString() === 'three')));
    expect([...writes.values()]).toEqual([1, 1, 1]);
    for (const p of peers) {
      expect(p.frames.map((f) => [f.opcode, f.payload.toString()])).toEqual([[1, 'one'], [2, 'two'], [1, 'three']]);
    }
    // The next tick's publish is a write of its own.
    s.publish('t', 'four');
    await Promise.all(peers.map((p) => p.waitFor((f) => f.payload.toString() === 'four')));
    expect([...writes.values()]).toEqual([2, 2, 2]);
    for (const p of peers) p.socket.destroy();
  });

  it("closes a slow consumer with 1008 under the 'close' policy", async () => {
    const closed = closeEvent();
    const s = await serve({ open: (ws) => void ws.subscribe('t'), close: closed.handler }, {
      maxBufferedAmount: 64 * 1024,
      slowConsumerPolicy: 'close',
      closeTimeoutMs: 100,
    });
    const slow = await rawPeer(s.port, { read: false });
    await tick(20);
    const big = Buffer.alloc(256 * 1024, 1);
    for (let i = 0; i < 40; i++) s.publish('t', big);
    slow.socket.destroy();
    const [code] = await closed.done;
    expect(code).toBe(1008); // reported even though the peer dropped before answering
    expect(s.publish('t', 'x')).toBe(0); // unsubscribed on close
  });
});
