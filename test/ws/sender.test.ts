// Sender ↔ Receiver round trips on every engine (both masking directions, fragmentation,
// permessage-deflate), frame shapes, and a cross-check against the ws package's own Receiver and
// Sender (encode with ours, decode with theirs, and the other way round).
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { availableEngines } from '../../src/wasm/instance.js';
import { Receiver } from '../../src/ws/receiver.js';
import { encodeFrame, nextMaskKey, prepareFrame, Sender, type FrameSink } from '../../src/ws/sender.js';
import { createDeflatePair, DEFAULT_DEFLATE_CONFIG } from '../../src/ws/permessage-deflate.js';
import { createWsCodec } from '../../src/ws/codec/index.js';
import { OP_BINARY, OP_TEXT } from '../../src/ws/frame/encode.js';
import type { MessageInflater } from '../../src/ws/protocol.js';

const require = createRequire(import.meta.url);
// ws's package.json "exports" hides lib/; load the files by path (test-only cross-check).
const wsLib = (f: string) => require(require.resolve('ws').replace(/index\.js$/, `lib/${f}`));
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const WsReceiver = wsLib('receiver.js') as any;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const WsSender = wsLib('sender.js') as any;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const WsPerMessageDeflate = wsLib('permessage-deflate.js') as any;

/** A FrameSink that records what was written. */
class Collect implements FrameSink {
  chunks: Buffer[] = [];
  corked = 0;
  write(chunk: Buffer, cb?: () => void): boolean {
    this.chunks.push(Buffer.from(chunk));
    if (cb) process.nextTick(cb); // ws's Sender passes a write callback
    return true;
  }
  cork(): void { this.corked++; }
  uncork(): void {}
  get bytes(): Buffer { return Buffer.concat(this.chunks); }
}

type Ev = [string, ...unknown[]];
function receive(bytes: Buffer, isServer: boolean, engine: string, inflate?: MessageInflater): Promise<Ev[]> {
  return new Promise((resolve) => {
    const events: Ev[] = [];
    const r = new Receiver({ engine: engine as never, isServer, ...(inflate ? { inflate } : {}) }, {
      message: (d, b) => events.push(['message', b ? 'binary' : 'text', d.toString('hex')]),
      ping: (d) => events.push(['ping', d.toString('hex')]),
      pong: (d) => events.push(['pong', d.toString('hex')]),
      close: (c, d) => { events.push(['close', c, d.toString()]); resolve(events); },
      error: (e) => { events.push(['error', e.code]); resolve(events); },
    });
    // Feed in uneven pieces to exercise reassembly.
    for (let i = 0; i < bytes.length; i += 7777) r.write(Buffer.from(bytes.subarray(i, i + 7777)));
    setTimeout(() => resolve(events), 1500);
  });
}

describe('encodeFrame', () => {
  it('uses 7/16/64-bit lengths minimally and one buffer for small or masked payloads', () => {
    const f1 = encodeFrame(OP_TEXT, Buffer.from('hi'), { fin: true, rsv1: false, mask: false }) as Buffer;
    expect(f1.toString('hex')).toBe('81026869');
    const big = Buffer.alloc(70000, 1);
    const f2 = encodeFrame(OP_BINARY, big, { fin: false, rsv1: true, mask: false });
    expect(Array.isArray(f2)).toBe(true);
    const [h2, p2] = f2 as Buffer[];
    expect(h2!.toString('hex')).toBe('427f0000000000011170');
    expect(p2).toBe(big); // no copy for the unmasked large case
    const f3 = encodeFrame(OP_BINARY, Buffer.alloc(300), { fin: true, rsv1: false, mask: true, maskKey: 0x01020304 }) as Buffer;
    expect(f3.subarray(0, 8).toString('hex')).toBe('82fe012c01020304');
    expect(f3.subarray(8, 12).toString('hex')).toBe('01020304'); // zeros XOR key = key
  });

  it('never modifies the caller payload when masking', () => {
    const data = Buffer.from('unchanged payload '.repeat(10));
    const copy = Buffer.from(data);
    encodeFrame(OP_TEXT, data, { fin: true, rsv1: false, mask: true });
    expect(data.equals(copy)).toBe(true);
  });

  it('draws mask keys from the pooled random buffer (not constant)', () => {
    const keys = new Set(Array.from({ length: 3000 }, () => nextMaskKey())); // crosses a refill
    expect(keys.size).toBeGreaterThan(2990);
  });

  it('prepareFrame encodes a server frame once', () => {
    const f = prepareFrame('hello', false) as Buffer;
    expect(f.toString('hex')).toBe('810568656c6c6f');
    expect((prepareFrame(Buffer.from([1, 2]), true, true) as Buffer).toString('hex')).toBe('c2020102');
  });
});

describe.each(availableEngines())('Sender → Receiver on %s', (engine) => {
  const codec = createWsCodec(engine);
  for (const mask of [true, false]) {
    it(`round-trips messages, fragments and control frames (${mask ? 'client → server' : 'server → client'})`, async () => {
      const sink = new Collect();
      const s = new Sender(sink, { mask, codec });
      const text = 'héllo ' + '€'.repeat(30000);
      s.send(text);
      s.send(Buffer.alloc(300, 7), { binary: true });
      s.send('frag-', { fin: false });
      s.ping('p');
      s.send(Buffer.from('ment'), { binary: false, fin: true });
      s.pong(Buffer.from([1, 2]));
      s.send(Buffer.alloc(0), { binary: true });
      s.close(1000, 'done');
      const events = await receive(sink.bytes, mask, engine);
      expect(events).toEqual([
        ['message', 'text', Buffer.from(text).toString('hex')],
        ['message', 'binary', Buffer.alloc(300, 7).toString('hex')],
        ['ping', '70'],
        ['message', 'text', Buffer.from('frag-ment').toString('hex')],
        ['pong', '0102'],
        ['message', 'binary', ''],
        ['close', 1000, 'done'],
      ]);
    });
  }

  it('round-trips with permessage-deflate, fragments and context takeover', async () => {
    const params = { ...DEFAULT_DEFLATE_CONFIG };
    const client = createDeflatePair(params, false, 0);
    const server = createDeflatePair(params, true, 10_000_000);
    const sink = new Collect();
    const s = new Sender(sink, { mask: true, deflater: client.deflater, threshold: 0, codec });
    const big = 'compress me '.repeat(5000);
    s.send(big);
    s.send('again ' + big); // uses the shared context
    s.send(Buffer.from('part1 '.repeat(100)), { binary: true, fin: false });
    s.send(Buffer.from('part2'), { fin: true });
    // Sends are queued behind the asynchronous compressions: wait for the last one to be written.
    await new Promise((r) => s.send('tiny', { compress: false }, r));
    s.close(1001);
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

  it('rejects close reasons over 123 bytes and invalid close codes', () => {
    const s = new Sender(new Collect(), { mask: false });
    expect(() => s.close(1000, 'x'.repeat(124))).toThrow(RangeError);
    expect(() => s.close(1005)).toThrow();
    expect(() => s.ping(Buffer.alloc(126))).toThrow(RangeError);
  });
});

describe('cross-check with the ws package', () => {
  it('ws Receiver decodes what our Sender encodes (masked, fragmented, large)', async () => {
    const sink = new Collect();
    const s = new Sender(sink, { mask: true });
    s.send('hello ' + 'ü'.repeat(40000));
    s.send(Buffer.alloc(70000, 3), { binary: true, fin: false });
    s.ping('x');
    s.send(Buffer.alloc(5, 4), { binary: true, fin: true });
    s.close(4000, 'bye');
    const got: unknown[] = [];
    await new Promise<void>((resolve, reject) => {
      const r = new WsReceiver({ isServer: true });
      r.on('message', (d: Buffer, b: boolean) => got.push(['message', b, d.length, d.subarray(0, 8).toString('hex')]));
      r.on('ping', (d: Buffer) => got.push(['ping', d.toString()]));
      r.on('conclude', (c: number, reason: Buffer) => { got.push(['close', c, reason.toString()]); resolve(); });
      r.on('error', reject);
      r.write(sink.bytes);
    });
    const text = Buffer.from('hello ' + 'ü'.repeat(40000));
    expect(got).toEqual([
      ['message', false, text.length, text.subarray(0, 8).toString('hex')],
      ['ping', 'x'],
      ['message', true, 70005, '0303030303030303'],
      ['close', 4000, 'bye'],
    ]);
  });

  it('ws Receiver inflates what our Sender compresses (RSV1, trailer, context takeover)', async () => {
    const wsDeflate = new WsPerMessageDeflate({}, true, 0);
    wsDeflate.accept([{}]); // server side, default params
    const client = createDeflatePair({ ...DEFAULT_DEFLATE_CONFIG }, false, 0);
    const sink = new Collect();
    const s = new Sender(sink, { mask: true, deflater: client.deflater, threshold: 0 });
    const msg = 'compressed by wasmlane '.repeat(3000);
    s.send(msg);
    s.send(msg); // second message relies on the shared window
    s.send(Buffer.from('frag1 '.repeat(50)), { binary: true, fin: false });
    await new Promise((r) => s.send(Buffer.from('frag2'), { fin: true }, r));
    s.close(1000);
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
