// Benchmark figures, one source of truth: `npm run bench:report`.
//
// 1. Reads the newest bench/results/<suite>-<stamp>.json of each suite (parser, http, ws-echo,
//    ws-mask, ws-utf8, router) — the files `npm run bench`, `bench:http` and `bench:ws` write.
// 2. Folds them into bench/figures.json, the committed summary (bench/results/ is not committed):
//    a suite with a newer run replaces its entry, a suite without one keeps the figures it had.
// 3. Regenerates the headline table in README.md and the full tables in docs/benchmarks.md, each
//    between `<!-- bench:start -->` and `<!-- bench:end -->`, from bench/figures.json only.
//
//   node bench/report.js                 update figures.json, README.md and docs/benchmarks.md
//   node bench/report.js --dir <path>    read run files from another directory
//   node bench/report.js --check         change nothing; exit 1 if the docs differ from figures.json
import { readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import path from 'node:path';

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
  http: (r) => (r.rps ? { server: r.server, workload: r.workload, rps: r.rps, tool: r.tool } : null),
  'ws-echo': (r) => (r.msgPerSec ? { size: r.size, client: r.client, server: r.server, msgPerSec: r.msgPerSec } : null),
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
function provenance(s, short = false) {
  const date = s.date ? s.date.replace('T', ' ').replace(/:\d\d(\.\d+)?Z$/, ' UTC') : 'date not recorded';
  const load = s.loadavg ? `load average ${s.loadavg}` : 'load average not recorded';
  const m = s.machine ?? {};
  const machine = m.cpu && !short ? `; ${m.cpu}, ${m.cores} cores, node ${m.node}${m.pinned ? `, ${m.pinned}` : ''}` : '';
  return `${date}, ${load}${machine}; source: ${s.source}${s.note ? ` (${s.note})` : ''}`;
}

const find = (rows, pred) => rows.find(pred);
const uniq = (list) => [...new Set(list)];

const HTTP_SERVERS = [['wasmlane-wasm', 'wasmlane (wasm-simd)'], ['wasmlane-js', 'wasmlane (js)'], ['node-http', 'node:http'], ['fastify', 'fastify'], ['raw', 'raw net ceiling']];
const HTTP_WORKLOADS = [['hello', 'hello, keep-alive (100 conn.)'], ['hello-close', 'hello, `Connection: close`'], ['pipelined', 'hello, 16-deep pipelining'], ['users', '`GET /users/{id}` → JSON'], ['echo', '`POST /echo`, 1 KiB JSON'], ['https-hello', 'hello over TLS, keep-alive (node:https)']];
const CEILING_WORKLOADS = new Set(['hello', 'hello-close', 'pipelined']);
const PARSER_COLUMNS = ['llhttp (node:http binding)', 'wasm-simd parse', 'wasm parse', 'js parse', 'wasm-simd parse+strings', 'js parse+strings'];
const sizeLabel = (n) => (n >= 1 << 20 ? `${n / (1 << 20)} MiB` : n >= 1024 ? `${n / 1024} KiB` : `${n} B`);

function httpCell(rows, server, workload, withRatios) {
  const r = find(rows, (x) => x.server === server && x.workload === workload);
  if (!r) return '—';
  if (!withRatios) return num(r.rps);
  const base = find(rows, (x) => x.server === 'node-http' && x.workload === workload);
  const raw = find(rows, (x) => x.server === 'raw' && x.workload === workload);
  const parts = [base ? `${ratio(r.rps / base.rps)} node` : null, raw && CEILING_WORKLOADS.has(workload) ? `${pct(r.rps / raw.rps)} of raw` : null].filter(Boolean);
  return parts.length ? `${num(r.rps)} (${parts.join(', ')})` : num(r.rps);
}

function parserCell(rows, group, name) {
  const r = find(rows, (x) => x.group === group && x.name === name);
  const anchor = find(rows, (x) => x.group === group && x.name === PARSER_COLUMNS[0]);
  if (!r) return '—';
  return r === anchor || !anchor ? num(r.ns) : `${num(r.ns)} (${ratio(anchor.ns / r.ns)})`;
}

function wsServers(rows) {
  const servers = uniq(rows.map((r) => r.server));
  const ref = servers.find((s) => s.startsWith('ws')) ?? null;
  return { servers: [...servers.filter((s) => s !== ref), ...(ref ? [ref] : [])], ref };
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
    const body = table(['workload', ...servers.map(([, l]) => l)], workloads.map(([w, wl]) => [wl, ...servers.map(([id]) => httpCell(s.rows, id, w, id === 'wasmlane-wasm'))]));
    return `req/s (higher is better), load generator: ${tools}; × node = against node:http in the same run, % of raw = share of the raw \`net\` ceiling.\n\n${body}`;
  },
  'ws-echo'(s) {
    const { servers, ref } = wsServers(s.rows);
    const cases = uniq(s.rows.map((r) => `${r.size}|${r.client}`));
    const rows = cases.map((c) => {
      const [size, client] = c.split('|');
      const pick = (srv) => find(s.rows, (r) => String(r.size) === size && r.client === client && r.server === srv);
      const refRow = ref ? pick(ref) : null;
      return [sizeLabel(Number(size)), client, ...servers.map((srv) => {
        const r = pick(srv);
        if (!r) return '—';
        return r === refRow || !refRow ? num(r.msgPerSec) : `${num(r.msgPerSec)} (${ratio(r.msgPerSec / refRow.msgPerSec)})`;
      })];
    });
    return `Echo, 50 connections, msg/s (higher is better); × = against ${ref ?? 'the reference'} in the same run. \`ws ×1\`: the ws client, one message in flight (the client saturates first); \`raw ×16\`: the project's low-cost raw client, 16 frames in flight (server-bound).\n\n${table(['message', 'client', ...servers], rows)}`;
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
    const { servers, ref } = wsServers(e.rows);
    const ours = servers[0];
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
  if (stale) process.exitCode = 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
