// permessage-deflate (RFC 7692): offer parsing, negotiation rules (§7.1), the inflater's bound
// (1009 during inflation), trailer handling (§7.2.1/§7.2.2), and the Receiver's compressed paths.
import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { availableEngines } from '../../src/wasm/instance.js';
import {
  acceptServerResponse, clientOffer, createDeflatePair, DEFAULT_DEFLATE_CONFIG, Deflater, Inflater,
  negotiateServer, parseExtensions, ZLIB_CONCURRENCY,
} from '../../src/ws/permessage-deflate.js';
import { Receiver } from '../../src/ws/receiver.js';
import { encodeFrame } from '../../src/ws/frame/encode.js';
import { OP_CONTINUATION, OP_PING, OP_TEXT, OP_BINARY } from '../../src/ws/frame/encode.js';

const offer = (h: string) => negotiateServer(parseExtensions(h)!, DEFAULT_DEFLATE_CONFIG);

describe('Sec-WebSocket-Extensions parsing (RFC 6455 §9.1)', () => {
  it('parses tokens, quoted values, several offers and empty list elements', () => {
    const p = parseExtensions('permessage-deflate; client_max_window_bits, permessage-deflate; server_max_window_bits="10" ,, x-foo')!;
    expect(p.map((e) => e.name)).toEqual(['permessage-deflate', 'permessage-deflate', 'x-foo']);
    expect(p[0]!.params.get('client_max_window_bits')).toBe(true);
    expect(p[1]!.params.get('server_max_window_bits')).toBe('10');
  });
  it('rejects malformed values', () => {
    for (const bad of ['permessage-deflate; =1', 'a b', 'permessage-deflate; x="unterminated', 'p;', '"q"']) {
      expect(parseExtensions(bad), bad).toBeNull();
    }
  });
});

describe('negotiation (RFC 7692 §7.1)', () => {
  it('accepts a plain offer with a plain answer', () => {
    expect(offer('permessage-deflate')!.header).toBe('permessage-deflate');
  });
  it('answers no_context_takeover and window bits', () => {
    const r = offer('permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10; client_max_window_bits=12')!;
    expect(r.header).toBe('permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10; client_max_window_bits=12');
    expect(r.params).toEqual({ serverNoContextTakeover: true, clientNoContextTakeover: true, serverMaxWindowBits: 10, clientMaxWindowBits: 12 });
  });
  it('declines offers with unknown params, duplicates or bad values, and takes the next offer', () => {
    expect(offer('permessage-deflate; foo')).toBeNull();
    expect(offer('permessage-deflate; server_max_window_bits=16')).toBeNull();
    expect(offer('permessage-deflate; server_max_window_bits=010')).toBeNull();
    expect(offer('permessage-deflate; server_max_window_bits')).toBeNull(); //   value required (§7.1.2.1)
    expect(offer('permessage-deflate; client_max_window_bits=7')).toBeNull();
    expect(offer('permessage-deflate; server_no_context_takeover=1')).toBeNull();
    expect(offer('permessage-deflate; server_no_context_takeover; server_no_context_takeover')).toBeNull();
    expect(offer('permessage-deflate; foo, permessage-deflate; client_max_window_bits')!.header).toBe('permessage-deflate');
    expect(offer('x-webkit-deflate-frame')).toBeNull();
  });
  it('limits the client window only when the client offered client_max_window_bits', () => {
    const cfg = { ...DEFAULT_DEFLATE_CONFIG, clientMaxWindowBits: 10 };
    expect(negotiateServer(parseExtensions('permessage-deflate')!, cfg)).toBeNull();
    expect(negotiateServer(parseExtensions('permessage-deflate; client_max_window_bits')!, cfg)!.header)
      .toBe('permessage-deflate; client_max_window_bits=10');
  });
  it('client offer and response checks', () => {
    expect(clientOffer()).toBe('permessage-deflate; client_max_window_bits');
    expect(acceptServerResponse(parseExtensions('permessage-deflate; server_max_window_bits=11')!)).toMatchObject({ serverMaxWindowBits: 11 });
    expect(typeof acceptServerResponse(parseExtensions('permessage-deflate; foo')!)).toBe('string');
    expect(typeof acceptServerResponse(parseExtensions('permessage-deflate; client_max_window_bits=8')!)).toBe('string');
  });
});

function inflateAll(inf: Inflater, parts: [Buffer, boolean][]): Promise<Buffer | Error> {
  return new Promise((resolve) => {
    const out: Buffer[] = [];
    let i = 0;
    const next = () => {
      const [payload, fin] = parts[i++]!;
      inf.inflate(payload, fin, (err, data) => {
        if (err) return resolve(err);
        out.push(data!);
        if (i < parts.length) next(); else resolve(Buffer.concat(out));
      });
    };
    next();
  });
}

describe('Inflater / Deflater (§7.2)', () => {
  it('the deflater strips 00 00 ff ff and the inflater restores it', async () => {
    const d = new Deflater({ noContextTakeover: false, windowBits: 15 });
    const payload = await new Promise<Buffer>((r) => d.deflate(Buffer.from('Hello'), true, (_e, data) => r(data!)));
    expect(payload.subarray(-4).equals(Buffer.from([0, 0, 0xff, 0xff]))).toBe(false);
    // RFC 7692 §7.2.3.1: "Hello" compressed is f2 48 cd c9 c9 07 00.
    expect(payload.toString('hex')).toBe('f248cdc9c90700');
    const inf = new Inflater({ noContextTakeover: false, maxPayload: 0 });
    expect((await inflateAll(inf, [[payload, true]]) as Buffer).toString()).toBe('Hello');
    // §7.2.3.2: the same message again with context takeover is shorter.
    const again = await new Promise<Buffer>((r) => d.deflate(Buffer.from('Hello'), true, (_e, data) => r(data!)));
    expect(again.toString('hex')).toBe('f200110000');
    expect((await inflateAll(inf, [[again, true]]) as Buffer).toString()).toBe('Hello');
  });

  it('round-trips an empty message and keeps the shared context across messages', async () => {
    const d = new Deflater({ noContextTakeover: false, windowBits: 15 });
    const inf = new Inflater({ noContextTakeover: false, maxPayload: 0 });
    for (const text of ['', 'abc', '', 'abcabcabc', 'x'.repeat(100000)]) {
      const c = await new Promise<Buffer>((r) => d.deflate(Buffer.from(text), true, (_e, data) => r(data!)));
      expect((await inflateAll(inf, [[c, true]]) as Buffer).toString()).toBe(text);
    }
  });

  it('window bits below 15 produce streams a 9-bit-window inflater accepts (server_max_window_bits=9)', async () => {
    const d = new Deflater({ noContextTakeover: true, windowBits: 9 });
    const text = Array.from({ length: 4000 }, (_, i) => `w${i % 97} `).join('');
    const c = await new Promise<Buffer>((r) => d.deflate(Buffer.from(text), true, (_e, data) => r(data!)));
    const { inflateRawSync } = await import('node:zlib');
    expect(inflateRawSync(Buffer.concat([c, Buffer.from([0, 0, 0xff, 0xff])]), { windowBits: 9, finishFlush: 2 /* Z_SYNC_FLUSH */ }).toString()).toBe(text);
  });

  it('stops a decompression bomb at maxPayload with 1009, during inflation', async () => {
    const bomb = deflateRawSync(Buffer.alloc(50 * 1024 * 1024)); // ~50 KiB that inflates to 50 MiB
    const inf = new Inflater({ noContextTakeover: false, maxPayload: 1024 * 1024 });
    const t0 = process.memoryUsage().arrayBuffers;
    const r = await inflateAll(inf, [[bomb, true]]);
    expect(r).toBeInstanceOf(Error);
    expect((r as { closeCode?: number }).closeCode).toBe(1009);
    expect(process.memoryUsage().arrayBuffers - t0).toBeLessThan(40 * 1024 * 1024);
  });

  it('counts maxPayload across the frames of one message', async () => {
    const all = deflateRawSync(Buffer.alloc(3000, 0x61));
    const inf = new Inflater({ noContextTakeover: false, maxPayload: 2000 });
    const r = await inflateAll(inf, [[all.subarray(0, 5), false], [all.subarray(5), true]]);
    expect((r as { closeCode?: number }).closeCode).toBe(1009);
  });

  it('reports corrupt compressed data as 1007', async () => {
    const r = await inflateAll(new Inflater({ noContextTakeover: false, maxPayload: 0 }), [[Buffer.from('ffffffff', 'hex'), true]]);
    expect((r as { closeCode?: number }).closeCode).toBe(1007);
  });

  it('runs many jobs through the concurrency limit and keeps each answer', async () => {
    const n = ZLIB_CONCURRENCY * 3;
    const results = await Promise.all(Array.from({ length: n }, (_, i) => {
      const d = new Deflater({ noContextTakeover: true, windowBits: 15 });
      return new Promise<string>((resolve) => d.deflate(Buffer.from(`msg ${i} `.repeat(100)), true, (_e, data) => {
        const inf = new Inflater({ noContextTakeover: true, maxPayload: 0 });
        inf.inflate(data!, true, (_e2, out) => resolve(out!.toString()));
      }));
    }));
    results.forEach((r, i) => expect(r).toBe(`msg ${i} `.repeat(100)));
  });
});

describe.each(availableEngines())('Receiver with permessage-deflate on %s', (engine) => {
  const frame = (op: number, payload: Buffer, fin: boolean, rsv1: boolean) =>
    encodeFrame(op, payload, { fin, rsv1, mask: true }) as Buffer;
  const compressed = (s: string | Buffer) => {
    const c = deflateRawSync(Buffer.from(s), { finishFlush: 2 /* Z_SYNC_FLUSH */ });
    return c.subarray(0, c.length - 4);
  };
  function run(bytes: Buffer, maxPayload = 0): Promise<string[]> {
    return new Promise((resolve) => {
      const events: string[] = [];
      const { inflater } = createDeflatePair({ ...DEFAULT_DEFLATE_CONFIG }, true, maxPayload);
      const r = new Receiver({ engine, isServer: true, inflate: inflater, maxPayload }, {
        message: (d, b) => events.push(`message ${b ? 'binary' : 'text'} ${d.toString()}`),
        ping: (d) => events.push(`ping ${d.toString()}`),
        pong: () => events.push('pong'),
        close: (c) => { events.push(`close ${c}`); resolve(events); },
        error: (e) => { events.push(`error ${e.closeCode} ${e.code}`); resolve(events); },
      });
      for (let i = 0; i < bytes.length; i += 3) r.write(Buffer.from(bytes.subarray(i, i + 3))); // tiny writes during inflation
      setTimeout(() => resolve(events), 2000);
    });
  }
  const close = frame(0x8, Buffer.from([0x03, 0xe8]), true, false);

  it('keeps order: compressed, control frames and plain messages in sequence', async () => {
    const bytes = Buffer.concat([
      frame(OP_TEXT, compressed('first compressed'), true, true),
      frame(OP_PING, Buffer.from('p'), true, false),
      frame(OP_TEXT, Buffer.from('plain'), true, false),
      frame(OP_BINARY, compressed('bin'), true, true),
      close,
    ]);
    expect(await run(bytes)).toEqual(['message text first compressed', 'ping p', 'message text plain', 'message binary bin', 'close 1000']);
  });

  it('inflates a fragmented compressed message with a ping in between', async () => {
    const c = compressed('fragmented and compressed');
    const bytes = Buffer.concat([
      frame(OP_TEXT, c.subarray(0, 4), false, true),
      frame(OP_PING, Buffer.from('x'), true, false),
      frame(OP_CONTINUATION, c.subarray(4), true, false),
      close,
    ]);
    expect(await run(bytes)).toEqual(['ping x', 'message text fragmented and compressed', 'close 1000']);
  });

  it('RSV1 on a continuation frame is a protocol error (RFC 7692 §6.1)', async () => {
    const c = compressed('abc');
    const bytes = Buffer.concat([frame(OP_TEXT, c.subarray(0, 2), false, true), frame(OP_CONTINUATION, c.subarray(2), true, true)]);
    expect(await run(bytes)).toEqual(['error 1002 WL_WS_RSV']);
  });

  it('invalid UTF-8 after inflation fails with 1007', async () => {
    expect(await run(frame(OP_TEXT, compressed(Buffer.from('c0af', 'hex')), true, true))).toEqual(['error 1007 WL_WS_INVALID_UTF8']);
  });

  it('maxPayload applies to the inflated size (1009)', async () => {
    expect(await run(frame(OP_TEXT, compressed('a'.repeat(5000)), true, true), 1000)).toEqual(['error 1009 WL_WS_TOO_BIG']);
  });
});
