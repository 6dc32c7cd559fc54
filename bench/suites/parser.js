// Parser suite: wasmlane's request-head parser (wasm-simd, wasm, js engines) against Node's own
// llhttp as node:http drives it, on the project's fixtures; plus the chunked decoder on the
// post-chunked body when it is built.
//
// Rows per fixture:
//   llhttp (node:http binding)  execute(head) per request; hands JS strings (the anchor, see lib/llhttp.js)
//   <engine> parse              one parse(buf, 0, len, 0) on a fresh head; for the WASM engines this
//                               includes copying the head into WASM memory
//   <engine> parse+strings      the same, then every header name and value, the method and the target
//                               decoded as JS strings into an array — the work llhttp's binding does,
//                               so this is the like-for-like comparison
//   <engine> parseHead only     diagnostic: the WASM export alone on bytes already in WASM memory
//   js parse (2 pieces)         the head fed as two reads split at its middle: parse(buf, 0, half, 0)
//                               (the whole-head fast path bails out, the state machine takes the
//                               first half) then parse(buf, 0, len, half) resuming it — the state
//                               machine path, which whole heads never reach (typical, forty-headers)
// Every implementation's output is checked against llhttp's before it is timed.
import { loadFixture } from '../lib/fixtures.js';
import { createLlhttpParser } from '../lib/llhttp.js';

export const name = 'parser';
export const description = 'request-head parse: wasmlane engines vs node:http llhttp; chunked body decode';

const HEAD_FIXTURES = ['minimal-get', 'typical-browser-get', 'forty-headers-get', 'post-json', 'post-chunked'];
/** Fixtures that also get the split-input row (the resumable state machine, js engine). */
const SPLIT_FIXTURES = ['typical-browser-get', 'forty-headers-get'];
// Anchors measured on this project's machines (bench/fixtures/README.md), printed as context.
const TARGET_SIMD_VS_LLHTTP = 6;
const TARGET_JS_VS_LLHTTP = 2;

/**
 * Decode method, target and every field line as JS strings, as llhttp's binding hands them.
 * How: ONE latin1 decode of the whole head (one call into C++), then substring() per token. That
 * is 3–4× cheaper than one buf.toString('latin1', a, b) per token (each a C++ call, ~60–80 ns), and
 * substring of a one-byte string is exact latin1 (RFC 9110 §5.5: field values are octets; obs-text
 * maps to U+0080–U+00FF). TextDecoder('latin1') is NOT used: WHATWG maps that label to windows-1252.
 */
function makeDecoder(abi, methodNames) {
  const { R_METHOD, R_METHOD_OFF, R_METHOD_LEN, R_TARGET_OFF, R_TARGET_LEN, R_HEADER_COUNT, R_HEAD_LEN, R_FIXED } = abi;
  const { R_HEADER_STRIDE: STRIDE, H_NAME_OFF, H_NAME_LEN, H_VALUE_OFF, H_VALUE_LEN } = abi;
  return function decode(buf, table, base) {
    const text = buf.latin1Slice(0, table[base + R_HEAD_LEN]);
    const id = table[base + R_METHOD];
    const mOff = table[base + R_METHOD_OFF];
    const method = methodNames[id] ?? text.substring(mOff, mOff + table[base + R_METHOD_LEN]);
    const tOff = table[base + R_TARGET_OFF];
    const url = text.substring(tOff, tOff + table[base + R_TARGET_LEN]);
    const count = table[base + R_HEADER_COUNT];
    const headers = new Array(count * 2);
    for (let i = 0, s = base + R_FIXED; i < count; i++, s += STRIDE) {
      const n = table[s + H_NAME_OFF];
      const v = table[s + H_VALUE_OFF];
      headers[2 * i] = text.substring(n, n + table[s + H_NAME_LEN]);
      headers[2 * i + 1] = text.substring(v, v + table[s + H_VALUE_LEN]);
    }
    return { method, url, headers };
  };
}

function methodNameTable(abi) {
  const names = [];
  for (const m of ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH']) {
    const id = abi[`METHOD_${m}`];
    if (typeof id === 'number' && id !== abi.METHOD_OTHER) names[id] = m;
  }
  return names;
}

function sameStrings(a, b) {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * Diagnostic: the WASM export alone on bytes already resident in INPUT (no copy, no wrapper), so
 * `parse` minus this is the host-side cost (copy into WASM memory, limits, ownership bookkeeping).
 * The parser's own parse() has just run, so INPUT holds the head and the table holds its limits.
 */
function residentRow(ctx, instance, engine, parser, head, { group, meta }) {
  if (engine === 'js') return null;
  const wasm = instance.loadWasm(engine);
  if (!wasm) return null;
  const ptr = wasm.exports.inputPtr();
  parser.parse(head, 0, head.length, 0);
  if (wasm.exports.parseHead(ptr, head.length, 0) !== head.length) return null;
  return ctx.measure(`${engine} parseHead only (resident)`, () => wasm.exports.parseHead(ptr, head.length, 0), {
    bytes: head.length,
    group,
    meta: { ...meta, engine, mode: 'resident' },
  });
}

/**
 * The head in two reads, split at its middle: the first parse sees an incomplete head (the fast path
 * bails out and the state machine parses the first half), the second resumes at the split. Checked
 * against llhttp like the other rows before it is timed. Returns the row, or a note when it differs.
 */
function splitRow(ctx, parser, head, expected, decode, { group, meta }) {
  const half = head.length >> 1;
  const first = parser.parse(head, 0, half, 0);
  const n = parser.parse(head, 0, head.length, half);
  const got = first === 0 && n === head.length ? decode(head, parser.table, parser.base) : null;
  if (!got || got.method !== expected.method || got.url !== expected.url || !sameStrings(got.headers, expected.headers)) {
    return `js (2 pieces) on ${meta.fixture}: result differs from llhttp (parse returned ${first}, ${n}) — not timed`;
  }
  return ctx.measure('js parse (2 pieces)', () => {
    parser.parse(head, 0, half, 0);
    return parser.parse(head, 0, head.length, half);
  }, { bytes: head.length, group, meta: { ...meta, engine: 'js', mode: 'parse-split' } });
}

async function headRows(ctx, mods) {
  const { parsers, abi, instance } = mods;
  const engines = parsers && instance ? instance.availableEngines() : [];
  const decode = abi ? makeDecoder(abi, methodNameTable(abi)) : null;
  const rows = [];
  const notes = [];
  for (const fixtureName of HEAD_FIXTURES) {
    const fx = loadFixture(fixtureName);
    const head = fx.head;
    const group = fixtureName.startsWith('post') ? `${fixtureName} (head)` : fixtureName;
    const meta = { fixture: fixtureName, bytes: head.length };

    const ll = createLlhttpParser({ skipBody: true });
    if (ll.execute(head) !== head.length || ll.state.messages !== 1) throw new Error(`llhttp rejected ${fixtureName}`);
    const expected = { method: ll.state.method, url: ll.state.url, headers: ll.state.headers };
    const anchor = ctx.measure('llhttp (node:http binding)', () => ll.execute(head), { bytes: head.length, group, meta });
    anchor.role = 'anchor';
    rows.push(anchor);

    const engineRows = {};
    for (const engine of engines) {
      const p = parsers.createHeadParser(engine, parsers.DEFAULT_HEAD_LIMITS ?? mods.limits);
      const n = p.parse(head, 0, head.length, 0);
      const got = n === head.length ? decode(head, p.table, p.base) : null;
      if (!got || got.method !== expected.method || got.url !== expected.url || !sameStrings(got.headers, expected.headers)) {
        notes.push(`${engine} on ${fixtureName}: result differs from llhttp (parse returned ${n}) — not timed`);
        continue;
      }
      const parseOnly = ctx.measure(`${engine} parse`, () => p.parse(head, 0, head.length, 0), { bytes: head.length, group, meta: { ...meta, engine, mode: 'parse' } });
      const withStrings = ctx.measure(
        `${engine} parse+strings`,
        () => {
          p.parse(head, 0, head.length, 0);
          return decode(head, p.table, p.base).headers.length;
        },
        { bytes: head.length, group, meta: { ...meta, engine, mode: 'parse+strings' } },
      );
      engineRows[engine] = { parse: parseOnly, strings: withStrings };
      rows.push(parseOnly, withStrings);
      const core = residentRow(ctx, instance, engine, p, head, { group, meta });
      if (core) rows.push(core);
      if (engine === 'js' && SPLIT_FIXTURES.includes(fixtureName)) {
        const split = splitRow(ctx, p, head, expected, decode, { group, meta });
        if (typeof split === 'string') notes.push(split);
        else rows.push(split);
      }
    }
    for (const row of rows.filter((r) => r.group === group)) {
      row.vsLlhttp = ctx.speedup(row, anchor);
      const mode = row.meta?.mode;
      const simdAnchor = engineRows['wasm-simd']?.[mode === 'parse+strings' ? 'strings' : 'parse'];
      row.vsSimd = mode && mode !== 'resident' && mode !== 'parse-split' ? ctx.speedup(row, simdAnchor) : null;
    }
  }
  return { rows, notes, engines };
}

async function chunkedRows(ctx, mods) {
  const { chunked, instance } = mods;
  if (!chunked?.createChunkedDecoder) return { rows: [], notes: ['chunked decoder not built yet (dist/http/chunked/index.js): rows skipped'] };
  const body = loadFixture('post-chunked').body;
  const expected = loadFixture('post-json').body; // the same JSON, Content-Length framed
  const rows = [];
  const notes = [];
  for (const engine of instance.availableEngines()) {
    let received = 0;
    let collect = true;
    const pieces = [];
    const sink = {
      data(buf, start, end) {
        received += end - start;
        if (collect) pieces.push(Buffer.from(buf.subarray(start, end)));
      },
    };
    const dec = chunked.createChunkedDecoder(engine, sink);
    const n = dec.decode(body, 0, body.length);
    const ok = n === body.length && dec.done && Buffer.concat(pieces).equals(expected);
    if (!ok) {
      notes.push(`chunked ${engine}: decode returned ${n}, done=${dec.done}, data ${ok ? 'ok' : 'differs from post-json body'} — not timed`);
      continue;
    }
    collect = false;
    const row = ctx.measure(`${engine} chunked decode`, () => { dec.reset(); return dec.decode(body, 0, body.length); }, {
      bytes: body.length,
      group: 'post-chunked (body)',
      meta: { fixture: 'post-chunked', engine, mode: 'chunked' },
    });
    ctx.blackhole(received);
    rows.push(row);
  }
  const simd = rows.find((r) => r.meta.engine === 'wasm-simd');
  for (const r of rows) r.vsSimd = ctx.speedup(r, simd);
  return { rows, notes };
}

export async function run(ctx) {
  const mods = {
    parsers: await ctx.importDist('http/head/index.js'),
    abi: await ctx.importDist('abi.js'),
    instance: await ctx.importDist('wasm/instance.js'),
    chunked: await ctx.importDist('http/chunked/index.js'),
    limits: (await ctx.importDist('http/head/parser.js'))?.DEFAULT_HEAD_LIMITS,
  };
  if (!mods.parsers) ctx.log('wasmlane head parser not built yet (dist/http/head/index.js): only llhttp is measured');
  else ctx.log(`engines: ${mods.instance.availableEngines().join(', ')}`);

  const head = await headRows(ctx, mods);
  const cols = [ctx.columns.group, ctx.columns.label, ctx.columns.ns, ctx.columns.mbps, ctx.columns.spread,
    ctx.columns.ratio('vsLlhttp', 'vs llhttp'), ctx.columns.ratio('vsSimd', 'vs wasm-simd')];
  ctx.printTable(head.rows, cols, { groupKey: 'group', title: '\nhead parse (ratios > 1× = faster than the reference)' });
  const chunk = await chunkedRows(ctx, mods);
  if (chunk.rows.length) {
    ctx.printTable(chunk.rows, [ctx.columns.group, ctx.columns.label, ctx.columns.ns, ctx.columns.mbps, ctx.columns.spread,
      ctx.columns.ratio('vsSimd', 'vs wasm-simd')], { title: '\nchunked body decode (one decode of the whole body + reset)' });
  }
  for (const note of [...head.notes, ...chunk.notes]) ctx.log(`note: ${note}`);

  ctx.log('\ntargets (typical-browser-get; anchors: picohttpparser C+SSE4.2 170 ns, llhttp binding ~1,660 ns):');
  const typical = head.rows.filter((r) => r.group === 'typical-browser-get');
  const pick = (label) => typical.find((r) => r.name === label);
  for (const mode of ['parse', 'parse+strings']) {
    const simd = pick(`wasm-simd ${mode}`);
    const js = pick(`js ${mode}`);
    if (simd) ctx.target(`wasm-simd ${mode} vs llhttp`, simd.vsLlhttp, TARGET_SIMD_VS_LLHTTP);
    if (js) ctx.target(`js ${mode} vs llhttp`, js.vsLlhttp, TARGET_JS_VS_LLHTTP);
  }
  ctx.log('(parse+strings is the like-for-like comparison: llhttp\'s binding always builds the strings)');
  const file = ctx.save({ options: ctx.options, engines: head.engines, rows: [...head.rows, ...chunk.rows], notes: [...head.notes, ...chunk.notes] });
  ctx.log(`results: ${file}`);
}
