// The measuring core: a thin wrapper over tinybench that turns one operation into a robust
// "median ns per operation" figure.
//
// Why batches: a head parse takes 50–2,000 ns, close to the cost and granularity of the clock
// itself, so timing single calls would measure performance.now(). Each tinybench sample therefore
// runs the operation `batch` times (batch chosen so a sample lasts ≥ ~25 µs) and the sample's time
// is divided by `batch`.
// Why repeats: JIT tiering, GC and a neighbour's process can shift one run; the figure is the
// median over `repeats` independent tinybench runs of the per-run median sample (p50), and the
// spread (min..max of those per-run medians) is kept so a reader can see how stable it was.
import { Bench } from 'tinybench';

/** Defaults; BENCH_QUICK=1 shortens them for a smoke run (figures then are only indicative). */
export function defaultOptions(env = process.env) {
  const quick = env.BENCH_QUICK === '1';
  return {
    time: Number(env.BENCH_TIME_MS) || (quick ? 60 : 300),
    warmupTime: quick ? 30 : 150,
    repeats: Number(env.BENCH_REPEATS) || (quick ? 1 : 3),
    targetSampleNs: 25_000,
  };
}

// Results of every call land here so the JIT cannot drop the work as dead code.
let sink = 0;
export function blackhole(value) {
  sink = (sink + (typeof value === 'number' ? value : value === undefined ? 0 : 1)) | 0;
  return sink;
}

function runBatch(fn, batch) {
  for (let i = 0; i < batch; i++) blackhole(fn());
}

/** Find a batch size whose run lasts at least `targetNs` (doubling, after a short warm-up). */
export function calibrateBatch(fn, targetNs) {
  runBatch(fn, 64); // let the first tiers compile before timing anything
  let batch = 1;
  for (;;) {
    const t0 = process.hrtime.bigint();
    runBatch(fn, batch);
    const ns = Number(process.hrtime.bigint() - t0);
    if (ns >= targetNs || batch >= 1 << 20) return batch;
    batch *= ns < targetNs / 8 ? 8 : 2;
  }
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Measure one operation.
 * @param {string} name row label
 * @param {() => unknown} fn one operation (its result is consumed so it cannot be optimised away)
 * @param {{bytes?: number, batch?: number, time?: number, warmupTime?: number, repeats?: number,
 *          group?: string, meta?: object}} [options] `bytes` processed per operation gives MB/s
 * @returns {{name, group, nsPerOp, opsPerSec, mbPerSec, bytes, batch, repeats: number[],
 *            spread: [number, number], samples: number}}
 */
export function measure(name, fn, options = {}) {
  const o = { ...defaultOptions(), ...options };
  const batch = o.batch ?? calibrateBatch(fn, o.targetSampleNs);
  const perRun = [];
  let samples = 0;
  for (let r = 0; r < o.repeats; r++) {
    if (globalThis.gc) globalThis.gc(); // start each run from the same heap state when --expose-gc
    const bench = new Bench({ time: o.time, warmupTime: o.warmupTime, iterations: 16, warmupIterations: 8 });
    bench.add(name, () => runBatch(fn, batch));
    const [task] = bench.runSync();
    const result = task.result;
    if (result.state !== 'completed') {
      throw new Error(`bench "${name}" did not complete: ${result.error?.message ?? result.state}`);
    }
    perRun.push((result.latency.p50 * 1e6) / batch);
    samples += result.latency.samplesCount ?? 0;
  }
  const nsPerOp = median(perRun);
  const bytes = o.bytes ?? 0;
  return {
    name,
    group: o.group ?? '',
    nsPerOp,
    opsPerSec: 1e9 / nsPerOp,
    // MB = 10^6 bytes (as picohttpparser and llhttp report throughput).
    mbPerSec: bytes > 0 ? (bytes * 1e3) / nsPerOp : null,
    bytes,
    batch,
    repeats: perRun,
    spread: [Math.min(...perRun), Math.max(...perRun)],
    samples,
    ...(o.meta ? { meta: o.meta } : {}),
  };
}

/** anchor.nsPerOp / row.nsPerOp: how many times faster `row` is than `anchor` (> 1 = faster). */
export function speedup(row, anchor) {
  if (!row || !anchor || !(row.nsPerOp > 0) || !(anchor.nsPerOp > 0)) return null;
  return anchor.nsPerOp / row.nsPerOp;
}
