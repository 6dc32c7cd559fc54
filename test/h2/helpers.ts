// Shared helpers for the HTTP/2 tests: an HTTPS server with `http2: true` (test/tls/helpers.ts: a
// throwaway CA per test file, made at test time), and three clients that trust that CA — undici with
// allowH2, curl --http2 (its CA written to a temporary file removed when the process exits), and
// node:http2 for what the others do not expose (GOAWAY, RST_STREAM codes, SETTINGS, raw streams).
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:http2';
import type { ClientHttp2Session, IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http2';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Agent } from 'undici';
import type { ServerOptions } from '../../src/config.js';
import type { Server } from '../../src/server.js';
import { startTls, testCerts, trustingAgent } from '../tls/helpers.js';
import type { TlsRunning } from '../tls/helpers.js';

export const CURL = '/usr/bin/curl';

/** An HTTPS server offering h2 and http/1.1 on one port. */
export function startH2(setup: (server: Server) => void, options: ServerOptions = {}): Promise<TlsRunning> {
  return startTls(setup, { http2: true, ...options });
}

/** undici speaking HTTP/2 (ALPN h2) to the test server. */
export function h2Agent(options: Agent.Options = {}): Agent {
  return trustingAgent({ allowH2: true, ...options });
}

let caFile: string | undefined;

/** The test CA as a PEM file for curl --cacert (one per process, removed at exit). */
function caPath(): string {
  if (caFile === undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'wasmlane-h2-ca-'));
    caFile = join(dir, 'ca.pem');
    writeFileSync(caFile, testCerts().ca.ca);
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  return caFile;
}

export interface CurlResult {
  readonly code: number;
  readonly stdout: Buffer;
  readonly stderr: string;
}

/** Run curl trusting the test CA (bounded: 15 s); never rejects. */
export function curl(args: readonly string[], input?: Buffer): Promise<CurlResult> {
  return new Promise((resolve) => {
    const child = execFile(CURL, ['-sS', '--max-time', '15', '--cacert', caPath(), ...args],
      { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024, timeout: 20_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        resolve({ code, stdout, stderr: stderr.toString('utf8') });
      });
    if (input !== undefined) child.stdin!.end(input);
  });
}

/** A node:http2 client session to the test server (trusting the test CA), once the server's
 *  SETTINGS arrived. */
export function h2Session(url: string, options: { settings?: Record<string, number> } = {}): Promise<ClientHttp2Session> {
  return new Promise((resolve, reject) => {
    const session = connect(url, { ca: testCerts().ca.ca, ...options });
    session.once('remoteSettings', () => resolve(session));
    session.once('error', reject);
  });
}

/** Wait until `done()` holds, checking every 10 ms; fails after `ms`. */
export async function eventually(done: () => boolean, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!done()) {
    if (Date.now() > until) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export interface H2Response {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  /** RST_STREAM code the stream closed with (0 = NO_ERROR, or a clean end). */
  readonly rstCode: number;
}

/** One request on a node:http2 session; resolves when the stream closes (even when reset). */
export function h2Request(session: ClientHttp2Session, headers: OutgoingHttpHeaders, body?: Buffer | string): Promise<H2Response> {
  return new Promise((resolve) => {
    const stream = session.request(headers, { endStream: body === undefined });
    let status = 0;
    let responseHeaders: IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];
    stream.on('response', (h) => {
      responseHeaders = h;
      status = Number(h[':status']);
    });
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('error', () => {}); // a reset: reported through rstCode
    stream.on('close', () => resolve({ status, headers: responseHeaders, body: Buffer.concat(chunks), rstCode: stream.rstCode ?? 0 }));
    if (body !== undefined) stream.end(body);
  });
}
