// The same hono 4 app (fixtures/hono-app.js) on wasmlane (serve(app.fetch)) and on @hono/node-server
// (the reference, in a child process): every route must answer with the same status, the same header
// fields and the same body bytes, over real sockets with undici. Fields that legitimately differ per
// response or per server are left out of the comparison (VOLATILE, with the reason).
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restoreFetchGlobals, serve } from '../../src/index.js';
import type { ServedServer } from '../../src/index.js';
// @ts-expect-error plain JS fixture (shared with the reference process)
import { createApp } from './fixtures/hono-app.js';

/** date: the clock; connection / keep-alive: node:http announces its keep-alive timeout
 *  (`Keep-Alive: timeout=5`, `Connection: keep-alive`), wasmlane keeps HTTP/1.1 persistence implicit
 *  (RFC 9112 §9.3). Nothing else is excluded. */
const VOLATILE = new Set(['date', 'connection', 'keep-alive']);

interface Case {
  readonly path: string;
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: () => string | FormData | URLSearchParams;
  /**
   * Where the reference deviates from the Fetch standard and wasmlane does not: the field is left
   * out of the equality and wasmlane's value is asserted instead (undefined = absent).
   */
  readonly differs?: { readonly field: string; readonly ours: string | undefined; readonly why: string }[];
}

/** @hono/node-server gives every body without a type `text/plain; charset=UTF-8`, and replaces a
 *  Blob's own type with it; Fetch (§5.5 extract a body) adds none for bytes and streams. */
const NO_DEFAULT_TYPE = 'node-server adds a text/plain default type; Fetch adds none for bytes/streams';

function multipart(): FormData {
  const form = new FormData();
  form.append('name', 'ada');
  form.append('tag', 'a');
  form.append('tag', 'b');
  form.append('doc', new Blob(['file content'], { type: 'text/plain' }), 'notes.txt');
  return form;
}

const CASES: Case[] = [
  { path: '/' },
  { path: '/users/42' },
  { path: '/users/%C3%A9t%C3%A9' },
  { path: '/search?q=hono&tag=a&tag=b' },
  { path: '/headers', headers: { 'x-agent': 'compare' } },
  { path: '/echo', method: 'POST', headers: { 'content-type': 'application/json' }, body: () => '{"a":[1,2,{"b":null}]}' },
  { path: '/text', method: 'POST', body: () => 'some text body' },
  { path: '/form', method: 'POST', body: () => new URLSearchParams({ a: '1', b: 'two words' }) },
  { path: '/form', method: 'POST', body: multipart },
  { path: '/count', method: 'POST', body: () => 'z'.repeat(150_000) },
  { path: '/html' },
  { path: '/bytes' },
  { path: '/arraybuffer', differs: [{ field: 'content-type', ours: undefined, why: NO_DEFAULT_TYPE }] },
  { path: '/blob', differs: [{ field: 'content-type', ours: 'text/x-blob', why: 'the Blob\'s type (Fetch §5.5)' }] },
  { path: '/params' },
  { path: '/empty' },
  { path: '/created' },
  { path: '/cookies' },
  {
    path: '/redirect',
    differs: [
      { field: 'content-length', ours: '0', why: 'a null body: wasmlane frames it with Content-Length: 0 …' },
      { field: 'transfer-encoding', ours: undefined, why: '… node-server with an empty chunked body (same message, RFC 9112 §6)' },
    ],
  },
  { path: '/mw/x' },
  { path: '/etag/doc' },
  { path: '/etag/doc', headers: { 'if-none-match': '"b9955dc951cfa87506f3f715a2154400062b6258"' } },
  { path: '/api/data', headers: { origin: 'https://example.test' } },
  { path: '/api/data', method: 'OPTIONS', headers: { origin: 'https://example.test', 'access-control-request-method': 'GET', 'access-control-request-headers': 'x-token' } },
  { path: '/unicode' },
  { path: '/big' },
  { path: '/stream', differs: [{ field: 'content-type', ours: undefined, why: NO_DEFAULT_TYPE }] },
  { path: '/sse' },
  { path: '/error' },
  { path: '/missing' },
  { path: '/users/1', method: 'DELETE' },
  {
    path: '/', method: 'HEAD',
    differs: [{ field: 'content-length', ours: '11', why: 'the GET\'s length (RFC 9110 §9.3.2, §8.6); node-server sends none' }],
  },
];

interface Answer {
  status: number;
  headers: Record<string, string | string[]>;
  body: string;
}

/** The case's body as bytes and content-type, serialized once so both servers get the same bytes. */
async function encode(c: Case): Promise<{ body?: Buffer; headers?: Record<string, string> }> {
  const source = c.body?.();
  if (source === undefined) return { headers: c.headers };
  const encoded = new Response(source);
  const type = encoded.headers.get('content-type');
  const headers = { ...(type === null ? {} : { 'content-type': type }), ...c.headers };
  return { body: Buffer.from(await encoded.arrayBuffer()), headers };
}

async function ask(port: number, c: Case, sent: { body?: Buffer; headers?: Record<string, string> }): Promise<Answer> {
  const res = await request(`http://127.0.0.1:${port}${c.path}`, {
    method: (c.method ?? 'GET') as 'GET', headers: sent.headers, body: sent.body,
    headersTimeout: 10_000, bodyTimeout: 10_000,
  });
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(res.headers)) if (!VOLATILE.has(name) && value !== undefined) headers[name] = value;
  const body = Buffer.from(await res.body.arrayBuffer()).toString('base64');
  return { status: res.statusCode, headers, body };
}

let reference: ChildProcess;
let referencePort = 0;
let wasmlane: ServedServer;
const logged: string[] = [];

beforeAll(async () => {
  reference = spawn(process.execPath, [fileURLToPath(new URL('./fixtures/node-server-reference.js', import.meta.url))], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  referencePort = await new Promise<number>((resolve, reject) => {
    let out = '';
    reference.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n')[0]!;
      if (out.includes('\n')) resolve((JSON.parse(line) as { port: number }).port);
    });
    reference.once('exit', (code) => reject(new Error(`reference exited with ${code}`)));
  });
  wasmlane = await serve(createApp((line: string) => logged.push(line)).fetch, { host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  reference?.kill('SIGTERM');
  await wasmlane?.close();
  restoreFetchGlobals();
});

describe('hono app: wasmlane vs @hono/node-server', () => {
  for (const c of CASES) {
    it(`${c.method ?? 'GET'} ${c.path}${c.headers ? ` ${JSON.stringify(c.headers)}` : ''}`, async () => {
      const sent = await encode(c);
      const [ours, theirs] = await Promise.all([ask(wasmlane.address.port, c, sent), ask(referencePort, c, sent)]);
      for (const { field, ours: expected } of c.differs ?? []) {
        expect(ours.headers[field]).toBe(expected);
        delete ours.headers[field];
        delete theirs.headers[field];
      }
      expect(ours).toEqual(theirs);
    });
  }

  it('ran hono/logger on wasmlane (lines for requests and responses)', () => {
    expect(logged.some((line) => line.includes('<-- GET /users/42'))).toBe(true);
    expect(logged.some((line) => /--> GET \/users\/42 .*200/.test(line))).toBe(true);
  });
});
