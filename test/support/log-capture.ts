// A real pino logger writing JSON lines into memory, for tests that check what the server logs.
import { Writable } from 'node:stream';
import pino from 'pino';

export interface Line {
  level: number;
  msg: string;
  reqId?: string;
  method?: string;
  path?: string;
  status?: number;
  bytes?: number;
  durationMs?: number;
  err?: { message?: string; code?: string };
  remoteAddress?: string;
  maxConnections?: number;
}

export function capture(): { logger: pino.Logger; lines: Line[] } {
  const lines: Line[] = [];
  let partial = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      partial += chunk.toString('utf8');
      let nl: number;
      while ((nl = partial.indexOf('\n')) >= 0) {
        lines.push(JSON.parse(partial.slice(0, nl)) as Line);
        partial = partial.slice(nl + 1);
      }
      callback();
    },
  });
  return { logger: pino({ level: 'debug' }, sink), lines };
}

export async function waitFor<T>(find: () => T | undefined): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const hit = find();
    if (hit !== undefined) return hit;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('log line never came');
}
