// Memory of a server child, read from /proc/<pid>/status (Linux): VmRSS sampled every `intervalMs`
// by a worker thread — its own event loop, so an attack loop keeping the main thread busy cannot
// delay or skip samples — and VmHWM (the kernel's own RSS high-water mark) read at the end. Also
// counts the child's open sockets (/proc/<pid>/fd), the server's view of "connections still open".
import { Worker } from 'node:worker_threads';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

/** {rssKb, hwmKb} of `pid` now, or null when /proc is not readable (not Linux, process gone). */
export function readStatus(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'latin1');
    const kb = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);
    return { rssKb: kb('VmRSS'), hwmKb: kb('VmHWM') };
  } catch {
    return null;
  }
}

/** Sockets `pid` holds open (the listening socket included; stdio pipes are not sockets). */
export function socketCount(pid) {
  try {
    let n = 0;
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        if (readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith('socket:')) n++;
      } catch {
        /* closed while listing */
      }
    }
    return n;
  } catch {
    return null;
  }
}

const SAMPLER = `
const { workerData } = require('node:worker_threads');
const { readFileSync } = require('node:fs');
const state = new Int32Array(workerData.shared); // [stop, peakKb, lastKb, samples]
const re = /^VmRSS:\\s+(\\d+) kB/m;
while (Atomics.load(state, 0) === 0) {
  try {
    const kb = Number(re.exec(readFileSync('/proc/' + workerData.pid + '/status', 'latin1'))[1]);
    Atomics.store(state, 2, kb);
    if (kb > Atomics.load(state, 1)) Atomics.store(state, 1, kb);
    Atomics.add(state, 3, 1);
  } catch {
    break; // the process is gone
  }
  Atomics.wait(state, 0, 0, workerData.intervalMs);
}
`;

/**
 * Start sampling VmRSS of `pid`. Returns {peakKb(), lastKb(), stop() → Promise<{peakKb, samples}>}.
 * peakKb()/lastKb() read shared memory, so the harness can check an RSS cap at any time.
 */
export function sampleRss(pid, intervalMs = 50) {
  const shared = new SharedArrayBuffer(16);
  const state = new Int32Array(shared);
  const first = readStatus(pid);
  if (first) {
    state[1] = first.rssKb;
    state[2] = first.rssKb;
  }
  const worker = new Worker(SAMPLER, { eval: true, workerData: { shared, pid, intervalMs } });
  worker.unref();
  const exited = new Promise((resolve) => worker.once('exit', resolve));
  return {
    peakKb: () => Atomics.load(state, 1),
    lastKb: () => Atomics.load(state, 2),
    async stop() {
      Atomics.store(state, 0, 1);
      Atomics.notify(state, 0);
      await exited;
      return { peakKb: Atomics.load(state, 1), samples: Atomics.load(state, 3) };
    },
  };
}
