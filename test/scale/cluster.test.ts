// cluster({ workers: 2, setup }) over real sockets: a child process is the primary (the fixture is
// also the workers' entry), the test talks to the shared port with fresh connections so that the
// round-robin scheduler spreads them. Both workers answer; a publish in one worker reaches the
// WebSocket clients of the other exactly once; a worker killed mid-load costs only requests that
// had reached it and is replaced; a rolling restart refuses nothing; SIGTERM drains in-flight work.
import { get } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocketClient from 'ws';
import { killAll, startChild } from '../support/children.js';
import type { Child } from '../support/children.js';

const APP = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'cluster-app.mjs');

/** GET over a new connection (agent: false → Connection: close); rejects on error or after 5 s. */
function fetchText(port: number, target: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = get({ host: '127.0.0.1', port, path: target, agent: false, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

async function startCluster(): Promise<{ app: Child; port: number; pids: number[] }> {
  const app = startChild(APP, ['2']);
  const ready = await app.next((l) => l.ready === true, 20_000);
  return { app, port: ready.port as number, pids: ready.pids as number[] };
}

interface Outcome {
  startedAt: number;
  ok: boolean;
  pid: number;
  error?: string;
}

/** `loops` clients issuing GET /pid back to back until stop() (each on a new connection). */
function load(port: number, loops: number): { outcomes: Outcome[]; stop: () => Promise<void> } {
  const outcomes: Outcome[] = [];
  let running = true;
  const workers = Array.from({ length: loops }, async () => {
    while (running) {
      const startedAt = Date.now();
      try {
        const { status, body } = await fetchText(port, '/pid');
        outcomes.push({ startedAt, ok: status === 200, pid: Number(body) });
      } catch (error) {
        outcomes.push({ startedAt, ok: false, pid: 0, error: String(error) });
      }
    }
  });
  return {
    outcomes,
    stop: async () => {
      running = false;
      await Promise.all(workers);
    },
  };
}

function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + timeoutMs;
    const tick = (): void => {
      if (check()) return resolve();
      if (Date.now() > deadline) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(tick, 10);
    };
    tick();
  });
}

describe('cluster() on one port', () => {
  afterEach(async () => {
    await killAll();
  });

  it('answers from both workers on one port', async () => {
    const { port, pids } = await startCluster();
    expect(pids).toHaveLength(2);
    const seen = new Set<number>();
    for (let i = 0; i < 20 && seen.size < 2; i++) seen.add(Number((await fetchText(port, '/pid')).body));
    expect([...seen].sort()).toEqual([...pids].sort());
  }, 40_000);

  it('a publish in one worker reaches WebSocket clients on the other, once each and in order', async () => {
    const { port, pids } = await startCluster();
    const clients: { pid: number; messages: string[]; ws: WebSocketClient }[] = [];
    try {
      for (let i = 0; i < 6; i++) {
        const ws = new WebSocketClient(`ws://127.0.0.1:${port}/ws`);
        const client = { pid: 0, messages: [] as string[], ws };
        await new Promise<void>((resolve, reject) => {
          ws.once('error', reject);
          ws.on('message', (data) => {
            const text = String(data);
            if (text.startsWith('pid:')) {
              client.pid = Number(text.slice(4));
              resolve();
            } else {
              client.messages.push(text);
            }
          });
        });
        clients.push(client);
      }
      expect(new Set(clients.map((c) => c.pid))).toEqual(new Set(pids)); // clients on both workers
      // Warm-up: probes until every client saw one (each worker's subscription reached the primary).
      for (let k = 0; !clients.every((c) => c.messages.some((m) => m.startsWith('probe'))); k++) {
        if (k > 200) throw new Error('subscriptions never reached the primary');
        await fetchText(port, `/publish?text=probe${k}`);
        await new Promise((r) => setTimeout(r, 10));
      }
      const byPublisher = new Map<number, string[]>();
      for (let i = 0; i < 30; i++) {
        const text = `m${i}`;
        const publisher = Number((await fetchText(port, `/publish?text=${text}`)).body);
        byPublisher.set(publisher, [...(byPublisher.get(publisher) ?? []), text]);
      }
      expect(new Set(byPublisher.keys())).toEqual(new Set(pids)); // both workers published
      for (const c of clients) {
        await until(() => c.messages.filter((m) => m.startsWith('m')).length >= 30, 10_000, 'published messages');
      }
      await new Promise((r) => setTimeout(r, 100)); // a duplicate would arrive right after
      for (const c of clients) {
        const got = c.messages.filter((m) => m.startsWith('m'));
        expect(got).toHaveLength(30); // exactly once each
        for (const [, sent] of byPublisher) expect(got.filter((m) => sent.includes(m))).toEqual(sent); // in order
      }
    } finally {
      for (const c of clients) c.ws.terminate();
    }
  }, 40_000);

  it('a worker killed mid-load loses only requests that had reached it, and a replacement starts', async () => {
    const { app, port, pids } = await startCluster();
    const run = load(port, 6);
    await until(() => run.outcomes.filter((o) => o.ok).length >= 50, 15_000, 'load');
    process.kill(pids[0]!, 'SIGKILL');
    await app.next((l) => l.event === 'exit' && l.pid === pids[0]);
    const exitSeenAt = Date.now();
    await app.next((l) => l.event === 'restart');
    await until(() => run.outcomes.some((o) => o.ok && !pids.includes(o.pid)), 15_000, 'a replacement worker');
    await run.stop();
    const failed = run.outcomes.filter((o) => !o.ok);
    // At most the requests in flight when the worker died (one per client loop) failed …
    expect(failed.length).toBeLessThanOrEqual(6);
    // … and every request started after the primary saw the exit was answered.
    expect(run.outcomes.filter((o) => o.startedAt >= exitSeenAt && !o.ok)).toEqual([]);
    expect(run.outcomes.filter((o) => o.startedAt >= exitSeenAt).length).toBeGreaterThan(0);
  }, 40_000);

  it('restart() replaces workers one at a time without refusing a connection', async () => {
    const { app, port, pids } = await startCluster();
    const run = load(port, 4);
    await until(() => run.outcomes.length >= 20, 15_000, 'load');
    app.send('restart');
    const restarted = await app.next((l) => l.restarted === true, 30_000);
    const after = run.outcomes.length;
    await until(() => run.outcomes.length >= after + 20, 15_000, 'load after the restart');
    await run.stop();
    expect(run.outcomes.filter((o) => !o.ok)).toEqual([]);
    const fresh = restarted.pids as number[];
    expect(fresh).toHaveLength(2);
    for (const pid of fresh) expect(pids).not.toContain(pid);
    expect(run.outcomes.some((o) => fresh.includes(o.pid))).toBe(true);
    app.send('stats');
    const stats = (await app.next((l) => 'stats' in l)).stats as { restarts: number; workers: { healthy: boolean }[] };
    expect(stats.restarts).toBe(2);
    expect(stats.workers.map((w) => w.healthy)).toEqual([true, true]);
  }, 60_000);

  it('SIGTERM drains: an in-flight request completes, then the primary exits with the signal', async () => {
    const { app, port } = await startCluster();
    const slow = fetchText(port, '/slow');
    // Wait until a worker holds the connection (its counters say so), then stop the cluster.
    for (let k = 0; ; k++) {
      const before = app.lines.length;
      app.send('stats');
      const line = await app.next((l) => 'stats' in l && app.lines.indexOf(l) >= before);
      if ((line.stats as { connections: number }).connections > 0) break;
      if (k > 100) throw new Error('the request never reached a worker');
    }
    app.process.kill('SIGTERM');
    const answer = await slow;
    expect(answer.status).toBe(200);
    const exit = await app.exited;
    expect(exit.signal).toBe('SIGTERM');
    expect(app.lines.filter((l) => l.event === 'exit').every((l) => l.expected === true)).toBe(true);
  }, 40_000);
});
