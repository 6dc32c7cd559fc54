// Topics across processes through a real Redis: two or three wasmlane processes (child processes,
// each its own RedisBroker) on different ports share one redis-server that this file starts on a
// free 127.0.0.1 port (test/support/redis-server.ts). WebSocket (`ws`) and SSE clients on every
// process; every message must arrive exactly once and in order per publisher. Then Redis is killed
// and restarted mid-stream: the brokers reconnect and resubscribe, and what was lost is counted
// (publishes attempted while down, gaps seen by receivers) and matches what the clients missed.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocketClient from 'ws';
import { killAll, startChild } from '../support/children.js';
import type { Child } from '../support/children.js';
import { RedisServer, findRedisServer } from '../support/redis-server.js';
import { openEvents } from '../support/sse-client.js';
import type { EventSourceLike } from '../support/sse-client.js';

const NODE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'redis-node.mjs');
const binary = findRedisServer();
if (binary === null) {
  console.warn('SKIPPED test/scale/redis.test.ts: redis-server not found (apt-get install redis-server; .ci/run does)');
}

interface Receiver {
  messages: string[];
  close(): void;
  /** Resolves once `check` holds over the messages (bounded by timeoutMs). */
  until(check: (messages: string[]) => boolean, timeoutMs?: number): Promise<void>;
}

function poll(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + timeoutMs;
    const tick = (): void => {
      if (check()) return resolve();
      if (Date.now() > deadline) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(tick, 20);
    };
    tick();
  });
}

async function wsReceiver(port: number): Promise<Receiver> {
  const ws = new WebSocketClient(`ws://127.0.0.1:${port}/ws`);
  const messages: string[] = [];
  await new Promise<void>((resolve, reject) => {
    ws.once('error', reject);
    ws.on('message', (data) => {
      const text = String(data);
      if (text === 'ready') return resolve(); // subscribed on the server
      messages.push(text);
    });
  });
  return {
    messages,
    close: () => ws.terminate(),
    until: (check, timeoutMs = 15_000) => poll(() => check(messages), timeoutMs, 'WebSocket messages'),
  };
}

async function sseReceiver(port: number): Promise<Receiver> {
  const events: EventSourceLike = await openEvents(`http://127.0.0.1:${port}/sse`);
  await events.waitFor(1, 10_000); // the 'ready' event: subscribed
  const view = (): string[] => events.parser.events.filter((e) => e.event === 'message').map((e) => e.data);
  return {
    get messages() {
      return view();
    },
    close: () => events.abort(),
    until: (check, timeoutMs = 15_000) => poll(() => check(view()), timeoutMs, 'SSE events'),
  };
}

async function stats(node: Child): Promise<Record<string, number | boolean | Record<string, number>>> {
  const before = node.lines.length;
  node.send('stats');
  const line = await node.next((l) => 'stats' in l && node.lines.indexOf(l) >= before);
  return line.stats as Record<string, number | boolean | Record<string, number>>;
}

/** Wait until Redis confirmed the process's subscription to the topic's channel. */
async function subscribed(node: Child): Promise<void> {
  const deadline = Date.now() + 10_000;
  while ((await stats(node)).subscribed !== 1) {
    if (Date.now() > deadline) throw new Error('no Redis subscription confirmed within 10 s');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Every publisher's messages once each, in order: `name:0`, `name:1`, … */
function checkOrder(messages: string[], publishers: Record<string, number>): void {
  const next: Record<string, number> = {};
  for (const m of messages) {
    const [name, n] = m.split(':');
    expect(Number(n), `${m} out of order or twice`).toBe(next[name!] ?? 0);
    next[name!] = Number(n) + 1;
  }
  expect(next).toEqual(publishers);
}

describe.skipIf(binary === null)('topics across processes through a real redis-server', () => {
  let redis: RedisServer;
  const receivers: Receiver[] = [];

  beforeAll(async () => {
    redis = await RedisServer.start(binary!);
  });
  afterEach(async () => {
    for (const r of receivers.splice(0)) r.close();
    await killAll();
  });
  afterAll(async () => {
    await killAll();
    await redis?.stop();
  });

  async function startNode(name: string): Promise<{ child: Child; port: number }> {
    const child = startChild(NODE, [redis.url, name]);
    const { port } = await child.next((l) => 'port' in l);
    return { child, port: port as number };
  }

  it('three processes: every message reaches every WebSocket and SSE client on every process once, in order', async () => {
    const nodes = await Promise.all(['a', 'b', 'c'].map(startNode));
    for (const node of nodes) {
      receivers.push(await wsReceiver(node.port), await wsReceiver(node.port), await sseReceiver(node.port));
    }
    for (const node of nodes) await subscribed(node.child);
    const COUNT = 200;
    for (const node of nodes) node.child.send(`publish ${COUNT}`);
    const expected = { a: COUNT, b: COUNT, c: COUNT };
    for (const r of receivers) await r.until((m) => m.length >= 3 * COUNT);
    await new Promise((r) => setTimeout(r, 100)); // a duplicate would arrive right after
    for (const r of receivers) checkOrder(r.messages, expected);
    for (const node of nodes) {
      const s = await stats(node.child);
      expect(s.published).toBe(COUNT);
      expect(s.received).toBe(2 * COUNT); // the others' messages; its own were delivered locally
      expect(s.lostPublishes).toBe(0);
      expect(s.missed).toBe(0);
    }
  }, 60_000);

  it('Redis killed and restarted mid-stream: reconnect, resubscribe, and the loss is counted and reported', async () => {
    const [a, b] = await Promise.all(['a', 'b'].map(startNode));
    receivers.push(await wsReceiver(b!.port), await sseReceiver(b!.port));
    await subscribed(b!.child);

    a!.child.send('stream-start 5'); // 'a:0', 'a:1', … every 5 ms
    for (const r of receivers) await r.until((m) => m.length >= 20);
    await redis.kill();
    await a!.child.next((l) => l.event === 'down');
    await new Promise((r) => setTimeout(r, 300)); // publishes go on while Redis is down
    await redis.restart();
    await a!.child.next((l) => l.event === 'up', 15_000);
    await b!.child.next((l) => l.event === 'up', 15_000);
    // After the restart, b resubscribed and new messages flow again.
    const resumedAt = receivers.map((r) => r.messages.length);
    for (const [i, r] of receivers.entries()) await r.until((m) => m.length >= resumedAt[i]! + 20);
    a!.child.send('stream-stop');
    const streamed = (await a!.child.next((l) => 'streamed' in l)).streamed as number;
    const sa = await stats(a!.child);
    const last = `a:${streamed - 1}`;
    for (const r of receivers) await r.until((m) => m.includes(last));
    const sb = await stats(b!.child);

    expect(sa.reconnects).toBeGreaterThanOrEqual(1);
    expect(sb.reconnects).toBeGreaterThanOrEqual(1);
    // Publishes attempted while the connection was down were counted (and reported as 'lost' events).
    expect(sa.lostPublishes).toBeGreaterThan(0);
    expect((sa.lostEvents as Record<string, number>).publish).toBe(sa.lostPublishes);
    for (const r of receivers) {
      const seen = r.messages.map((m) => Number(m.split(':')[1]));
      // Once each and in order; exactly the gaps b counted are missing.
      for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThan(seen[i - 1]!);
      expect(new Set(seen).size).toBe(seen.length);
      const missing = streamed - seen.length;
      expect(missing).toBeGreaterThan(0);
      expect(missing).toBe(sb.missed);
      expect((sb.lostEvents as Record<string, number>).receive).toBe(missing);
    }
  }, 60_000);
});
