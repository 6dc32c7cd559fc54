// The frame writer (src/ws/wire.ts) with permessage-deflate (RFC 7692): messages compressed in
// order with context takeover, fragmented compressed messages (RSV1 on the first frame only,
// §6.1), decoded by our Receiver on every engine and by the ws package's Receiver; and the other
// direction, our Receiver decoding what ws's Sender encodes.
import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { availableEngines, type EngineKind } from '../../src/wasm/instance.js';
import { FrameWriter } from '../../src/ws/wire.js';
import { createDeflatePair, DEFAULT_DEFLATE_CONFIG } from '../../src/ws/permessage-deflate.js';
import { createWsCodec } from '../../src/ws/codec/index.js';
import { closePayload } from '../../src/ws/close-codes.js';
import { encodeFrame, OP_BINARY, OP_CLOSE, OP_CONTINUATION, OP_TEXT } from '../../src/ws/frame/encode.js';
import type { MessageDeflater } from '../../src/ws/protocol.js';
import { receive, WsPerMessageDeflate, WsReceiver, WsSender } from './support.js';

/** What the writer (and ws's Sender) needs of a socket; records what was written. */
class Collect {
  chunks: Buffer[] = [];
  destroyed = false;
  writable = true;
  writableLength = 0;
  writableHighWaterMark = 16384;
  writableNeedDrain = false;
  write(chunk: Buffer, cb?: () => void): boolean {
    this.chunks.push(Buffer.from(chunk));
    if (cb) process.nextTick(cb); // ws's Sender passes a write callback
    return true;
  }
  cork(): void {}
  uncork(): void {}
  destroy(): void { this.destroyed = true; }
  get bytes(): Buffer { return Buffer.concat(this.chunks); }
}

/** A client-side (masking) writer that compresses messages of at least `threshold` bytes. */
function clientWriter(sink: Collect, deflater: MessageDeflater, threshold: number, engine: EngineKind): FrameWriter {
  const config = { mask: true, deflater, deflateOptions: { threshold }, sharedDeflateBits: undefined, engine };
  return new FrameWriter(sink as unknown as Socket, config, () => {});
}

function idle(writer: FrameWriter): Promise<void> {
  return new Promise((resolve) => { writer.onIdle = () => { writer.onIdle = undefined; resolve(); }; });
}

/**
 * One compressed message in fragments through the shared compression context (RFC 7692 §7.2.1):
 * RSV1 on the first frame only (§6.1), continuation frames after it (RFC 6455 §5.4).
 */
async function deflatedFragments(writer: FrameWriter, deflater: MessageDeflater, opcode: number, parts: Buffer[]): Promise<void> {
  const codec = createWsCodec('js');
  for (let i = 0; i < parts.length; i++) {
    const fin = i === parts.length - 1;
    const data = await new Promise<Buffer>((resolve, reject) => {
      deflater.deflate(parts[i]!, fin, (err, out) => (err ? reject(err) : resolve(out!)));
    });
    writer.raw(encodeFrame(i === 0 ? opcode : OP_CONTINUATION, data, { fin, rsv1: i === 0, mask: true, codec }));
  }
}

describe.each(availableEngines())('FrameWriter → Receiver on %s', (engine) => {
  it('round-trips with permessage-deflate, fragments and context takeover', async () => {
    const params = { ...DEFAULT_DEFLATE_CONFIG };
    const client = createDeflatePair(params, false, 0);
    const server = createDeflatePair(params, true, 10_000_000);
    const sink = new Collect();
    // 'tiny' (4 bytes) stays under the threshold: sent uncompressed.
    const w = clientWriter(sink, client.deflater, 5, engine);
    const big = 'compress me '.repeat(5000);
    w.message(Buffer.from(big), OP_TEXT);
    w.message(Buffer.from('again ' + big), OP_TEXT); // uses the shared context
    // Messages are queued behind the asynchronous compressions: wait for the last one to be written.
    await idle(w);
    await deflatedFragments(w, client.deflater, OP_BINARY, [Buffer.from('part1 '.repeat(100)), Buffer.from('part2')]);
    w.message(Buffer.from('tiny'), OP_TEXT);
    w.control(OP_CLOSE, closePayload(1001, Buffer.alloc(0)));
    const events = await receive(sink.bytes, true, engine, server.inflater);
    expect(events).toEqual([
      ['message', 'text', Buffer.from(big).toString('hex')],
      ['message', 'text', Buffer.from('again ' + big).toString('hex')],
      ['message', 'binary', Buffer.from('part1 '.repeat(100) + 'part2').toString('hex')],
      ['message', 'text', Buffer.from('tiny').toString('hex')],
      ['close', 1001, ''],
    ]);
    expect(sink.bytes.length).toBeLessThan(big.length / 10); // it really was compressed
  });
});

describe('cross-check with the ws package', () => {
  it('ws Receiver inflates what FrameWriter compresses (RSV1, trailer, context takeover)', async () => {
    const wsDeflate = new WsPerMessageDeflate({}, true, 0);
    wsDeflate.accept([{}]); // server side, default params
    const client = createDeflatePair({ ...DEFAULT_DEFLATE_CONFIG }, false, 0);
    const sink = new Collect();
    const w = clientWriter(sink, client.deflater, 0, 'js');
    const msg = 'compressed by wasmlane '.repeat(3000);
    w.message(Buffer.from(msg), OP_TEXT);
    w.message(Buffer.from(msg), OP_TEXT); // second message relies on the shared window
    await idle(w);
    await deflatedFragments(w, client.deflater, OP_BINARY, [Buffer.from('frag1 '.repeat(50)), Buffer.from('frag2')]);
    w.control(OP_CLOSE, closePayload(1000, Buffer.alloc(0)));
    const got: unknown[] = [];
    await new Promise<void>((resolve, reject) => {
      const r = new WsReceiver({ isServer: true, extensions: { 'permessage-deflate': wsDeflate } });
      r.on('message', (d: Buffer, b: boolean) => got.push([b, d.toString()]));
      r.on('conclude', () => resolve());
      r.on('error', reject);
      r.write(sink.bytes);
    });
    expect(got).toEqual([[false, msg], [false, msg], [true, 'frag1 '.repeat(50) + 'frag2']]);
  });

  it('our Receiver decodes what ws Sender encodes, with permessage-deflate', async () => {
    const wsDeflate = new WsPerMessageDeflate({ threshold: 0 }, false, 0);
    wsDeflate.accept([{}]); // client side, default params
    const sink = new Collect();
    const ws = new WsSender(sink, { 'permessage-deflate': wsDeflate });
    const msg = 'deflated by ws '.repeat(2000);
    await new Promise<void>((r) => ws.send(Buffer.from(msg), { binary: false, fin: true, mask: true, compress: true }, () => r()));
    await new Promise<void>((r) => ws.send(Buffer.from('plain'), { binary: true, fin: true, mask: true, compress: false }, () => r()));
    ws.close(1000, 'ok', true, () => {});
    const server = createDeflatePair({ ...DEFAULT_DEFLATE_CONFIG }, true, 0);
    for (const engine of availableEngines()) {
      const events = await receive(sink.bytes, true, engine, server.inflater);
      expect(events).toEqual([
        ['message', 'text', Buffer.from(msg).toString('hex')],
        ['message', 'binary', Buffer.from('plain').toString('hex')],
        ['close', 1000, 'ok'],
      ]);
      server.inflater.close(); // fresh context for the next engine's replay
    }
  });
});
