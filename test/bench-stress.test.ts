// Tests of the stress harness's own pieces (bench/stress/, run by `npm run stress`, never by npm test):
// the frame scanner that finds close codes in what a server queued, the client frames, the RSS
// sampler, the outcome wording, and one attack against a real socket whose behaviour is known — so a
// harness bug cannot pass for a server's behaviour in the report. bench/ is untyped JavaScript.
import { describe, it, expect, afterEach } from 'vitest';
import { existsSync } from 'node:fs';
import net from 'node:net';

type AnyModule = any; // eslint-disable-line @typescript-eslint/no-explicit-any
const load = (rel: string): Promise<AnyModule> => import(new URL(rel, import.meta.url).href);

/** An unmasked server frame (RFC 6455 §5.2) with `n` payload bytes. */
function serverFrame(opcode: number, payload: Buffer): Buffer {
  const n = payload.length;
  const ext = n < 126 ? 0 : n < 65536 ? 2 : 8;
  const head = Buffer.alloc(2 + ext);
  head[0] = 0x80 | opcode;
  head[1] = ext === 0 ? n : ext === 2 ? 126 : 127;
  if (ext === 2) head.writeUInt16BE(n, 2);
  if (ext === 8) head.writeBigUInt64BE(BigInt(n), 2);
  return Buffer.concat([head, payload]);
}

describe('stress wire helpers', () => {
  it('the frame scanner counts frames, data bytes and the close code at every split of the stream', async () => {
    const { FrameScanner } = await load('../bench/stress/lib/wire.js');
    const close = Buffer.from([0x03, 0xf0]); // 1008 (RFC 6455 §7.4.1)
    const stream = Buffer.concat([
      serverFrame(0xa, Buffer.alloc(125, 1)),
      serverFrame(0x2, Buffer.alloc(70_000, 2)), // 64-bit length form
      serverFrame(0x1, Buffer.alloc(300, 0x61)), // 16-bit length form
      serverFrame(0xa, Buffer.alloc(0)),
      serverFrame(0x8, close),
      serverFrame(0x8, Buffer.from([0x03, 0xe8])), // a second close frame: the first code wins
    ]);
    for (const step of [1, 2, 3, 5, 13, 4096, stream.length]) {
      const s = new FrameScanner();
      for (let i = 0; i < stream.length; i += step) s.push(stream.subarray(i, i + step));
      expect(s.frames).toMatchObject({ pong: 2, binary: 1, text: 1, close: 2 });
      expect(s.payloadBytes).toBe(70_300);
      expect(s.closeCode).toBe(1008);
      expect(s.bytes).toBe(stream.length);
    }
    const empty = new FrameScanner();
    empty.push(serverFrame(0x8, Buffer.alloc(0)));
    expect(empty.closeCode).toBe(1005); // §7.1.5: no status code present
  });

  it('client frames are masked and unmask to the payload in all three length forms', async () => {
    const { maskedFrame } = await load('../bench/stress/lib/wire.js');
    for (const size of [0, 125, 126, 65_535, 65_536]) {
      const payload = Buffer.alloc(size);
      for (let i = 0; i < size; i++) payload[i] = (i * 31) & 0xff;
      const f: Buffer = maskedFrame(0x2, payload);
      const ext = size < 126 ? 0 : size < 65536 ? 2 : 8;
      expect(f[0]).toBe(0x82);
      expect(f[1] & 0x80).toBe(0x80); // MASK bit (§5.3)
      const len = ext === 0 ? f[1] & 0x7f : ext === 2 ? f.readUInt16BE(2) : Number(f.readBigUInt64BE(2));
      expect(len).toBe(size);
      const key = f.subarray(2 + ext, 6 + ext);
      const body = f.subarray(6 + ext);
      expect(body.length).toBe(size);
      expect(Buffer.from(body.map((b, i) => b ^ key[i & 3])).equals(payload)).toBe(true);
    }
  });

  it('outcome wording: statuses, who closed, spreads', async () => {
    const o = await load('../bench/stress/lib/outcome.js');
    const w = (status: number | null, serverClosed: string | null, closedMs: number | null) => ({ status, serverClosed, closedMs, firstByteMs: closedMs });
    const ws = [w(408, 'fin', 5100), w(408, 'fin', 5300), w(null, null, null)];
    expect(o.statusSummary(ws)).toBe('408 ×2, no response ×1');
    expect(o.closedSummary(ws)).toBe('2/3 (fin)');
    expect(o.cutSpread(ws)).toMatchObject({ text: '5.1 s–5.3 s', minMs: 5100, maxMs: 5300 });
    expect(o.stillOpen(ws)).toBe(1);
    expect(o.statusSummary([w(null, null, null)])).toBe('no response');
    expect(o.closedSummary([w(400, 'reset', 10)])).toBe('yes (reset)');
    expect(o.fmtBytes(1.5e9)).toBe('1.50 GB');
  });
});

describe.skipIf(!existsSync('/proc/self/status'))('stress RSS sampler', () => {
  it('samples VmRSS of a live process and stops', async () => {
    const { sampleRss, readStatus, socketCount } = await load('../bench/stress/lib/monitor.js');
    const status = readStatus(process.pid);
    expect(status.rssKb).toBeGreaterThan(0);
    expect(status.hwmKb).toBeGreaterThanOrEqual(status.rssKb);
    const sampler = sampleRss(process.pid, 10);
    const hold = Buffer.alloc(32 * 1024 * 1024, 1); // touched pages: RSS goes up by about this much
    await new Promise((r) => setTimeout(r, 200));
    const { peakKb, samples } = await sampler.stop();
    expect(samples).toBeGreaterThan(0);
    expect(peakKb).toBeGreaterThanOrEqual(status.rssKb);
    expect(hold[hold.length - 1]).toBe(1);
    expect(typeof socketCount(process.pid)).toBe('number');
    expect(readStatus(2 ** 22 + 12345)).toBeNull(); // above pid_max: no such process
  });
});

describe('stress attacks against a server with known behaviour (127.0.0.1)', () => {
  const servers: net.Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
  });

  it('endless chunk-size line: a server that answers 400 after 4 KiB and closes is reported as such', async () => {
    const { chunkSizeLine } = await load('../bench/stress/lib/attacks-http.js');
    const server = net.createServer((socket) => {
      let seen = 0;
      socket.on('error', () => {});
      socket.on('data', (d) => {
        seen += d.length;
        if (seen > 4096 && !socket.writableEnded) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      });
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as net.AddressInfo;
    const ctx = { stop: () => null, serverOpen: () => 0 };
    const r = await chunkSizeLine(port, { maxBytes: 64 * 1024 * 1024, maxMs: 10_000 }, ctx);
    expect(r.outcome).toBe('400');
    expect(r.closedByServer).toMatch(/^yes/);
    expect(r.note).toMatch(/server answered 400|server closed/);
    // Bounded by the server's close, far below the harness's own 64 MiB cap.
    expect(r.acceptedBytes).toBeLessThan(64 * 1024 * 1024);
  });

  it('never-settling handler: connections a server holds are counted as still open, not as closed', async () => {
    const { hungHandler } = await load('../bench/stress/lib/attacks-http.js');
    const held: net.Socket[] = [];
    const server = net.createServer((socket) => {
      socket.on('error', () => {});
      held.push(socket); // reads the request, never answers
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as net.AddressInfo;
    const r = await hungHandler(port, { connections: 10, boundMs: 300 }, { stop: () => null, serverOpen: () => held.filter((s) => !s.destroyed).length });
    for (const s of held) s.destroy();
    expect(r.outcome).toBe('no response ×10');
    expect(r.closedByServer).toBe('0/10');
    expect(r.openClient).toBe(10);
    expect(r.openServer).toBe(10);
    expect(r.note).toMatch(/cut by harness/);
  });
});
