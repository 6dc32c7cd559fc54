// BodyBuffer (src/http/body-buffer.ts): arrival order, copy vs zero-copy, memory retained ≤ 2× the
// bytes held plus a constant whatever the piece sizes; and RequestBody over it (backpressure for
// for-await readers, bytes() gathering, the limit).
import { describe, expect, it } from 'vitest';
import { BodyBuffer, SEGMENT, VIEW_FROM } from '../../src/http/body-buffer.js';

/** A piece size the old rule copied and the view rule keeps: a 16 KiB chunked data span. */
const SPAN = 16 * 1024;
import { BODY_CHUNKED, BODY_LENGTH, RequestBody } from '../../src/http/body.js';
import type { BodyOwner } from '../../src/http/body.js';
import { WasmlaneError } from '../../src/errors.js';
import { rng } from './head/support/gen.js';

/** A "socket read": its own ArrayBuffer of exactly its size (as Node sizes reads), filled from `seed`. */
function read(length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (seed + i * 31) & 0xff;
  return bytes;
}

/** Bytes of distinct ArrayBuffers the pieces keep alive. */
function retained(pieces: Buffer[]): number {
  const seen = new Set<ArrayBufferLike>();
  let total = 0;
  for (const p of pieces) {
    if (seen.has(p.buffer)) continue;
    seen.add(p.buffer);
    total += p.buffer.byteLength;
  }
  return total;
}

function drain(buffer: BodyBuffer): Buffer[] {
  const pieces: Buffer[] = [];
  for (let p = buffer.shift(); p !== null; p = buffer.shift()) pieces.push(p);
  return pieces;
}

describe('BodyBuffer', () => {
  it('keeps arrival order across random piece sizes, with take() and with shift()', () => {
    const random = rng(7);
    for (let round = 0; round < 40; round++) {
      const buffer = new BodyBuffer();
      const sent: Buffer[] = [];
      let size = 0;
      const got: Buffer[] = [];
      for (let k = 0; k < 60; k++) {
        const r = random();
        const length = r < 0.6 ? 1 + Math.floor(random() * 40) : r < 0.9 ? 1 + Math.floor(random() * 4000) : 1 + Math.floor(random() * 70_000);
        // Sometimes a span in the middle of a larger read (chunked data spans, body after a head).
        const pad = random() < 0.3 ? Math.floor(random() * 3000) : 0;
        const whole = read(length + 2 * pad, round * 1000 + k);
        buffer.push(whole, pad, pad + length);
        sent.push(Buffer.from(whole.subarray(pad, pad + length)));
        size += length;
        expect(buffer.size).toBe(size - got.reduce((n, b) => n + b.length, 0));
        if (round % 2 === 1 && random() < 0.3) {
          const piece = buffer.shift();
          if (piece !== null) got.push(Buffer.from(piece)); // copy: later pushes must not change it either
        }
      }
      const rest = round % 2 === 0 ? [buffer.take()] : drain(buffer);
      expect(Buffer.concat([...got, ...rest]).equals(Buffer.concat(sent))).toBe(true);
      expect(buffer.size).toBe(0);
    }
  });

  it('never writes over bytes it handed out', () => {
    const buffer = new BodyBuffer();
    buffer.push(read(1, 1), 0, 1);
    buffer.push(read(1, 2), 0, 1); // copied into a segment
    const first = buffer.shift()!;
    const second = buffer.shift()!;
    const before = Buffer.concat([first, second]);
    for (let i = 0; i < 5000; i++) buffer.push(read(1, i), 0, 1);
    expect(Buffer.concat([first, second]).equals(before)).toBe(true);
  });

  it('keeps large pieces as zero-copy views and copies small ones', () => {
    const buffer = new BodyBuffer();
    const first = read(10, 1);
    const small = read(100, 2);
    const large = read(SPAN, 3);
    const spanOfBig = read(4 * SPAN, 4); // a 16 KiB span of a 64 KiB read, alone: would retain 4×
    buffer.push(first, 0, 10); // the first piece of an empty buffer: a view
    buffer.push(small, 0, 100);
    buffer.push(large, 0, large.length);
    buffer.push(spanOfBig, 0, SPAN);
    const pieces = drain(buffer);
    expect(pieces[0]!.buffer).toBe(first.buffer);
    expect(pieces.some((p) => p.buffer === small.buffer)).toBe(false);
    expect(pieces.some((p) => p.buffer === large.buffer)).toBe(true);
    expect(pieces.some((p) => p.buffer === spanOfBig.buffer)).toBe(false);
  });

  it('retains at most ~2× the bytes held (+ a constant) for 1-byte pieces and for mixes', () => {
    const random = rng(11);
    const patterns: ((i: number) => number)[] = [
      () => 1,
      (i) => (i % 2 === 0 ? 1 : SPAN), // alternating small and large
      () => 1 + Math.floor(random() * 2 * SPAN),
      () => VIEW_FROM - 1, // just under the zero-copy threshold
      () => VIEW_FROM,
    ];
    for (const pattern of patterns) {
      const buffer = new BodyBuffer();
      let size = 0;
      for (let i = 0; size < 1 << 20; i++) {
        const length = pattern(i);
        buffer.push(read(length, i), 0, length);
        size += length;
      }
      const pieces = drain(buffer);
      expect(pieces.reduce((n, p) => n + p.length, 0)).toBe(size);
      expect(retained(pieces)).toBeLessThanOrEqual(2 * size + 2 * SEGMENT);
      // A piece per segment, not per push: the per-object overhead is bounded too.
      expect(pieces.length).toBeLessThanOrEqual(2 * Math.ceil(size / VIEW_FROM) + 2);
    }
  });

  it('keeps the data spans of one read as views when together they cover it (a chunked upload)', () => {
    const buffer = new BodyBuffer();
    const reads = [read(4 * SPAN + 40, 1), read(4 * SPAN + 40, 2)];
    const sent: Buffer[] = [];
    for (const whole of reads) {
      // chunk-size lines between the spans, as a chunked body's socket read holds them
      for (let k = 0; k < 4; k++) {
        const at = 10 + k * (SPAN + 7);
        buffer.push(whole, at, at + SPAN);
        sent.push(Buffer.from(whole.subarray(at, at + SPAN)));
      }
    }
    const pieces = drain(buffer);
    expect(Buffer.concat(pieces).equals(Buffer.concat(sent))).toBe(true);
    expect(pieces.length).toBe(8);
    expect(pieces.every((p, i) => p.buffer === reads[i >> 2]!.buffer)).toBe(true); // no copy
  });

  it('joins a run of views that covers less than half its read into a copy when the next read comes', () => {
    const buffer = new BodyBuffer();
    const sparse = read(64 * 1024, 1);
    buffer.push(read(10, 0), 0, 10);
    buffer.push(sparse, 100, 100 + 2 * VIEW_FROM); // 2 KiB of a 64 KiB read
    buffer.push(sparse, 9000, 9000 + VIEW_FROM);
    buffer.push(read(VIEW_FROM, 2), 0, VIEW_FROM); // the next read: the sparse run is joined
    const pieces = drain(buffer);
    expect(pieces.some((p) => p.buffer === sparse.buffer)).toBe(false);
    const expected = Buffer.concat([Buffer.from(read(10, 0)), Buffer.from(sparse.subarray(100, 100 + 2 * VIEW_FROM)),
      Buffer.from(sparse.subarray(9000, 9000 + VIEW_FROM)), Buffer.from(read(VIEW_FROM, 2))]);
    expect(Buffer.concat(pieces).equals(expected)).toBe(true);
  });

  it('retains at most ~2× the bytes held (+ one read) when every read is used sparsely', () => {
    for (const span of [VIEW_FROM, 3 * VIEW_FROM, SPAN]) {
      const buffer = new BodyBuffer();
      let size = 0;
      for (let i = 0; size < 1 << 20; i++) {
        const whole = read(64 * 1024, i); // only `span` bytes of each 64 KiB read are body
        buffer.push(whole, 500, 500 + span);
        size += span;
      }
      const pieces = drain(buffer);
      expect(pieces.reduce((n, p) => n + p.length, 0)).toBe(size);
      expect(retained(pieces)).toBeLessThanOrEqual(2 * size + 64 * 1024 + 2 * SEGMENT);
    }
  });

  it('take() returns an empty Buffer when empty, the piece itself when there is one', () => {
    const buffer = new BodyBuffer();
    expect(buffer.take().length).toBe(0);
    const only = read(50, 9);
    buffer.push(only, 0, 50);
    expect(buffer.take().buffer).toBe(only.buffer);
    buffer.push(only, 0, 50);
    buffer.clear();
    expect(buffer.size).toBe(0);
    expect(buffer.shift()).toBeNull();
  });
});

class Owner implements BodyOwner {
  paused = false;
  pauses = 0;
  started = 0;
  bodyReadStarted(): void {
    this.started++;
  }
  bodyPressure(paused: boolean): void {
    if (paused) this.pauses++;
    this.paused = paused;
  }
}

describe('RequestBody over BodyBuffer', () => {
  it('pauses a for-await reader\'s socket above 64 KiB unread, in few pieces, and resumes once read', async () => {
    const owner = new Owner();
    const total = 100_000;
    const body = new RequestBody(owner, BODY_LENGTH, total);
    for (let i = 0; i < total - 1; i++) body.feedLength(Buffer.from(read(1, i).buffer), 0);
    expect(owner.paused).toBe(true);
    expect(owner.pauses).toBe(1);
    body.feedLength(Buffer.from(read(1, total - 1).buffer), 0);
    expect(body.complete).toBe(true);
    const parts: Buffer[] = [];
    for await (const part of body) parts.push(part);
    expect(owner.paused).toBe(false);
    expect(parts.reduce((n, p) => n + p.length, 0)).toBe(total);
    expect(parts.length).toBeLessThan(10); // coalesced, not one Buffer per byte
    const expected = Buffer.concat(Array.from({ length: total }, (_, i) => read(1, i)));
    expect(Buffer.concat(parts).equals(expected)).toBe(true);
  });

  it('hands a waiting reader each span as it comes (arrival order, zero copy)', async () => {
    const body = new RequestBody(new Owner(), BODY_CHUNKED, 0);
    const iterator = body[Symbol.asyncIterator]();
    const pending = iterator.next();
    const span = read(30, 5);
    body.push(span, 10, 20);
    const step = await pending;
    expect(step.done).toBe(false);
    expect(step.value!.buffer).toBe(span.buffer);
    expect(step.value!.equals(Buffer.from(span.subarray(10, 20)))).toBe(true);
  });

  it('bytes() gathers the whole body without pausing and resolves at the last byte', async () => {
    const owner = new Owner();
    const total = 200_000;
    const body = new RequestBody(owner, BODY_LENGTH, total);
    const whole = body.bytes();
    expect(owner.started).toBe(1); // 100-continue goes out when reading starts
    for (let i = 0; i < total; i++) body.feedLength(Buffer.from(read(1, i).buffer), 0);
    expect(owner.pauses).toBe(0);
    const bytes = await whole;
    expect(bytes.length).toBe(total);
    expect(bytes[total - 1]).toBe(read(1, total - 1)[0]);
  });

  it('bytes()/text()/json() answer the same whether the body is complete when called or not, at every split', async () => {
    // A complete body is answered with a settled promise; one still arriving is gathered first.
    const text = JSON.stringify({ name: 'caf\u00e9 \u20ac', list: [1, 2, 3], nested: { ok: true } });
    const data = Buffer.from(text, 'utf8');
    const feed = (body: RequestBody, from: number, to: number): void => {
      const piece = Buffer.from(data.subarray(from, to)); // a read of its own
      if (to > from) body.feedLength(piece, 0);
    };
    for (const method of ['bytes', 'text', 'json'] as const) {
      const ready = new RequestBody(new Owner(), BODY_LENGTH, data.length);
      feed(ready, 0, data.length);
      const reference = await ready[method]();
      expect(method === 'bytes' ? (reference as Buffer).equals(data) : reference).toEqual(
        method === 'bytes' ? true : method === 'text' ? text : JSON.parse(text),
      );
      for (let k = 0; k <= data.length; k++) {
        const owner = new Owner();
        const body = new RequestBody(owner, BODY_LENGTH, data.length);
        feed(body, 0, k);
        const result = body[method]();
        feed(body, k, data.length);
        const value = await result;
        if (method === 'bytes') expect((value as Buffer).equals(data), `split at ${k}`).toBe(true);
        else expect(value, `${method} split at ${k}`).toEqual(reference);
        expect(owner.started, 'reading started (100-continue) only for a body still arriving').toBe(k < data.length ? 1 : 0);
      }
    }
  });

  it('a complete, failed or discarded body settles at once, and rejects rather than throws', async () => {
    const bad = Buffer.from('{"a":');
    const invalid = new RequestBody(new Owner(), BODY_LENGTH, bad.length);
    invalid.feedLength(bad, 0);
    let json: Promise<unknown> | null = null;
    expect(() => { json = invalid.json(); }).not.toThrow();
    await expect(json).rejects.toSatisfy((e) => e instanceof WasmlaneError && e.code === 'WL_INVALID_JSON');

    const gathered = new RequestBody(new Owner(), BODY_LENGTH, bad.length);
    const later = gathered.json();
    gathered.feedLength(bad, 0);
    await expect(later).rejects.toSatisfy((e) => e instanceof WasmlaneError && e.code === 'WL_INVALID_JSON');

    const failed = new RequestBody(new Owner(), BODY_CHUNKED, 0);
    failed.fail(new WasmlaneError('WL_BODY_ABORTED'));
    for (const method of ['bytes', 'text', 'json'] as const) {
      await expect(failed[method]()).rejects.toSatisfy((e) => e instanceof WasmlaneError && e.code === 'WL_BODY_ABORTED');
    }

    const discarded = new RequestBody(new Owner(), BODY_CHUNKED, 0);
    discarded.push(read(10, 1), 0, 10);
    discarded.discard();
    expect((await discarded.bytes()).length).toBe(0);
    expect(await discarded.text()).toBe('');

    const twice = new RequestBody(new Owner(), BODY_CHUNKED, 0);
    const first = twice.bytes();
    await expect(twice.text()).rejects.toThrow('concurrent body reads');
    twice.push(read(3, 2), 0, 3);
    twice.finish();
    expect((await first).equals(Buffer.from(read(3, 2)))).toBe(true);
  });

  it('bytes() rejects with WL_BODY_TOO_LARGE once the limit is crossed and drops what it held', async () => {
    const body = new RequestBody(new Owner(), BODY_CHUNKED, 0);
    body.limit = 1000;
    const whole = body.bytes();
    for (let i = 0; i < 1001; i++) body.push(read(1, i), 0, 1);
    await expect(whole).rejects.toSatisfy((e) => e instanceof WasmlaneError && e.code === 'WL_BODY_TOO_LARGE');
  });
});
