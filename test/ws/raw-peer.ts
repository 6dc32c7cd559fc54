// A hand-driven WebSocket peer over node:net for tests that need to break the rules (unmasked frames,
// invalid close codes, never answering pings, never reading). Frames are built and parsed here with
// a few lines of independent code, so the tests do not use the code under test as their own oracle.
import { connect, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';

export interface RawFrame {
  fin: boolean;
  opcode: number;
  payload: Buffer;
}

/** Encode one frame (RFC 6455 §5.2); masked with a random key unless mask is false. */
export function frame(opcode: number, payload: Buffer | string, opts: { fin?: boolean; mask?: boolean } = {}): Buffer {
  const data = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const mask = opts.mask ?? true;
  const len = data.length;
  const ext = len < 126 ? 0 : len < 65536 ? 2 : 8;
  const head = Buffer.alloc(2 + ext + (mask ? 4 : 0));
  head[0] = ((opts.fin ?? true) ? 0x80 : 0) | opcode;
  head[1] = (mask ? 0x80 : 0) | (ext === 0 ? len : ext === 2 ? 126 : 127);
  if (ext === 2) head.writeUInt16BE(len, 2);
  if (ext === 8) head.writeBigUInt64BE(BigInt(len), 2);
  if (!mask) return Buffer.concat([head, data]);
  const key = randomBytes(4);
  key.copy(head, 2 + ext);
  const body = Buffer.alloc(len);
  for (let i = 0; i < len; i++) body[i] = data[i]! ^ key[i & 3]!;
  return Buffer.concat([head, body]);
}

export function closePayload(code: number, reason = ''): Buffer {
  const b = Buffer.alloc(2 + Buffer.byteLength(reason));
  b.writeUInt16BE(code, 0);
  b.write(reason, 2);
  return b;
}

/** Parse as many complete frames as `buf` holds; returns them and the bytes consumed. */
export function parseFrames(buf: Buffer): { frames: RawFrame[]; used: number } {
  const frames: RawFrame[] = [];
  let pos = 0;
  for (;;) {
    if (buf.length - pos < 2) break;
    const b0 = buf[pos]!;
    const b1 = buf[pos + 1]!;
    let len = b1 & 0x7f;
    let off = pos + 2;
    if (len === 126) {
      if (buf.length - off < 2) break;
      len = buf.readUInt16BE(off);
      off += 2;
    } else if (len === 127) {
      if (buf.length - off < 8) break;
      len = Number(buf.readBigUInt64BE(off));
      off += 8;
    }
    const masked = (b1 & 0x80) !== 0;
    const keyOff = off;
    if (masked) off += 4;
    if (buf.length - off < len) break;
    const payload = Buffer.from(buf.subarray(off, off + len));
    if (masked) for (let i = 0; i < len; i++) payload[i]! ^= buf[keyOff + (i & 3)]!;
    frames.push({ fin: (b0 & 0x80) !== 0, opcode: b0 & 0x0f, payload });
    pos = off + len;
  }
  return { frames, used: pos };
}

export interface RawPeer {
  readonly socket: Socket;
  /** The response head (status line and fields) as text. */
  readonly response: string;
  readonly frames: RawFrame[];
  /** Resolves when the server closed the TCP connection. */
  readonly ended: Promise<void>;
  /** Wait until a frame matching `pred` arrived (bounded by `ms`). */
  waitFor(pred: (f: RawFrame) => boolean, ms?: number): Promise<RawFrame>;
  send(bytes: Buffer): void;
}

const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';

/** Do the opening handshake by hand; `read: false` leaves the socket paused after the 101. */
export function rawPeer(port: number, opts: { headers?: string; path?: string; read?: boolean } = {}): Promise<RawPeer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const frames: RawFrame[] = [];
    const waiters: (() => void)[] = [];
    let buf = Buffer.alloc(0);
    let response: string | undefined;
    let endResolve!: () => void;
    const ended = new Promise<void>((r) => (endResolve = r));
    socket.on('error', () => {});
    socket.on('close', () => {
      endResolve();
      for (const w of waiters) w();
    });
    const timer = setTimeout(() => reject(new Error('raw handshake timed out')), 5000);
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      if (response === undefined) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        response = buf.toString('latin1', 0, end);
        buf = buf.subarray(end + 4);
        clearTimeout(timer);
        if (opts.read === false) socket.pause();
        resolve(peer);
      }
      const { frames: got, used } = parseFrames(buf);
      buf = buf.subarray(used);
      frames.push(...got);
      for (const w of waiters.splice(0)) w();
    });
    const peer: RawPeer = {
      socket,
      get response() {
        return response ?? '';
      },
      frames,
      ended,
      send: (bytes) => void socket.write(bytes),
      waitFor(pred, ms = 5000) {
        return new Promise((res, rej) => {
          const t = setTimeout(() => rej(new Error('timed out waiting for a frame')), ms);
          const check = (): void => {
            const f = frames.find(pred);
            if (f) {
              clearTimeout(t);
              return res(f);
            }
            if (socket.destroyed) {
              clearTimeout(t);
              return rej(new Error('connection closed before the frame arrived'));
            }
            waiters.push(check);
          };
          check();
        });
      },
    };
    socket.write(
      `GET ${opts.path ?? '/'} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${KEY}\r\nSec-WebSocket-Version: 13\r\n${opts.headers ?? ''}\r\n`,
    );
  });
}

/** Send a raw request (any head) and collect the whole response until the server closes. */
export function rawRequest(port: number, head: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let out = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('raw request timed out'));
    }, 5000);
    socket.on('data', (d) => (out += d.toString('latin1')));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(out);
    });
    socket.write(head);
  });
}
