// The read batch of a WebSocket connection (src/ws/wire.ts batchStart/batchEnd): the replies to one
// read chunk leave in one syscall, the socket corked only from the chunk's second frame on. What it
// must never change: the order of frames on the wire (RFC 6455 §5.4), a frame held by the batch
// going out before our FIN (§7.1.1) and the send() backpressure signal. Checked against a recording
// socket, then over real sockets with frames sent in one TCP write, on every engine.
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { availableEngines } from '../../src/wasm/instance.js';
import { FrameWriter, OP_BINARY, OP_PING, OP_TEXT } from '../../src/ws/wire.js';
import { closePayload, frame, parseFrames, rawPeer } from './raw-peer.js';
import { Server } from '../../src/server.js';

/** A socket that records writes and cork depth. */
class Recorder {
  log: string[] = [];
  written: Buffer[] = [];
  corks = 0;
  destroyed = false;
  writable = true;
  writableLength = 0;
  writableHighWaterMark = 64;
  writableNeedDrain = false;
  write(chunk: Buffer, cb?: () => void): boolean {
    this.written.push(Buffer.from(chunk));
    this.log.push(this.corks > 0 ? 'write(corked)' : 'write');
    if (this.corks === 0) this.writableLength = 0; // flushed at once
    else this.writableLength += chunk.length;
    if (cb) process.nextTick(cb);
    return this.writableLength < this.writableHighWaterMark;
  }
  cork(): void {
    this.corks++;
    this.log.push('cork');
  }
  uncork(): void {
    this.corks--;
    this.log.push('uncork');
    if (this.corks === 0) this.writableLength = 0;
  }
  end(): void {
    this.log.push('end');
  }
  destroy(): void {
    this.destroyed = true;
  }
}

function serverWriter(sock: Recorder): FrameWriter {
  const config = { mask: false, deflater: undefined, deflateOptions: false as const, sharedDeflateBits: undefined, engine: 'js' as const };
  return new FrameWriter(sock as unknown as Socket, config, () => {});
}

const payloads = (frames: Buffer[]): string[] => parseFrames(Buffer.concat(frames)).frames.map((f) => f.payload.toString());

describe('FrameWriter read batch (recording socket)', () => {
  it('holds a single frame and writes it at batchEnd without corking', () => {
    const sock = new Recorder();
    const writer = serverWriter(sock);
    writer.batchStart();
    expect(writer.message(Buffer.from('one'), OP_TEXT)).toBe(true);
    expect(sock.log).toEqual([]);
    expect(writer.heldBytes).toBe(5); // 2-byte header + 3
    writer.batchEnd();
    expect(sock.log).toEqual(['write']);
    expect(writer.heldBytes).toBe(0);
    expect(payloads(sock.written)).toEqual(['one']);
  });

  it('corks at the second frame and keeps the order', () => {
    const sock = new Recorder();
    const writer = serverWriter(sock);
    writer.batchStart();
    writer.message(Buffer.from('a'), OP_TEXT);
    writer.message(Buffer.from('b'), OP_BINARY);
    writer.control(OP_PING, Buffer.from('p'));
    writer.message(Buffer.from('c'), OP_TEXT);
    writer.batchEnd();
    expect(sock.log).toEqual(['cork', 'write(corked)', 'write(corked)', 'write(corked)', 'write(corked)', 'uncork']);
    expect(payloads(sock.written)).toEqual(['a', 'b', 'p', 'c']);
    expect(sock.corks).toBe(0);
  });

  it('writes a frame with a flush callback at once (corked behind the held one)', async () => {
    const sock = new Recorder();
    const writer = serverWriter(sock);
    writer.batchStart();
    writer.message(Buffer.from('first'), OP_TEXT);
    let flushed = false;
    writer.raw(Buffer.from([0x8a, 0x00]), () => (flushed = true)); // a pong with its callback
    writer.batchEnd();
    expect(sock.log).toEqual(['cork', 'write(corked)', 'write(corked)', 'uncork']);
    await new Promise((r) => process.nextTick(r));
    expect(flushed).toBe(true);
  });

  it('flush() writes the held frame before the socket is ended', () => {
    const sock = new Recorder();
    const writer = serverWriter(sock);
    writer.batchStart();
    writer.message(Buffer.from('bye'), OP_TEXT);
    writer.flush();
    sock.end();
    writer.batchEnd();
    expect(sock.log).toEqual(['write', 'end']);
  });

  it('answers the backpressure signal a write would have given', () => {
    const sock = new Recorder(); // high-water mark 64
    const writer = serverWriter(sock);
    writer.batchStart();
    expect(writer.message(Buffer.alloc(100), OP_BINARY)).toBe(false);
    writer.batchEnd();
    writer.batchStart();
    expect(writer.message(Buffer.alloc(10), OP_BINARY)).toBe(true);
    writer.batchEnd();
  });

  it('outside a batch every frame is written at once', () => {
    const sock = new Recorder();
    const writer = serverWriter(sock);
    writer.message(Buffer.from('x'), OP_TEXT);
    writer.message(Buffer.from('y'), OP_TEXT);
    expect(sock.log).toEqual(['write', 'write']);
  });
});

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

describe.each(availableEngines())('read batch over a real socket on %s', (engine) => {
  async function echo(onSend?: (buffered: number) => void): Promise<{ port: number }> {
    const server = new Server({ host: '127.0.0.1', port: 0, engine });
    server.ws('/', { message: (ws, data, isBinary) => { ws.send(data, isBinary); onSend?.(ws.bufferedAmount); } }, { heartbeatIntervalMs: 0 });
    servers.push(server);
    return server.listen();
  }

  it('echoes the frames of one TCP write in order, then the close frame, then FIN', async () => {
    const s = await echo();
    const peer = await rawPeer(s.port);
    const msgs = ['m0', 'm1', 'm2', 'm3'];
    peer.send(Buffer.concat([...msgs.map((m) => frame(OP_TEXT, m)), frame(0x8, closePayload(1000))]));
    await peer.ended;
    const got = peer.frames.map((f) => (f.opcode === 0x8 ? `close ${f.payload.readUInt16BE(0)}` : f.payload.toString()));
    expect(got).toEqual([...msgs, 'close 1000']);
  });

  it('sends a lone echo before the close frame that came in the same chunk', async () => {
    const s = await echo();
    const peer = await rawPeer(s.port);
    peer.send(Buffer.concat([frame(OP_BINARY, Buffer.from('only')), frame(0x8, closePayload(1000))]));
    await peer.ended;
    expect(peer.frames.map((f) => f.opcode)).toEqual([OP_BINARY, 0x8]);
    expect(peer.frames[0]!.payload.toString()).toBe('only');
  });

  it('counts the held frame in bufferedAmount', async () => {
    const seen: number[] = [];
    const s = await echo((buffered) => seen.push(buffered));
    const peer = await rawPeer(s.port);
    peer.send(frame(OP_TEXT, 'abc'));
    await peer.waitFor((f) => f.opcode === OP_TEXT);
    expect(seen).toEqual([5]); // 2-byte header + 3 bytes, not yet on the socket
    peer.socket.destroy();
  });
});
