#!/usr/bin/env node
// `npm run bench` — wasmlane's microbenchmarks.
//
//   node --expose-gc bench/run.js              run every suite in bench/suites/
//   node --expose-gc bench/run.js parser       run the named suites only
//   BENCH_QUICK=1      short runs (smoke test; figures only indicative)
//   BENCH_NO_PIN=1     do not re-exec under `taskset -c 1`
//   BENCH_REPEATS=n, BENCH_TIME_MS=ms   override repeats and per-run time budget
//
// SUITE CONTRACT — a suite is bench/suites/<name>.js exporting:
//   export const name = 'parser';                 // what `node bench/run.js <name>` selects
//   export const description = 'one line';        // printed above its tables
//   export async function run(ctx) { ... }        // measure, print, return data (optional)
// A suite imports the BUILT package (../../dist/...; `npm run bench` builds first), measures with
// ctx.measure, prints with ctx.printTable, and stores its figures with ctx.save. `ctx` holds:
//   ctx.measure(label, fn, {bytes, group, meta, batch, time, repeats}) → row
//        {name, group, nsPerOp, opsPerSec, mbPerSec, spread, ...}: median ns per call of fn over
//        `repeats` tinybench runs, calls batched so the clock's cost vanishes (bench/lib/measure.js)
//   ctx.speedup(row, anchorRow) → anchor.nsPerOp / row.nsPerOp (> 1: row is faster); compute ratio
//        columns only against anchor rows measured in the same run
//   ctx.printTable(rows, columns, {title, groupKey}); ctx.fmt.{ns, number, ratio, percent}
//   ctx.columns.{label, ns, mbps, ratio(key, title)} — ready-made column specs
//   ctx.loadFixture(name) → {bytes, head, body, headLength}; ctx.fixtures: the fixture names
//   ctx.target(label, value, goal) → prints "target: label ≥ goal× — measured value× (met|NOT met)"
//   ctx.save(data) → writes bench/results/<suite>-<timestamp>.json (with ctx.machine) and returns
//        the path; when data.rows have nsPerOp (or gbPerSec) it also writes <suite>-<timestamp>.svg,
//        a bar chart of them per group (bench/lib/svg.js)
//   ctx.machine: CPU, cores, node, pinning; ctx.log: console.log; ctx.dist: URL of dist/
//   ctx.importDist(rel) → the built module dist/<rel>, or null when it is not built
//   ctx.blackhole(value): consume a value the JIT must not drop
// A suite that cannot run yet (its module is missing from dist/) should print why and return
// { skipped: 'reason' } instead of throwing, so the other suites still run.
import { readdirSync, existsSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { pinOrReexec, machineInfo, printMachine } from './lib/machine.js';
import { measure, speedup, blackhole, defaultOptions } from './lib/measure.js';
import { printTable, fmtNs, fmtNumber, fmtRatio, fmtPercent } from './lib/table.js';
import { writeResults, resultPath, timestamp } from './lib/results.js';
import { barChartSvg } from './lib/svg.js';
import { loadFixture, FIXTURES } from './lib/fixtures.js';

const SUITES_DIR = new URL('./suites/', import.meta.url);
const DIST = new URL('../dist/', import.meta.url);

/** A built module of the package, or null when dist/ does not have it (the suite then skips). */
async function importDist(rel) {
  try {
    return await import(new URL(rel, DIST).href);
  } catch (err) {
    if (err?.code === 'ERR_MODULE_NOT_FOUND') return null;
    throw err;
  }
}

export const columns = {
  group: { key: 'group', title: 'input', align: 'left' },
  label: { key: 'name', title: 'implementation', align: 'left' },
  ns: { key: 'nsPerOp', title: 'ns/op', fmt: fmtNs },
  mbps: { key: 'mbPerSec', title: 'MB/s', fmt: (v) => fmtNumber(v) },
  spread: {
    key: 'spread',
    title: 'runs min–max',
    fmt: (v) => (v ? `${fmtNs(v[0])}–${fmtNs(v[1])}` : '—'),
  },
  ratio: (key, title) => ({ key, title, fmt: fmtRatio }),
};

/** A suite's rows as a bar chart: one group per row.group, one bar per row.name; null when no figure. */
export function suiteChartSvg(suiteName, rows, machine) {
  const key = rows.some((r) => r.gbPerSec != null) ? 'gbPerSec' : 'nsPerOp';
  const measured = rows.filter((r) => r[key] != null);
  if (!measured.length) return null;
  const uniq = (xs) => [...new Set(xs)];
  const groups = uniq(measured.map((r) => r.group ?? ''));
  return barChartSvg({
    title: `npm run bench -- ${suiteName}`,
    subtitle: `${machine.cpu}, ${machine.cores} cores, node ${machine.node}; pinning ${machine.pinned}; load average ${machine.loadavg}; bars scaled within each group`,
    series: uniq(measured.map((r) => r.name)),
    metrics: [key === 'gbPerSec' ? { title: 'GB/s (higher is better)', unit: 'GB/s', digits: 2 } : { title: 'ns per operation (lower is better)', unit: 'ns' }],
    scalePerGroup: true,
    groups: groups.map((g) => ({
      label: g,
      bars: measured.filter((r) => (r.group ?? '') === g).map((r) => ({ series: r.name, values: [r[key]] })),
    })),
  });
}

export function makeContext(suiteName, machine, stamp, log = console.log) {
  return {
    suite: suiteName,
    machine,
    log,
    dist: DIST,
    importDist,
    options: defaultOptions(),
    measure,
    speedup,
    blackhole,
    printTable: (rows, cols, opts) => printTable(rows, cols, opts, log),
    fmt: { ns: fmtNs, number: fmtNumber, ratio: fmtRatio, percent: fmtPercent },
    columns,
    loadFixture,
    fixtures: FIXTURES,
    target(label, value, goal) {
      const met = value != null && value >= goal;
      log(`target: ${label} ≥ ${fmtRatio(goal)} — measured ${fmtRatio(value)} (${met ? 'met' : 'NOT met'})`);
      return met;
    },
    save(data) {
      const file = writeResults(suiteName, data, machine, stamp);
      const svg = Array.isArray(data?.rows) ? suiteChartSvg(suiteName, data.rows, machine) : null;
      if (svg) {
        const chart = resultPath(suiteName, 'svg', stamp);
        writeFileSync(chart, svg);
        log(`chart: ${chart}`);
      }
      return file;
    },
  };
}

export function listSuites() {
  return readdirSync(SUITES_DIR)
    .filter((f) => f.endsWith('.js'))
    .map((f) => f.slice(0, -3))
    .sort();
}

async function main() {
  const pin = pinOrReexec();
  const machine = machineInfo(pin);
  printMachine(machine);
  if (!globalThis.gc) console.log('note: run with --expose-gc (npm run bench does) to collect garbage between runs');
  if (!existsSync(fileURLToPath(DIST))) {
    console.log('dist/ is missing: run `npm run build` first (npm run bench does it for you)');
  }
  const available = listSuites();
  const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const unknown = wanted.filter((w) => !available.includes(w));
  if (unknown.length) {
    console.error(`unknown suite(s): ${unknown.join(', ')} (available: ${available.join(', ')})`);
    process.exit(2);
  }
  const selected = wanted.length ? wanted : available;
  const stamp = timestamp();
  const started = Date.now();
  let failed = 0;
  for (const file of selected) {
    const suite = await import(pathToFileURL(fileURLToPath(new URL(`${file}.js`, SUITES_DIR))).href);
    console.log(`\n=== ${suite.name ?? file} — ${suite.description ?? ''}`);
    const ctx = makeContext(suite.name ?? file, machine, stamp);
    try {
      await suite.run(ctx);
    } catch (err) {
      failed++;
      console.error(`suite ${file} failed: ${err?.stack ?? err}`);
    }
  }
  console.log(`\ndone in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (failed) process.exitCode = 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
