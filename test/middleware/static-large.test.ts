// A 1 GiB file served with bounded memory: the file is sparse (fs.truncateSync, no disk used), the
// client is a raw socket that counts bytes and keeps none, and the process's rss / arrayBuffers are
// sampled during the transfer. Streaming honours write()/onDrain backpressure, so what is in memory
// is about one read chunk plus the socket's high-water mark, whatever the file size. Also: a client
// that stops reading does not make the server buffer the file, and a client that goes away releases
// the file descriptor.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serveStatic } from '../../src/index.js';
import { start } from '../server/helpers.js';
import type { Running } from '../server/helpers.js';

const GiB = 1024 * 1024 * 1024;
const MiB = 1024 * 1024;
const SIZE = Number(process.env.WL_STATIC_LARGE_BYTES ?? GiB);

let dir: string;
let app: Running;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wl-static-large-'));
  writeFileSync(join(dir, 'huge.bin'), '');
  truncateSync(join(dir, 'huge.bin'), SIZE); // sparse: reads as zeros, costs no disk blocks
  app = await start((s) => s.get('/{*path}', serveStatic(dir)));
});
afterAll(async () => {
  await app.close();
  rmSync(dir, { recursive: true, force: true });
});

function memory(): { rss: number; arrayBuffers: number } {
  const m = process.memoryUsage();
  return { rss: m.rss, arrayBuffers: m.arrayBuffers };
}

/** GET on a raw socket; resolves with the head and the number of body bytes seen. The client reads
 *  into one reused buffer (net `onread`), so the memory measured is the server's, not the client's. */
function download(path: string, onSocket?: (socket: Socket, bodyBytes: () => number, onRead: (fn: () => void) => void) => void): Promise<{ head: string; body: number }> {
  return new Promise((resolve, reject) => {
    let head = '';
    let body = 0;
    let headDone = false;
    let afterRead: (() => void) | undefined;
    const socket = connect({
      port: app.port,
      host: '127.0.0.1',
      onread: {
        buffer: Buffer.alloc(256 * 1024),
        callback: (n: number, buf: Uint8Array) => {
          if (!headDone) {
            const text = Buffer.from(buf.buffer, buf.byteOffset, n).toString('latin1');
            const end = (head + text).indexOf('\r\n\r\n');
            if (end < 0) {
              head += text;
              return true;
            }
            const headLength = end + 4 - head.length;
            head = (head + text).slice(0, end + 4);
            headDone = true;
            body += n - headLength;
          } else {
            body += n; // counted, not kept
          }
          afterRead?.();
          return true;
        },
      },
    });
    socket.on('error', reject);
    socket.on('close', () => resolve({ head, body }));
    socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    onSocket?.(socket, () => body, (fn) => { afterRead = fn; });
  });
}

describe('serveStatic: a large file', () => {
  it(`serves ${SIZE / MiB} MiB completely with rss and arrayBuffers growth under 64 MiB`, async () => {
    global.gc?.();
    const before = memory();
    const peak = { ...before };
    const sampler = setInterval(() => {
      const now = memory();
      peak.rss = Math.max(peak.rss, now.rss);
      peak.arrayBuffers = Math.max(peak.arrayBuffers, now.arrayBuffers);
    }, 20);
    const started = Date.now();
    const { head, body } = await download('/huge.bin');
    clearInterval(sampler);
    const seconds = (Date.now() - started) / 1000;
    console.log(`static-large: ${SIZE / MiB} MiB in ${seconds.toFixed(1)} s (${(SIZE / MiB / seconds).toFixed(0)} MiB/s); ` +
      `peak growth rss ${((peak.rss - before.rss) / MiB).toFixed(1)} MiB, arrayBuffers ${((peak.arrayBuffers - before.arrayBuffers) / MiB).toFixed(1)} MiB`);
    expect(head).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(head).toContain(`content-length: ${SIZE}\r\n`);
    expect(body).toBe(SIZE);
    expect(peak.rss - before.rss).toBeLessThan(64 * MiB);
    expect(peak.arrayBuffers - before.arrayBuffers).toBeLessThan(64 * MiB);
  }, 60_000);

  it('a client that stops reading does not make the server buffer the file', async () => {
    global.gc?.();
    const before = memory();
    let during = before;
    const { body } = await download('/huge.bin', (socket, bodyBytes, onRead) => {
      let paused = false;
      onRead(() => {
        if (paused) return;
        paused = true;
        socket.pause(); // stop reading: the kernel buffers fill, then the server must stop too
        setTimeout(() => {
          during = memory();
          expect(bodyBytes()).toBeLessThan(SIZE);
          socket.destroy();
        }, 500);
      });
    });
    expect(body).toBeLessThan(SIZE);
    expect(during.arrayBuffers - before.arrayBuffers).toBeLessThan(32 * MiB);
  }, 20_000);

  it.skipIf(process.platform !== 'linux')('a client that goes away mid-file releases the file descriptor', async () => {
    const fds = (): number => readdirSync('/proc/self/fd').length;
    const baseline = fds();
    const { body } = await download('/huge.bin', (socket, bodyBytes, onRead) => {
      onRead(() => {
        if (bodyBytes() > 8 * MiB) socket.destroy();
      });
    });
    expect(body).toBeGreaterThan(8 * MiB);
    expect(body).toBeLessThan(SIZE);
    // the server sees the close, destroys the read stream and closes the FileHandle
    const deadline = Date.now() + 5000;
    while (fds() > baseline && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(fds()).toBeLessThanOrEqual(baseline);
    // and the server still answers
    const next = await download('/huge.bin', (socket, _bytes, onRead) => onRead(() => socket.destroy()));
    expect(next.head).toMatch(/^HTTP\/1\.1 200 OK/);
  }, 20_000);

  it('ranges deep in the large file are byte-exact (zeros) and framed by Content-Length', async () => {
    const { head, body } = await new Promise<{ head: string; body: number }>((resolve, reject) => {
      const socket = connect(app.port, '127.0.0.1');
      const chunks: Buffer[] = [];
      socket.on('data', (c: Buffer) => chunks.push(c));
      socket.on('error', reject);
      socket.on('close', () => {
        const all = Buffer.concat(chunks);
        const end = all.indexOf('\r\n\r\n') + 4;
        const payload = all.subarray(end);
        expect(payload.every((b) => b === 0)).toBe(true);
        resolve({ head: all.toString('latin1', 0, end), body: payload.length });
      });
      socket.write(`GET /huge.bin HTTP/1.1\r\nHost: x\r\nRange: bytes=${SIZE - 100000}-\r\nConnection: close\r\n\r\n`);
    });
    expect(head).toMatch(/^HTTP\/1\.1 206 /);
    expect(head).toContain(`content-range: bytes ${SIZE - 100000}-${SIZE - 1}/${SIZE}\r\n`);
    expect(body).toBe(100000);
  });
});
