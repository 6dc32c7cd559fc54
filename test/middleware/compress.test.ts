// compress() over real sockets: bodies round-trip through br, gzip and deflate (decoded with
// node:zlib, by undici's fetch and by curl --compressed), the threshold, the skip rules (encoded,
// no-transform, types, 204/304, HEAD, ranges, SSE), Vary and ETag, the async path for large bodies,
// and streamed responses with backpressure: a slow reader keeps what the handler could write bounded.
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetch, request } from 'undici';
import { compress } from '../../src/middleware/compress.js';
import { WasmlaneError } from '../../src/errors.js';
import type { ResponseStream } from '../../src/http/stream-types.js';
import { start } from '../server/helpers.js';
import type { Running } from '../server/helpers.js';

const run = promisify(execFile);
const hasCurl = existsSync('/usr/bin/curl');

/** Compressible text of about `n` bytes, deterministic. */
function text(n: number): string {
  let out = '';
  for (let i = 0; out.length < n; i++) out += `line ${i}: the quick brown fox jumps over the lazy dog ${i * 7919 % 1000}\n`;
  return out.slice(0, n);
}

const TEXT = text(4096);
const UTF8 = `${'héllo wörld — ünïcødé 🦊 '.repeat(200)}end`;
const BIG = text(300_000); // above syncMaxBytes: the asynchronous path
const DATA = { items: Array.from({ length: 200 }, (_, i) => ({ id: i, name: `item ${i}`, tags: ['a', 'b'] })) };
const PNG = new Uint8Array(4096).fill(7);
const GZIPPED = zlib.gzipSync(Buffer.from(TEXT));

function decode(encoding: string | undefined, body: Buffer): Buffer {
  switch (encoding) {
    case 'br': return zlib.brotliDecompressSync(body);
    case 'gzip': return zlib.gunzipSync(body);
    case 'deflate': return zlib.inflateSync(body); // HTTP "deflate" is the zlib format (RFC 9110 §8.4.1.2)
    default: return body;
  }
}

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

async function get(app: Running, path: string, acceptEncoding?: string, method = 'GET'): Promise<Raw> {
  const headers: Record<string, string> = {};
  if (acceptEncoding !== undefined) headers['accept-encoding'] = acceptEncoding;
  const res = await request(`${app.url}${path}`, { method: method as 'GET', headers });
  return { status: res.statusCode, headers: res.headers, body: Buffer.from(await res.body.arrayBuffer()) };
}

const vary = (r: Raw): string[] => String(r.headers['vary'] ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');

describe('compress() on buffered bodies', () => {
  let app: Running;
  beforeAll(async () => {
    app = await start((s) => {
      s.use(compress());
      s.get('/text', (ctx) => ctx.header('content-type', 'text/plain; charset=utf-8').send(TEXT));
      s.get('/default-type', (ctx) => ctx.send(TEXT));
      s.get('/utf8', (ctx) => ctx.html(UTF8));
      s.get('/json', (ctx) => ctx.json(DATA));
      s.get('/big', (ctx) => ctx.header('content-type', 'text/csv').send(BIG));
      s.get('/small', (ctx) => ctx.send('x'.repeat(1023)));
      s.get('/threshold', (ctx) => ctx.send('x'.repeat(1024)));
      s.get('/png', (ctx) => ctx.header('content-type', 'image/png').send(PNG));
      s.get('/bytes-untyped', (ctx) => ctx.send(Buffer.from(TEXT)));
      s.get('/encoded', (ctx) => ctx.header('content-type', 'text/plain').header('content-encoding', 'gzip').send(GZIPPED));
      s.get('/no-transform', (ctx) => ctx.header('cache-control', 'public, no-transform').send(TEXT));
      s.get('/etag', (ctx) => ctx.header('etag', '"v1"').send(TEXT));
      s.get('/weak-etag', (ctx) => ctx.header('etag', 'W/"v1"').send(TEXT));
      s.get('/vary', (ctx) => ctx.header('vary', 'Cookie').send(TEXT));
      s.get('/204', (ctx) => ctx.status(204).send());
      s.get('/304', (ctx) => ctx.status(304).header('etag', '"v1"').send());
      s.get('/206', (ctx) => ctx.status(206).header('content-range', `bytes 0-4095/9000`).send(TEXT));
      s.get('/error', (ctx) => ctx.status(500).send(TEXT));
    });
  });
  afterAll(() => app.close());

  for (const encoding of ['br', 'gzip', 'deflate']) {
    it(`round-trips text, JSON, UTF-8 and a large body through ${encoding}`, async () => {
      for (const [path, expected] of [['/text', TEXT], ['/utf8', UTF8], ['/json', JSON.stringify(DATA)], ['/big', BIG]] as const) {
        const r = await get(app, path, encoding);
        expect(r.status).toBe(200);
        expect(r.headers['content-encoding']).toBe(encoding);
        expect(Number(r.headers['content-length'])).toBe(r.body.length); // the compressed length
        expect(r.body.length).toBeLessThan(Buffer.byteLength(expected));
        expect(vary(r)).toEqual(['Accept-Encoding']);
        expect(decode(encoding, r.body).toString('utf8')).toBe(expected);
      }
    });
  }

  it('picks by q-value and server order, and sends identity when nothing offered is acceptable', async () => {
    expect((await get(app, '/text', 'gzip, deflate, br')).headers['content-encoding']).toBe('br');
    expect((await get(app, '/text', 'br;q=0.1, gzip;q=0.9')).headers['content-encoding']).toBe('gzip');
    const none = await get(app, '/text', 'zstd, identity;q=0');
    expect(none.headers['content-encoding']).toBeUndefined();
    expect(none.body.toString()).toBe(TEXT);
    expect(vary(none)).toEqual(['Accept-Encoding']); // another client would get it compressed
    const absent = await get(app, '/text');
    expect(absent.headers['content-encoding']).toBeUndefined();
    expect(vary(absent)).toEqual(['Accept-Encoding']);
  });

  it('undici fetch decodes what it asked for (br, gzip, deflate)', async () => {
    for (const encoding of ['br', 'gzip', 'deflate']) {
      const res = await fetch(`${app.url}/json`, { headers: { 'accept-encoding': encoding } });
      expect(res.headers.get('content-encoding')).toBe(encoding);
      expect(await res.json()).toEqual(DATA);
    }
  });

  it('keeps the type a string body would have had', async () => {
    const r = await get(app, '/default-type', 'gzip');
    expect(r.headers['content-encoding']).toBe('gzip');
    expect(r.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(decode('gzip', r.body).toString()).toBe(TEXT);
  });

  it('leaves bodies under the threshold (1024 bytes) alone, without Vary; compresses from 1024', async () => {
    const small = await get(app, '/small', 'gzip');
    expect(small.headers['content-encoding']).toBeUndefined();
    expect(small.headers['vary']).toBeUndefined();
    expect(small.body.length).toBe(1023);
    expect((await get(app, '/threshold', 'gzip')).headers['content-encoding']).toBe('gzip');
  });

  it('skips types that do not compress, bytes without a type, encoded bodies and no-transform', async () => {
    for (const path of ['/png', '/bytes-untyped', '/encoded', '/no-transform']) {
      const r = await get(app, path, 'gzip, br');
      expect(r.headers['content-encoding'], path).toBe(path === '/encoded' ? 'gzip' : undefined);
      expect(r.headers['vary'], path).toBeUndefined();
    }
    expect(decode('gzip', (await get(app, '/encoded', 'gzip')).body).toString()).toBe(TEXT); // not encoded twice
    expect((await get(app, '/png', 'gzip')).body).toEqual(Buffer.from(PNG));
  });

  it('skips 204, 304 and 206; compresses an error page', async () => {
    expect((await get(app, '/204', 'gzip')).headers['content-encoding']).toBeUndefined();
    expect((await get(app, '/304', 'gzip')).headers['content-encoding']).toBeUndefined();
    const partial = await get(app, '/206', 'gzip');
    expect(partial.headers['content-encoding']).toBeUndefined();
    expect(partial.body.toString()).toBe(TEXT);
    const error = await get(app, '/error', 'gzip');
    expect(error.status).toBe(500);
    expect(decode('gzip', error.body).toString()).toBe(TEXT);
  });

  it('HEAD: identity length, no Content-Encoding, but Vary (a GET would vary)', async () => {
    const r = await get(app, '/text', 'gzip', 'HEAD');
    expect(r.headers['content-encoding']).toBeUndefined();
    expect(r.headers['content-length']).toBe(String(TEXT.length));
    expect(vary(r)).toEqual(['Accept-Encoding']);
  });

  it('weakens a strong ETag only when it compresses; appends to the handler\'s Vary', async () => {
    expect((await get(app, '/etag', 'gzip')).headers['etag']).toBe('W/"v1"');
    expect((await get(app, '/etag', 'identity')).headers['etag']).toBe('"v1"');
    expect((await get(app, '/weak-etag', 'gzip')).headers['etag']).toBe('W/"v1"');
    expect(vary(await get(app, '/vary', 'gzip'))).toEqual(['Cookie', 'Accept-Encoding']);
  });

  it.runIf(hasCurl)('curl --compressed gets every body back (it asks for br and gzip: br is chosen)', async () => {
    for (const [path, expected] of [['/text', TEXT], ['/utf8', UTF8], ['/json', JSON.stringify(DATA)], ['/big', BIG]] as const) {
      // -D -: the response head first on stdout, then the decoded body.
      const { stdout } = await run('/usr/bin/curl', ['-s', '-S', '--compressed', '-D', '-', `${app.url}${path}`],
        { encoding: 'buffer', maxBuffer: 4 * 1024 * 1024 });
      const split = stdout.indexOf('\r\n\r\n');
      const head = stdout.subarray(0, split).toString('latin1');
      expect(head).toMatch(/^content-encoding: br$/m);
      expect(stdout.subarray(split + 4).toString('utf8')).toBe(expected);
    }
  });
});

describe('compress() on streamed responses', () => {
  let app: Running;
  const state = { written: 0, waits: 0, maxBuffered: 0, closed: false, digest: '' };
  const TOTAL = 48 * 1024 * 1024;
  const CHUNK = 64 * 1024;

  beforeAll(async () => {
    app = await start((s) => {
      s.use(compress({ level: 1 }));
      s.get('/stream', (ctx) => {
        const stream = ctx.stream(200, { 'content-type': 'text/plain; charset=utf-8' });
        for (let i = 0; i < 50; i++) stream.write(`part ${i} ${TEXT}`);
        stream.end();
      });
      s.get('/stream-binary', (ctx) => {
        const stream = ctx.stream(200, { 'content-type': 'application/octet-stream' });
        stream.write(PNG);
        stream.end();
      });
      s.get('/sse', (ctx) => {
        const sse = ctx.sse({ heartbeatMs: 0 });
        sse.send({ event: 'tick', data: TEXT });
        sse.close();
      });
      // A large body written as fast as the stream allows: write() → false waits for onDrain.
      s.get('/big-stream', (ctx) => {
        const stream: ResponseStream = ctx.stream(200, { 'content-type': 'text/plain' });
        const hash = createHash('sha256');
        Object.assign(state, { written: 0, waits: 0, maxBuffered: 0, closed: false, digest: '' });
        stream.onClose(() => (state.closed = true));
        const pump = (): void => {
          while (state.written < TOTAL && !stream.closed) {
            const chunk = randomBytes(CHUNK / 2).toString('hex'); // ~2:1 under deflate: the socket side fills
            hash.update(chunk);
            state.written += chunk.length;
            const ok = stream.write(chunk);
            state.maxBuffered = Math.max(state.maxBuffered, stream.bufferedAmount);
            if (!ok) {
              state.waits++;
              return; // onDrain calls pump again
            }
          }
          if (state.written >= TOTAL && !stream.closed) {
            state.digest = hash.digest('hex');
            stream.end();
          }
        };
        stream.onDrain(pump);
        pump();
      });
    });
  });
  afterAll(() => app.close());

  it('compresses a text stream (chunked) in every coding', async () => {
    const expected = Array.from({ length: 50 }, (_, i) => `part ${i} ${TEXT}`).join('');
    for (const encoding of ['br', 'gzip', 'deflate']) {
      const r = await get(app, '/stream', encoding);
      expect(r.headers['content-encoding']).toBe(encoding);
      expect(r.headers['transfer-encoding']).toBe('chunked');
      expect(vary(r)).toEqual(['Accept-Encoding']);
      expect(decode(encoding, r.body).toString()).toBe(expected);
    }
    const plain = await get(app, '/stream', 'identity');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString()).toBe(expected);
  });

  it('leaves a binary stream and an SSE stream untouched', async () => {
    const binary = await get(app, '/stream-binary', 'gzip');
    expect(binary.headers['content-encoding']).toBeUndefined();
    expect(binary.body).toEqual(Buffer.from(PNG));
    const sse = await get(app, '/sse', 'gzip, br');
    expect(sse.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(sse.headers['content-encoding']).toBeUndefined();
    expect(sse.headers['vary']).toBeUndefined();
    expect(sse.body.toString()).toContain(`event: tick\ndata: ${TEXT.split('\n')[0]}\n`);
  });

  it('a slow reader keeps what the handler wrote bounded; once read, the body is complete and exact', async () => {
    const res = await request(`${app.url}/big-stream`, { headers: { 'accept-encoding': 'gzip' } });
    expect(res.headers['content-encoding']).toBe('gzip');
    // Do not read: undici stops reading the socket, the socket fills, zlib pauses, write() says false.
    // Wait until the handler is parked (two polls without progress while it waits for a drain).
    let last = -1;
    for (let i = 0; i < 200; i++) {
      await new Promise((r) => setTimeout(r, 50));
      if (state.waits > 0 && state.written === last) break;
      last = state.written;
    }
    expect(state.waits).toBeGreaterThan(0);
    // Bounded: kernel socket buffers (a few MiB of compressed bytes on loopback), the server's
    // high-water mark and zlib's two 16 KiB buffers — far below the 48 MiB the handler wants to write.
    expect(state.written).toBeLessThan(24 * 1024 * 1024);
    expect(state.maxBuffered).toBeLessThan(1024 * 1024);
    // Now read it all, then decode and compare with what the handler hashed.
    const parts: Buffer[] = [];
    for await (const chunk of res.body) parts.push(chunk as Buffer);
    const decoded = zlib.gunzipSync(Buffer.concat(parts));
    const length = decoded.length;
    const hash = createHash('sha256').update(decoded);
    expect(length).toBe(TOTAL);
    expect(hash.digest('hex')).toBe(state.digest);
    expect(state.closed).toBe(true);
  }, 60_000);

  it('a client that goes away mid-stream closes the stream (zlib released, handler stops)', async () => {
    const res = await request(`${app.url}/big-stream`, { headers: { 'accept-encoding': 'br' } });
    for (let i = 0; i < 200 && state.waits === 0; i++) await new Promise((r) => setTimeout(r, 25));
    res.body.destroy();
    for (let i = 0; i < 200 && !state.closed; i++) await new Promise((r) => setTimeout(r, 25));
    expect(state.closed).toBe(true);
    expect(state.written).toBeLessThan(TOTAL);
  }, 30_000);
});

describe('compress() options are checked when it is called', () => {
  it.each([
    [{ encodings: ['gzip', 'zstd'] }], [{ threshold: -1 }], [{ level: 0 }], [{ level: 10 }],
    [{ brotliQuality: 12 }], [{ syncMaxBytes: 1.5 }],
  ])('%j → WL_INVALID_CONFIG', (options) => {
    let caught: unknown;
    try {
      compress(options as never);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(WasmlaneError);
    expect((caught as WasmlaneError).code).toBe('WL_INVALID_CONFIG');
  });
});
