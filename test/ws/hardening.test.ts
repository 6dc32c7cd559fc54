// Resource bounds of the WebSocket layer under hostile peers, over real sockets on 127.0.0.1:
//   - read backpressure: a peer that floods us (pings, messages we echo) while never reading our
//     answers must not make us queue output without bound (src/ws/flow.ts), on both sides;
//   - automatic pongs: one per read chunk (RFC 6455 §5.5.3) and at most maxPendingPongs unflushed,
//     then close 1008 (WL_WS_TOO_MANY_PENDING_PONGS);
//   - slowConsumerPolicy 'close': the stalled subscriber gets a 1008 close frame after what is
//     already queued, and the server's close event reports 1008 (WL_WS_SLOW_CONSUMER);
//   - reassembly: a message arriving in 1-byte TCP segments, or as 1-byte fragments each in its own
//     64 KiB read, costs about its own size (src/ws/assembler.ts), not a Buffer or a chunk per piece.
// Memory is measured in this process (the server runs here) after a forced GC, with generous bounds.
import { afterEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { createServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import { constants as zlibConstants, deflateRawSync } from 'node:zlib';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { startUpgradeServer, type UpgradeServer } from './upgrade-server.js';
import { closePayload, frame, parseFrames, rawPeer, type RawFrame } from './raw-peer.js';
import { connect } from '../../src/ws/client.js';
import { WebSocket, type WebSocketHandlers } from '../../src/ws/websocket.js';
import { resolveWebSocketOptions, type WebSocketOptions } from '../../src/ws/options.js';

setFlagsFromString('--expose_gc');
const gc = runInNewContext('gc') as () => void;

const MiB = 1024 * 1024;
const servers: { close(): Promise<void> }[] = [];
const cleanups: (() => void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) c();
  for (const s of servers.splice(0)) await s.close();
});

async function serve(handlers: WebSocketHandlers, options: WebSocketOptions = {}): Promise<UpgradeServer> {
  const s = await startUpgradeServer(handlers, { heartbeatIntervalMs: 0, ...options });
  servers.push(s);
  return s;
}

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));
const immediate = () => new Promise((r) => setImmediate(r));

/** Bytes held by this process after a full GC (JS heap + ArrayBuffer backing stores). */
/** Heap + ArrayBuffer bytes still reachable. Two full collections a turn apart: external memory
 *  (socket read buffers) is released by weak callbacks that run after the first one, and on a busy
 *  machine the first collection alone left ~16 MiB of already-dead buffers counted. */
async function retained(): Promise<number> {
  gc();
  await new Promise((resolve) => setImmediate(resolve));
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** Poll `cond` (bounded): resolves when it holds, rejects after `ms`. */
async function until(cond: () => boolean, ms = 10_000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await tick(5);
  }
}

/** `count` copies of one frame in one buffer (the peer writes it in bulk). */
function repeat(bytes: Buffer, count: number): Buffer {
  return Buffer.concat(new Array<Buffer>(count).fill(bytes));
}

/** The server-side net.Socket of the only connection (for isPaused()). */
function serverSocket(s: UpgradeServer): Socket {
  const [socket] = [...s.sockets];
  if (socket === undefined) throw new Error('no server socket');
  return socket;
}

function events(ws: WebSocket, log: { errors: string[]; close?: [number, string] }): Promise<[number, string]> {
  ws.on('error', (e: { code?: string }) => log.errors.push(e.code ?? String(e)));
  return new Promise((resolve) =>
    ws.once('close', (code: number, reason: Buffer) => {
      log.close = [code, reason.toString()];
      resolve(log.close);
    }),
  );
}

describe('maxPendingPongs option', () => {
  it('defaults to 64 and must be an integer ≥ 1', () => {
    expect(resolveWebSocketOptions().maxPendingPongs).toBe(64);
    expect(resolveWebSocketOptions({ maxPendingPongs: 1 }).maxPendingPongs).toBe(1);
    for (const bad of [0, -1, 1.5, '8', Number.NaN]) {
      expect(() => resolveWebSocketOptions({ maxPendingPongs: bad })).toThrow(
        expect.objectContaining({ code: 'WL_INVALID_CONFIG', message: expect.stringMatching(/maxPendingPongs/) }),
      );
    }
  });
});

describe('server: ping flood and read backpressure', () => {
  it('answers 250,000 pings from a peer that never reads with coalesced pongs and bounded output', async () => {
    const PINGS = 250_000;
    let pings = 0;
    let maxBuffered = 0;
    let server!: WebSocket;
    const s = await serve({
      open: (ws) => void (server = ws),
      ping: (ws) => {
        pings++;
        maxBuffered = Math.max(maxBuffered, ws.bufferedAmount);
      },
    });
    const peer = await rawPeer(s.port, { read: false });
    const before = await retained();
    // 125-byte payloads (the largest a control frame may carry): 32 MiB of pings, written at once.
    peer.send(repeat(frame(9, Buffer.alloc(125, 0x61)), PINGS));
    await until(() => pings === PINGS || peer.socket.destroyed, 20_000, 'the pings');
    const growth = (await retained()) - before;
    expect(pings).toBe(PINGS);
    expect(server.readyState).toBe(WebSocket.OPEN);
    // One pong per read chunk at most (§5.5.3), so the output never piles up.
    expect(maxBuffered).toBeLessThan(1 * MiB);
    expect(serverSocket(s).writableLength).toBeLessThan(1 * MiB);
    expect(growth).toBeLessThan(64 * MiB); // the 32 MiB the peer queued in this process is freed by now
    // The peer reads at last: far fewer pongs than pings, each echoing a ping's payload.
    peer.socket.resume();
    peer.send(frame(1, 'sync'));
    server.send('last');
    await peer.waitFor((f) => f.opcode === 1 && f.payload.toString() === 'last', 10_000);
    const pongs = peer.frames.filter((f) => f.opcode === 10);
    expect(pongs.length).toBeGreaterThan(0);
    expect(pongs.length).toBeLessThan(PINGS / 10);
    expect(pongs.every((f) => f.payload.equals(Buffer.alloc(125, 0x61)))).toBe(true);
    peer.socket.destroy();
  });

  it('closes with 1008 WL_WS_TOO_MANY_PENDING_PONGS when pongs stay unflushed past maxPendingPongs', async () => {
    const log: { errors: string[]; close?: [number, string] } = { errors: [] };
    let closed!: Promise<[number, string]>;
    const s = await serve(
      {
        open: (ws) => {
          closed = events(ws, log);
          // Fill the kernel buffers of both ends, so later pongs wait in the socket's write buffer.
          for (let i = 0; i < 16; i++) ws.send(Buffer.alloc(512 * 1024, 1));
        },
      },
      { maxPendingPongs: 8, maxBufferedAmount: 64 * MiB, closeTimeoutMs: 5_000 },
    );
    const peer = await rawPeer(s.port, { read: false });
    // One ping per read: each needs its own pong, none of which can be flushed.
    for (let i = 0; i < 500 && log.errors.length === 0; i++) {
      peer.send(frame(9, `p${i}`));
      await tick(2);
    }
    expect(log.errors).toEqual(['WL_WS_TOO_MANY_PENDING_PONGS']);
    // The close frame follows the queued messages: a peer that reads again finds it.
    peer.socket.resume();
    const close = await peer.waitFor((f) => f.opcode === 8, 10_000);
    expect(close.payload.readUInt16BE(0)).toBe(1008);
    expect(close.payload.subarray(2).toString()).toBe('too many pending pongs');
    const pongs = peer.frames.filter((f) => f.opcode === 10);
    expect(pongs.length).toBeLessThanOrEqual(8);
    expect(peer.frames.indexOf(close)).toBe(peer.frames.length - 1); // nothing after the close frame
    peer.send(frame(8, closePayload(1008)));
    await peer.ended;
    expect(await closed).toEqual([1008, '']);
  });

  it('stops reading from a peer that floods messages it never reads the echoes of, and resumes when it reads', async () => {
    const COUNT = 512;
    const SIZE = 64 * 1024;
    let received = 0;
    let maxBuffered = 0;
    const s = await serve(
      {
        message: (ws, data) => {
          received++;
          ws.send(data);
          maxBuffered = Math.max(maxBuffered, ws.bufferedAmount);
        },
      },
      { maxBufferedAmount: 256 * 1024 },
    );
    const peer = await rawPeer(s.port, { read: false });
    const before = await retained();
    peer.send(repeat(frame(2, Buffer.alloc(SIZE, 3)), COUNT)); // 32 MiB of messages to echo
    await until(() => serverSocket(s).isPaused(), 10_000, 'the server to stop reading');
    expect(received).toBeLessThan(COUNT);
    const pausedAt = received;
    await tick(100);
    expect(received).toBe(pausedAt); // still paused: no more input is processed
    expect(maxBuffered).toBeLessThan(256 * 1024 + 2 * SIZE);
    expect((await retained()) - before).toBeLessThan(64 * MiB); // the peer's own 32 MiB queue lives here too
    // The peer reads: the server resumes, and every message gets its echo.
    peer.socket.resume();
    await until(() => peer.frames.filter((f) => f.opcode === 2).length === COUNT, 15_000, 'all echoes');
    expect(received).toBe(COUNT);
    expect(maxBuffered).toBeLessThan(256 * 1024 + 2 * SIZE);
    peer.socket.destroy();
  });
});

describe('server: read backpressure at its smallest setting', () => {
  // Resuming waits for an empty write's callback, not 'drain', which never fires below the socket's
  // high-water mark: maxBufferedAmount 0 (pause whenever any output is unflushed) must not stall.
  it('echoes everything with maxBufferedAmount 0', async () => {
    const COUNT = 300;
    let received = 0;
    const s = await serve({ message: (ws, data) => void (received++, ws.send(data)) }, { maxBufferedAmount: 0 });
    const peer = await rawPeer(s.port); // reads everything
    peer.send(repeat(frame(2, Buffer.alloc(16 * 1024, 4)), COUNT));
    await until(() => peer.frames.filter((f) => f.opcode === 2).length === COUNT, 15_000, 'all echoes');
    expect(received).toBe(COUNT);
    peer.socket.destroy();
  });
});

describe('server: input queued behind an inflation', () => {
  it('stops reading while frames that inflate slowly hold more than 1 MiB of input queued', async () => {
    const BOMBS = 12;
    const JUNK = 256;
    let received = 0;
    const s = await serve({ message: () => void received++ }, { perMessageDeflate: true });
    const peer = await rawPeer(s.port, { headers: 'Sec-WebSocket-Extensions: permessage-deflate\r\n' });
    expect(peer.response.toLowerCase()).toContain('permessage-deflate');
    // ~16 KiB on the wire, 16 MiB once inflated (RFC 7692 §7.2.1: sync flush, 00 00 ff ff removed).
    let deflated = deflateRawSync(Buffer.alloc(16 * MiB - 1024), { finishFlush: zlibConstants.Z_SYNC_FLUSH });
    deflated = deflated.subarray(0, deflated.length - 4);
    const bomb = frame(2, deflated);
    bomb[0]! |= 0x40; // RSV1: compressed (§6)
    peer.send(repeat(bomb, BOMBS));
    peer.send(repeat(frame(2, Buffer.alloc(64 * 1024, 9)), JUNK)); // 16 MiB arriving during the inflations
    let sawPause = false;
    await until(() => {
      sawPause ||= serverSocket(s).isPaused();
      return received === BOMBS + JUNK;
    }, 20_000, 'every message');
    expect(sawPause).toBe(true);
    peer.socket.destroy();
  }, 30_000);
});

describe("server: slowConsumerPolicy 'close'", () => {
  it('sends 1008 after what is queued and reports 1008 (WL_WS_SLOW_CONSUMER) when the peer reads it', async () => {
    const log: { errors: string[]; close?: [number, string] } = { errors: [] };
    let closed!: Promise<[number, string]>;
    const s = await serve(
      { open: (ws) => void ((closed = events(ws, log)), ws.subscribe('t')) },
      { maxBufferedAmount: 64 * 1024, slowConsumerPolicy: 'close', closeTimeoutMs: 10_000 },
    );
    const peer = await rawPeer(s.port, { read: false });
    await tick(20);
    const big = Buffer.alloc(256 * 1024, 1);
    const delivered: number[] = [];
    for (let i = 0; i < 40; i++) delivered.push(s.publish('t', big));
    expect(log.errors).toEqual(['WL_WS_SLOW_CONSUMER']);
    expect(delivered.at(-1)).toBe(0); // unsubscribed at once
    expect(delivered.filter((n) => n === 1).length).toBeLessThan(40);
    // The stalled client reads again: the messages already in the socket, then the close frame.
    peer.socket.resume();
    const close = await peer.waitFor((f) => f.opcode === 8, 10_000);
    expect(close.payload.readUInt16BE(0)).toBe(1008);
    expect(close.payload.subarray(2).toString()).toBe('slow consumer');
    expect(peer.frames.filter((f) => f.opcode === 2).length).toBe(delivered.filter((n) => n === 1).length);
    peer.send(frame(8, closePayload(1008)));
    await peer.ended;
    expect(await closed).toEqual([1008, '']);
  });

  it('reports 1008 and destroys after closeTimeoutMs when the stalled peer never reads', async () => {
    const log: { errors: string[]; close?: [number, string] } = { errors: [] };
    let closed!: Promise<[number, string]>;
    const s = await serve(
      { open: (ws) => void ((closed = events(ws, log)), ws.subscribe('t')) },
      { maxBufferedAmount: 64 * 1024, slowConsumerPolicy: 'close', closeTimeoutMs: 200 },
    );
    const peer = await rawPeer(s.port, { read: false });
    await tick(20);
    for (let i = 0; i < 40; i++) s.publish('t', Buffer.alloc(256 * 1024, 1));
    expect(await closed).toEqual([1008, 'slow consumer']);
    expect(log.errors).toEqual(['WL_WS_SLOW_CONSUMER']);
    // Destroyed without waiting on the unread bytes (those still in userland are discarded with it).
    peer.socket.resume();
    await peer.ended;
  });
});

describe('reassembly memory', () => {
  it('keeps a 256 KiB message arriving in 1-byte TCP segments at about its own size', async () => {
    const SIZE = 256 * 1024;
    let got: Buffer | undefined;
    const s = await serve({ message: (_ws, data) => void (got = data) });
    const peer = await rawPeer(s.port);
    peer.socket.setNoDelay(true);
    const payload = Buffer.alloc(SIZE);
    for (let i = 0; i < SIZE; i++) payload[i] = i % 251;
    const f = frame(2, payload, { fin: false }); // first fragment; a 1-byte final one completes it
    const head = f.length - SIZE;
    peer.send(f.subarray(0, head));
    const before = await retained();
    for (let i = head; i < f.length; i++) {
      peer.socket.write(f.subarray(i, i + 1));
      await immediate(); // let the server read each byte as its own segment
    }
    // A ping after the fragment: its pong proves the server has read everything before it.
    peer.send(frame(9, 'sync'));
    await peer.waitFor((x) => x.opcode === 10);
    const growth = (await retained()) - before;
    // Holding each piece as a slice cost ~50 MiB here (a Buffer and an ArrayBuffer per byte).
    expect(growth).toBeLessThan(2 * SIZE + 2 * MiB);
    peer.send(frame(0, Buffer.from([0xff])));
    await until(() => got !== undefined, 5_000, 'the message');
    expect(got!.length).toBe(SIZE + 1);
    expect(got!.subarray(0, SIZE).equals(payload)).toBe(true);
    peer.socket.destroy();
  }, 30_000);

  it('does not pin a 64 KiB read per 1-byte fragment', async () => {
    const FRAGMENTS = 512;
    let got: Buffer | undefined;
    const s = await serve({ message: (_ws, data) => void (got = data) }, { maxFragments: FRAGMENTS + 1 });
    const peer = await rawPeer(s.port);
    // Each 1-byte fragment is followed by ~64 KiB of pings, so it lands in a read of its own size.
    const padding = repeat(frame(9, Buffer.alloc(125)), 500);
    const before = await retained();
    for (let i = 0; i < FRAGMENTS; i++) {
      peer.send(Buffer.concat([frame(i === 0 ? 2 : 0, Buffer.from([i & 0xff]), { fin: false }), padding]));
      if (i % 16 === 15) await immediate();
    }
    peer.send(frame(9, 'sync'));
    await peer.waitFor((x) => x.opcode === 10 && x.payload.toString() === 'sync', 15_000);
    const growth = (await retained()) - before;
    // Slices would pin about FRAGMENTS × 64 KiB = 32 MiB.
    expect(growth).toBeLessThan(8 * MiB);
    peer.send(frame(0, Buffer.alloc(0)));
    await until(() => got !== undefined, 5_000, 'the message');
    expect(got!.length).toBe(FRAGMENTS);
    expect([...got!.subarray(0, 4)]).toEqual([0, 1, 2, 3]);
    peer.socket.destroy();
  }, 30_000);
});

// --- the client side (connect()) against a hand-written server peer ------------------------------

interface RawServerPeer {
  readonly socket: Socket;
  readonly frames: RawFrame[];
  /** Read what the client sent (the socket is paused until then). */
  read(): void;
}

/** A net server that completes one handshake by hand (§4.2.2) and hands over the paused socket. */
async function rawServer(): Promise<{ url: string; peer: Promise<RawServerPeer> }> {
  let deliver!: (p: RawServerPeer) => void;
  const peer = new Promise<RawServerPeer>((r) => (deliver = r));
  const server: NetServer = createServer((socket) => {
    socket.on('error', () => {});
    let buf = Buffer.alloc(0);
    const frames: RawFrame[] = [];
    const onHead = (chunk: Buffer): void => {
      buf = Buffer.concat([buf, chunk]);
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', onHead);
      socket.pause();
      const key = /sec-websocket-key:\s*(\S+)/i.exec(buf.toString('latin1', 0, end))![1]!;
      const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
      buf = buf.subarray(end + 4);
      deliver({
        socket,
        frames,
        read() {
          socket.on('data', (more: Buffer) => {
            buf = Buffer.concat([buf, more]);
            const parsed = parseFrames(buf);
            buf = buf.subarray(parsed.used);
            frames.push(...parsed.frames);
          });
          socket.resume();
        },
      });
    };
    socket.on('data', onHead);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  servers.push({ close: () => new Promise<void>((r) => { server.close(() => r()); void peer.then((p) => p.socket.destroy()); }) });
  return { url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}`, peer };
}

describe('client: ping flood and read backpressure', () => {
  it('answers 250,000 server pings with coalesced pongs and bounded output while the server never reads', async () => {
    const PINGS = 250_000;
    const { url, peer: peerP } = await rawServer();
    const ws = await connect(url);
    cleanups.push(() => ws.terminate());
    const peer = await peerP;
    let pings = 0;
    let maxBuffered = 0;
    ws.on('ping', () => {
      pings++;
      maxBuffered = Math.max(maxBuffered, ws.bufferedAmount);
    });
    peer.socket.write(repeat(frame(9, Buffer.alloc(125, 0x62), { mask: false }), PINGS));
    await until(() => pings === PINGS || ws.readyState !== WebSocket.OPEN, 20_000, 'the pings');
    expect(pings).toBe(PINGS);
    expect(ws.readyState).toBe(WebSocket.OPEN);
    expect(maxBuffered).toBeLessThan(1 * MiB);
    peer.read();
    ws.send('sync');
    await until(() => peer.frames.some((f) => f.opcode === 1), 10_000, 'the sync message');
    const pongs = peer.frames.filter((f) => f.opcode === 10);
    expect(pongs.length).toBeGreaterThan(0);
    expect(pongs.length).toBeLessThan(PINGS / 10);
  });

  it('stops reading while its echoes are unread, and resumes when the server reads', async () => {
    const COUNT = 512;
    const SIZE = 64 * 1024;
    const { url, peer: peerP } = await rawServer();
    const ws = await connect(url, { maxBufferedAmount: 256 * 1024 });
    cleanups.push(() => ws.terminate());
    const peer = await peerP;
    let received = 0;
    let maxBuffered = 0;
    ws.on('message', (data: Buffer) => {
      received++;
      ws.send(data);
      maxBuffered = Math.max(maxBuffered, ws.bufferedAmount);
    });
    peer.socket.write(repeat(frame(2, Buffer.alloc(SIZE, 5), { mask: false }), COUNT));
    await until(() => maxBuffered > 256 * 1024, 10_000, 'the client to fill its output');
    await tick(100); // a client without read backpressure would go on echoing into memory here
    expect(received).toBeLessThan(COUNT);
    expect(maxBuffered).toBeLessThan(256 * 1024 + 2 * SIZE);
    peer.read();
    await until(() => peer.frames.filter((f) => f.opcode === 2).length === COUNT, 15_000, 'all echoes');
    expect(received).toBe(COUNT);
    expect(maxBuffered).toBeLessThan(256 * 1024 + 2 * SIZE);
  });
});
