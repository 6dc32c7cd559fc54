// HTTPS: the same parser, router and response writer over node:tls sockets, with a throwaway CA and
// certificate made at test time (test/support/certs.ts). Real clients: undici trusting the CA
// (bodies, keep-alive, pipelining), curl --cacert, raw pipelined bytes over tls.connect, and the
// fetch adapter, whose request.url takes the https scheme.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, request } from 'undici';
import type { Agent } from 'undici';
import { mountFetch, restoreFetchGlobals } from '../../src/fetch/index.js';
import { opensslOrSkip } from '../support/certs.js';
import { exchange, statuses } from '../server/helpers.js';
import { connectTls, startTls, testCerts, trustingAgent } from './helpers.js';
import type { TlsRunning } from './helpers.js';

const hasOpenssl = opensslOrSkip('https.test');
const CURL = '/usr/bin/curl';

function setup(s: TlsRunning['server']): void {
  s.get('/hello', (ctx) => ctx.send('hello over tls'));
  s.get('/scheme', (ctx) => ctx.json({ secure: ctx.request.secure, protocol: ctx.request.protocol }));
  s.get('/port', (ctx) => ctx.send(String(ctx.request.remotePort)));
  s.post('/echo', async (ctx) => {
    const body = await ctx.request.body.bytes();
    ctx.header('x-chunked', String(ctx.request.header('transfer-encoding') === 'chunked')).send(body);
  });
  mountFetch(s, '/fetch', (req) => new Response(req.url), { overrideGlobals: false });
}

describe.skipIf(!hasOpenssl)('HTTPS with undici', () => {
  let app: TlsRunning;
  let agent: Agent;

  beforeAll(async () => {
    app = await startTls(setup);
    agent = trustingAgent();
  }, 20_000);

  afterAll(async () => {
    restoreFetchGlobals();
    await agent?.close();
    await app?.close();
  });

  it('answers a GET over TLS, and the request knows it is secure', async () => {
    const res = await request(`${app.url}/hello`, { dispatcher: agent });
    expect(res.statusCode).toBe(200);
    expect(await res.body.text()).toBe('hello over tls');
    const scheme = await request(`${app.url}/scheme`, { dispatcher: agent });
    expect(await scheme.body.json()).toEqual({ secure: true, protocol: 'https' });
  });

  it('reads Content-Length and chunked request bodies', async () => {
    const big = Buffer.alloc(300 * 1024, 'abcdefghij'); // many TLS records (16 KiB each)
    const sized = await request(`${app.url}/echo`, { method: 'POST', body: big, dispatcher: agent });
    expect(sized.headers['x-chunked']).toBe('false');
    expect(Buffer.from(await sized.body.arrayBuffer()).equals(big)).toBe(true);
    const parts = ['one,', 'two,', 'three'];
    const chunked = await request(`${app.url}/echo`, { method: 'POST', body: Readable.from(parts), dispatcher: agent });
    expect(chunked.headers['x-chunked']).toBe('true');
    expect(await chunked.body.text()).toBe('one,two,three');
  });

  it('keeps the TLS connection alive across requests', async () => {
    const client = new Client(app.url, { connect: { ca: testCerts().ca.ca } });
    try {
      const ports: string[] = [];
      for (let i = 0; i < 3; i++) ports.push(await (await client.request({ path: '/port', method: 'GET' })).body.text());
      expect(new Set(ports).size).toBe(1);
    } finally {
      await client.close();
    }
  });

  it('answers pipelined requests in order (undici pipelining and one raw write)', async () => {
    const client = new Client(app.url, { connect: { ca: testCerts().ca.ca }, pipelining: 4 });
    try {
      const bodies = await Promise.all(['/hello', '/port', '/hello', '/port'].map(async (path) =>
        (await client.request({ path, method: 'GET' })).body.text()));
      expect(bodies[0]).toBe('hello over tls');
      expect(bodies[1]).toBe(bodies[3]); // one connection
    } finally {
      await client.close();
    }
    const get = (path: string): string => `GET ${path} HTTP/1.1\r\nHost: localhost\r\n\r\n`;
    const raw = await exchange(app.port, [get('/hello') + get('/nope') + get('/scheme')], {
      connect: () => connectTls(app.port), until: /"protocol":"https"\}$/,
    });
    expect(statuses(raw.text)).toEqual([200, 404, 200]);
  });

  it('gives the fetch adapter an https:// request.url', async () => {
    const res = await request(`${app.url}/fetch/x?y=1`, { dispatcher: agent, headers: { host: `localhost:${app.port}` } });
    expect(await res.body.text()).toBe(`https://localhost:${app.port}/fetch/x?y=1`);
  });
});

function curl(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(CURL, ['-sS', '--max-time', '10', ...args], (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : Number((error as { code?: unknown }).code ?? -1), stdout, stderr });
    });
  });
}

describe.skipIf(!hasOpenssl)('HTTPS with curl --cacert', () => {
  let app: TlsRunning;
  let dir: string;
  let caFile: string;

  beforeAll(async () => {
    app = await startTls(setup);
    dir = mkdtempSync(join(tmpdir(), 'wasmlane-curl-'));
    caFile = join(dir, 'ca.pem');
    writeFileSync(caFile, testCerts().ca.ca);
  }, 20_000);

  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await app?.close();
  });

  it('verifies the certificate for localhost and 127.0.0.1 and gets the answer', async () => {
    const byName = await curl(['--cacert', caFile, '--resolve', `localhost:${app.port}:127.0.0.1`,
      '-w', ' %{http_code} %{http_version} %{ssl_verify_result}', `https://localhost:${app.port}/hello`]);
    expect(byName).toMatchObject({ code: 0, stdout: 'hello over tls 200 1.1 0' });
    const byIp = await curl(['--cacert', caFile, `${app.url}/scheme`]);
    expect(JSON.parse(byIp.stdout)).toEqual({ secure: true, protocol: 'https' });
  });

  it('posts a body', async () => {
    const posted = await curl(['--cacert', caFile, '--data-binary', 'curl body', `${app.url}/echo`]);
    expect(posted).toMatchObject({ code: 0, stdout: 'curl body' });
  });

  it('is refused by a curl that does not trust the CA (exit 60: certificate problem)', async () => {
    const untrusted = await curl([`${app.url}/hello`]);
    expect(untrusted.code).toBe(60);
  });
});
