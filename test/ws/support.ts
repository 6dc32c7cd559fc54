// Shared by the frame-encoding and writer tests: a Receiver that records events, and the ws
// package's own protocol classes for cross-checks.
import { createRequire } from 'node:module';
import { Receiver } from '../../src/ws/receiver.js';
import type { EngineKind } from '../../src/wasm/instance.js';
import type { MessageInflater } from '../../src/ws/protocol.js';

const require = createRequire(import.meta.url);
// ws's package.json "exports" hides lib/; load the files by path (test-only cross-check).
const wsLib = (f: string) => require(require.resolve('ws').replace(/index\.js$/, `lib/${f}`));
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const WsReceiver = wsLib('receiver.js') as any;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const WsSender = wsLib('sender.js') as any;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const WsPerMessageDeflate = wsLib('permessage-deflate.js') as any;

export type Ev = [string, ...unknown[]];

/** Feed `bytes` to our Receiver in uneven pieces; resolves with its events at the close (or error). */
export function receive(bytes: Buffer, isServer: boolean, engine: EngineKind, inflate?: MessageInflater): Promise<Ev[]> {
  return new Promise((resolve) => {
    const events: Ev[] = [];
    const r = new Receiver({ engine, isServer, ...(inflate ? { inflate } : {}) }, {
      message: (d, b) => events.push(['message', b ? 'binary' : 'text', d.toString('hex')]),
      ping: (d) => events.push(['ping', d.toString('hex')]),
      pong: (d) => events.push(['pong', d.toString('hex')]),
      close: (c, d) => { events.push(['close', c, d.toString()]); resolve(events); },
      error: (e) => { events.push(['error', e.code]); resolve(events); },
    });
    // Feed in uneven pieces to exercise reassembly.
    for (let i = 0; i < bytes.length; i += 7777) r.write(Buffer.from(bytes.subarray(i, i + 7777)));
    setTimeout(() => resolve(events), 1500);
  });
}
