// serveStatic with real clients: fetch (undici's WHATWG fetch, which decodes Content-Encoding and
// revalidates like a browser would) and curl (ranges, conditional GETs, --head, --compressed).
// curl tests are skipped with a message when curl is not installed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fetch } from 'undici';
import { serveStatic } from '../../src/index.js';
import { start } from '../server/helpers.js';
import type { Running } from '../server/helpers.js';
import { makeFixture } from './static-fixture.js';
import type { Fixture } from './static-fixture.js';

const run = promisify(execFile);
const CURL = (() => {
  try {
    return execFileSync('which', ['curl'], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
})();
if (CURL === null) console.warn('static-clients: curl not found on PATH — the curl tests are skipped');

let fx: Fixture;
let app: Running;
beforeAll(async () => {
  fx = makeFixture();
  app = await start((s) => {
    s.get('/assets/{*path}', serveStatic(fx.root, { prefix: '/assets', precompressed: true, maxAge: 60 }));
  });
});
afterAll(async () => {
  await app.close();
  fx.cleanup();
});

/** curl -i: split the (last) head from the body; returns status, lower-cased fields, body bytes. */
async function curl(args: string[]): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
  const { stdout } = await run(CURL!, ['-s', '-i', ...args], { encoding: 'buffer', maxBuffer: 16 * 1024 * 1024 });
  const end = stdout.indexOf('\r\n\r\n');
  const lines = stdout.toString('latin1', 0, end).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: Number(lines[0]!.split(' ')[1]), headers, body: stdout.subarray(end + 4) };
}

describe('fetch', () => {
  it('gets bytes, revalidates with If-None-Match (304) and decodes a precompressed variant', async () => {
    const first = await fetch(`${app.url}/assets/big.bin`);
    expect(Buffer.from(await first.arrayBuffer()).equals(fx.big)).toBe(true);
    const etag = first.headers.get('etag')!;
    const again = await fetch(`${app.url}/assets/big.bin`, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    const part = await fetch(`${app.url}/assets/big.bin`, { headers: { range: 'bytes=1000-1999' } });
    expect(part.status).toBe(206);
    expect(Buffer.from(await part.arrayBuffer()).equals(fx.big.subarray(1000, 2000))).toBe(true);
    // fetch sends Accept-Encoding (gzip, deflate and, depending on the version, br) and decodes what comes back
    const js = await fetch(`${app.url}/assets/app.js`);
    expect(['br', 'gzip']).toContain(js.headers.get('content-encoding'));
    expect(await js.text()).toBe(readFileSync(join(fx.root, 'app.js'), 'utf8'));
  });
});

describe.skipIf(CURL === null)('curl', () => {
  it('-r 0-99 gets a byte-exact 206', async () => {
    const r = await curl(['-r', '0-99', `${app.url}/assets/big.bin`]);
    expect([r.status, r.headers['content-range'], r.headers['content-length']]).toEqual([206, `bytes 0-99/${fx.big.length}`, '100']);
    expect(r.body.equals(fx.big.subarray(0, 100))).toBe(true);
    const tail = await curl(['-r', '-100', `${app.url}/assets/big.bin`]);
    expect(tail.body.equals(fx.big.subarray(fx.big.length - 100))).toBe(true);
  });

  it("-H 'If-None-Match: …' gets 304; a stale tag gets the file", async () => {
    const first = await curl([`${app.url}/assets/hello.txt`]);
    const fresh = await curl(['-H', `If-None-Match: ${first.headers.etag}`, `${app.url}/assets/hello.txt`]);
    expect([fresh.status, fresh.body.length, fresh.headers['cache-control']]).toEqual([304, 0, 'public, max-age=60']);
    const stale = await curl(['-H', 'If-None-Match: "stale"', `${app.url}/assets/hello.txt`]);
    expect([stale.status, stale.body.toString()]).toEqual([200, 'hello world\n']);
    const since = await curl(['-z', first.headers['last-modified']!, `${app.url}/assets/hello.txt`]);
    expect(since.status).toBe(304);
  });

  it('--head gets the GET fields and Content-Length, no body', async () => {
    const r = await curl(['--head', `${app.url}/assets/big.bin`]);
    expect([r.status, r.headers['content-length'], r.headers['accept-ranges'], r.body.length])
      .toEqual([200, String(fx.big.length), 'bytes', 0]);
  });

  it('--compressed gets a precompressed variant and decodes it; -C resumes a download', async () => {
    const r = await curl(['--compressed', `${app.url}/assets/app.js`]);
    expect(['br', 'gzip']).toContain(r.headers['content-encoding']);
    expect(r.body.toString()).toBe(readFileSync(join(fx.root, 'app.js'), 'utf8'));
    const resumed = await curl(['-C', '5000', `${app.url}/assets/big.bin`]);
    expect(resumed.status).toBe(206);
    expect(resumed.body.equals(fx.big.subarray(5000))).toBe(true);
  });
});
