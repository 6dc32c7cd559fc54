// Tests of the benchmark harness itself (bench/): the pieces whose mistakes would silently corrupt
// figures — the llhttp driver, the raw ceiling's head counter, the statistics, the profile reader,
// the chart, the load loop and the response check. bench/ is plain JavaScript without types, so it
// is imported through untyped dynamic imports.
import { describe, it, expect, afterAll } from 'vitest';
import { readFileSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { execFileSync, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { opensslOrSkip, makeTestCa } from './support/certs.js';

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
    const { barChartSvg } = await load('../bench/lib/svg.js');
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

  it('draws one panel per metric, scaled per group when asked', async () => {
    const { barChartSvg } = await load('../bench/lib/svg.js');
    const svg: string = barChartSvg({
      title: 't',
      series: ['a', 'b'],
      scalePerGroup: true,
      metrics: [{ title: 'req/s', unit: 'req/s' }, { title: 'CPU µs/req', unit: 'µs', digits: 1 }],
      groups: [
        { label: 'small', bars: [{ series: 'a', values: [10, 4] }, { series: 'b', values: [5, 8] }] },
        { label: 'big', bars: [{ series: 'a', values: [1000, 400] }, { series: 'b', values: [500, 800] }] },
      ],
    });
    const bars = [...svg.matchAll(/<rect x="(\d+)" y="\d+" width="([\d.]+)" height="16"/g)].map((m) => ({ x: Number(m[1]), w: Number(m[2]) }));
    expect(bars).toHaveLength(8); // 2 groups × 2 servers × 2 metrics
    // Per group: the first group's bars are as long as the second's (same proportions, 100× smaller values).
    expect(bars.slice(0, 4).map((b) => b.w)).toEqual(bars.slice(4).map((b) => b.w));
    // Within a panel, the bars keep the values' proportions; the second panel starts further right.
    expect(bars[0]!.w).toBeCloseTo(bars[2]!.w * 2, 0); // req/s 10 vs 5
    expect(bars[3]!.w).toBeCloseTo(bars[1]!.w * 2, 0); // CPU 8 vs 4
    expect(bars[1]!.x).toBeGreaterThan(bars[0]!.x);
    expect(svg).toContain('>8.0<');
    expect(svg).toContain('CPU µs/req');
  });

  it('reads CPU time from /proc/<pid>/stat (utime + stime after the command name)', async () => {
    const { statTicks, cpuSeconds, cpuUsPer } = await load('../bench/lib/cpu.js');
    // comm may hold spaces and parentheses; fields 14 and 15 are utime and stime.
    const line = '4242 (node (x) y) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 37 0 0 20 0 11 0 1000 1000 100';
    expect(statTicks(line)).toBe(287);
    const own = cpuSeconds(process.pid);
    expect(typeof own).toBe('number');
    expect(own).toBeGreaterThanOrEqual(0);
    expect(cpuSeconds(2 ** 30)).toBeNull(); // no such process
    expect(cpuUsPer(0.5, 1000)).toBe(500);
    expect(cpuUsPer(null, 1000)).toBeNull();
    expect(cpuUsPer(0.5, 0)).toBeNull();
  });

  it('judges targets on same-run rows: rate, CPU gain and CPU cost', async () => {
    const { evaluateTarget, targetLine, targetCell, attachTargetCells, evaluateAll } = await load('../bench/lib/targets.js');
    const fields = { rate: 'rps', cpu: 'cpu' };
    const rows: AnyModule[] = [
      { server: 'ours', workload: 'w', rps: 300, cpu: 5 },
      { server: 'node', workload: 'w', rps: 100, cpu: 20 },
      { server: 'raw', workload: 'w', rps: 600, cpu: 2 },
      { server: 'ours', workload: 'other', rps: 1, cpu: 1 },
    ];
    const where = { workload: 'w' };
    const rate = evaluateTarget({ where, server: 'ours', vs: 'node', goal: 4, metric: 'rate' }, rows, fields);
    expect(rate).toEqual({ value: 3, met: false, rateRatio: 3, cpuGain: 4 });
    const gain = evaluateTarget({ where, server: 'ours', vs: 'node', goal: 4, metric: 'cpu', sense: 'gain' }, rows, fields);
    expect(gain.value).toBe(4);
    expect(gain.met).toBe(true);
    const cost = { label: 'L', where, server: 'ours', vs: 'raw', goal: 2, metric: 'cpu', sense: 'cost' };
    const c = evaluateTarget(cost, rows, fields);
    expect(c.value).toBeCloseTo(2.5, 10);
    expect(c.met).toBe(false);
    expect(targetLine(cost, c)).toBe('L: ours CPU/req ≤ 2.00× raw — measured 2.50× (NOT met; same run: req/s 0.50×)');
    expect(targetCell(cost, c)).toBe('CPU/req ≤2.00× raw: 2.50× NOT met');
    const missing = evaluateTarget({ where: { workload: 'none' }, server: 'ours', vs: 'node', goal: 1, metric: 'rate' }, rows, fields);
    expect(missing).toEqual({ value: null, met: null, rateRatio: null, cpuGain: null });
    const judged = evaluateAll([cost, { ...cost, vs: 'node', goal: 0.5 }], rows, fields);
    attachTargetCells(rows, judged, {});
    expect(rows[0]!.target).toBe('CPU/req ≤2.00× raw: 2.50× NOT met; CPU/req ≤0.50× node: 0.25× met');
    expect(rows[3]).not.toHaveProperty('target');
  });

  it('frames a chunked upload exactly (checked by llhttp) and gives wrk the bytes from a file', async () => {
    const { WORKLOADS, buildRequest } = await load('../bench/http/lib/workloads.js');
    const { wrkScript } = await load('../bench/http/lib/wrk.js');
    const { createLlhttpParser } = await load('../bench/lib/llhttp.js');
    const w = WORKLOADS.find((x: AnyModule) => x.id === 'upload-1m-chunked');
    const bytes: Buffer = buildRequest(8080, w);
    const text = bytes.toString('latin1', 0, bytes.indexOf('\r\n\r\n'));
    expect(text).toContain('transfer-encoding: chunked');
    expect(text.toLowerCase()).not.toContain('content-length');
    const p = createLlhttpParser();
    expect(p.execute(bytes)).toBe(bytes.length);
    expect(p.state.messages).toBe(1);
    expect(p.state.bodyBytes).toBe(1024 * 1024);
    const script: string = wrkScript(w, '/tmp/request.bin');
    expect(script).toContain('io.open("/tmp/request.bin", "rb")');
    expect(script).not.toContain('wrk.format');
    const upload = WORKLOADS.find((x: AnyModule) => x.id === 'upload-16k');
    expect(buildRequest(8080, upload).toString('latin1')).toContain('content-length: 16384\r\n');
  });

  it('runs https-hello on the TLS servers only (wasmlane and node:https), on their TLS port', async () => {
    const { SERVERS, WORKLOADS, runsOn } = await load('../bench/http/lib/workloads.js');
    const { portFor, serverEnv } = await load('../bench/http/lib/tls.js');
    const https = WORKLOADS.find((w: AnyModule) => w.id === 'https-hello');
    const hello = WORKLOADS.find((w: AnyModule) => w.id === 'hello');
    const upload = WORKLOADS.find((w: AnyModule) => w.id === 'upload-16k');
    expect(https).toMatchObject({ tls: true, method: 'GET', path: '/' });
    expect(SERVERS.filter((s: AnyModule) => runsOn(s, https)).map((s: AnyModule) => s.id)).toEqual(['wasmlane-wasm', 'wasmlane-js', 'node-http']);
    // The other workloads are as before: everyone runs hello, the raw ceiling sits out the uploads.
    expect(SERVERS.every((s: AnyModule) => runsOn(s, hello))).toBe(true);
    expect(SERVERS.filter((s: AnyModule) => !runsOn(s, upload)).map((s: AnyModule) => s.id)).toEqual(['raw']);
    expect(portFor({ port: 1, tlsPort: 2 }, https)).toBe(2);
    expect(portFor({ port: 1, tlsPort: 2 }, hello)).toBe(1);
    const tls = { env: { BENCH_TLS_KEY: 'k', BENCH_TLS_CERT: 'c' }, ca: 'ca' };
    expect(serverEnv(SERVERS.find((s: AnyModule) => s.id === 'node-http'), tls)).toBe(tls.env);
    expect(serverEnv(SERVERS.find((s: AnyModule) => s.id === 'fastify'), tls)).toEqual({});
    expect(serverEnv(SERVERS.find((s: AnyModule) => s.id === 'node-http'), null)).toEqual({});
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
      // The TLS workload needs the run's certificate and the TLS port: its own test below.
      for (const w of WORKLOADS.filter((x: AnyModule) => !x.tls)) {
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
        { port: raw.port, workload: { ...pipelined, connections: 2 }, warmupS: 0, durationS: 1, tool, serverPid: raw.pid },
        { taskset: null, core: null, timeoutMs: 15_000 },
      );
      expect(result.tool).toBe(tool);
      expect(result.requests).toBeGreaterThan(0);
      expect(result.errors + result.non2xx + result.timeouts).toBe(0);
      // The server's CPU over the measured run, read from /proc by the load generator.
      expect(result.serverCpuS).toBeGreaterThanOrEqual(0);
      expect(result.cpuUsPerReq).toBeCloseTo((result.serverCpuS * 1e6) / result.requests, 6);
    }
  });

  it.skipIf(!existsSync('/usr/bin/wrk') && !existsSync('/usr/local/bin/wrk'))('wrk sends the 1 MiB chunked upload (from a file) and node:http reads it whole', async () => {
    const { startServer, runLoadgen } = await load('../bench/http/lib/processes.js');
    const { WORKLOADS } = await load('../bench/http/lib/workloads.js');
    const node = await startServer({ script: new URL('../bench/http/servers/node-http.js', import.meta.url) });
    started.push(node);
    const w = WORKLOADS.find((x: AnyModule) => x.id === 'upload-1m-chunked');
    const result = await runLoadgen(
      { port: node.port, workload: { ...w, connections: 2 }, warmupS: 0, durationS: 1, tool: 'wrk', serverPid: node.pid },
      { taskset: null, core: null, timeoutMs: 15_000 },
    );
    expect(result.requests).toBeGreaterThan(0);
    expect(result.errors + result.non2xx + result.timeouts).toBe(0);
    expect(result.cpuUsPerReq).toBeGreaterThan(0); // a 1 MiB body costs the server well over one tick per second
  });

  it.skipIf(!opensslOrSkip('https-hello harness'))('https-hello: node:https and wasmlane serve it with the run\'s certificate, which must verify; each load generator drives it', async () => {
    const { startServer, runLoadgen } = await load('../bench/http/lib/processes.js');
    const { SERVERS, WORKLOADS, verify } = await load('../bench/http/lib/workloads.js');
    const { wrkAvailable } = await load('../bench/http/lib/wrk.js');
    const { benchTls, portFor, serverEnv } = await load('../bench/http/lib/tls.js');
    const tls = benchTls();
    const https = WORKLOADS.find((w: AnyModule) => w.id === 'https-hello');
    const ids = existsSync(new URL('../dist/index.js', import.meta.url)) ? ['node-http', 'wasmlane-wasm'] : ['node-http'];
    for (const id of ids) {
      const server = SERVERS.find((s: AnyModule) => s.id === id);
      const args = server.args ?? [];
      const instance = await startServer({ script: new URL(`../bench/http/servers/${server.script}`, import.meta.url), args, env: serverEnv(server, tls) });
      started.push(instance);
      expect(instance.tlsPort, id).toBeGreaterThan(0);
      expect(instance.tlsPort).not.toBe(instance.port);
      const check = await verify(portFor(instance, https), https, server, tls.ca);
      expect(check.ok, `${id}: ${check.reason}`).toBe(true);
      // The check trusts the run's CA only: the same server judged with another CA fails.
      const stranger = await verify(portFor(instance, https), https, server, makeTestCa().ca);
      expect(stranger.ok).toBe(false);
      expect(stranger.reason).toMatch(/certificate/i);
      // The plain port still answers plain HTTP.
      expect((await verify(instance.port, WORKLOADS.find((w: AnyModule) => w.id === 'hello'), server)).ok).toBe(true);
      for (const tool of wrkAvailable() ? ['autocannon', 'wrk'] : ['autocannon']) {
        const r = await runLoadgen(
          { port: portFor(instance, https), workload: { ...https, connections: 2 }, warmupS: 0, durationS: 1, tool, serverPid: instance.pid },
          { taskset: null, core: null, timeoutMs: 15_000 },
        );
        expect(r.tool).toBe(tool);
        expect(r.requests, `${id} ${tool}`).toBeGreaterThan(0);
        expect(r.errors + r.non2xx + r.timeouts, `${id} ${tool}`).toBe(0);
        expect(r.cpuUsPerReq).toBeCloseTo((r.serverCpuS * 1e6) / r.requests, 6);
      }
    }
    // Without the certificate a TLS server announces no TLS port (the runner then reports it).
    const plain = await startServer({ script: new URL('../bench/http/servers/node-http.js', import.meta.url) });
    started.push(plain);
    expect(plain.tlsPort).toBeUndefined();
  }, 60_000);

  it.skipIf(!opensslOrSkip('https-hello run'))('`bench/http/run.js --workloads https-hello` measures it alone, rows for the TLS servers only, no key in the results', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'wasmlane-bench-http-'));
    try {
      const servers = existsSync(new URL('../dist/index.js', import.meta.url)) ? 'wasmlane-wasm,node-http,raw' : 'node-http,raw';
      const out = execFileSync(process.execPath, ['bench/http/run.js', '--servers', servers, '--workloads', 'https-hello'], {
        cwd: new URL('..', import.meta.url),
        env: { ...process.env, BENCH_DURATION: '1', BENCH_WARMUP: '0', BENCH_NO_PIN: '1', BENCH_RESULTS_DIR: dir },
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(out).toContain('node:https');
      const file = readdirSync(dir).find((f) => /^http-.*\.json$/.test(f));
      expect(file).toBeDefined();
      const text = readFileSync(path.join(dir, file!), 'utf8');
      expect(text).not.toContain('PRIVATE KEY'); // the run's key stays in memory and in the server's env
      const doc = JSON.parse(text);
      expect(doc.options.tls).toBe(true);
      expect(doc.workloads.map((w: AnyModule) => w.id)).toEqual(['https-hello']);
      const rows = doc.rows;
      expect(rows.map((r: AnyModule) => r.server)).toEqual(servers.split(',').filter((s) => s !== 'raw'));
      for (const r of rows) {
        expect(r.error, r.server).toBeUndefined();
        expect(r.rps).toBeGreaterThan(0);
        expect(r.errors + r.non2xx).toBe(0);
      }
      const node = rows.find((r: AnyModule) => r.server === 'node-http');
      expect(node.vsNode).toBe(1); // the ratio's baseline is node:https on the same workload
      if (node.cpuUsPerReq != null) expect(node.cpuVsNode).toBe(1);
      expect(readFileSync(path.join(dir, file!.replace(/\.json$/, '.svg')), 'utf8')).toContain('hello world over TLS');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);

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

describe('bench:ws pieces (127.0.0.1)', () => {
  const started: { stop: () => Promise<unknown> }[] = [];
  afterAll(async () => {
    await Promise.all(started.map((s) => s.stop()));
  });

  /** A masked client frame and the unmasked frame a server sends back for it (RFC 6455 §5.2). */
  function framePair(opcode: number, payload: Buffer) {
    const n = payload.length;
    const len = n < 126 ? [n] : n < 65536 ? [126, n >> 8, n & 0xff] : [127, 0, 0, 0, 0, (n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
    const key = Buffer.from([0x11, 0x22, 0x33, 0x44]);
    const masked = Buffer.from(payload.map((b, i) => b ^ key[i & 3]!));
    return {
      client: Buffer.concat([Buffer.from([0x80 | opcode, 0x80 | len[0]!, ...len.slice(1)]), key, masked]),
      server: Buffer.concat([Buffer.from([0x80 | opcode, ...len]), payload]),
    };
  }

  it('the raw floor turns client frames into server frames at every split of the stream', async () => {
    const { unmaskFrames } = await load('../bench/ws/servers/raw.js');
    const pattern = (n: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 13 + 5) & 0xff));
    const frames = [framePair(2, pattern(64)), framePair(1, Buffer.from('héllo')), framePair(2, pattern(300)), framePair(2, pattern(70_000)), framePair(8, Buffer.from([0x03, 0xe8]))];
    const input = Buffer.concat(frames.map((f) => f.client));
    const expected = Buffer.concat(frames.map((f) => f.server));
    const splits = [...Array.from({ length: 400 }, (_, i) => i), 70_100, input.length - 3, input.length];
    for (const split of splits) {
      const st = { head: Buffer.alloc(14), headLen: 0, mask: Buffer.alloc(4), left: 0, phase: 0, closed: false };
      const out = Buffer.concat([unmaskFrames(st, input.subarray(0, split)), unmaskFrames(st, input.subarray(split))]);
      expect(out.equals(expected), `split at ${split}`).toBe(true);
      expect(st.closed).toBe(true);
    }
  });

  const runClient = (script: string, cfg: object): Promise<AnyModule> =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [fileURLToPath(new URL(`../bench/ws/${script}`, import.meta.url)), JSON.stringify(cfg)], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (err += d));
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      child.once('exit', (code) => {
        clearTimeout(timer);
        if (code === 0) resolve(JSON.parse(out));
        else reject(new Error(`${script} exited ${code}: ${err}`));
      });
    });

  it('the ws client gets byte-exact echoes of 64 B and 70 KB messages from the raw floor', async () => {
    const { startServer } = await load('../bench/http/lib/processes.js');
    const raw = await startServer({ script: new URL('../bench/ws/servers/raw.js', import.meta.url) });
    started.push(raw);
    for (const size of [64, 70_000]) {
      const r = await runClient('client.js', { url: `ws://127.0.0.1:${raw.port}/`, connections: 2, size, window: 4, warmupMs: 50, durationMs: 300, serverPid: raw.pid });
      expect(r.errors, `size ${size}`).toBe(0); // client.js counts every echo that differs as an error
      expect(r.messages).toBeGreaterThan(0);
      expect(r.cpuUsPerMsg).toBeCloseTo((r.serverCpuS * 1e6) / r.messages, 6);
    }
  });

  it.skipIf(!existsSync(new URL('../dist/index.js', import.meta.url)))('fan-out reaches every subscriber with the exact frame on wasmlane, ws and the raw floor', async () => {
    const { startServer } = await load('../bench/http/lib/processes.js');
    for (const script of ['wasmlane-echo.js', 'ws-echo.js', 'raw.js']) {
      const server = await startServer({ script: new URL(`../bench/ws/servers/${script}`, import.meta.url) });
      started.push(server);
      // fanout-client.js exits non-zero unless its probe reached every subscriber byte for byte.
      const r = await runClient('fanout-client.js', { port: server.port, subscribers: 20, size: 64, window: 4, warmupMs: 50, durationMs: 300, serverPid: server.pid });
      expect(r.errors, script).toBe(0);
      expect(r.messages, script).toBeGreaterThan(0);
      expect(r.subscribers).toBe(20);
      const echo = await runClient('raw-client.js', { port: server.port, connections: 2, size: 64, window: 4, warmupMs: 50, durationMs: 200, serverPid: server.pid });
      expect(echo.errors, script).toBe(0);
      expect(echo.messages, script).toBeGreaterThan(0);
      await server.stop();
    }
  }, 60_000);
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
      const files = readdirSync(dir).filter((f) => f.startsWith('parser-') && f.endsWith('.json'));
      expect(files).toHaveLength(1);
      // Beside the JSON, the run's chart (ns per parse, one group per fixture).
      const chart = readFileSync(path.join(dir, files[0]!.replace(/\.json$/, '.svg')), 'utf8');
      expect(chart.startsWith('<svg')).toBe(true);
      expect(chart).toContain('typical-browser-get');
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
