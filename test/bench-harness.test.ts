// Tests of the benchmark harness itself (bench/): the pieces whose mistakes would silently corrupt
// figures — the llhttp driver, the raw ceiling's head counter, the statistics, the profile reader,
// the chart, the load loop and the response check. bench/ is plain JavaScript without types, so it
// is imported through untyped dynamic imports.
import { describe, it, expect, afterAll } from 'vitest';
import { readFileSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';

type AnyModule = any; // eslint-disable-line @typescript-eslint/no-explicit-any
const load = (rel: string): Promise<AnyModule> => import(new URL(rel, import.meta.url).href);

const FIXTURES = ['minimal-get', 'typical-browser-get', 'forty-headers-get', 'post-json', 'post-chunked'];

/** Field lines of a head, counted independently of any parser: lines between the first and the blank. */
function fieldLines(head: Buffer): [string, string][] {
  const lines = head.toString('latin1').split('\r\n').slice(1, -2);
  return lines.map((l) => {
    const colon = l.indexOf(':');
    return [l.slice(0, colon), l.slice(colon + 1).trim()];
  });
}

// The team's shared fixtures sit beside the checkout (../shared) on our machines and in CI; a clone
// elsewhere has only the package's own copies, and then there is nothing to compare them with.
const SHARED_FIXTURES = new URL('../../shared/fixtures/', import.meta.url);

describe('bench fixtures', () => {
  it.skipIf(!existsSync(SHARED_FIXTURES))('are byte-identical copies of the shared fixtures', async () => {
    const { loadFixture } = await load('../bench/lib/fixtures.js');
    for (const name of FIXTURES) {
      const shared = readFileSync(new URL(`${name}.http`, SHARED_FIXTURES));
      const fx = loadFixture(name);
      expect(fx.bytes.equals(shared)).toBe(true);
      expect(fx.head.length + fx.body.length).toBe(shared.length);
      expect(fx.head.subarray(-4).toString('latin1')).toBe('\r\n\r\n');
    }
  });
});

describe('llhttp driver (node:http binding)', () => {
  it('hands back every field line as strings, including the >32-line early flush', async () => {
    const { createLlhttpParser } = await load('../bench/lib/llhttp.js');
    const { loadFixture } = await load('../bench/lib/fixtures.js');
    for (const name of FIXTURES) {
      const { head } = loadFixture(name);
      const p = createLlhttpParser({ skipBody: true });
      // Several messages on one parser, as node:http does for keep-alive.
      for (let round = 1; round <= 3; round++) {
        expect(p.execute(head)).toBe(head.length);
        expect(p.state.messages).toBe(round);
        expect(p.state.headers).toEqual(fieldLines(head).flat());
        expect(p.state.method).toBe(head.toString('latin1').split(' ')[0]);
        expect(p.state.url).toBe(head.toString('latin1').split(' ')[1]);
      }
    }
  });

  it('consumes a whole request with its body when not skipping it', async () => {
    const { createLlhttpParser } = await load('../bench/lib/llhttp.js');
    const { loadFixture } = await load('../bench/lib/fixtures.js');
    const json = loadFixture('post-json');
    const chunked = loadFixture('post-chunked');
    const p = createLlhttpParser();
    expect(p.execute(json.bytes)).toBe(json.bytes.length);
    expect(p.execute(chunked.bytes)).toBe(chunked.bytes.length);
    expect(p.state.messages).toBe(2);
    expect(p.state.bodyBytes).toBe(json.body.length * 2); // the same JSON, framed two ways
  });

  it('reports malformed input as an error instead of a count', async () => {
    const { createLlhttpParser } = await load('../bench/lib/llhttp.js');
    const p = createLlhttpParser();
    expect(() => p.execute(Buffer.from('GET / HTTP/1.1\r\nBad Header: x\r\n\r\n'))).toThrow(/llhttp/);
  });
});

describe('raw ceiling head counter', () => {
  it('counts CRLFCRLF exactly at every split of a pipelined stream', async () => {
    const { countHeads } = await load('../bench/http/servers/raw.js');
    const { loadFixture } = await load('../bench/lib/fixtures.js');
    const heads = ['minimal-get', 'typical-browser-get', 'forty-headers-get'].map((n) => loadFixture(n).head);
    // Include tricky near-misses: CR CR LF, LF LF, CRLF CR, which must not count.
    const noise = Buffer.from('X\r\r\n\n\n\r\n\rY', 'latin1');
    const stream = Buffer.concat([heads[0], noise, heads[1], heads[2], heads[0]]);
    const expected = 4;
    for (let split = 0; split <= stream.length; split++) {
      const a = countHeads(stream.subarray(0, split), 0);
      const b = countHeads(stream.subarray(split), a & 3);
      expect((a >>> 2) + (b >>> 2)).toBe(expected);
    }
    // One byte at a time.
    let state = 0;
    let total = 0;
    for (const byte of stream) {
      const r = countHeads(Buffer.of(byte), state);
      state = r & 3;
      total += r >>> 2;
    }
    expect(total).toBe(expected);
  });
});

describe('measurement and reporting helpers', () => {
  it('measure returns per-op figures consistent with its inputs', async () => {
    const { measure, speedup } = await load('../bench/lib/measure.js');
    const data = new Uint8Array(256).fill(7);
    const row = measure('sum', () => data.reduce((s: number, x: number) => s + x, 0), { bytes: 256, time: 20, warmupTime: 5, repeats: 3 });
    expect(row.repeats).toHaveLength(3);
    expect(row.nsPerOp).toBeGreaterThan(0);
    expect(row.nsPerOp).toBeGreaterThanOrEqual(row.spread[0]);
    expect(row.nsPerOp).toBeLessThanOrEqual(row.spread[1]);
    expect(row.mbPerSec).toBeCloseTo((256 * 1e3) / row.nsPerOp, 6);
    expect(row.batch).toBeGreaterThanOrEqual(1);
    expect(speedup({ nsPerOp: 100 }, { nsPerOp: 600 })).toBe(6);
    expect(speedup({ nsPerOp: 100 }, undefined)).toBeNull();
  });

  it('renders aligned tables with group separators', async () => {
    const { renderTable, fmtRatio, fmtNs } = await load('../bench/lib/table.js');
    const text = renderTable(
      [
        { g: 'a', name: 'x', ns: 1234.4 },
        { g: 'a', name: 'longer', ns: 5.25 },
        { g: 'b', name: 'y', ns: null },
      ],
      [
        { key: 'g', title: 'group', align: 'left' },
        { key: 'name', title: 'name', align: 'left' },
        { key: 'ns', title: 'ns/op', fmt: fmtNs },
      ],
      { groupKey: 'g' },
    );
    const lines = text.split('\n');
    expect(lines[0]).toBe('group  name    ns/op');
    expect(lines[2]).toBe('a      x       1,234');
    expect(lines[3]).toBe('a      longer    5.3');
    expect(lines[4]).toBe('');
    expect(lines[5]).toBe('b      y           —');
    expect(fmtRatio(6.041)).toBe('6.04×');
    expect(fmtRatio(12.34)).toBe('12.3×');
  });

  it('percentile and median follow their definitions', async () => {
    const { percentile, median } = await load('../bench/http/lib/stats.js');
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 99)).toBe(99);
    expect(percentile(sorted, 100)).toBe(100);
    expect(percentile([], 50)).toBeNull();
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([null, 5])).toBe(5);
  });

  it('charges each profile sample the time until the next one and ranks self time', async () => {
    const { topSelfTime } = await load('../bench/http/lib/cpuprofile.js');
    const cf = (functionName: string, line: number) => ({ functionName, url: 'file:///x/dist/http/a.js', lineNumber: line });
    const profile = {
      nodes: [
        { id: 1, callFrame: cf('(root)', -1) },
        { id: 2, callFrame: cf('parse', 9) },
        { id: 3, callFrame: cf('write', 19) },
        { id: 4, callFrame: cf('parse', 9) }, // same function reached by another path
      ],
      samples: [2, 3, 4, 2],
      timeDeltas: [0, 1000, 3000, 500, 0],
    };
    const { rows, totalMs } = topSelfTime(profile, 2);
    // parse: 1000 (first sample) + 500 (third) + 0 (last) = 1.5 ms; write: 3 ms.
    expect(totalMs).toBeCloseTo(4.5);
    expect(rows).toEqual([
      { name: 'write', where: 'http/a.js:20', selfMs: 3, percent: 3 / 4.5 },
      { name: 'parse', where: 'http/a.js:10', selfMs: 1.5, percent: 1.5 / 4.5 },
    ]);
  });

  it('draws one bar per measured value and escapes labels', async () => {
    const { barChartSvg } = await load('../bench/http/lib/svg.js');
    const svg: string = barChartSvg({
      title: 'a <b> & c',
      series: ['s1', 's2'],
      groups: [
        { label: 'g1', bars: [{ series: 's1', value: 100 }, { series: 's2', value: 50 }] },
        { label: 'g2', bars: [{ series: 's1', value: 25 }, { series: 's2', value: null }] },
      ],
    });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('a &lt;b&gt; &amp; c');
    const widths = [...svg.matchAll(/<rect x="\d+" y="\d+" width="([\d.]+)" height="16"/g)].map((m) => Number(m[1]));
    expect(widths).toHaveLength(4);
    expect(widths[0]).toBeCloseTo(widths[1]! * 2, 0);
    expect(widths[0]).toBeCloseTo(widths[2]! * 4, 0);
    expect(widths[3]).toBe(0);
    expect(svg).toContain('n/a');
  });

  it('names result files with a sortable UTC stamp', async () => {
    const { timestamp } = await load('../bench/lib/results.js');
    expect(timestamp(new Date(Date.UTC(2026, 10, 21, 9, 5, 7)))).toBe('20261121-090507');
  });
});

describe('load harness against real servers (127.0.0.1)', () => {
  const started: { stop: () => Promise<unknown> }[] = [];
  afterAll(async () => {
    await Promise.all(started.map((s) => s.stop()));
  });

  it('node:http and the raw ceiling answer the workloads; the close loop counts one request per connection', async () => {
    const { startServer, runLoadgen } = await load('../bench/http/lib/processes.js');
    const { SERVERS, WORKLOADS, verify } = await load('../bench/http/lib/workloads.js');
    const { closeLoop } = await load('../bench/http/lib/close-loop.js');
    for (const id of ['node-http', 'raw']) {
      const server = SERVERS.find((s: AnyModule) => s.id === id);
      const instance = await startServer({ script: new URL(`../bench/http/servers/${server.script}`, import.meta.url) });
      started.push(instance);
      for (const w of WORKLOADS) {
        const check = await verify(instance.port, w, server);
        expect(check.ok, `${id} ${w.id}: ${check.reason}`).toBe(true);
      }
      const request = Buffer.from(`GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      const r = await closeLoop({ port: instance.port, request, connections: 2, durationMs: 200 });
      expect(r.errors).toBe(0);
      expect(r.non2xx).toBe(0);
      expect(r.requests).toBeGreaterThan(0);
      expect(r.latenciesMs).toHaveLength(r.requests);
    }
    // One short pipelined run through the load-generator process with each available tool.
    const { wrkAvailable } = await load('../bench/http/lib/wrk.js');
    const raw = await startServer({ script: new URL('../bench/http/servers/raw.js', import.meta.url) });
    started.push(raw);
    const pipelined = WORKLOADS.find((w: AnyModule) => w.id === 'pipelined');
    for (const tool of wrkAvailable() ? ['autocannon', 'wrk'] : ['autocannon']) {
      const result = await runLoadgen(
        { port: raw.port, pid: raw.pid, workload: { ...pipelined, connections: 2 }, warmupS: 0, durationS: 1, tool },
        { taskset: null, core: null, timeoutMs: 15_000 },
      );
      expect(result.tool).toBe(tool);
      expect(result.requests).toBeGreaterThan(0);
      // The server's CPU time over the run, per request (from /proc/<pid>/stat; Linux).
      if (process.platform === 'linux') expect(result.cpuUsPerRequest).toBeGreaterThanOrEqual(0);
      expect(result.errors + result.non2xx + result.timeouts).toBe(0);
    }
  });

  it('writes wrk scripts that pipeline, carry the body and report JSON', async () => {
    const { wrkScript } = await load('../bench/http/lib/wrk.js');
    const { WORKLOADS } = await load('../bench/http/lib/workloads.js');
    const echo = wrkScript(WORKLOADS.find((w: AnyModule) => w.id === 'echo'));
    expect(echo).toContain('wrk.method = "POST"');
    expect(echo).toContain('wrk.headers["content-type"] = "application/json"');
    expect(echo).toMatch(/wrk\.body = \[==\[\{/);
    expect(echo).not.toContain('string.rep');
    const piped = wrkScript(WORKLOADS.find((w: AnyModule) => w.id === 'pipelined'));
    expect(piped).toContain('string.rep(wrk.format(), 16)');
    expect(piped).toContain('done = function');
  });

  it('a wrong answer is caught before measuring', async () => {
    const { startServer } = await load('../bench/http/lib/processes.js');
    const { SERVERS, WORKLOADS, verify } = await load('../bench/http/lib/workloads.js');
    // The raw ceiling answers "Hello, World!" to /users/42; judged as a normal server it must fail.
    const raw = await startServer({ script: new URL('../bench/http/servers/raw.js', import.meta.url) });
    started.push(raw);
    const users = WORKLOADS.find((w: AnyModule) => w.id === 'users');
    const asNormal = { ...SERVERS.find((s: AnyModule) => s.id === 'raw'), ceiling: false };
    const check = await verify(raw.port, users, asNormal);
    expect(check.ok).toBe(false);
  });
});

// End to end: the parser suite runs against the built package, checks every engine against llhttp
// and stores a row per fixture and implementation. Needs dist/ (npm test builds it first).
const built = existsSync(new URL('../dist/http/head/index.js', import.meta.url));
describe.skipIf(!built)('parser suite (BENCH_QUICK)', () => {
  it('times every engine on every fixture after checking it against llhttp', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'wasmlane-bench-'));
    try {
      const out = execFileSync(process.execPath, ['--expose-gc', 'bench/run.js', 'parser'], {
        cwd: new URL('..', import.meta.url),
        env: { ...process.env, BENCH_QUICK: '1', BENCH_NO_PIN: '1', BENCH_RESULTS_DIR: dir },
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(out).toContain('pinning: no (BENCH_NO_PIN=1)');
      const files = readdirSync(dir).filter((f) => f.startsWith('parser-'));
      expect(files).toHaveLength(1);
      const doc = JSON.parse(readFileSync(path.join(dir, files[0]!), 'utf8'));
      expect(doc.notes.filter((n: string) => n.includes('differs'))).toEqual([]);
      for (const fixture of FIXTURES) {
        const rows = doc.rows.filter((r: AnyModule) => r.meta?.fixture === fixture && r.meta?.mode !== 'chunked');
        const names = rows.map((r: AnyModule) => r.name);
        expect(names).toContain('llhttp (node:http binding)');
        for (const engine of doc.engines) {
          expect(names).toContain(`${engine} parse`);
          expect(names).toContain(`${engine} parse+strings`);
        }
        for (const r of rows) {
          expect(r.nsPerOp).toBeGreaterThan(0);
          expect(r.vsLlhttp).toBeGreaterThan(0);
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
