// Frame encoding (src/ws/frame/encode.ts): header shapes, masking keys, prepareFrame, and round
// trips through our Receiver on every engine (both masking directions, fragmentation §5.4, control
// frames interleaved §5.5), plus a cross-check against the ws package's Receiver.
import { describe, expect, it } from 'vitest';
import { availableEngines } from '../../../src/wasm/instance.js';
import { createWsCodec, type WsCodec } from '../../../src/ws/codec/index.js';
import { closePayload } from '../../../src/ws/close-codes.js';
import {
  encodeFrame, nextMaskKey, prepareFrame, OP_BINARY, OP_CLOSE, OP_CONTINUATION, OP_PING, OP_PONG, OP_TEXT,
} from '../../../src/ws/frame/encode.js';
import { receive, WsReceiver } from '../support.js';

/** Frames as one byte stream (an encoded frame is one Buffer or [header, payload]). */
function stream(frames: (Buffer | Buffer[])[]): Buffer {
  return Buffer.concat(frames.flat());
}

function encoder(mask: boolean, codec?: WsCodec) {
  return (opcode: number, data: Buffer | string, fin = true): Buffer | Buffer[] =>
    encodeFrame(opcode, typeof data === 'string' ? Buffer.from(data) : data, {
      fin, rsv1: false, mask, ...(codec === undefined ? {} : { codec }),
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

describe.each(availableEngines())('encodeFrame → Receiver on %s', (engine) => {
  const codec = createWsCodec(engine);
  for (const mask of [true, false]) {
    it(`round-trips messages, fragments and control frames (${mask ? 'client → server' : 'server → client'})`, async () => {
      const enc = encoder(mask, codec);
      const text = 'héllo ' + '€'.repeat(30000);
      const bytes = stream([
        enc(OP_TEXT, text),
        enc(OP_BINARY, Buffer.alloc(300, 7)),
        enc(OP_TEXT, 'frag-', false),
        enc(OP_PING, 'p'),
        enc(OP_CONTINUATION, Buffer.from('ment')),
        enc(OP_PONG, Buffer.from([1, 2])),
        enc(OP_BINARY, Buffer.alloc(0)),
        enc(OP_CLOSE, closePayload(1000, Buffer.from('done'))),
      ]);
      const events = await receive(bytes, mask, engine);
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
});

describe('cross-check with the ws package', () => {
  it('ws Receiver decodes what encodeFrame encodes (masked, fragmented, large)', async () => {
    const enc = encoder(true);
    const bytes = stream([
      enc(OP_TEXT, 'hello ' + 'ü'.repeat(40000)),
      enc(OP_BINARY, Buffer.alloc(70000, 3), false),
      enc(OP_PING, 'x'),
      enc(OP_CONTINUATION, Buffer.alloc(5, 4)),
      enc(OP_CLOSE, closePayload(4000, Buffer.from('bye'))),
    ]);
    const got: unknown[] = [];
    await new Promise<void>((resolve, reject) => {
      const r = new WsReceiver({ isServer: true });
      r.on('message', (d: Buffer, b: boolean) => got.push(['message', b, d.length, d.subarray(0, 8).toString('hex')]));
      r.on('ping', (d: Buffer) => got.push(['ping', d.toString()]));
      r.on('conclude', (c: number, reason: Buffer) => { got.push(['close', c, reason.toString()]); resolve(); });
      r.on('error', reject);
      r.write(bytes);
    });
    const text = Buffer.from('hello ' + 'ü'.repeat(40000));
    expect(got).toEqual([
      ['message', false, text.length, text.subarray(0, 8).toString('hex')],
      ['ping', 'x'],
      ['message', true, 70005, '0303030303030303'],
      ['close', 4000, 'bye'],
    ]);
  });
});
