// The chunk-size line is bounded over a real socket (RFC 9112 §7.1: chunk-size = 1*HEXDIG allows any
// number of leading zeros, and a line of `000…` never overflows). A client streams a chunked body
// whose size line never ends; the server must answer 400 (WL_CHUNK_SIZE_TOO_LONG) and close instead
// of reading forever. The same for BWS after the size (bounded by maxExtensionLength, §7.1.1).
// Every engine: the JS twin and both WASM builds.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableEngines } from '../../src/wasm/instance.js';
import { exchange, start, statuses } from './helpers.js';
import type { Running } from './helpers.js';

const HEAD = (path: string): string => `POST ${path} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n`;
/** Most the client sends of an endless line: with the old decoder no answer ever came within it. */
const STREAM_BYTES = 1 << 20;
const WRITE_BYTES = 16 * 1024;
/** Only bounds the test when the server never answers or never closes (not a timing assertion). */
const GIVE_UP_MS = 8000;

interface Streamed {
  text: string;
  /** The server closed the connection (we never end our side first). */
  closed: boolean;
}

/**
 * Send `head + prefix`, then `fill` bytes in WRITE_BYTES writes (at most STREAM_BYTES, honouring
 * back-pressure) until the socket closes or, unless `answeredFirst`, a response head has arrived;
 * then wait for the close. With `answeredFirst`, the body is only streamed once a complete response
 * (ending with `answeredFirst`) is in. Resolves with what the server sent.
 */
function streamEndlessLine(port: number, head: string, prefix: string, fill: string, answeredFirst?: RegExp): Promise<Streamed> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.setNoDelay(true);
    let text = '';
    let closed = false;
    let settled = false;
    let wake: (() => void) | null = null;
    const nudge = (): void => { const w = wake; wake = null; w?.(); };
    const finish = (): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ text, closed });
    };
    const timer = setTimeout(finish, GIVE_UP_MS);
    const answered = (): boolean => answeredFirst === undefined && text.includes('\r\n\r\n');
    socket.on('data', (chunk) => { text += chunk.toString('latin1'); nudge(); });
    socket.on('error', () => { closed = true; finish(); });
    socket.on('close', () => { closed = true; finish(); });
    socket.on('drain', nudge);
    socket.on('connect', async () => {
      socket.write(head + prefix);
      while (answeredFirst !== undefined && !answeredFirst.test(text) && !socket.destroyed) {
        await new Promise<void>((r) => { wake = r; });
      }
      const block = Buffer.alloc(WRITE_BYTES, fill);
      for (let sent = 0; sent < STREAM_BYTES && !answered() && !socket.destroyed; sent += WRITE_BYTES) {
        const flushed = socket.write(block);
        // Back-pressure: wait for drain (or an answer / the close); otherwise yield so replies are read.
        await new Promise<void>((r) => { wake = r; if (flushed) setImmediate(nudge); });
      }
      // Do not end our side: the close we wait for must be the server's.
    });
  });
}

for (const engine of availableEngines()) {
  describe(`chunk-size line bounds over a socket (${engine})`, () => {
    let app: Running;
    const seen: string[] = [];
    beforeAll(async () => {
      app = await start((s) => {
        s.post('/echo', async (ctx) => ctx.send(`[${await ctx.request.text()}]`));
        s.post('/ignore', (ctx) => ctx.send('ignored'));
        s.onRequestError((error, ctx) => {
          seen.push(error.code);
          ctx.header('x-code', error.code);
        });
      }, { engine });
    });
    afterAll(() => app.close());

    it('answers 400 and closes while a handler reads a body whose size line is endless zeros', async () => {
      const r = await streamEndlessLine(app.port, HEAD('/echo'), '', '0');
      expect(statuses(r.text)).toEqual([400]);
      expect(r.text).toMatch(/connection: close\r\n/);
      expect(r.text).toMatch(/x-code: WL_CHUNK_SIZE_TOO_LONG\r\n/);
      expect(r.closed).toBe(true);
    });

    it('closes after answering when the handler ignores a body whose size line is endless zeros', async () => {
      // The unread body is drained after the response: the drain must stop at the limit too. The
      // zeros only start once the response is in, so it is the drain that meets them.
      const r = await streamEndlessLine(app.port, HEAD('/ignore'), '', '0', /ignored$/);
      expect(statuses(r.text)).toEqual([200]);
      expect(r.text).toMatch(/ignored$/);
      expect(r.closed).toBe(true);
    });

    it('answers 400 and closes on endless whitespace after the size (BWS, bounded by maxExtensionLength)', async () => {
      const r = await streamEndlessLine(app.port, HEAD('/echo'), '5', ' ');
      expect(statuses(r.text)).toEqual([400]);
      expect(r.text).toMatch(/x-code: WL_CHUNK_EXT_TOO_LONG\r\n/);
      expect(r.closed).toBe(true);
    });

    it('accepts 63 leading zeros (64 digits, the default limit) sent one byte per write, and keeps the connection', async () => {
      const body = `${'0'.repeat(63)}5\r\nhello\r\n0\r\n\r\n`;
      const parts = [HEAD('/echo'), ...body.split(''), 'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nok'];
      const r = await exchange(app.port, parts, { until: /\[ok\]$/ });
      expect(statuses(r.text)).toEqual([200, 200]);
      expect(r.text).toMatch(/\[hello\][\s\S]*\[ok\]$/);
    });

    it('answers 400 to 64 leading zeros and a digit (65 digits, one over) sent one byte per write', async () => {
      const body = `${'0'.repeat(64)}5\r\nhello\r\n0\r\n\r\n`;
      const r = await exchange(app.port, [HEAD('/echo'), ...body.split('')]);
      expect(statuses(r.text)).toEqual([400]);
      expect(r.text).toMatch(/x-code: WL_CHUNK_SIZE_TOO_LONG\r\n/);
      expect(r.closed).toBe(true);
      expect(seen).toContain('WL_CHUNK_SIZE_TOO_LONG');
    });
  });
}
