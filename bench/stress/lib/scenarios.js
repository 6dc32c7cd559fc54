// The seven attacks, their sizes (default and --quick) and the servers each runs against. Every
// attack is bounded in count and in time; the servers are bench/stress/servers/*.js, one fresh child
// process per scenario × server so that each peak RSS (and VmHWM) belongs to one attack only.
import { pingFlood, echoFlood, stalledSubscriber } from './attacks-ws.js';
import { slowBodies, tinySegments, chunkSizeLine, hungHandler } from './attacks-http.js';

const MiB = 1024 * 1024;

const wasmlane = (label, config) => ({ impl: 'wasmlane', label, script: 'wasmlane.js', config });
const nodeHttp = (label, config) => ({ impl: 'node-http', label, script: 'node-http.js', config });
const ws = (label) => ({ impl: 'ws', label, script: 'ws.js', config: {} });

/**
 * @param {{quick: boolean, pendingPongs: number|null, engine: string}} o
 * @returns {{id: string, n: number, title: string, params: object, attack: Function, servers: object[]}[]}
 */
export function scenarios(o) {
  const q = o.quick;
  const wl = (extra = {}) => ({ engine: o.engine, ...extra });
  const slowTimeoutMs = q ? 3000 : 5000;
  const handlerTimeoutMs = 2000;
  const overLimit = q ? { maxBody: 64 * 1024, bodySize: 256 * 1024 } : { maxBody: 1 * MiB, bodySize: 4_000_000 };
  return [
    {
      id: 'ping-flood',
      n: 1,
      title: `ping flood: ${(q ? 250_000 : 1_000_000).toLocaleString('en-US')} masked pings (125 B), client never reads`,
      params: { pings: q ? 250_000 : 1_000_000, maxMs: q ? 12_000 : 30_000, stallMs: 2000, readBackMs: q ? 3000 : 5000 },
      attack: pingFlood,
      servers: [
        wasmlane(o.pendingPongs != null ? `wasmlane (maxPendingPongs ${o.pendingPongs})` : 'wasmlane', wl(o.pendingPongs != null ? { maxPendingPongs: o.pendingPongs } : {})),
        ws('ws + bufferutil'),
      ],
    },
    {
      id: 'echo-flood',
      n: 2,
      title: `echo flood: 64 KiB text messages for ${q ? 3 : 10} s, replies never read`,
      params: { messageSize: 64 * 1024, seconds: q ? 3 : 10, maxBytes: (q ? 1 : 4) * 1024 * MiB, stallMs: 1000, readBackMs: q ? 2000 : 3000 },
      attack: echoFlood,
      servers: [wasmlane('wasmlane', wl()), ws('ws + bufferutil')],
    },
    {
      id: 'slow-bodies',
      n: 3,
      title: `slow bodies: ${q ? 50 : 200} connections × 1 body byte / 100 ms, request timeout ${slowTimeoutMs / 1000} s`,
      params: { connections: q ? 50 : 200, tickMs: 100, bodySize: 100_000, boundMs: slowTimeoutMs + (q ? 2000 : 5000) },
      attack: slowBodies,
      servers: [
        wasmlane(`wasmlane (requestTimeoutMs ${slowTimeoutMs})`, wl({ request: { requestTimeoutMs: slowTimeoutMs } })),
        nodeHttp(`node:http (requestTimeout ${slowTimeoutMs})`, { requestTimeout: slowTimeoutMs }),
      ],
    },
    {
      id: 'tiny-segments',
      n: 4,
      title: `1-byte segments: 8 clients × ${q ? '64 KiB' : '1 MB'} Content-Length body in 1-byte writes`,
      params: { clients: 8, bodySize: q ? 64 * 1024 : 1_000_000, chunked: false, maxMs: q ? 10_000 : 40_000, responseWaitMs: 3000 },
      attack: tinySegments,
      servers: [wasmlane('wasmlane', wl()), nodeHttp('node:http', {})],
    },
    {
      id: 'tiny-segments-over-limit',
      n: 4,
      title: `1-byte segments over the limit: 8 clients × ${q ? '256 KiB' : '4 MB'} chunked body, body limit ${overLimit.maxBody / 1024} KiB`,
      params: { clients: 8, bodySize: overLimit.bodySize, limit: overLimit.maxBody, chunked: true, maxMs: q ? 10_000 : 40_000, responseWaitMs: 3000 },
      attack: tinySegments,
      servers: [
        wasmlane(`wasmlane (maxBodySize ${overLimit.maxBody / 1024} KiB)`, wl({ request: { maxBodySize: overLimit.maxBody } })),
        nodeHttp(`node:http (app limit ${overLimit.maxBody / 1024} KiB)`, { maxBodySize: overLimit.maxBody }),
      ],
    },
    {
      id: 'chunk-size-line',
      n: 5,
      title: `endless chunk-size line: '0' forever (bounded at ${q ? '256 MB' : '1 GB'} or ${q ? 5 : 15} s)`,
      params: { maxBytes: q ? 256e6 : 1e9, maxMs: q ? 5000 : 15_000 },
      attack: chunkSizeLine,
      servers: [wasmlane('wasmlane', wl()), nodeHttp('node:http', {})],
    },
    {
      id: 'stalled-subscriber',
      n: 6,
      title: `stalled subscriber: 64 KiB messages published for ${q ? 3 : 10} s to a topic whose one subscriber never reads`,
      params: { messageSize: 64 * 1024, seconds: q ? 3 : 10, maxBytes: (q ? 1 : 4) * 1024 * MiB, stallMs: 1000, readBackMs: q ? 2000 : 3000 },
      attack: stalledSubscriber,
      servers: [
        wasmlane("wasmlane (slowConsumerPolicy 'close')", wl({ slowConsumerPolicy: 'close' })),
        wasmlane("wasmlane (slowConsumerPolicy 'drop')", wl({ slowConsumerPolicy: 'drop' })),
        ws('ws + bufferutil (plain loop)'),
      ],
    },
    {
      id: 'hung-handler',
      n: 7,
      title: `never-settling handler: 200 requests, handler timeout ${handlerTimeoutMs / 1000} s`,
      params: { connections: 200, boundMs: q ? 4000 : 8000 },
      attack: hungHandler,
      servers: [
        wasmlane(`wasmlane (handlerTimeoutMs ${handlerTimeoutMs})`, wl({ request: { handlerTimeoutMs } })),
        nodeHttp('node:http (no handler timeout)', {}),
      ],
    },
  ];
}
