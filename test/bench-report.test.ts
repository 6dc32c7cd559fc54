// bench/report.js is the one source of the benchmark figures in README.md and docs/benchmarks.md:
// the docs must equal what it renders from bench/figures.json, and a new run file must replace the
// figures of its suite (and only those) in both documents.
import { describe, it, expect } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const REPORT = path.resolve('bench/report.js');

describe('bench/report.js', () => {
  it('the committed docs are what bench/figures.json renders (--check)', () => {
    const r = spawnSync(process.execPath, [REPORT, '--check'], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('folds the newest run of a suite into figures.json and regenerates both tables', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'wasmlane-report-'));
    try {
      mkdirSync(path.join(root, 'docs'));
      mkdirSync(path.join(root, 'bench', 'results'), { recursive: true });
      for (const f of ['README.md', 'docs/benchmarks.md', 'bench/figures.json']) copyFileSync(f, path.join(root, f));
      // The shape bench/http/run.js writes (writeResults + runSession rows), with round figures.
      const machine = { cpu: 'Test CPU', cores: 2, node: 'v20.20.2', pinned: 'none', loadavg: '0.50 0.40 0.30' };
      const row = (server: string, workload: string, rps: number, cpuUsPerReq?: number) => ({ server, workload, rps, cpuUsPerReq, p50: 1, p99: 2, errors: 0, non2xx: 0, tool: 'wrk', runs: [] });
      const rows = [row('wasmlane-wasm', 'hello', 120_000, 8), row('node-http', 'hello', 40_000, 20), row('raw', 'hello', 150_000, 6)];
      // https-hello: the TLS servers only; node-http's row there is node:https.
      rows.push(row('wasmlane-wasm', 'https-hello', 30_000, 30), row('node-http', 'https-hello', 20_000, 45));
      const old = { suite: 'http', date: '2030-01-01T10:00:00.000Z', machine, rows: [row('wasmlane-wasm', 'hello', 1), row('node-http', 'hello', 1)] };
      const run = { suite: 'http', date: '2030-01-02T10:00:00.000Z', machine, options: {}, rows };
      writeFileSync(path.join(root, 'bench/results/http-20300101-100000.json'), JSON.stringify(old));
      writeFileSync(path.join(root, 'bench/results/http-20300102-100000.json'), JSON.stringify(run));
      writeFileSync(path.join(root, 'bench/results/http-20300102-100000-wasmlane-wasm.cpuprofile'), '{}');
      const parserBefore = JSON.parse(readFileSync('bench/figures.json', 'utf8')).suites.parser;

      const out = execFileSync(process.execPath, [REPORT, '--root', root], { encoding: 'utf8' });
      expect(out).toContain('http: run file http-20300102-100000.json');

      const figures = JSON.parse(readFileSync(path.join(root, 'bench/figures.json'), 'utf8'));
      expect(figures.suites.http.date).toBe(run.date);
      expect(figures.suites.http.loadavg).toBe('0.50 0.40 0.30');
      expect(figures.suites.http.rows.map((r: { rps: number }) => r.rps)).toEqual([120_000, 40_000, 150_000, 30_000, 20_000]);
      expect(figures.suites.parser).toEqual(parserBefore); // no parser run: its figures stay

      const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
      expect(readme).toContain('| HTTP hello, keep-alive (100 conn.) | 120,000 req/s (80% of raw) | 40,000 req/s (node:http) | 3.00× |');
      expect(readme).toContain('2030-01-02 10:00 UTC, load average 0.50 0.40 0.30');
      const full = readFileSync(path.join(root, 'docs/benchmarks.md'), 'utf8');
      expect(full).toContain('| hello, keep-alive (100 conn.) | 120,000 (3.00× node, 80% of raw) | 40,000 | 150,000 |');
      // The server-CPU table beside it, and the targets judged on both, from the same run.
      expect(full).toContain("| hello, keep-alive (100 conn.) | 8.00 (2.50× node, 1.33× raw's CPU) | 20.00 | 6.00 |");
      expect(full).toContain('- hello keep-alive: wasmlane (wasm-simd) req/s ≥ 1.60× node:http — measured 3.00× (**met**; same run: req per CPU-s 2.50×)');
      expect(full).toContain('![req/s and server CPU per request of this run](bench-http.svg)');
      // The TLS row, against node:https, with no raw ceiling figure (the ceiling does not speak TLS).
      expect(full).toContain('× node = against node:http (node:https on the TLS row) in the same run');
      expect(full).toContain('| hello over TLS, keep-alive (100 conn.) | 30,000 (1.50× node) | 20,000 | — |');
      expect(full).toContain('| hello over TLS, keep-alive (100 conn.) | 30.00 (1.50× node) | 45.00 | — |');
      expect(figures.suites.http.rows[0].cpuUsPerReq).toBe(8);
      // The chart is drawn from figures.json too: both servers' req/s and CPU per request.
      const chart = readFileSync(path.join(root, 'docs/bench-http.svg'), 'utf8');
      expect(chart.startsWith('<svg')).toBe(true);
      expect(chart).toContain('>120,000<');
      expect(chart).toContain('>8.0<');
      expect(chart).toContain('hello world over TLS, keep-alive (vs node:https)');
      expect(chart).toContain('>30,000<');
      // Text outside the markers is untouched, and a second run changes nothing.
      expect(readme.slice(0, readme.indexOf('<!-- bench:start -->'))).toBe(readFileSync('README.md', 'utf8').slice(0, readme.indexOf('<!-- bench:start -->')));
      const check = spawnSync(process.execPath, [REPORT, '--root', root, '--check'], { encoding: 'utf8' });
      expect(check.status).toBe(0);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
