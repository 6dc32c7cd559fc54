// A cluster worker: runs the user's setup, attaches the cluster broker to every server that listens
// here, tells the primary when it listens, reports its counters, and drains on the primary's word
// (or on SIGTERM/SIGINT sent to it directly) with server.close({ timeoutMs }) before exiting.
import nodeCluster from 'node:cluster';
import { EventEmitter } from 'node:events';
import { pathToFileURL } from 'node:url';
import { ClusterBroker } from './broker.js';
import { asBuffer, isWl } from './protocol.js';
import type { ToPrimary, ToWorker, WorkerStats } from './protocol.js';
import { listeningServers, setListeningHook } from './registry.js';
import type { ManagedServer } from './registry.js';

export type SetupFunction = () => unknown;

export interface WorkerRuntimeOptions {
  setup: SetupFunction | string | URL;
  /** Attach the cluster broker to servers that have no broker of their own. */
  broker: boolean;
  statsIntervalMs: number;
  drainTimeoutMs: number;
  /** Run after the servers drained, before the worker exits (close Redis clients, flush logs …). */
  teardown: (() => unknown) | undefined;
}

/** Each listening server's broker (for routing forwarded publishes) by namespace. */
const brokers = new Map<string, ClusterBroker>();

export class ClusterWorker extends EventEmitter {
  readonly isPrimary = false;
  readonly index = Number(process.env.WASMLANE_WORKER_INDEX ?? 0);
  readonly #options: WorkerRuntimeOptions;
  readonly #started = Date.now();
  /** Every server this worker ran, for the request count. */
  readonly #adopted = new Set<ManagedServer>();
  #port = 0;
  #ready: Promise<void>;
  #closing: Promise<void> | null = null;

  constructor(options: WorkerRuntimeOptions) {
    super();
    this.#options = options;
    setListeningHook((server, port) => this.#adopt(server, port));
    process.on('message', (message: unknown) => this.#onMessage(message));
    const stop = (): void => void this.close();
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    this.#ready = this.#run();
    this.#ready.catch((error: unknown) => {
      // A worker that cannot serve exits non-zero: the primary counts it as a crash (with backoff).
      console.error('wasmlane cluster: worker setup failed:', error);
      process.exit(1);
    });
  }

  /** Resolves once setup finished and a server listens. */
  ready(): Promise<void> {
    return this.#ready;
  }

  /** Drain this worker's servers and exit. */
  close(options: { timeoutMs?: number } = {}): Promise<void> {
    this.#closing ??= this.#drain(options.timeoutMs ?? this.#options.drainTimeoutMs);
    return this.#closing;
  }

  stats(): WorkerStats {
    let connections = 0;
    let webSockets = 0;
    for (const s of listeningServers) {
      connections += s.connectionCount + s.webSockets.size;
      webSockets += s.webSockets.size;
    }
    const published = { published: 0, received: 0, lost: 0 };
    for (const b of brokers.values()) {
      published.published += b.counters.published;
      published.received += b.counters.received;
      published.lost += b.counters.lost;
    }
    let requests = 0;
    for (const s of this.#adopted) requests += s.requestsRouted;
    const memory = process.memoryUsage();
    const cpu = process.cpuUsage();
    return {
      pid: process.pid, index: this.index, requests, connections, webSockets,
      rss: memory.rss, heapUsed: memory.heapUsed, cpuUserUs: cpu.user, cpuSystemUs: cpu.system,
      uptimeMs: Date.now() - this.#started, broker: published,
    };
  }

  async #run(): Promise<void> {
    const { setup } = this.#options;
    if (typeof setup === 'function') {
      await setup();
    } else {
      const url = setup instanceof URL ? setup.href : pathToFileURL(setup).href;
      const mod = (await import(url)) as { default?: unknown };
      if (typeof mod.default === 'function') await (mod.default as SetupFunction)();
    }
    if (listeningServers.size === 0) throw new Error('wasmlane cluster: setup finished but no Server is listening');
    this.#send({ wl: 'listening', port: this.#port }); // the primary may now retire a worker this one replaces
    const timer = setInterval(() => this.#send({ wl: 'stats', stats: this.stats() }), this.#options.statsIntervalMs);
    timer.unref();
  }

  #adopt(server: ManagedServer, port: number): void {
    this.#adopted.add(server); // its requestsRouted counts into stats(), also after it closed
    if (this.#options.broker && server.topics.broker === undefined) {
      const broker = new ClusterBroker(String(port));
      brokers.set(broker.namespace, broker);
      server.topics.useBroker(broker);
    }
    if (this.#port === 0) this.#port = port;
  }

  #onMessage(message: unknown): void {
    if (!isWl(message)) return;
    const m = message as ToWorker;
    if (m.wl === 'pub') brokers.get(m.ns)?.receive(m.topic, asBuffer(m.data), m.bin);
    else if (m.wl === 'stats?') this.#send({ wl: 'stats', stats: this.stats() });
    else if (m.wl === 'drain') void this.close({ timeoutMs: m.timeoutMs });
  }

  async #drain(timeoutMs: number): Promise<void> {
    await Promise.all([...listeningServers].map((s) => s.close({ timeoutMs })));
    try {
      await this.#options.teardown?.();
    } finally {
      this.emit('drained');
      // Leave through worker.disconnect(): its exchange with the primary is ordered after any
      // connection the round-robin scheduler handed us before it saw our listener close, and those are
      // handed back (to another worker) instead of dying with this process. Then exit, so user
      // resources (intervals, clients) cannot keep a drained worker alive.
      const exit = (): void => void setImmediate(() => process.exit(0));
      if (nodeCluster.worker !== undefined && process.connected) {
        process.once('disconnect', exit);
        nodeCluster.worker.disconnect();
      } else {
        exit();
      }
    }
  }

  #send(message: ToPrimary): void {
    if (process.send === undefined || !process.connected) return;
    try {
      process.send(message);
    } catch {
      // the primary is gone; the worker exits with it
    }
  }
}
