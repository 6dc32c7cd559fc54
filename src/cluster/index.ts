// cluster({ workers, setup }): every core of a machine on one port. Called in the primary it forks the
// workers and returns a ClusterPrimary; node:cluster runs the same entry script again in each worker,
// where the same call runs `setup` and returns a ClusterWorker. `setup` may instead be a module path:
// the workers then run only that module (its default export is called if it is a function).
import nodeCluster from 'node:cluster';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { ClusterPrimary } from './primary.js';
import { ClusterWorker } from './worker.js';
import type { SetupFunction } from './worker.js';

export { ClusterPrimary } from './primary.js';
export type { ClusterStats, WorkerReport } from './primary.js';
export { ClusterWorker } from './worker.js';
export { ClusterBroker } from './broker.js';
export type { WorkerStats, BrokerCounters } from './protocol.js';

export interface ClusterOptions {
  /** Worker processes. Default os.availableParallelism(). */
  workers?: number;
  /** Runs in each worker and starts the server(s): a function, or the path/URL of a module to import. */
  setup: SetupFunction | string | URL;
  /**
   * 'rr' (default): the primary accepts and hands connections to workers in turn. 'os': every worker
   * accepts on the shared socket and the kernel picks. See docs/scaling.md for the measurement.
   */
  schedulingPolicy?: 'rr' | 'os';
  /** First restart delay after a crash; doubles per quick crash. Default 100 ms. */
  restartDelayMs?: number;
  /** Upper bound of the restart delay. Default 10 000 ms. */
  maxRestartDelayMs?: number;
  /** Consecutive quick crashes of one slot before it is given up (event 'giveup'). Default 10. */
  maxRestarts?: number;
  /** A worker that ran this long counts as stable (its slot's crash count resets). Default 10 000 ms. */
  stableMs?: number;
  /** close()/restart()/SIGTERM: each worker's server.close({ timeoutMs }). Default 10 000 ms. */
  drainTimeoutMs?: number;
  /** How often workers report counters. Default 1000 ms. */
  statsIntervalMs?: number;
  /** How long a (re)started worker may take to listen. Default 30 000 ms. */
  readyTimeoutMs?: number;
  /** Attach the cluster broker to servers without a broker (topics span workers). Default true. */
  broker?: boolean;
  /** The primary drains on SIGTERM/SIGINT, then exits with that signal. Default true. */
  signals?: boolean;
  /** Extra environment for the workers. */
  env?: Record<string, string>;
  /** Worker side: runs after its servers drained, before it exits. */
  teardown?: () => unknown;
}

export type Cluster = ClusterPrimary | ClusterWorker;

const BOOTSTRAP = fileURLToPath(new URL('./bootstrap.js', import.meta.url));

export function cluster(options: ClusterOptions): Cluster {
  const setup = options.setup;
  if (typeof setup !== 'function' && typeof setup !== 'string' && !(setup instanceof URL)) {
    throw new TypeError('wasmlane cluster: setup must be a function or a module path');
  }
  const drainTimeoutMs = options.drainTimeoutMs ?? 10_000;
  const statsIntervalMs = options.statsIntervalMs ?? 1000;
  if (!nodeCluster.isPrimary) {
    return new ClusterWorker({
      setup, broker: options.broker ?? true, statsIntervalMs, drainTimeoutMs, teardown: options.teardown,
    });
  }
  const workers = options.workers ?? availableParallelism();
  if (!Number.isInteger(workers) || workers < 1) throw new RangeError('wasmlane cluster: workers must be an integer ≥ 1');
  const env: Record<string, string> = { ...options.env };
  let exec: string | undefined;
  if (typeof setup !== 'function') {
    // The workers run our bootstrap, which imports the setup module (not the primary's entry again).
    exec = BOOTSTRAP;
    env.WASMLANE_CLUSTER_SETUP = setup instanceof URL ? setup.href : setup;
    env.WASMLANE_CLUSTER_OPTIONS = JSON.stringify({ broker: options.broker ?? true, statsIntervalMs, drainTimeoutMs });
  }
  return new ClusterPrimary({
    workers,
    schedulingPolicy: options.schedulingPolicy ?? 'rr',
    exec,
    env,
    restartDelayMs: options.restartDelayMs ?? 100,
    maxRestartDelayMs: options.maxRestartDelayMs ?? 10_000,
    maxRestarts: options.maxRestarts ?? 10,
    stableMs: options.stableMs ?? 10_000,
    drainTimeoutMs,
    statsIntervalMs,
    readyTimeoutMs: options.readyTimeoutMs ?? 30_000,
    signals: options.signals ?? true,
  });
}
