// The lightweight Response's fast path (FetchResponse: status, HeadersLike and a string/bytes body
// written without a native object) puts the same bytes on the wire as the platform's Response through
// the general path: the same handlers on two servers, every response pipelined twice on one
// keep-alive connection (so cached heads are used too), raw bytes compared except the Date line.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FetchResponse, mountFetch, restoreFetchGlobals, Server } from '../../src/index.js';

/** The platform's Response, captured before any server installs the lightweight global. */
const PlatformResponse: typeof Response = globalThis.Response;

type Make = (body?: ConstructorParameters<typeof Response>[0], init?: ResponseInit) => Response;

const LONG_JSON = JSON.stringify({ items: Array.from({ length: 40 }, (_, i) => ({ i, name: `item ${i}` })) });

/** path → the response, built with the class under test. */
const CASES: Record<string, (make: Make) => Response> = {
  '/json': (make) => make('{"a":1}', { headers: { 'Content-Type': 'application/json' } }),
  '/status-text': (make) => make('made', { status: 201, statusText: 'Made It', headers: { 'content-type': 'text/plain' } }),
  '/fields': (make) => make('<p>x</p>', {
    headers: { 'X-One': '1', 'x-two': 'two words', 'Cache-Control': 'no-store', 'Content-Type': 'text/html; charset=UTF-8' },
  }),
  '/cookies': (make) => {
    const headers = new Headers({ 'content-type': 'text/plain' });
    headers.append('set-cookie', 'a=1; Path=/');
    headers.append('set-cookie', 'b=2; HttpOnly');
    headers.append('x-multi', '1');
    headers.append('x-multi', '2');
    return make('cookies', { headers });
  },
  '/pairs': (make) => make('pairs', {
    headers: [['x-rep', 'a'], ['X-Rep', 'b'], ['set-cookie', 'c=3'], ['set-cookie', 'd=4'], ['content-type', 'text/plain']],
  }),
  '/one-field-trimmed': (make) => make('t', { headers: { 'Content-Type': ' text/plain\t' } }),
  '/case-twins': (make) => make('twins', { headers: { 'X-Twin': 'a', 'x-twin': 'b', 'content-type': 'text/plain' } }),
  '/number-value': (make) => make('n', { headers: { 'x-count': 7 as unknown as string, 'content-type': 'text/plain' } }),
  '/bytes': (make) => make(new Uint8Array([1, 2, 3, 255]), { headers: { 'content-type': 'application/octet-stream' } }),
  '/arraybuffer': (make) => make(new Uint8Array([9, 8, 7]).buffer, { headers: { 'content-type': 'application/octet-stream' } }),
  '/no-content': (make) => make(null, { status: 204, headers: { 'x-empty': '1' } }),
  '/redirect': (make) => make(null, { status: 302, headers: { Location: '/elsewhere' } }),
  '/utf8': (make) => make('✓ café', { headers: { 'content-type': 'text/plain; charset=utf-8' } }),
  '/latin1-field': (make) => make('latin1', { headers: { 'x-latin': 'caf\xe9', 'content-type': 'text/plain' } }),
  '/own-length': (make) => make('abc', { headers: { 'content-length': '3', 'content-type': 'text/plain' } }),
  '/long-json': (make) => make(LONG_JSON, { headers: { 'content-type': 'application/json' } }),
  '/error': (make) => make('failed', { status: 500, headers: { 'content-type': 'text/plain' } }),
  '/headers-read': (make) => {
    const res = make('late', { headers: { 'content-type': 'text/plain' } });
    res.headers.set('x-late', '1'); // what hono middleware does to c.res
    return res;
  },
  '/cloned': (make) => make('cloned', { headers: { 'content-type': 'text/plain' } }).clone(),
  '/text': (make) => make('Hello'),
  '/text-fields': (make) => make('Hello', { headers: { 'x-a': '1', 'x-b': '2' } }),
};

/** A string body without a type: the one intended difference (see below). */
const DEFAULT_TYPE_CASES = new Set(['/text', '/text-fields']);

function serverWith(make: Make): Server {
  const server = new Server({ host: '127.0.0.1', port: 0 });
  mountFetch(server, '/', (req) => {
    const path = new URL(req.url).pathname;
    return path === '/end' ? make('END', { headers: { 'content-type': 'text/plain' } }) : CASES[path]!(make);
  }, { overrideGlobals: false });
  return server;
}

/** Every case twice, pipelined on one connection, then /end; the whole answer as latin1 text. */
function pipelined(port: number): Promise<string> {
  const paths = [...Object.keys(CASES), ...Object.keys(CASES), '/end'];
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`incomplete answer: ${JSON.stringify(text.slice(-200))}`));
    }, 5000);
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
      if (text.endsWith('\r\n\r\nEND')) {
        clearTimeout(timer);
        socket.destroy();
        resolve(text);
      }
    });
    socket.on('error', reject);
    socket.write(paths.map((p) => `GET ${p} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`).join(''));
  });
}

const withoutDate = (text: string): string => text.replace(/\r\ndate: [^\r]*/g, '');

let fast: Server;
let native: Server;
let fastPort = 0;
let nativePort = 0;

beforeAll(async () => {
  fast = serverWith((body, init) => new FetchResponse(body, init) as unknown as Response);
  native = serverWith((body, init) => new PlatformResponse(body, init));
  fastPort = (await fast.listen()).port;
  nativePort = (await native.listen()).port;
});

afterAll(async () => {
  await Promise.all([fast?.close({ timeoutMs: 1000 }), native?.close({ timeoutMs: 1000 })]);
  restoreFetchGlobals();
});

describe('FetchResponse fast path vs the platform Response', () => {
  it('writes the same bytes for every response shape', async () => {
    const [ours, platform] = await Promise.all([pipelined(fastPort), pipelined(nativePort)]);
    const split = (text: string): string[] => withoutDate(text).split(/(?=HTTP\/1\.1 \d{3} )/);
    const a = split(ours);
    const b = split(platform);
    const paths = [...Object.keys(CASES), ...Object.keys(CASES), '/end'];
    expect(a).toHaveLength(paths.length);
    expect(b).toHaveLength(paths.length);
    paths.forEach((path, i) => {
      if (DEFAULT_TYPE_CASES.has(path)) {
        // The one intended difference: a string body without a type. The platform writes Fetch's
        // `text/plain;charset=UTF-8` among the fields sorted by name; the lightweight Response writes
        // `text/plain; charset=UTF-8` after the fields, as @hono/node-server's does
        // (test/fetch/hono-compare.test.ts) and as its `headers` reports. Field order across names
        // carries no meaning (RFC 9110 §5.3).
        const ours = '\r\ncontent-type: text/plain; charset=UTF-8';
        const theirs = '\r\ncontent-type: text/plain;charset=UTF-8';
        expect(a[i]).toContain(ours);
        expect(b[i]).toContain(theirs);
        expect(a[i]!.replace(ours, '')).toBe(b[i]!.replace(theirs, ''));
      } else {
        expect({ path, answer: a[i] }).toEqual({ path, answer: b[i] });
      }
    });
    // Spot checks that the shapes reached the wire as meant.
    expect(ours).toContain('HTTP/1.1 201 Created\r\n'); // statusText is not sent: the standard reason
    expect(ours).toContain('\r\nset-cookie: a=1; Path=/\r\nset-cookie: b=2; HttpOnly\r\n');
    expect(ours).toContain('\r\nx-multi: 1, 2\r\n');
    expect(ours).toContain('\r\nx-rep: a, b\r\n');
    expect(ours).toContain('\r\nx-latin: caf\xe9\r\n');
    expect(ours).toContain('\r\nx-late: 1\r\n');
    expect(ours).toContain(`\r\ncontent-length: ${Buffer.byteLength('✓ café')}\r\n`);
  });

  it('reports on the Response what it writes', async () => {
    const res = new FetchResponse('x', { status: 202, statusText: 'Fine', headers: [['set-cookie', 'a=1'], ['set-cookie', 'b=2']] }) as unknown as Response;
    expect(res.status).toBe(202);
    expect(res.statusText).toBe('Fine');
    expect(res.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(res.headers.get('content-type')).toBe('text/plain; charset=UTF-8');
    expect(await res.text()).toBe('x');
  });
});
