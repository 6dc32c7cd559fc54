// A raw HTTP/2 client for the tests that need what real clients never send: more streams than the
// server allows, a field value with CR/LF, frames that break the protocol. It speaks TLS with ALPN h2,
// writes frames by hand (RFC 9113 §4.1) with HPACK literals that are never indexed and never Huffman
// coded (RFC 7541 §6.2.3), and records what comes back per stream: the HEADERS :status (when it is
// one of the static-table statuses, RFC 7541 Appendix A) or the RST_STREAM code, and GOAWAY.
import { connect } from 'node:tls';
import type { TLSSocket } from 'node:tls';
import { testCerts } from '../tls/helpers.js';

export const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');
export const DATA = 0x0;
export const HEADERS = 0x1;
export const RST_STREAM = 0x3;
export const SETTINGS = 0x4;
export const GOAWAY = 0x7;
export const END_STREAM = 0x1;
export const END_HEADERS = 0x4;

/** Static-table indexes of :status values (RFC 7541 Appendix A). */
const STATUS_INDEX: Readonly<Record<number, number>> = { 8: 200, 9: 204, 10: 206, 11: 304, 12: 400, 13: 404, 14: 500 };

export function frame(type: number, flags: number, stream: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  const head = Buffer.alloc(9);
  head.writeUIntBE(payload.length, 0, 3);
  head[3] = type;
  head[4] = flags;
  head.writeUInt32BE(stream & 0x7fffffff, 5);
  return Buffer.concat([head, payload]);
}

/** RFC 7541 §5.1 integer with an N-bit prefix (the prefix's other bits in `first`). */
function hpackInt(value: number, bits: number, first: number): number[] {
  const max = (1 << bits) - 1;
  if (value < max) return [first | value];
  const out = [first | max];
  let rest = value - max;
  while (rest >= 128) {
    out.push((rest % 128) + 128);
    rest = Math.floor(rest / 128);
  }
  out.push(rest);
  return out;
}

/** A header block of "literal header field never indexed, new name" entries (RFC 7541 §6.2.3). */
export function headerBlock(fields: readonly (readonly [string, string])[]): Buffer {
  const parts: Buffer[] = [];
  for (const [name, value] of fields) {
    const n = Buffer.from(name, 'latin1');
    const v = Buffer.from(value, 'latin1');
    parts.push(Buffer.from([0x10]), Buffer.from(hpackInt(n.length, 7, 0)), n, Buffer.from(hpackInt(v.length, 7, 0)), v);
  }
  return Buffer.concat(parts);
}

export interface RawOutcome {
  /** :status from a static-table index, or -1 when the HEADERS frame was seen but not decoded. */
  status?: number;
  rst?: number;
  ended?: boolean;
}

export class RawH2 {
  readonly socket: TLSSocket;
  readonly streams = new Map<number, RawOutcome>();
  goaway: { lastStream: number; code: number } | null = null;
  closed = false;
  /** The server's SETTINGS arrived. */
  settings = false;
  readonly #ack: boolean;
  #pending = Buffer.alloc(0);
  #waiters: (() => void)[] = [];

  private constructor(socket: TLSSocket, ack: boolean) {
    this.socket = socket;
    this.#ack = ack;
    socket.on('data', (chunk: Buffer) => this.#read(chunk));
    socket.on('close', () => {
      this.closed = true;
      this.#wake();
    });
    socket.on('error', () => {});
  }

  /** Connect, send the preface and an empty SETTINGS; `ack: false` never acknowledges the server's
   *  SETTINGS (RFC 9113 §6.5.3), so its new limits stay pending. */
  static open(port: number, { ack = true }: { ack?: boolean } = {}): Promise<RawH2> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port, servername: 'localhost', ca: testCerts().ca.ca, ALPNProtocols: ['h2'] }, () => {
        if (socket.alpnProtocol !== 'h2') return reject(new Error(`ALPN gave ${String(socket.alpnProtocol)}`));
        socket.write(Buffer.concat([PREFACE, frame(SETTINGS, 0, 0)]));
        resolve(new RawH2(socket, ack));
      });
      socket.once('error', reject);
    });
  }

  send(data: Buffer): void {
    this.socket.write(data);
  }

  /** A GET (or any fields) on `stream`: HEADERS with END_HEADERS and, by default, END_STREAM. */
  request(stream: number, fields: readonly (readonly [string, string])[], endStream = true): void {
    this.send(frame(HEADERS, END_HEADERS | (endStream ? END_STREAM : 0), stream, headerBlock(fields)));
  }

  /** Wait until `done()` holds (checked on every frame and on close); bounded by `ms`. */
  until(done: () => boolean, ms = 5000): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('raw h2: timed out waiting')), ms);
      const check = (): void => {
        if (done() || this.closed) {
          clearTimeout(timer);
          resolve();
        } else {
          this.#waiters.push(check);
        }
      };
      check();
    });
  }

  close(): void {
    this.socket.destroy();
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }

  #read(chunk: Buffer): void {
    let buf = Buffer.concat([this.#pending, chunk]);
    while (buf.length >= 9) {
      const length = buf.readUIntBE(0, 3);
      if (buf.length < 9 + length) break;
      const type = buf[3]!;
      const flags = buf[4]!;
      const id = buf.readUInt32BE(5) & 0x7fffffff;
      const payload = buf.subarray(9, 9 + length);
      buf = buf.subarray(9 + length);
      if (type === SETTINGS && (flags & 1) === 0) {
        this.settings = true;
        if (this.#ack) this.send(frame(SETTINGS, 1, 0));
      }
      const outcome = id === 0 ? undefined : (this.streams.get(id) ?? {});
      if (outcome !== undefined) this.streams.set(id, outcome);
      if (type === HEADERS && outcome !== undefined && outcome.status === undefined) {
        const first = payload[0]!;
        outcome.status = (first & 0x80) !== 0 ? (STATUS_INDEX[first & 0x7f] ?? -1) : -1;
      }
      if ((type === HEADERS || type === DATA) && (flags & END_STREAM) !== 0 && outcome !== undefined) outcome.ended = true;
      if (type === RST_STREAM && outcome !== undefined) outcome.rst = payload.readUInt32BE(0);
      if (type === GOAWAY) this.goaway = { lastStream: payload.readUInt32BE(0) & 0x7fffffff, code: payload.readUInt32BE(4) };
    }
    this.#pending = buf;
    this.#wake();
  }
}
