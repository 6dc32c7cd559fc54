// Benchmark figures, one source of truth: `npm run bench:report`.
//
// 1. Reads the newest bench/results/<suite>-<stamp>.json of each suite (parser, http, ws-echo,
//    ws-mask, ws-utf8, router) — the files `npm run bench`, `bench:http` and `bench:ws` write.
// 2. Folds them into bench/figures.json, the committed summary (bench/results/ is not committed):
//    a suite with a newer run replaces its entry, a suite without one keeps the figures it had.
// 3. Regenerates the headline table in README.md and the full tables in docs/benchmarks.md, each
//    between `<!-- bench:start -->` and `<!-- bench:end -->`, and the charts docs/bench-http.svg and
//    docs/bench-ws.svg, from bench/figures.json only. Each load-benchmark table comes with its
//    server-CPU-per-request table and its targets, judged on the same run's figures.
//
//   node bench/report.js                 update figures.json, README.md, docs/benchmarks.md, docs/*.svg
//   node bench/report.js --dir <path>    read run files from another directory
//   node bench/report.js --check         change nothing; exit 1 if the docs differ from figures.json
import { readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import path from 'node:path';
import { evaluateAll, targetLine } from './lib/targets.js';
import { HTTP_TARGETS, HTTP_FIELDS, CEILING_WORKLOADS } from './http/lib/targets.js';
import { httpChartSvg } from './http/lib/chart.js';
import { WS_TARGETS, WS_FIELDS, WASMLANE, WS, RAW, sizeLabel } from './ws/lib/targets.js';
import { wsChartSvg } from './ws/lib/chart.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const START = '<!-- bench:start -->';
const END = '<!-- bench:end -->';
const SUITES = ['parser', 'http', 'ws-echo', 'ws-mask', 'ws-utf8', 'router'];

// ---------------------------------------------------------------------------------------------
// Reading run files into compact summaries (only what the tables need; ratios are computed when
// rendering, so a summary never carries a figure that disagrees with another).

/** Newest run file per suite in `dir` (names are `<suite>-YYYYMMDD-HHMMSS.json`, sortable). */
export function newestRuns(dir) {
  const out = new Map();
  if (!existsSync(dir)) return out;
  for (const file of readdirSync(dir).sort()) {
    const m = /^(.+)-(\d{8}-\d{6})\.json$/.exec(file);
    if (m && SUITES.includes(m[1])) out.set(m[1], path.join(dir, file)); // sorted: the last one wins
  }
  return out;
}

const ROW_FIELDS = {
  parser: (r) => ({ group: r.group, name: r.name, ns: r.nsPerOp }),
  router: (r) => ({ group: r.group, name: r.name, ns: r.nsPerOp }),
  'ws-mask': (r) => ({ group: r.group, name: r.name, gbPerSec: r.gbPerSec }),
  'ws-utf8': (r) => ({ group: r.group, name: r.name, gbPerSec: r.gbPerSec }),
  http: (r) => (r.rps ? { server: r.server, workload: r.workload, rps: r.rps, ...(r.cpuUsPerReq != null ? { cpuUsPerReq: r.cpuUsPerReq } : {}), tool: r.tool } : null),
  'ws-echo': (r) => (r.msgPerSec ? { size: r.size, client: r.client, server: r.server, msgPerSec: r.msgPerSec, ...(r.cpuUsPerMsg != null ? { cpuUsPerMsg: r.cpuUsPerMsg } : {}) } : null),
};

/** A run file → its summary: source, date, load average, machine and the compact rows. */
export function summarize(suite, file) {
  const doc = JSON.parse(readFileSync(file, 'utf8'));
  const m = doc.machine ?? {};
  return {
    suite,
    source: `run file ${path.basename(file)} (bench/results/ is not committed)`,
    date: doc.date ?? null,
    loadavg: m.loadavg ?? null,
    machine: { cpu: m.cpu ?? null, cores: m.cores ?? null, node: m.node ?? null, pinned: m.pinned ?? null },
    rows: (doc.rows ?? []).map(ROW_FIELDS[suite]).filter(Boolean),
  };
}

// ---------------------------------------------------------------------------------------------
// Rendering

const num = (v, digits = 0) => (v == null || !Number.isFinite(v) ? '—' : v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }));
const ratio = (v) => (v == null || !Number.isFinite(v) ? '—' : `${v.toFixed(v >= 10 ? 1 : 2)}×`);
const pct = (v) => (v == null || !Number.isFinite(v) ? '—' : `${Math.round(v * 100)}%`);

function table(head, rows) {
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

/** "2026-11-21 14:13 UTC, load average 7.41 8.21 8.80; <machine>; source: …" (short: no machine). */
const fmtDate = (s) => (s.date ? s.date.replace('T', ' ').replace(/:\d\d(\.\d+)?Z$/, ' UTC') : 'date not recorded');

function provenance(s, short = false) {
  const date = fmtDate(s);
  const load = s.loadavg ? `load average ${s.loadavg}` : 'load average not recorded';
  const m = s.machine ?? {};
  const machine = m.cpu && !short ? `; ${m.cpu}, ${m.cores} cores, node ${m.node}${m.pinned ? `, ${m.pinned}` : ''}` : '';
  return `${date}, ${load}${machine}; source: ${s.source}${s.note ? ` (${s.note})` : ''}`;
}

const find = (rows, pred) => rows.find(pred);
const uniq = (list) => [...new Set(list)];

const HTTP_SERVERS = [['wasmlane-wasm', 'wasmlane (wasm-simd)'], ['wasmlane-js', 'wasmlane (js)'], ['node-http', 'node:http'], ['fastify', 'fastify'], ['raw', 'raw net ceiling']];
const HTTP_WORKLOADS = [
  ['hello', 'hello, keep-alive (100 conn.)'], ['hello-close', 'hello, `Connection: close`'], ['pipelined', 'hello, 16-deep pipelining'],
  ['users', '`GET /users/{id}` → JSON'], ['echo', '`POST /echo`, 1 KiB JSON'], ['upload-16k', '`POST /upload`, 16 KiB body'],
  ['upload-1m-chunked', '`POST /upload`, 1 MiB chunked'], ['https-hello', 'hello over TLS, keep-alive (100 conn.)'],
];
const HTTP_NAMES = Object.fromEntries(HTTP_SERVERS);
const PARSER_COLUMNS = ['llhttp (node:http binding)', 'wasm-simd parse', 'wasm parse', 'js parse', 'wasm-simd parse+strings', 'js parse+strings'];
const CHARTS = { http: 'docs/bench-http.svg', 'ws-echo': 'docs/bench-ws.svg' };

function httpCell(rows, server, workload, withRatios) {
  const r = find(rows, (x) => x.server === server && x.workload === workload);
  if (!r) return '—';
  if (!withRatios) return num(r.rps);
  const base = find(rows, (x) => x.server === 'node-http' && x.workload === workload);
  const raw = find(rows, (x) => x.server === 'raw' && x.workload === workload);
  const parts = [base ? `${ratio(r.rps / base.rps)} node` : null, raw && CEILING_WORKLOADS.has(workload) ? `${pct(r.rps / raw.rps)} of raw` : null].filter(Boolean);
  return parts.length ? `${num(r.rps)} (${parts.join(', ')})` : num(r.rps);
}

/** CPU µs per request; for wasmlane also requests per CPU-second × node:http's, and CPU ÷ raw's. */
function httpCpuCell(rows, server, workload, withRatios) {
  const r = find(rows, (x) => x.server === server && x.workload === workload);
  if (!r?.cpuUsPerReq) return '—';
  if (!withRatios) return num(r.cpuUsPerReq, 2);
  const base = find(rows, (x) => x.server === 'node-http' && x.workload === workload);
  const raw = find(rows, (x) => x.server === 'raw' && x.workload === workload);
  const parts = [
    base?.cpuUsPerReq ? `${ratio(base.cpuUsPerReq / r.cpuUsPerReq)} node` : null,
    raw?.cpuUsPerReq && CEILING_WORKLOADS.has(workload) ? `${ratio(r.cpuUsPerReq / raw.cpuUsPerReq)} raw's CPU` : null,
  ].filter(Boolean);
  return parts.length ? `${num(r.cpuUsPerReq, 2)} (${parts.join(', ')})` : num(r.cpuUsPerReq, 2);
}

/** The targets judged on a summary's rows, as a list; '' when the summary has no figure they need. */
function targetList(rows, targets, fields, opts) {
  const judged = evaluateAll(targets, rows, fields).filter((t) => t.value != null);
  if (!judged.length) return '';
  return `\n\nTargets, judged on the figures above (same run):\n\n${judged.map((t) => `- ${targetLine(t, t, opts).replace(/\((met|NOT met)([;)])/, '(**$1**$2')}`).join('\n')}`;
}

function parserCell(rows, group, name) {
  const r = find(rows, (x) => x.group === group && x.name === name);
  const anchor = find(rows, (x) => x.group === group && x.name === PARSER_COLUMNS[0]);
  if (!r) return '—';
  return r === anchor || !anchor ? num(r.ns) : `${num(r.ns)} (${ratio(anchor.ns / r.ns)})`;
}

/** The servers of a ws-echo summary: wasmlane's first, then ws (the reference), then the raw floor. */
function wsServers(rows) {
  const servers = uniq(rows.map((r) => r.server));
  const rank = (s) => (s === WS ? 1 : s === RAW ? 2 : 0);
  return { servers: [...servers].sort((a, b) => rank(a) - rank(b)), ref: servers.includes(WS) ? WS : null };
}

function wsTable(s, key, digits, cell) {
  const { servers } = wsServers(s.rows);
  const cases = uniq(s.rows.map((r) => `${r.size}|${r.client}`));
  return table(['message', 'client', ...servers], cases.map((c) => {
    const [size, client] = c.split('|');
    const pick = (srv) => find(s.rows, (r) => String(r.size) === size && r.client === client && r.server === srv);
    return [sizeLabel(Number(size)), client, ...servers.map((srv) => {
      const r = pick(srv);
      return r?.[key] ? cell(r, pick, num(r[key], digits)) : '—';
    })];
  }));
}

const RENDER_FULL = {
  parser(s) {
    const groups = uniq(s.rows.map((r) => r.group)).filter((g) => s.rows.some((r) => r.group === g && r.name === PARSER_COLUMNS[0]));
    const body = table(['fixture', ...PARSER_COLUMNS], groups.map((g) => [g, ...PARSER_COLUMNS.map((c) => parserCell(s.rows, g, c))]));
    const chunked = s.rows.filter((r) => /chunked decode$/.test(r.name));
    const tail = chunked.length ? `\n\nChunked body of post-chunked.http, one decode: ${chunked.map((r) => `${r.name.replace(' chunked decode', '')} ${num(r.ns)} ns`).join(', ')}.` : '';
    return `ns per parse (lower is better); × = faster than Node's llhttp binding in the same run.\n\n${body}${tail}`;
  },
  http(s) {
    const servers = HTTP_SERVERS.filter(([id]) => s.rows.some((r) => r.server === id));
    const workloads = HTTP_WORKLOADS.filter(([id]) => s.rows.some((r) => r.workload === id));
    const tools = uniq(s.rows.map((r) => r.tool).filter(Boolean)).join(' + ') || 'not recorded';
    const header = ['workload', ...servers.map(([, l]) => l)];
    const body = table(header, workloads.map(([w, wl]) => [wl, ...servers.map(([id]) => httpCell(s.rows, id, w, id === 'wasmlane-wasm'))]));
    const chart = `![req/s and server CPU per request of this run](${path.basename(CHARTS.http)})`;
    // The TLS row's baseline is node:https (the same handler on https.createServer), said once.
    const tls = workloads.some(([id]) => id === 'https-hello') ? ' (node:https on the TLS row)' : '';
    const text = `req/s (higher is better), load generator: ${tools}; × node = against node:http${tls} in the same run, % of raw = share of the raw \`net\` ceiling.\n\n${body}`;
    const hasCpu = s.rows.some((r) => r.cpuUsPerReq);
    const cpu = hasCpu
      ? `\n\nServer CPU µs per request (user + system time of the server process ÷ requests; lower is better — it does not depend on the load generator's speed); × node = requests per CPU-second against node:http's, raw's CPU = CPU per request as a multiple of the ceiling's.\n\n${table(header, workloads.map(([w, wl]) => [wl, ...servers.map(([id]) => httpCpuCell(s.rows, id, w, id === 'wasmlane-wasm'))]))}`
      : '\n\nServer CPU per request: not recorded by this run (run files before issue 12 lack it).';
    return `${chart}\n\n${text}${cpu}${targetList(s.rows, HTTP_TARGETS, HTTP_FIELDS, { nameOf: (id) => HTTP_NAMES[id] ?? id, unit: 'req' })}`;
  },
  'ws-echo'(s) {
    const { ref } = wsServers(s.rows);
    const vsRef = (key, invert) => (r, pick, text) => {
      const b = ref ? pick(ref) : null;
      if (!b?.[key] || b === r) return text;
      return `${text} (${ratio(invert ? b[key] / r[key] : r[key] / b[key])})`;
    };
    const chart = `![msg/s and server CPU per message of this run](${path.basename(CHARTS['ws-echo'])})`;
    const rate = wsTable(s, 'msgPerSec', 0, vsRef('msgPerSec', false));
    const text = `msg/s (higher is better; fan-out: deliveries/s); × = against ${ref ?? 'the reference'} in the same run. Echo over 50 connections: \`ws ×1\` / \`ws ×16\` the ws client with 1 / 16 messages in flight per connection (the client saturates first); \`raw ×16\` the project's low-cost raw client, 16 frames in flight (server-bound). \`fan-out 1→1000\`: one publisher, 1,000 raw subscribers, 8 messages in flight. \`${RAW}\`: a \`net\` server doing the least work per frame (not a WebSocket implementation).\n\n${rate}`;
    const hasCpu = s.rows.some((r) => r.cpuUsPerMsg);
    const cpu = hasCpu
      ? `\n\nServer CPU µs per message (fan-out: per delivery; lower is better); × = messages per CPU-second against ${ref ?? 'the reference'}'s.\n\n${wsTable(s, 'cpuUsPerMsg', 2, vsRef('cpuUsPerMsg', true))}`
      : '\n\nServer CPU per message: not recorded by this run (run files before issue 12 lack it).';
    return `${chart}\n\n${text}${cpu}${targetList(s.rows, WS_TARGETS, WS_FIELDS, { unit: 'msg' })}`;
  },
  'ws-mask'(s) { return pivot(s, 'gbPerSec', 'GB/s, unmask in place (higher is better)', 'size', 2); },
  'ws-utf8'(s) { return pivot(s, 'gbPerSec', 'GB/s, UTF-8 validation (higher is better)', 'input', 2); },
  router(s) {
    const rows = s.rows.map((r) => ({ ...r, name: r.name.replace(/^.*: /, '') }));
    return pivot({ ...s, rows }, 'ns', 'ns per match, 50 GitHub-API-like routes (lower is better)', 'request', 0);
  },
};

function pivot(s, key, caption, first, digits) {
  const names = uniq(s.rows.map((r) => r.name));
  const groups = uniq(s.rows.map((r) => r.group));
  const body = table([first, ...names], groups.map((g) => [g, ...names.map((n) => num(find(s.rows, (r) => r.group === g && r.name === n)?.[key], digits))]));
  return `${caption}.\n\n${body}`;
}

const TITLES = {
  parser: '`npm run bench` — parser suite',
  http: '`npm run bench:http` — whole servers',
  'ws-echo': '`npm run bench:ws` — WebSocket echo',
  'ws-mask': '`npm run bench -- ws-mask` — unmask',
  'ws-utf8': '`npm run bench -- ws-utf8` — UTF-8 validation',
  router: '`npm run bench -- router` — router',
};

export function renderFull(figures) {
  const parts = ['_Generated by `npm run bench:report` from `bench/figures.json`; do not edit by hand._'];
  for (const suite of SUITES) {
    const s = figures.suites[suite];
    if (!s) continue;
    parts.push(`### ${TITLES[suite]}\n\n${provenance(s)}.\n\n${RENDER_FULL[suite](s)}`);
  }
  return parts.join('\n\n');
}

export function renderHeadline(figures) {
  const rows = [];
  const used = [];
  const p = figures.suites.parser;
  if (p) {
    used.push(p);
    for (const g of ['typical-browser-get', 'forty-headers-get']) {
      const a = find(p.rows, (r) => r.group === g && r.name === PARSER_COLUMNS[0]);
      const w = find(p.rows, (r) => r.group === g && r.name === 'wasm-simd parse');
      if (a && w) rows.push([`parse a request head, ${g}`, `${num(w.ns)} ns`, `${num(a.ns)} ns (llhttp)`, ratio(a.ns / w.ns)]);
    }
  }
  const h = figures.suites.http;
  if (h) {
    used.push(h);
    for (const [w, label] of HTTP_WORKLOADS.filter(([id]) => ['hello', 'pipelined', 'users'].includes(id))) {
      const a = find(h.rows, (r) => r.server === 'wasmlane-wasm' && r.workload === w);
      const b = find(h.rows, (r) => r.server === 'node-http' && r.workload === w);
      const raw = find(h.rows, (r) => r.server === 'raw' && r.workload === w);
      if (a && b) rows.push([`HTTP ${label}`, `${num(a.rps)} req/s${raw && CEILING_WORKLOADS.has(w) ? ` (${pct(a.rps / raw.rps)} of raw)` : ''}`, `${num(b.rps)} req/s (node:http)`, ratio(a.rps / b.rps)]);
    }
  }
  const e = figures.suites['ws-echo'];
  if (e) {
    used.push(e);
    const { ref } = wsServers(e.rows);
    const ours = WASMLANE;
    for (const [size, client, label] of [[64, 'raw ×16', 'WebSocket echo 64 B, raw client ×16'], [1048576, 'ws ×1', 'WebSocket echo 1 MiB, ws client']]) {
      const a = find(e.rows, (r) => r.size === size && r.client === client && r.server === ours);
      const b = find(e.rows, (r) => r.size === size && r.client === client && r.server === ref);
      if (a && b) rows.push([label, `${num(a.msgPerSec)} msg/s`, `${num(b.msgPerSec)} msg/s (${ref})`, ratio(a.msgPerSec / b.msgPerSec)]);
    }
  }
  const sources = used.map((s) => `- ${s.suite}: ${provenance(s, true)}`).join('\n');
  // The machine as the run files recorded it (older, transcribed entries may not say).
  const machines = [...new Set(used.map((s) => s.machine?.cpu && s.machine?.node ? `${s.machine.cpu}, Node ${s.machine.node}` : null).filter(Boolean))];
  const machine = machines.length > 0 ? ` (${machines.join('; ')})` : '';
  return `${table(['benchmark', 'wasmlane', 'baseline, same run', 'ratio'], rows)}\n\nMedians on a shared 2-core machine${machine}; ratios against a baseline measured in the\nsame run are the stable part. Generated by \`npm run bench:report\` from \`bench/figures.json\`:\n\n${sources}`;
}

/** The charts of the load benchmarks, drawn from figures.json: [file relative to the root, SVG]. */
export function renderCharts(figures) {
  const out = [];
  const subtitle = (s) => {
    const m = s.machine ?? {};
    return `${fmtDate(s)}, load average ${s.loadavg ?? 'not recorded'}; ${m.cpu ?? 'machine not recorded'}${m.cores ? `, ${m.cores} cores` : ''}${m.node ? `, node ${m.node}` : ''}`;
  };
  const h = figures.suites.http;
  if (h) out.push([CHARTS.http, httpChartSvg(h.rows, subtitle(h))]);
  const e = figures.suites['ws-echo'];
  if (e) out.push([CHARTS['ws-echo'], wsChartSvg(e.rows, wsServers(e.rows).servers, subtitle(e))]);
  return out;
}

/** Replace what lies between the markers in `text`; throws when the markers are missing. */
export function replaceBetween(text, content, file) {
  const a = text.indexOf(START);
  const b = text.indexOf(END);
  if (a < 0 || b < a) throw new Error(`${file}: markers ${START} … ${END} not found`);
  return `${text.slice(0, a + START.length)}\n${content}\n${text.slice(b)}`;
}

// ---------------------------------------------------------------------------------------------

function main() {
  const { values } = parseArgs({ options: { dir: { type: 'string' }, check: { type: 'boolean', default: false }, root: { type: 'string' } } });
  const root = values.root ? path.resolve(values.root) : ROOT;
  const figuresFile = path.join(root, 'bench', 'figures.json');
  const figures = existsSync(figuresFile) ? JSON.parse(readFileSync(figuresFile, 'utf8')) : { suites: {} };
  if (!values.check) {
    const dir = values.dir ? path.resolve(values.dir) : path.join(root, 'bench', 'results');
    for (const [suite, file] of newestRuns(dir)) {
      const s = summarize(suite, file);
      const old = figures.suites[suite];
      if (old?.date && s.date && old.date > s.date) { console.log(`${suite}: keeping ${old.source} (newer than ${s.source})`); continue; }
      figures.suites[suite] = s;
      console.log(`${suite}: ${s.source}`);
    }
    writeFileSync(figuresFile, `${JSON.stringify(figures, null, 2)}\n`);
  }
  let stale = 0;
  for (const [rel, render] of [['README.md', renderHeadline], ['docs/benchmarks.md', renderFull]]) {
    const file = path.join(root, rel);
    const before = readFileSync(file, 'utf8');
    const after = replaceBetween(before, render(figures), rel);
    if (after === before) continue;
    if (values.check) { console.log(`${rel}: out of date with bench/figures.json (run npm run bench:report)`); stale++; }
    else { writeFileSync(file, after); console.log(`${rel}: updated`); }
  }
  for (const [rel, svg] of renderCharts(figures)) {
    const file = path.join(root, rel);
    if (existsSync(file) && readFileSync(file, 'utf8') === svg) continue;
    if (values.check) { console.log(`${rel}: out of date with bench/figures.json (run npm run bench:report)`); stale++; }
    else { writeFileSync(file, svg); console.log(`${rel}: updated`); }
  }
  if (stale) process.exitCode = 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
