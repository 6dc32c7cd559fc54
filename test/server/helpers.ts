// Shared helpers for the server tests: start a server on an ephemeral port, talk raw bytes over net.
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { Server } from '../../src/server.js';
import type { ServerOptions } from '../../src/config.js';
import { availableEngines } from '../../src/wasm/instance.js';
import type { EngineKind } from '../../src/wasm/instance.js';

/** The JS twin and the best WASM engine available here. */
export const ENGINES: EngineKind[] = (() => {
  const all = availableEngines();
  const wasm = all.find((e) => e !== 'js');
  return wasm === undefined ? ['js'] : ['js', wasm];
})();

export interface Running {
  server: Server;
  port: number;
  url: string;
  close(): Promise<void>;
}

export async function start(setup: (server: Server) => void, options: ServerOptions = {}): Promise<Running> {
  const server = new Server({ host: '127.0.0.1', port: 0, ...options });
  setup(server);
  const { port } = await server.listen();
  return { server, port, url: `http://127.0.0.1:${port}`, close: () => server.close({ timeoutMs: 500 }) };
}

export interface ExchangeOptions {
  /** Resolve once the received text matches (else when the server closes). */
  until?: RegExp | ((text: string) => boolean);
  /** Delay between writes so each lands in its own read on the server. */
  gapMs?: number;
  /** Give up (resolve with what arrived) after this long. */
  timeoutMs?: number;
  /** Half-close after the writes. */
  end?: boolean;
  /** Open the connection (default: TCP to 127.0.0.1:port); e.g. tls.connect for HTTPS tests. */
  connect?: () => Socket;
}

export interface Exchange {
  text: string;
  /** True when the server closed the connection. */
  closed: boolean;
}

/** Write `parts` one after another and collect what the server sends back. */
export function exchange(port: number, parts: (string | Buffer)[], options: ExchangeOptions = {}): Promise<Exchange> {
  const { until, gapMs = 0, timeoutMs = 3000 } = options;
  return new Promise((resolve) => {
    const socket: Socket = options.connect?.() ?? connect(port, '127.0.0.1');
    socket.setNoDelay(true);
    let text = '';
    let settled = false;
    const finish = (closed: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ text, closed });
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.on('data', (chunk) => {
      text += chunk.toString('latin1');
      if (until !== undefined && (typeof until === 'function' ? until(text) : until.test(text))) finish(false);
    });
    socket.on('error', () => finish(true));
    socket.on('close', () => finish(true));
    socket.on('connect', async () => {
      for (const part of parts) {
        if (socket.destroyed) return;
        socket.write(part);
        if (gapMs > 0) await new Promise((r) => setTimeout(r, gapMs));
      }
      if (options.end) socket.end();
    });
  });
}

/** Split a raw response stream into responses' status codes (in order). */
export function statuses(text: string): number[] {
  return [...text.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => Number(m[1]));
}

/** Count complete responses ending with the given body marker. */
export function count(text: string, needle: string): number {
  return text.split(needle).length - 1;
}
