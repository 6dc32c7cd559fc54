// Parser suite: wasmlane's request-head parser (wasm-simd, wasm, js engines) against Node's own
// llhttp as node:http drives it, on the project's fixtures; plus the chunked decoder on the
// post-chunked body when it is built.
//
// Rows per fixture:
//   llhttp (node:http binding)  execute(head) per request; hands JS strings (the anchor, see lib/llhttp.js)
//   <engine> parse              one parse(buf, 0, len, 0) on a fresh head, its sealed HeadResult
//                               included; for the WASM engines this includes copying the head into
//                               WASM memory
//   <engine> parse+strings      the same, then through the product's own code: the HeadResult's method,
//                               target and every entries() pair — the strings llhttp's binding hands
//                               over, so this is the like-for-like comparison
//   <engine> parse+Request.headers  the same through the server's Request (as the connection makes
//                               it): method, target and every `headers` pair (names lower-cased);
//                               typical and forty-headers
//   <engine> parseHead only     diagnostic: the WASM export alone on bytes already in WASM memory
//   js parse (2 pieces)         the head fed as two reads split at its middle: parse(buf, 0, half, 0)
//                               (the whole-head fast path bails out, the state machine takes the
//                               first half) then parse(buf, 0, len, half) resuming it — the state
//                               machine path, which whole heads never reach (typical, forty-headers)
// Every implementation's output (its strings, read the way the timed row reads them) is checked
// against llhttp's before it is timed.
import { loadFixture } from '../lib/fixtures.js';
import { createLlhttpParser } from '../lib/llhttp.js';

export const name = 'parser';
export const description = 'request-head parse: wasmlane engines vs node:http llhttp; chunked body decode';

const HEAD_FIXTURES = ['minimal-get', 'typical-browser-get', 'forty-headers-get', 'post-json', 'post-chunked'];
/** Fixtures that also get the split-input row (the resumable state machine, js engine). */
const SPLIT_FIXTURES = ['typical-browser-get', 'forty-headers-get'];
/** Fixtures that also get the parse+Request.headers rows. */
const REQUEST_FIXTURES = ['typical-browser-get', 'forty-headers-get'];
// Anchors measured on this project's machines (bench/fixtures/README.md), printed as context.
const TARGET_SIMD_VS_LLHTTP = 6;
const TARGET_JS_VS_LLHTTP = 2;
/** parse + every string through HeadResult (issue 12 item 3; stretch 4× on typical). */
const TARGET_STRINGS_VS_LLHTTP = 3;
const TARGET_STRINGS_FORTY_VS_LLHTTP = 2.5;

/** Method, target and every field line as strings, read the way users of the parser read them:
 *  HeadResult's method, target and entries(). */
function headStrings(head) {
  const headers = [];
  for (const [name, value] of head.entries()) headers.push(name, value);
  return { method: head.method, url: head.target, headers };
}

/** The same through the server's Request: its `headers` pairs carry lower-cased names. */
function requestStrings(request) {
  const headers = [];
  for (const [name, value] of request.headers) headers.push(name, value);
  return { method: request.method, url: request.target, headers };
}

/** llhttp's strings with the names lower-cased, to check the Request rows against. */
function lowerNames(expected) {
  return { ...expected, headers: expected.headers.map((x, i) => (i % 2 === 0 ? x.toLowerCase() : x)) };
}

function sameHead(got, expected) {
  return got.method === expected.method && got.url === expected.url && sameStrings(got.headers, expected.headers);
}

/** The timed body of a parse+strings row: every string made, their lengths consumed. */
function readAll(head) {
  let n = head.method.length + head.target.length;
  for (const [name, value] of head.entries()) n += name.length + value.length;
  return n;
}

/** The timed body of a parse+Request.headers row. */
function readRequest(request) {
  let n = request.method.length + request.target.length;
  for (const [name, value] of request.headers) n += name.length + value.length;
  return n;
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
function splitRow(ctx, parser, head, expected, { group, meta }) {
  const half = head.length >> 1;
  const first = parser.parse(head, 0, half, 0);
  const n = parser.parse(head, 0, head.length, half);
  const got = first === 0 && n === head.length ? headStrings(parser.result) : null;
  if (!got || !sameHead(got, expected)) {
    return `js (2 pieces) on ${meta.fixture}: result differs from llhttp (parse returned ${first}, ${n}) — not timed`;
  }
  return ctx.measure('js parse (2 pieces)', () => {
    parser.parse(head, 0, half, 0);
    return parser.parse(head, 0, head.length, half);
  }, { bytes: head.length, group, meta: { ...meta, engine: 'js', mode: 'parse-split' } });
}

async function headRows(ctx, mods) {
  const { parsers, instance, request } = mods;
  const engines = parsers && instance ? instance.availableEngines() : [];
  const rows = [];
  const notes = [];
  const peer = { remoteAddress: undefined, remotePort: undefined };
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
      const got = n === head.length ? headStrings(p.result) : null;
      if (!got || !sameHead(got, expected)) {
        notes.push(`${engine} on ${fixtureName}: result differs from llhttp (parse returned ${n}) — not timed`);
        continue;
      }
      const opts = (mode) => ({ bytes: head.length, group, meta: { ...meta, engine, mode } });
      const parseOnly = ctx.measure(`${engine} parse`, () => p.parse(head, 0, head.length, 0), opts('parse'));
      const withStrings = ctx.measure(`${engine} parse+strings`, () => {
        p.parse(head, 0, head.length, 0);
        return readAll(p.result);
      }, opts('parse+strings'));
      engineRows[engine] = { parse: parseOnly, 'parse+strings': withStrings };
      rows.push(parseOnly, withStrings);
      if (request && REQUEST_FIXTURES.includes(fixtureName)) {
        if (!sameHead(requestStrings(new request.Request(p.result, peer, null)), lowerNames(expected))) {
          notes.push(`${engine} Request.headers on ${fixtureName}: differs from llhttp — not timed`);
        } else {
          const viaRequest = ctx.measure(`${engine} parse+Request.headers`, () => {
            p.parse(head, 0, head.length, 0);
            return readRequest(new request.Request(p.result, peer, null));
          }, opts('parse+Request.headers'));
          engineRows[engine]['parse+Request.headers'] = viaRequest;
          rows.push(viaRequest);
        }
      }
      const core = residentRow(ctx, instance, engine, p, head, { group, meta });
      if (core) rows.push(core);
      if (engine === 'js' && SPLIT_FIXTURES.includes(fixtureName)) {
        const split = splitRow(ctx, p, head, expected, { group, meta });
        if (typeof split === 'string') notes.push(split);
        else rows.push(split);
      }
    }
    for (const row of rows.filter((r) => r.group === group)) {
      row.vsLlhttp = ctx.speedup(row, anchor);
      const mode = row.meta?.mode;
      const simdAnchor = mode ? engineRows['wasm-simd']?.[mode] : undefined;
      row.vsSimd = simdAnchor ? ctx.speedup(row, simdAnchor) : null;
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
    instance: await ctx.importDist('wasm/instance.js'),
    chunked: await ctx.importDist('http/chunked/index.js'),
    limits: (await ctx.importDist('http/head/parser.js'))?.DEFAULT_HEAD_LIMITS,
    request: await ctx.importDist('http/request.js'),
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

  ctx.log('\ntargets (anchors: picohttpparser C+SSE4.2 170 ns, llhttp binding ~1,660 ns on typical-browser-get):');
  const pick = (group, label) => head.rows.find((r) => r.group === group && r.name === label);
  const target = (group, label, goal) => {
    const row = pick(group, label);
    if (row) ctx.target(`${label} vs llhttp (${group})`, row.vsLlhttp, goal);
  };
  target('typical-browser-get', 'wasm-simd parse', TARGET_SIMD_VS_LLHTTP);
  target('typical-browser-get', 'js parse', TARGET_JS_VS_LLHTTP);
  target('typical-browser-get', 'wasm-simd parse+strings', TARGET_STRINGS_VS_LLHTTP);
  target('forty-headers-get', 'wasm-simd parse+strings', TARGET_STRINGS_FORTY_VS_LLHTTP);
  ctx.log('(parse+strings is the like-for-like comparison: llhttp\'s binding always builds the strings)');
  const file = ctx.save({ options: ctx.options, engines: head.engines, rows: [...head.rows, ...chunk.rows], notes: [...head.notes, ...chunk.notes] });
  ctx.log(`results: ${file}`);
}
