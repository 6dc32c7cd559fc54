// Machine description and CPU pinning for benchmarks.
//
// Why pin: on a 2-core machine the scheduler moves an unpinned process between cores, and every
// migration costs a cold L1/L2 and a skewed sample. Pinning the microbenchmarks to one core (and,
// in the load benchmark, the server and the load generator to different cores) removes that noise.
// Pinning uses `taskset` (util-linux) when it exists; BENCH_NO_PIN=1 opts out.
import { execFileSync, spawnSync } from 'node:child_process';
import os from 'node:os';

/** Absolute path of taskset, or null when it is not installed (macOS, minimal containers). */
export function tasksetPath() {
  for (const dir of ['/usr/bin', '/bin', '/usr/local/bin']) {
    const r = spawnSync(`${dir}/taskset`, ['--version'], { stdio: 'ignore' });
    if (r.status === 0) return `${dir}/taskset`;
  }
  return null;
}

/** The CPUs this process may run on, as a list of numbers, or null when unknown. */
export function currentAffinity() {
  const taskset = tasksetPath();
  if (!taskset) return null;
  try {
    const out = execFileSync(taskset, ['-cp', String(process.pid)], { encoding: 'utf8' });
    const list = out.split(':').pop().trim();
    return parseCpuList(list);
  } catch {
    return null;
  }
}

/** "0-2,5" → [0, 1, 2, 5]. */
export function parseCpuList(list) {
  const cpus = [];
  for (const part of list.split(',')) {
    const [lo, hi] = part.split('-').map((s) => Number.parseInt(s, 10));
    if (Number.isNaN(lo)) continue;
    for (let c = lo; c <= (Number.isNaN(hi) || hi === undefined ? lo : hi); c++) cpus.push(c);
  }
  return cpus;
}

/** Pick the core to pin to: core 1 when it exists (core 0 takes most interrupts), else core 0. */
export function benchCore() {
  return os.cpus().length > 1 ? 1 : 0;
}

/**
 * Re-execute the current script under `taskset -c <core>` unless already pinned to exactly one
 * core or BENCH_NO_PIN=1. Returns { pinned, core, reexeced } when this process should go on, or
 * never returns (exits with the child's status) after a re-exec.
 */
export function pinOrReexec(core = benchCore()) {
  if (process.env.BENCH_NO_PIN === '1') return { pinned: false, core: null, reason: 'BENCH_NO_PIN=1' };
  const affinity = currentAffinity();
  if (affinity && affinity.length === 1) return { pinned: true, core: affinity[0], reason: 'already pinned' };
  const taskset = tasksetPath();
  if (!taskset) return { pinned: false, core: null, reason: 'taskset not found' };
  const args = [...process.execArgv, ...process.argv.slice(1)];
  const r = spawnSync(taskset, ['-c', String(core), process.execPath, ...args], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

/** What the figures were measured on: printed above every table and stored in every JSON file. */
export function machineInfo(pin) {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model?.trim() ?? 'unknown',
    cores: cpus.length,
    node: process.version,
    v8: process.versions.v8,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    pinned: pin?.pinned ? `taskset core ${pin.core}` : `no (${pin?.reason ?? 'not requested'})`,
    loadavg: os.loadavg().map((n) => n.toFixed(2)).join(' '),
  };
}

export function printMachine(info, out = console.log) {
  out(`machine: ${info.cpu} · ${info.cores} cores · node ${info.node} (V8 ${info.v8}) · ${info.platform}`);
  out(`pinning: ${info.pinned} · load average ${info.loadavg}`);
}
