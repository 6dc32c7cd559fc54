// server.inject(): run one request through the real connection code over an in-memory socket
// (a Duplex), without listening. The request goes through the same parser, router, hooks and
// response writer as a network request; the response bytes are parsed back here.
import { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import { Connection } from './http/connection/index.js';
import type { ConnectionHost } from './http/connection/host.js';

export interface InjectOptions {
  method?: string;
  /** Request-target: path and optional query, e.g. '/users/1?x=2'. */
  path?: string;
  headers?: Record<string, string | number | readonly string[]>;
  /** A string or bytes as is; any other value is sent as JSON (content-type: application/json). */
  body?: string | Uint8Array | object;
}

export interface InjectResponse {
  readonly status: number;
  /** Field names lower-cased; repeated fields joined with ", ". */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
  /** The whole response as received (status line, fields, framing). */
  readonly raw: Buffer;
  text(): string;
  json<T = unknown>(): T;
}

function buildRequest(options: InjectOptions): Buffer {
  const method = options.method ?? 'GET';
  const target = options.path ?? '/';
  let body: Buffer | null = null;
  const fields: [string, string][] = [];
  let hasHost = false;
  let hasType = false;
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    const lower = name.toLowerCase();
    if (lower === 'host') hasHost = true;
    if (lower === 'content-type') hasType = true;
    if (lower === 'content-length' || lower === 'connection') continue;
    for (const one of Array.isArray(value) ? value : [value]) fields.push([name, String(one)]);
  }
  if (options.body !== undefined) {
    if (typeof options.body === 'string') body = Buffer.from(options.body);
    else if (options.body instanceof Uint8Array) body = Buffer.from(options.body);
    else {
      body = Buffer.from(JSON.stringify(options.body));
      if (!hasType) fields.push(['content-type', 'application/json']);
    }
  }
  let head = `${method} ${target} HTTP/1.1\r\n`;
  if (!hasHost) head += 'host: localhost\r\n';
  for (const [name, value] of fields) head += `${name}: ${value}\r\n`;
  if (body !== null) head += `content-length: ${body.length}\r\n`;
  head += 'connection: close\r\n\r\n';
  const headBytes = Buffer.from(head, 'latin1');
  return body === null ? headBytes : Buffer.concat([headBytes, body]);
}

/** Decode a chunked body (RFC 9112 §7.1); trailers are skipped. */
function dechunk(data: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = data.indexOf('\r\n', at);
    if (eol < 0) break;
    const size = parseInt(data.toString('latin1', at, eol).split(';')[0]!, 16);
    if (!(size > 0)) break;
    parts.push(data.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

/** Parse the final response from the bytes the connection wrote (1xx interim responses skipped). */
export function parseResponse(raw: Buffer): InjectResponse {
  let at = 0;
  for (;;) {
    const end = raw.indexOf('\r\n\r\n', at);
    if (end < 0) throw new Error('wasmlane inject: incomplete response');
    const lines = raw.toString('latin1', at, end).split('\r\n');
    const status = Number(lines[0]!.split(' ')[1]);
    const headers: Record<string, string> = {};
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      const name = line.slice(0, colon).toLowerCase();
      const value = line.slice(colon + 1).trim();
      headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
    }
    const start = end + 4;
    if (status < 200 && status !== 101) {
      at = start;
      continue;
    }
    let body: Buffer;
    if (headers['transfer-encoding'] === 'chunked') body = dechunk(raw.subarray(start));
    else if (headers['content-length'] !== undefined) body = raw.subarray(start, start + Number(headers['content-length']));
    else body = raw.subarray(start);
    return {
      status,
      headers,
      body,
      raw,
      text: () => body.toString('utf8'),
      json: <T>() => JSON.parse(body.toString('utf8')) as T,
    };
  }
}

export function inject(host: ConnectionHost, options: InjectOptions): Promise<InjectResponse> {
  return new Promise((resolve, reject) => {
    const out: Buffer[] = [];
    const socket = new Duplex({
      read() {},
      write(chunk: Buffer, _encoding, callback) {
        out.push(chunk);
        callback();
      },
      final(callback) {
        callback();
        try {
          resolve(parseResponse(Buffer.concat(out)));
        } catch (error) {
          reject(error);
        }
        socket.destroy();
      },
    });
    socket.on('close', () => reject(new Error('wasmlane inject: connection closed without a response')));
    new Connection(socket as unknown as Socket, host);
    socket.push(buildRequest(options));
  });
}
