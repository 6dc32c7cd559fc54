// Raw client-side wire helpers for the stress attacks: plain node:net sockets (no client library,
// so the client never reads unless the attack says so), a WebSocket handshake, pre-masked frames, a
// frame scanner that reads back what the server sent (close code, frame count) without buffering
// payloads, and a per-connection record of what the server did (status, FIN/RST, when).
import net from 'node:net';
import { randomBytes } from 'node:crypto';

export const HOST = '127.0.0.1';

/** Milliseconds since `t0` (performance.now() based). */
export const since = (t0) => performance.now() - t0;
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * A client frame (RFC 6455 §5.2): FIN set, `opcode`, masked with a random key (§5.3: every client
 * frame must be masked). Built once and written many times — the server still unmasks every copy.
 */
export function maskedFrame(opcode, payload) {
  const size = payload.length;
  const ext = size < 126 ? 0 : size < 65536 ? 2 : 8;
  const frame = Buffer.alloc(2 + ext + 4 + size);
  frame[0] = 0x80 | opcode;
  frame[1] = 0x80 | (ext === 0 ? size : ext === 2 ? 126 : 127);
  if (ext === 2) frame.writeUInt16BE(size, 2);
  if (ext === 8) frame.writeBigUInt64BE(BigInt(size), 2);
  const key = randomBytes(4);
  key.copy(frame, 2 + ext);
  const at = 2 + ext + 4;
  for (let i = 0; i < size; i++) frame[at + i] = payload[i] ^ key[i & 3];
  return frame;
}

const OPCODES = { 0: 'continuation', 1: 'text', 2: 'binary', 8: 'close', 9: 'ping', 10: 'pong' };
const extLength = (byte1) => ((byte1 & 0x7f) === 126 ? 2 : (byte1 & 0x7f) === 127 ? 8 : 0);

/**
 * Counts the frames a server sent (server frames are unmasked, §5.1) and keeps only what matters:
 * frames by opcode, payload bytes, and the first close frame's status code (§5.5.1, §7.4).
 */
export class FrameScanner {
  constructor() {
    this.head = Buffer.alloc(0); // partial frame header
    this.skip = 0; // payload bytes of the current frame still to pass over
    this.closePayload = null; // collecting a close frame's payload
    this.frames = { text: 0, binary: 0, continuation: 0, close: 0, ping: 0, pong: 0 };
    this.payloadBytes = 0; // of data frames
    this.opcode = 0;
    this.closeCode = null; // null: no close frame; 1005: close frame without a code
    this.bytes = 0;
  }

  push(chunk) {
    this.bytes += chunk.length;
    let i = 0;
    while (i < chunk.length) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, chunk.length - i);
        if (this.closePayload !== null && this.closePayload.length < 2) {
          const take = chunk.subarray(i, i + Math.min(n, 2 - this.closePayload.length));
          this.closePayload = Buffer.concat([this.closePayload, take]);
        }
        this.skip -= n;
        if (this.opcode <= 2) this.payloadBytes += n; // data frames only (text, binary, continuation)
        i += n;
        if (this.skip === 0) this.#endFrame();
        continue;
      }
      // Header: 2 bytes, then 2 or 8 bytes of extended length (a server's frames carry no mask).
      const need = this.head.length < 2 ? 2 : 2 + extLength(this.head[1]);
      const take = Math.min(need - this.head.length, chunk.length - i);
      this.head = Buffer.concat([this.head, chunk.subarray(i, i + take)]);
      i += take;
      if (this.head.length < 2 || this.head.length < 2 + extLength(this.head[1])) continue;
      const h = this.head;
      const ext = extLength(h[1]);
      const size = ext === 0 ? h[1] & 0x7f : ext === 2 ? h.readUInt16BE(2) : Number(h.readBigUInt64BE(2));
      this.opcode = h[0] & 0x0f;
      const name = OPCODES[this.opcode] ?? 'other';
      this.frames[name] = (this.frames[name] ?? 0) + 1;
      this.closePayload = this.opcode === 8 ? Buffer.alloc(0) : null;
      this.head = Buffer.alloc(0);
      this.skip = size;
      if (size === 0) this.#endFrame();
    }
  }

  #endFrame() {
    if (this.opcode === 8 && this.closeCode === null) {
      this.closeCode = this.closePayload && this.closePayload.length >= 2 ? this.closePayload.readUInt16BE(0) : 1005;
    }
    this.closePayload = null;
  }
}

/** Open a TCP connection to 127.0.0.1:port; rejects after `timeoutMs`. */
export function connect(port, timeoutMs = 5000) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, HOST);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`connect to ${HOST}:${port} timed out`));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/**
 * What the server did to one connection, as the client sees it: the response status line (when the
 * socket is read), a FIN (`end`) or a reset (`error`), and when. `harness` marks our own teardown
 * so it is never counted as the server's.
 */
export function watch(socket, t0 = performance.now()) {
  const w = { socket, t0, status: null, bytesIn: 0, serverClosed: null, closedMs: null, firstByteMs: null, error: null, harness: false, closed: false };
  let head = '';
  socket.on('data', (chunk) => {
    if (w.firstByteMs === null) w.firstByteMs = since(w.t0);
    w.bytesIn += chunk.length;
    if (w.status === null && head.length < 64) {
      head += chunk.toString('latin1', 0, Math.min(chunk.length, 64));
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(head);
      if (m) w.status = Number(m[1]);
    }
  });
  const serverDid = (how) => {
    if (w.harness || w.serverClosed !== null) return;
    w.serverClosed = how;
    w.closedMs = since(w.t0);
  };
  socket.on('end', () => serverDid('fin'));
  socket.on('error', (err) => {
    w.error = err.code ?? err.message;
    serverDid(err.code === 'ECONNRESET' || err.code === 'EPIPE' ? 'reset' : `error ${err.code ?? ''}`.trim());
  });
  socket.on('close', () => {
    w.closed = true;
    serverDid('close');
  });
  return w;
}

/** Our own teardown of a watched socket (never counted as the server's doing). */
export function hangUp(w) {
  w.harness = true;
  w.socket.destroy();
}

/** Bytes the kernel took from us on this socket (written, not still queued in Node). */
export const accepted = (socket) => Math.max(0, socket.bytesWritten - socket.writableLength);

/** Wait for 'drain' (→ 'drain'), the socket closing (→ 'closed') or `ms` (→ 'timeout'). */
export function waitDrain(socket, ms) {
  if (socket.destroyed) return Promise.resolve('closed');
  return new Promise((resolve) => {
    const done = (how) => {
      clearTimeout(timer);
      socket.off('drain', onDrain);
      socket.off('close', onClose);
      resolve(how);
    };
    const onDrain = () => done('drain');
    const onClose = () => done('closed');
    const timer = setTimeout(() => done('timeout'), Math.max(1, ms));
    socket.once('drain', onDrain);
    socket.once('close', onClose);
  });
}

/**
 * Upgrade a raw connection to WebSocket (RFC 6455 §4.1) on `path`; resolves with the socket PAUSED
 * (nothing is read from the kernel until the attack says so) and any bytes that came after the 101.
 */
export async function wsHandshake(port, path) {
  const socket = await connect(port);
  socket.setNoDelay(true);
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => fail(new Error(`no 101 on ${path} within 5 s`)), 5000);
    const fail = (err) => {
      clearTimeout(timer);
      socket.destroy();
      reject(err);
    };
    const onData = (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('error', fail);
      socket.pause();
      const line = buf.toString('latin1', 0, buf.indexOf('\r\n'));
      if (!/^HTTP\/1\.1 101/.test(line)) return fail(new Error(`upgrade refused: ${line}`));
      resolve({ socket, leftover: buf.subarray(end + 4) });
    };
    socket.on('data', onData);
    socket.once('error', fail);
    socket.write(
      `GET ${path} HTTP/1.1\r\nHost: ${HOST}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
  });
}

/**
 * Start reading a (paused) WebSocket at last and scan what the server queued for it: stops at the
 * end of the connection, `settleMs` after a close frame, after `quietMs` without data, or at `maxMs`.
 */
export function readBack(socket, scanner, { maxMs = 5000, quietMs = 1500, settleMs = 1000 } = {}) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    let quiet;
    let settle;
    let finished = false;
    const done = (why) => {
      if (finished) return;
      finished = true;
      clearTimeout(quiet);
      clearTimeout(settle);
      clearTimeout(cap);
      socket.off('data', onData);
      socket.pause();
      resolve({ why, ms: since(t0) });
    };
    const cap = setTimeout(() => done('time limit'), maxMs);
    const arm = () => {
      clearTimeout(quiet);
      quiet = setTimeout(() => done('quiet'), quietMs);
    };
    const onData = (chunk) => {
      scanner.push(chunk);
      arm();
      if (scanner.closeCode !== null && settle === undefined) settle = setTimeout(() => done('close frame'), settleMs);
    };
    if (socket.destroyed || socket.readableEnded) {
      // Whatever was still buffered in Node is already gone with the socket.
      done('connection already closed');
      return;
    }
    socket.on('data', onData);
    socket.once('close', () => done('connection closed'));
    arm();
    socket.resume();
  });
}
