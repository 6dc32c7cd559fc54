// Shared helpers for the TLS tests: one throwaway CA per test file (test/support/certs.ts), a server
// started with its leaf for localhost and 127.0.0.1, and undici agents that trust the CA.
import { Agent } from 'undici';
import type { ServerOptions } from '../../src/config.js';
import { Server } from '../../src/server.js';
import { makeTestCa } from '../support/certs.js';
import type { Leaf, TestCa } from '../support/certs.js';

export interface TlsRunning {
  server: Server;
  port: number;
  /** https://127.0.0.1:<port> */
  url: string;
  close(): Promise<void>;
}

let shared: { ca: TestCa; leaf: Leaf } | undefined;

/** The CA and the localhost/127.0.0.1 leaf of this test file, made on first use. */
export function testCerts(): { ca: TestCa; leaf: Leaf } {
  if (shared === undefined) {
    const ca = makeTestCa();
    shared = { ca, leaf: ca.leaf() };
  }
  return shared;
}

/** Start an HTTPS server on an ephemeral port with the test leaf (options.tls overrides it). */
export async function startTls(setup: (server: Server) => void, options: ServerOptions = {}): Promise<TlsRunning> {
  const { leaf } = testCerts();
  const server = new Server({ host: '127.0.0.1', port: 0, ...options, tls: { key: leaf.key, cert: leaf.cert, ...options.tls } });
  setup(server);
  const { port } = await server.listen();
  return { server, port, url: `https://127.0.0.1:${port}`, close: () => server.close({ timeoutMs: 500 }) };
}

/** An undici dispatcher that trusts the test CA (and nothing else). */
export function trustingAgent(options: Agent.Options = {}): Agent {
  return new Agent({ ...options, connect: { ca: testCerts().ca.ca, ...options.connect } });
}
