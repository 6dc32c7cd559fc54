// Messages between the cluster primary and its workers over the IPC channel (node:cluster, with the
// 'advanced' serialization so payloads travel as bytes, not JSON arrays). Every message carries a
// `wl` tag so the user's own process.send() traffic is left alone.

/** Counters a worker reports to the primary (every statsIntervalMs and on request). */
export interface WorkerStats {
  pid: number;
  /** The worker's slot, 0 … workers-1 (kept across restarts). */
  index: number;
  /** Requests routed since the worker started (HTTP requests, upgrades included). */
  requests: number;
  /** Open HTTP connections plus open WebSockets. */
  connections: number;
  webSockets: number;
  rss: number;
  heapUsed: number;
  /** process.cpuUsage() of the worker, µs. */
  cpuUserUs: number;
  cpuSystemUs: number;
  uptimeMs: number;
  /** The cluster broker's counters (publishes sent, messages received, sends that failed). */
  broker: BrokerCounters;
}

export interface BrokerCounters {
  published: number;
  received: number;
  lost: number;
}

export type ToPrimary =
  | { wl: 'listening'; port: number }
  | { wl: 'stats'; stats: WorkerStats }
  | { wl: 'sub'; ns: string; topic: string }
  | { wl: 'unsub'; ns: string; topic: string }
  | { wl: 'pub'; ns: string; topic: string; data: Uint8Array; bin: boolean };

export type ToWorker =
  | { wl: 'drain'; timeoutMs: number }
  | { wl: 'stats?' }
  | { wl: 'pub'; ns: string; topic: string; data: Uint8Array; bin: boolean };

export function isWl(message: unknown): message is { wl: string } {
  return typeof message === 'object' && message !== null && typeof (message as { wl?: unknown }).wl === 'string';
}

/** IPC hands bytes back as a Uint8Array (or a Buffer); view them as a Buffer without copying. */
export function asBuffer(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}
