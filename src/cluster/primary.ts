// The cluster primary: forks the workers (node:cluster, one listening port shared by all), restarts
// crashed ones with exponential backoff (bounded), replaces them one at a time on restart() (the new
// worker listens before the old one drains, so the port never stops accepting), drains them all on
// close() or SIGTERM/SIGINT, relays topic messages between them (src/cluster/broker.ts) and collects
// the counters they report.
import cluster from 'node:cluster';
import type { Worker } from 'node:cluster';
import { EventEmitter } from 'node:events';
import { ClusterRelay } from './broker.js';
import { isWl } from './protocol.js';
import type { ToPrimary, ToWorker, WorkerStats } from './protocol.js';

export interface PrimaryOptions {
  workers: number;
  schedulingPolicy: 'rr' | 'os';
  /** Script the workers run (the internal bootstrap for a module-path setup); default: this entry. */
  exec: string | undefined;
  env: Record<string, string>;
  restartDelayMs: number;
  maxRestartDelayMs: number;
  /** Consecutive quick crashes of one slot before it is given up ('giveup' event). */
  maxRestarts: number;
  /** A worker that lived this long resets its slot's crash count. */
  stableMs: number;
  drainTimeoutMs: number;
  statsIntervalMs: number;
  /** How long a (re)started worker may take to listen. */
  readyTimeoutMs: number;
  signals: boolean;
}

export interface WorkerReport extends WorkerStats {
  /** A report arrived within three stats intervals (its event loop is turning). */
  healthy: boolean;
  /** Restarts of this slot so far (crashes and rolling restarts). */
  restarts: number;
}

export interface ClusterStats {
  workers: WorkerReport[];
  requests: number;
  connections: number;
  restarts: number;
}

interface Slot {
  readonly index: number;
  worker: Worker | null;
  startedAt: number;
  crashes: number;
  restarts: number;
  timer: NodeJS.Timeout | null;
}

interface Info {
  slot: Slot;
  listening: boolean;
  stats: WorkerStats | null;
  lastSeen: number;
  waiters: ((ok: boolean) => void)[];
  statWaiters: (() => void)[];
}

export class ClusterPrimary extends EventEmitter {
  readonly isPrimary = true;
  readonly #options: PrimaryOptions;
  readonly #slots: Slot[] = [];
  readonly #info = new Map<Worker, Info>();
  readonly #relay = new ClusterRelay<Worker>();
  readonly #retiring = new Set<Worker>();
  readonly #ready: Promise<void>;
  #closing: Promise<void> | null = null;
  #totalRestarts = 0;
  readonly #onSignal = (signal: NodeJS.Signals): void => {
    void this.close().finally(() => {
      // Then the signal's default action (exit with it), as if we had never caught it.
      process.removeListener('SIGTERM', this.#onSignal);
      process.removeListener('SIGINT', this.#onSignal);
      process.kill(process.pid, signal);
    });
  };

  constructor(options: PrimaryOptions) {
    super();
    this.#options = options;
    // Must be set before the first fork; NODE_CLUSTER_SCHED_POLICY is overridden on purpose.
    cluster.schedulingPolicy = options.schedulingPolicy === 'os' ? cluster.SCHED_NONE : cluster.SCHED_RR;
    cluster.setupPrimary({ serialization: 'advanced', ...(options.exec !== undefined ? { exec: options.exec, args: [] } : {}) });
    const started: Promise<boolean>[] = [];
    for (let index = 0; index < options.workers; index++) {
      const slot: Slot = { index, worker: null, startedAt: 0, crashes: 0, restarts: 0, timer: null };
      this.#slots.push(slot);
      started.push(this.#startSlot(slot));
    }
    this.#ready = Promise.all(started).then(() => undefined);
    if (options.signals) {
      process.on('SIGTERM', this.#onSignal);
      process.on('SIGINT', this.#onSignal);
    }
  }

  /** Resolves when every worker of the first generation listens (crashed ones are retried first). */
  ready(): Promise<void> {
    return this.#ready;
  }

  /** Pids of the current workers, by slot. */
  get pids(): number[] {
    return this.#slots.flatMap((s) => (s.worker?.process.pid !== undefined ? [s.worker.process.pid] : []));
  }

  /** Fresh counters from every worker (each asked; the last report is used if one does not answer in 1 s). */
  async stats(): Promise<ClusterStats> {
    const workers = this.#slots.flatMap((s) => (s.worker !== null ? [s.worker] : []));
    await Promise.all(workers.map((w) => this.#askStats(w)));
    const now = Date.now();
    const reports: WorkerReport[] = [];
    for (const w of workers) {
      const info = this.#info.get(w);
      if (info?.stats == null) continue;
      const healthy = now - info.lastSeen <= 3 * this.#options.statsIntervalMs + 1000;
      reports.push({ ...info.stats, healthy, restarts: info.slot.restarts });
    }
    return {
      workers: reports,
      requests: reports.reduce((n, r) => n + r.requests, 0),
      connections: reports.reduce((n, r) => n + r.connections, 0),
      restarts: this.#totalRestarts,
    };
  }

  /** Rolling restart: per slot, start a new worker, wait until it listens, then drain the old one. */
  async restart(): Promise<void> {
    for (const slot of this.#slots) {
      if (this.#closing !== null) return;
      const old = slot.worker;
      const fresh = this.#fork(slot);
      if (!(await this.#listening(fresh))) {
        fresh.process.kill('SIGKILL');
        throw new Error(`wasmlane cluster: replacement for worker ${slot.index} did not start listening`);
      }
      slot.worker = fresh;
      slot.startedAt = Date.now();
      slot.restarts++;
      this.#totalRestarts++;
      if (old !== null) await this.#retire(old, this.#options.drainTimeoutMs);
    }
  }

  /** Drain every worker (server.close({ timeoutMs }) in each), then resolve. No restarts after this. */
  close(options: { timeoutMs?: number } = {}): Promise<void> {
    if (this.#closing !== null) return this.#closing;
    const timeoutMs = options.timeoutMs ?? this.#options.drainTimeoutMs;
    for (const slot of this.#slots) if (slot.timer !== null) clearTimeout(slot.timer);
    const workers = [...this.#info.keys()];
    this.#closing = Promise.all(workers.map((w) => this.#retire(w, timeoutMs))).then(() => {
      if (this.#options.signals) {
        process.removeListener('SIGTERM', this.#onSignal);
        process.removeListener('SIGINT', this.#onSignal);
      }
      this.emit('close');
    });
    return this.#closing;
  }

  // --- internals -----------------------------------------------------------------------------------

  /** Fork into an empty slot and resolve once it listens, retrying crashes (with backoff) meanwhile. */
  #startSlot(slot: Slot): Promise<boolean> {
    return new Promise((resolve) => {
      const attempt = (): void => {
        const worker = this.#fork(slot);
        slot.worker = worker;
        slot.startedAt = Date.now();
        void this.#listening(worker).then((ok) => {
          if (ok) return resolve(true);
          if (this.#info.has(worker)) worker.process.kill('SIGKILL'); // too slow to listen: a crash
          if (this.#closing !== null || slot.crashes > this.#options.maxRestarts) return resolve(false);
          this.once(`slot-retry-${slot.index}`, attempt);
        });
      };
      attempt();
    });
  }

  #fork(slot: Slot): Worker {
    const worker = cluster.fork({ ...this.#options.env, WASMLANE_WORKER_INDEX: String(slot.index) });
    const info: Info = { slot, listening: false, stats: null, lastSeen: Date.now(), waiters: [], statWaiters: [] };
    this.#info.set(worker, info);
    worker.on('message', (message: unknown) => this.#onMessage(worker, info, message));
    worker.on('exit', (code, signal) => this.#onExit(worker, info, code, signal));
    worker.on('error', () => {}); // IPC errors while a worker dies; 'exit' follows
    return worker;
  }

  /** true once `worker` reports listening; false if it exits first or takes longer than readyTimeoutMs. */
  #listening(worker: Worker): Promise<boolean> {
    const info = this.#info.get(worker);
    if (info === undefined) return Promise.resolve(false);
    if (info.listening) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), this.#options.readyTimeoutMs);
      info.waiters.push((ok) => {
        clearTimeout(timer);
        resolve(ok);
      });
    });
  }

  /** Ask `worker` to drain and wait for it to exit; SIGKILL if it outlives the drain by 5 s. */
  #retire(worker: Worker, timeoutMs: number): Promise<void> {
    if (!this.#info.has(worker)) return Promise.resolve();
    this.#retiring.add(worker);
    return new Promise((resolve) => {
      const kill = setTimeout(() => worker.process.kill('SIGKILL'), timeoutMs + 5000);
      worker.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      this.#send(worker, { wl: 'drain', timeoutMs });
    });
  }

  #onMessage(worker: Worker, info: Info, message: unknown): void {
    if (!isWl(message)) return;
    const m = message as ToPrimary;
    switch (m.wl) {
      case 'pub':
        // Forward once to every other worker with a subscriber; the origin delivered it itself.
        for (const target of this.#relay.targets(worker, m.ns, m.topic)) this.#send(target, m);
        return;
      case 'sub':
        return this.#relay.subscribe(worker, m.ns, m.topic);
      case 'unsub':
        return this.#relay.unsubscribe(worker, m.ns, m.topic);
      case 'stats':
        info.stats = m.stats;
        info.lastSeen = Date.now();
        for (const done of info.statWaiters.splice(0)) done();
        return;
      case 'listening':
        info.listening = true;
        for (const done of info.waiters.splice(0)) done(true);
        this.emit('listening', { index: info.slot.index, pid: worker.process.pid, port: m.port });
    }
  }

  #onExit(worker: Worker, info: Info, code: number | null, signal: string | null): void {
    this.#info.delete(worker);
    this.#relay.remove(worker);
    for (const done of info.waiters.splice(0)) done(false);
    for (const done of info.statWaiters.splice(0)) done();
    const slot = info.slot;
    const expected = this.#retiring.delete(worker) || this.#closing !== null;
    this.emit('exit', { index: slot.index, pid: worker.process.pid, code, signal, expected });
    if (expected || slot.worker !== worker) return;
    // A crash: restart the slot after a delay that doubles per quick crash (bounded by maxRestartDelayMs).
    slot.worker = null;
    slot.crashes = Date.now() - slot.startedAt >= this.#options.stableMs ? 1 : slot.crashes + 1;
    if (slot.crashes > this.#options.maxRestarts) {
      this.emit('giveup', { index: slot.index, crashes: slot.crashes });
      return;
    }
    const delayMs = Math.min(this.#options.maxRestartDelayMs, this.#options.restartDelayMs * 2 ** (slot.crashes - 1));
    this.emit('restart', { index: slot.index, delayMs, crashes: slot.crashes });
    slot.timer = setTimeout(() => {
      slot.timer = null;
      if (this.#closing !== null) return;
      slot.restarts++;
      this.#totalRestarts++;
      // A slot still starting (ready() pending) retries through its own loop; otherwise fork here.
      if (this.listenerCount(`slot-retry-${slot.index}`) > 0) this.emit(`slot-retry-${slot.index}`);
      else void this.#startSlot(slot);
    }, delayMs);
  }

  #askStats(worker: Worker): Promise<void> {
    const info = this.#info.get(worker);
    if (info === undefined) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, 1000);
      info.statWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
      this.#send(worker, { wl: 'stats?' });
    });
  }

  #send(worker: Worker, message: ToWorker): void {
    try {
      if (worker.isConnected()) worker.send(message);
    } catch {
      // the worker is exiting; its 'exit' handler cleans up
    }
  }
}
