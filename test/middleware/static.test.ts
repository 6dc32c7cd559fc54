// serveStatic over real sockets with undici and raw requests: types, validators and conditional
// requests (RFC 9110 §13), ranges (§14), HEAD, index and directories, dotfiles, symlinks,
// Cache-Control, precompressed variants (§12.5.3), handler and middleware (fallthrough) modes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { Server, Status, serveStatic } from '../../src/index.js';
import { exchange, start } from '../server/helpers.js';
import type { Running } from '../server/helpers.js';
import { makeFixture, SECRET } from './static-fixture.js';
import { parseUrlPath, PATH_MALFORMED } from '../../src/middleware/static/resolve.js';
import type { Fixture } from './static-fixture.js';

let fx: Fixture;
let app: Running;

async function get(path: string, headers: Record<string, string> = {}, method = 'GET') {
  const r = await request(`${app.url}${path}`, { method, headers });
  const body = Buffer.from(await r.body.arrayBuffer());
  return { status: r.statusCode, headers: r.headers as Record<string, string | undefined>, body };
}

beforeAll(async () => {
  fx = makeFixture();
  app = await start((s) => {
    s.get('/s/{*path}', serveStatic(fx.root, { prefix: '/s' }));
    s.get('/cached/{*path}', serveStatic(fx.root, { prefix: '/cached', maxAge: 31536000, immutable: true }));
    s.get('/redir/{*path}', serveStatic(fx.root, { prefix: '/redir', redirect: true }));
    s.get('/deny/{*path}', serveStatic(fx.root, { prefix: '/deny', dotfiles: 'deny' }));
    s.get('/allow/{*path}', serveStatic(fx.root, { prefix: '/allow', dotfiles: 'allow' }));
    s.get('/nolinks/{*path}', serveStatic(fx.root, { prefix: '/nolinks', followSymlinks: false }));
    s.get('/weak/{*path}', serveStatic(fx.root, { prefix: '/weak', etag: 'weak' }));
    s.get('/pre/{*path}', serveStatic(fx.root, { prefix: '/pre', precompressed: true }));
    s.get('/stream/{*path}', serveStatic(fx.root, { prefix: '/stream', inlineMax: 0 }));
    s.post('/s/{*path}', serveStatic(fx.root, { prefix: '/s' }));
  });
});
afterAll(async () => {
  await app.close();
  fx.cleanup();
});

describe('serveStatic: content and types', () => {
  it('serves bytes exactly, small (read whole) and large (streamed) alike', async () => {
    for (const [path, bytes] of [['/s/small.bin', fx.small], ['/s/big.bin', fx.big], ['/stream/small.bin', fx.small]] as const) {
      const r = await get(path);
      expect(r.status).toBe(200);
      expect(r.headers['content-length']).toBe(String(bytes.length));
      expect(r.headers['transfer-encoding']).toBeUndefined();
      expect(r.body.equals(bytes)).toBe(true);
    }
    const empty = await get('/s/empty.txt');
    expect([empty.status, empty.headers['content-length'], empty.body.length]).toEqual([200, '0', 0]);
  });

  it('names the common types, with charset=utf-8 on text ones', async () => {
    const expected: Record<string, string> = {
      html: 'text/html; charset=utf-8', css: 'text/css; charset=utf-8', js: 'text/javascript; charset=utf-8',
      mjs: 'text/javascript; charset=utf-8', json: 'application/json; charset=utf-8',
      map: 'application/json; charset=utf-8', svg: 'image/svg+xml; charset=utf-8', png: 'image/png',
      jpg: 'image/jpeg', gif: 'image/gif', webp: 'image/webp', avif: 'image/avif', ico: 'image/x-icon',
      woff: 'font/woff', woff2: 'font/woff2', ttf: 'font/ttf', txt: 'text/plain; charset=utf-8',
      xml: 'application/xml; charset=utf-8', pdf: 'application/pdf', wasm: 'application/wasm', mp4: 'video/mp4',
      webm: 'video/webm', mp3: 'audio/mpeg', wav: 'audio/wav', zip: 'application/zip', gz: 'application/gzip',
    };
    for (const [ext, type] of Object.entries(expected)) {
      const r = await get(`/s/type.${ext}`);
      expect([ext, r.status, r.headers['content-type'], r.body.toString()]).toEqual([ext, 200, type, `x.${ext}`]);
    }
    expect((await get('/s/noext')).headers['content-type']).toBe('application/octet-stream');
  });

  it('decodes the path once: spaces and UTF-8 names', async () => {
    expect((await get('/s/space%20name.txt')).body.toString()).toBe('spaced');
    expect((await get('/s/caf%C3%A9.txt')).body.toString()).toBe('utf-8 name');
  });

  it('answers a missing file with the router 404, a POST with 405 + Allow', async () => {
    const missing = await get('/s/nope.txt');
    expect(missing.status).toBe(404);
    expect(missing.body.toString()).toBe('No route matches the path\n');
    const post = await get('/s/hello.txt', {}, 'POST');
    expect([post.status, post.headers.allow]).toEqual([405, 'GET, HEAD']);
  });

  it('answers malformed percent-encoding (bad escape, overlong UTF-8) with 404', async () => {
    // The router already refuses to decode the {*path} param (no match → 404); serveStatic itself
    // (middleware mode, before routing) treats it as missing too — see the unit table below.
    for (const target of ['/s/%E0%A4%A', '/s/%C0%AE%C0%AE/secret.txt', '/s/%ff']) {
      const r = await exchange(app.port, [`GET ${target} HTTP/1.1\r\nHost: x\r\n\r\n`], { until: /\r\n\r\n[\s\S]*\n/ });
      expect(r.text).toMatch(/^HTTP\/1\.1 404 /);
    }
    expect(parseUrlPath('/%E0%A4%A')).toBe(PATH_MALFORMED);
    expect(parseUrlPath('/%C0%AE%C0%AE/x')).toBe(PATH_MALFORMED);
  });
});

describe('serveStatic: validators and conditional requests', () => {
  it('sends a strong ETag and Last-Modified; If-None-Match → 304 with the validators, no body', async () => {
    const first = await get('/s/hello.txt');
    const etag = first.headers.etag!;
    expect(etag).toMatch(/^"[0-9a-f]+-[0-9a-f]+"$/);
    expect(new Date(first.headers['last-modified']!).toUTCString()).toBe(first.headers['last-modified']);
    for (const inm of [etag, `W/${etag}`, `"nope", ${etag}`, '*']) {
      const r = await get('/s/hello.txt', { 'if-none-match': inm });
      expect([inm, r.status, r.headers.etag, r.body.length]).toEqual([inm, 304, etag, 0]);
      expect(r.headers['content-length']).toBeUndefined();
    }
    expect((await get('/s/hello.txt', { 'if-none-match': '"other"' })).status).toBe(200);
  });

  it('If-Modified-Since → 304 when not newer; If-None-Match takes precedence (RFC 9110 §13.1.3)', async () => {
    const lm = (await get('/s/hello.txt')).headers['last-modified']!;
    expect((await get('/s/hello.txt', { 'if-modified-since': lm })).status).toBe(304);
    expect((await get('/s/hello.txt', { 'if-modified-since': 'Thu, 01 Jan 1970 00:00:00 GMT' })).status).toBe(200);
    expect((await get('/s/hello.txt', { 'if-modified-since': 'not a date' })).status).toBe(200);
    // a non-matching If-None-Match wins over an If-Modified-Since that alone would give 304
    expect((await get('/s/hello.txt', { 'if-none-match': '"other"', 'if-modified-since': lm })).status).toBe(200);
  });

  it('If-Match / If-Unmodified-Since failing → 412 (RFC 9110 §13.2.2)', async () => {
    const { etag } = (await get('/s/hello.txt')).headers;
    expect((await get('/s/hello.txt', { 'if-match': '"other"' })).status).toBe(412);
    expect((await get('/s/hello.txt', { 'if-match': etag! })).status).toBe(200);
    expect((await get('/s/hello.txt', { 'if-match': `W/${etag}` })).status).toBe(412); // strong comparison
    expect((await get('/s/hello.txt', { 'if-unmodified-since': 'Thu, 01 Jan 1970 00:00:00 GMT' })).status).toBe(412);
  });

  it("etag: 'weak' sends W/ and still gives 304", async () => {
    const { etag } = (await get('/weak/hello.txt')).headers;
    expect(etag).toMatch(/^W\/"/);
    expect((await get('/weak/hello.txt', { 'if-none-match': etag! })).status).toBe(304);
  });

  it('Cache-Control only when asked: maxAge + immutable', async () => {
    expect((await get('/s/hello.txt')).headers['cache-control']).toBeUndefined();
    expect((await get('/cached/hello.txt')).headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const { etag } = (await get('/cached/hello.txt')).headers;
    // a 304 repeats Cache-Control (RFC 9110 §15.4.5)
    expect((await get('/cached/hello.txt', { 'if-none-match': etag! })).headers['cache-control']).toContain('immutable');
  });
});

describe('serveStatic: ranges (RFC 9110 §14)', () => {
  const cases: [string, number, number][] = [
    ['bytes=0-99', 0, 99], ['bytes=100-', 100, -1], ['bytes=-50', -50, -1], ['bytes=0-0', 0, 0],
    ['bytes=150000-999999999', 150000, -1], ['BYTES = 5-9', 5, 9], ['bytes=-999999999', 0, -1], ['bytes=7-7,', 7, 7],
  ];
  for (const path of ['/s/big.bin', '/s/small.bin', '/stream/small.bin']) {
    it(`206 with byte-exact bodies for ${path}`, async () => {
      const file = path.endsWith('big.bin') ? fx.big : fx.small;
      for (const [range, a, b] of cases) {
        const start = a < 0 ? Math.max(0, file.length + a) : a;
        if (start >= file.length) continue;
        const end = b < 0 ? file.length - 1 : Math.min(b, file.length - 1);
        const r = await get(path, { range });
        expect([range, r.status, r.headers['content-range']]).toEqual([range, 206, `bytes ${start}-${end}/${file.length}`]);
        expect(r.headers['content-length']).toBe(String(end - start + 1));
        expect(r.body.equals(file.subarray(start, end + 1))).toBe(true);
      }
    });
  }

  it('416 with Content-Range: bytes */size when unsatisfiable', async () => {
    for (const range of ['bytes=1000-', 'bytes=5000-6000', 'bytes=-0']) {
      const r = await get('/s/small.bin', { range });
      expect([range, r.status, r.headers['content-range']]).toEqual([range, 416, 'bytes */1000']);
    }
    expect((await get('/s/empty.txt', { range: 'bytes=0-' })).status).toBe(416);
  });

  it('serves the whole file (200) for several ranges and for invalid or foreign ranges', async () => {
    for (const range of ['bytes=0-1,5-6', 'bytes=0-1, -3', 'bytes=9-1', 'bytes=a-b', 'items=0-1', 'bytes 0-1', 'bytes=']) {
      const r = await get('/s/small.bin', { range });
      expect([range, r.status, r.body.length]).toEqual([range, 200, 1000]);
      expect(r.headers['accept-ranges']).toBe('bytes');
    }
  });

  it('If-Range: a matching strong ETag or date keeps the range, a stale one gives 200', async () => {
    const { etag, 'last-modified': lm } = (await get('/s/big.bin')).headers;
    expect((await get('/s/big.bin', { range: 'bytes=0-9', 'if-range': etag! })).status).toBe(206);
    expect((await get('/s/big.bin', { range: 'bytes=0-9', 'if-range': lm! })).status).toBe(206);
    const stale = await get('/s/big.bin', { range: 'bytes=0-9', 'if-range': '"stale"' });
    expect([stale.status, stale.body.length]).toEqual([200, fx.big.length]);
    expect((await get('/s/big.bin', { range: 'bytes=0-9', 'if-range': `W/${etag}` })).status).toBe(200);
    expect((await get('/s/big.bin', { range: 'bytes=0-9', 'if-range': 'Thu, 01 Jan 1970 00:00:00 GMT' })).status).toBe(200);
  });
});

describe('serveStatic: HEAD', () => {
  it('HEAD sends the GET fields and Content-Length, no body (pipelined GET parses after it)', async () => {
    for (const file of ['small.bin', 'big.bin']) {
      const size = file === 'big.bin' ? fx.big.length : fx.small.length;
      const r = await exchange(app.port, [
        `HEAD /s/${file} HTTP/1.1\r\nHost: x\r\n\r\nGET /s/hello.txt HTTP/1.1\r\nHost: x\r\n\r\n`,
      ], { until: /hello world\n$/ });
      const [head, rest] = [r.text.slice(0, r.text.indexOf('\r\n\r\n') + 4), r.text.slice(r.text.indexOf('\r\n\r\n') + 4)];
      expect(head).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
      expect(head).toContain(`content-length: ${size}\r\n`);
      expect(head).toContain('accept-ranges: bytes\r\n');
      expect(rest).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\nhello world\n$/); // no HEAD body in between
    }
  });

  it('HEAD ignores Range (defined for GET only, RFC 9110 §14.2)', async () => {
    const r = await get('/s/small.bin', { range: 'bytes=0-9' }, 'HEAD');
    expect([r.status, r.headers['content-length'], r.body.length]).toEqual([200, '1000', 0]);
  });
});

describe('serveStatic: directories, dotfiles, symlinks', () => {
  it('serves index.html for "/dir/" and (default, like hono/sirv) for "/dir"', async () => {
    expect((await get('/s/sub/')).body.toString()).toBe('<h1>sub index</h1>');
    expect((await get('/s/sub')).body.toString()).toBe('<h1>sub index</h1>');
    expect((await get('/s/sub/')).headers['content-type']).toBe('text/html; charset=utf-8');
    expect((await get('/s/noindex/')).status).toBe(404);
    expect((await get('/s/hello.txt/')).status).toBe(404);
    expect((await get('/s/')).status).toBe(404); // root has no index.html
  });

  it('redirect: true → 301 to the path with a slash, query kept', async () => {
    const r = await get('/redir/sub?x=1');
    expect([r.status, r.headers.location]).toEqual([301, '/redir/sub/?x=1']);
    expect((await get('/redir/sub/')).status).toBe(200);
  });

  it('dotfiles: ignore (404, default), deny (403), allow (200)', async () => {
    for (const path of ['.env', '.git/config']) {
      expect((await get(`/s/${path}`)).status).toBe(404);
      expect((await get(`/deny/${path}`)).status).toBe(403);
      expect((await get(`/allow/${path}`)).status).toBe(200);
    }
    expect((await get('/s/%2eenv')).status).toBe(404); // encoded dot: same rule after decoding
  });

  it('follows symlinks inside root, never out of it; followSymlinks: false refuses all', async () => {
    expect((await get('/s/link-inside.txt')).body.toString()).toBe('hello world\n');
    expect((await get('/nolinks/link-inside.txt')).status).toBe(404);
    expect((await get('/nolinks/hello.txt')).status).toBe(200);
    for (const path of ['/s/link-out.txt', '/s/link-out-dir/secret.txt', '/s/link-relative-out.txt', '/allow/link-out.txt']) {
      const r = await get(path);
      expect([path, r.status]).toEqual([path, 404]);
      expect(r.body.toString()).not.toContain(SECRET);
    }
  });
});

describe('serveStatic: precompressed siblings', () => {
  it('picks br or gzip from Accept-Encoding (q-values), with Content-Encoding, Vary and the encoded length', async () => {
    const original = (await get('/s/app.js')).body;
    const cases: [string, string | undefined][] = [
      ['br, gzip', 'br'], ['gzip, br;q=0.5', 'gzip'], ['gzip', 'gzip'], ['br;q=0, gzip;q=0.1', 'gzip'],
      ['identity', undefined], ['*', 'br'], ['*;q=0', undefined], ['x-gzip', 'gzip'], ['br;q=1.5, gzip', 'gzip'],
    ];
    for (const [accept, coding] of cases) {
      const r = await get('/pre/app.js', { 'accept-encoding': accept });
      expect([accept, r.status, r.headers['content-encoding']]).toEqual([accept, 200, coding]);
      expect(r.headers.vary).toBe('accept-encoding');
      expect(r.headers['content-type']).toBe('text/javascript; charset=utf-8');
      expect(r.headers['content-length']).toBe(String(r.body.length));
      const decoded = coding === 'br' ? brotliDecompressSync(r.body) : coding === 'gzip' ? gunzipSync(r.body) : r.body;
      expect(decoded.equals(original)).toBe(true);
    }
    const none = await get('/pre/app.js');
    expect([none.headers['content-encoding'], none.headers.vary]).toEqual([undefined, 'accept-encoding']);
  });

  it('each variant has its own ETag; ranges apply to the encoded bytes', async () => {
    const br = await get('/pre/app.js', { 'accept-encoding': 'br' });
    const gz = await get('/pre/app.js', { 'accept-encoding': 'gzip' });
    const id = await get('/pre/app.js');
    expect(new Set([br.headers.etag, gz.headers.etag, id.headers.etag]).size).toBe(3);
    const part = await get('/pre/app.js', { 'accept-encoding': 'gzip', range: 'bytes=0-9' });
    expect([part.status, part.headers['content-encoding'], part.headers['content-range']])
      .toEqual([206, 'gzip', `bytes 0-9/${gz.body.length}`]);
    expect(part.body.equals(gz.body.subarray(0, 10))).toBe(true);
    expect((await get('/pre/app.js', { 'accept-encoding': 'gzip', 'if-none-match': gz.headers.etag! })).status).toBe(304);
  });

  it('falls back to what exists and never follows a variant symlinked out of root', async () => {
    expect((await get('/pre/only-gz.css', { 'accept-encoding': 'br, gzip' })).headers['content-encoding']).toBe('gzip');
    const r = await get('/pre/hello.txt', { 'accept-encoding': 'br' }); // hello.txt.br → ../secret.txt
    expect([r.headers['content-encoding'], r.body.toString()]).toEqual([undefined, 'hello world\n']);
  });
});

describe('serveStatic: as request middleware (fallthrough)', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    server = new Server({ host: '127.0.0.1', port: 0 });
    server.requestMiddleware(serveStatic(fx.root, { fallthrough: true }));
    server.responseMiddleware((ctx) => {
      if (!ctx.headersSent) ctx.header('x-frame-options', 'DENY');
    });
    server.get('/api/hello', (ctx) => ctx.json({ hello: 'api' }));
    server.get('/{*path}', (ctx) => ctx.status(404).send('app fallback'));
    server.post('/{*path}', (ctx) => ctx.send('posted'));
    const { port } = await server.listen();
    url = `http://127.0.0.1:${port}`;
  });
  afterAll(() => server.close({ timeoutMs: 500 }));

  it('serves existing files and lets everything else through to the routes', async () => {
    const file = await request(`${url}/hello.txt`);
    expect([file.statusCode, await file.body.text()]).toEqual([200, 'hello world\n']);
    const big = await request(`${url}/big.bin`, { headers: { range: 'bytes=70000-' } }); // streamed after Reject
    expect([big.statusCode, Buffer.from(await big.body.arrayBuffer()).equals(fx.big.subarray(70000))]).toEqual([206, true]);
    const api = await request(`${url}/api/hello`);
    expect(await api.body.json()).toEqual({ hello: 'api' });
    const missing = await request(`${url}/nope.txt`);
    expect([missing.statusCode, await missing.body.text()]).toEqual([404, 'app fallback']);
    const dot = await request(`${url}/.env`);
    expect(await dot.body.text()).toBe('app fallback');
    const post = await request(`${url}/hello.txt`, { method: 'POST', body: 'x' });
    expect(await post.body.text()).toBe('posted');
    const traversal = await request(`${url}/%2e%2e/secret.txt`);
    expect(await traversal.body.text()).toBe('app fallback');
  });

  it('handler mode: response middleware still sets fields on a streamed file (sendStream keeps the head open)', async () => {
    const s = await start((srv) => {
      srv.responseMiddleware((ctx) => {
        ctx.header('x-seen-open', String(!ctx.headersSent));
        return Status.Continue;
      });
      srv.get('/{*path}', serveStatic(fx.root));
    });
    try {
      const r = await request(`${s.url}/big.bin`);
      const body = Buffer.from(await r.body.arrayBuffer());
      expect([r.statusCode, r.headers['x-seen-open'], body.equals(fx.big)]).toEqual([200, 'true', true]);
    } finally {
      await s.close();
    }
  });
});

describe('serveStatic: options', () => {
  it('rejects unknown keys and wrong types at startup (WL_INVALID_CONFIG), and a missing root', () => {
    const bad: object[] = [{ dotFiles: 'allow' }, { dotfiles: 'yes' }, { etag: true }, { maxAge: -1 }, { index: ['../x'] },
      { precompressed: ['zstd'] }, { prefix: 'assets' }, { cacheControl: 'a\r\nb' }, { chunkSize: 0 }];
    for (const options of bad) {
      expect(() => serveStatic(fx.root, options as never), JSON.stringify(options)).toThrow(/WL_INVALID_CONFIG|Invalid server or request configuration/);
    }
    expect(() => serveStatic(`${fx.root}/does-not-exist`)).toThrow(/ENOENT/);
    expect(() => serveStatic(fx.root, { maxAge: undefined, dotfiles: 'deny' })).not.toThrow();
  });
});

describe('ctx.stream with a length / ctx.sendStream', () => {
  it('HTTP/1.0 gets Content-Length framing (no close-delimiting) for a streamed file', async () => {
    const r = await exchange(app.port, ['GET /stream/hello.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\n'], { until: /hello world\n$/ });
    expect(r.text).toContain('content-length: 12\r\n');
    expect(r.text).toContain('connection: keep-alive\r\n');
    expect(r.text).not.toContain('transfer-encoding');
  });

  it('ending short of the announced length closes the connection', async () => {
    const s = await start((srv) => {
      srv.get('/short', (ctx) => ctx.sendStream(10, (stream) => {
        stream.write('12345');
        stream.end();
      }));
      srv.get('/long', (ctx) => {
        const stream = ctx.stream(200, {}, { length: 3 });
        stream.write('abcdef');
        stream.end();
      });
    });
    try {
      const short = await exchange(s.port, ['GET /short HTTP/1.1\r\nHost: x\r\n\r\n']);
      expect(short.closed).toBe(true);
      expect(short.text).toMatch(/content-length: 10\r\n\r\n12345$/);
      const long = await exchange(s.port, ['GET /long HTTP/1.1\r\nHost: x\r\n\r\nGET /long HTTP/1.1\r\nHost: x\r\n\r\n'],
        { until: (t) => t.split('abc').length === 3 });
      expect(long.text).not.toContain('def'); // bytes past the length are dropped, the next response follows
    } finally {
      await s.close();
    }
  });
});
