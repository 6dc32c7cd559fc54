// WebSocket mask/unmask suite (RFC 6455 §5.3): XOR a payload in place with a 4-byte key.
//
// Rows per size:
//   js byte loop            buffer[i] ^= key[i & 3] — ws's JS fallback; the anchor ("JS loop")
//   js codec                wasmlane's TS twin (32-bit words where aligned, byte tail)
//   wasm-simd / wasm        copy into the WASM window + wsMask + copy back ("copies included")
//   wasm-simd resident      diagnostic: wsMask alone on bytes already in the window
//   bufferutil (native)     ws's optional C addon
//   auto codec              what a connection uses: createWsCodec(resolveEngine()) with the small-input
//                           JS threshold (WASM_MASK_MIN) applied
// Every implementation's output is checked against the byte loop before it is timed.
//
// Product path (groups "… frame → message"): what a connection does with a masked binary frame of
// 64 KiB / 1 MiB arriving in 64 KiB socket reads, from the reads to the unmasked message Buffer,
// every copy included:
//   Receiver (wasm-simd / wasm / js)   src/ws/receiver.ts with that engine (the real code path)
//   ws Receiver + bufferutil           the ws package's receiver (gathers the reads, one copy, then
//                                      bufferutil unmasks in place): the same job done by ws
// Ratios there are against ws's receiver (same job) and against bufferutil unmasking the payload in
// place with no copy at all (the "× bufferutil" column, a bound no copying design reaches).
import { createRequire } from 'node:module';

export const name = 'ws-mask';
export const description = 'WebSocket unmask in place: wasm-simd / wasm (copies included) vs JS loop vs bufferutil';

const SIZES = [8, 64, 512, 1024, 16 * 1024, 64 * 1024, 1024 * 1024];
const FRAME_SIZES = [64 * 1024, 1024 * 1024];
const READ = 64 * 1024; // Node's socket read size
const TARGET_RECEIVE_VS_BUFFERUTIL = 0.8; // issue 12, on the product path with copies included
const KEY = 0x37fa213d;
const KEY_BYTES = Buffer.from([0x37, 0xfa, 0x21, 0x3d]);
const TARGET_VS_JS = 10; //            at ≥ 1 KiB
const TARGET_VS_BUFFERUTIL = 0.5; //   at ≥ 64 KiB

function byteLoop(buf, key) {
  for (let i = 0; i < buf.length; i++) buf[i] ^= key[i & 3];
}

function label(n) {
  return n >= 1024 * 1024 ? `${n / (1024 * 1024)} MiB` : n >= 1024 ? `${n / 1024} KiB` : `${n} B`;
}

export async function run(ctx) {
  const codecs = await ctx.importDist('ws/codec/index.js');
  const wasmMod = await ctx.importDist('wasm/instance.js');
  const codecWasm = await ctx.importDist('ws/codec/wasm.js');
  const codecJs = await ctx.importDist('ws/codec/js.js');
  if (!codecs || !wasmMod || !codecWasm || !codecJs) return { skipped: 'dist/ws codecs not built' };
  let bufferutil = null;
  try { bufferutil = createRequire(import.meta.url)('bufferutil'); } catch { /* optional */ }
  const engines = wasmMod.availableEngines().filter((e) => e !== 'js');
  const js = new codecJs.JsWsCodec();
  const auto = codecs.createWsCodec(wasmMod.resolveEngine()); // what a connection gets with no engine option
  const rows = [];
  const summary = [];
  for (const size of SIZES) {
    const group = label(size);
    const data = Buffer.alloc(size);
    for (let i = 0; i < size; i++) data[i] = (i * 131 + 7) & 0xff;
    const expected = Buffer.from(data);
    byteLoop(expected, KEY_BYTES);
    const check = (name, fn) => {
      const b = Buffer.from(data);
      fn(b);
      if (!b.equals(expected)) throw new Error(`ws-mask: ${name} gives a wrong result at ${size} B`);
    };
    const buf = Buffer.from(data); // XOR twice = identity, so repeated runs keep the data bounded
    const opts = (meta) => ({ bytes: size, group, meta });
    const impls = [
      ['js byte loop', (b) => byteLoop(b, KEY_BYTES)],
      ['js codec', (b) => js.unmask(b, 0, b.length, KEY, 0)],
    ];
    for (const kind of engines) {
      const c = new codecWasm.WasmWsCodec(wasmMod.loadWasm(kind));
      // maskWasm is the copy-in / WASM / copy-out path without the small-input threshold.
      impls.push([`${kind} (copies incl.)`, (b) => c.maskWasm(b, 0, b.length, b, 0, KEY, 0)]);
    }
    if (bufferutil) impls.push(['bufferutil (native)', (b) => bufferutil.unmask(b, KEY_BYTES)]);
    impls.push([`auto codec (${auto.engine})`, (b) => auto.unmask(b, 0, b.length, KEY, 0)]);
    const byName = {};
    for (const [n, fn] of impls) {
      check(n, fn);
      byName[n] = ctx.measure(n, () => fn(buf), opts({ impl: n }));
      rows.push(byName[n]);
    }
    for (const kind of engines) {
      const inst = wasmMod.loadWasm(kind);
      const win = inst.exports.wsWindowPtr();
      if (size <= 256 * 1024) {
        inst.u8.set(data, win);
        const r = ctx.measure(`${kind} resident (no copies)`, () => inst.exports.wsMask(win, size, KEY, 0), opts({ impl: 'resident' }));
        rows.push(r);
      }
    }
    const anchor = byName['js byte loop'];
    const bu = byName['bufferutil (native)'];
    for (const r of rows.filter((x) => x.group === group)) {
      r.vsJs = ctx.speedup(r, anchor);
      r.vsBufferutil = bu ? ctx.speedup(r, bu) : null;
      r.gbPerSec = r.mbPerSec / 1000;
    }
    summary.push({ size, group, byName });
  }
  const cols = [ctx.columns.group, ctx.columns.label, ctx.columns.ns,
    { key: 'gbPerSec', title: 'GB/s', fmt: (v) => (v == null ? '—' : v.toFixed(2)) },
    ctx.columns.ratio('vsJs', '× js loop'), ctx.columns.ratio('vsBufferutil', '× bufferutil'), ctx.columns.spread];
  ctx.printTable(rows, cols, { groupKey: 'group', title: '\nunmask in place (ratios > 1× = faster than the reference)' });
  for (const kind of engines) {
    for (const s of summary) {
      const row = s.byName[`${kind} (copies incl.)`];
      if (s.size >= 1024) ctx.target(`${kind} unmask (copies incl.) vs js loop at ${s.group}`, row.vsJs, TARGET_VS_JS);
      if (s.size >= 64 * 1024 && row.vsBufferutil != null) {
        ctx.target(`${kind} unmask (copies incl.) vs bufferutil at ${s.group}`, row.vsBufferutil, TARGET_VS_BUFFERUTIL);
      }
    }
  }
  // The crossover that sets WASM_MASK_MIN: smallest size where WASM with copies beats the JS codec.
  const best = engines[0];
  const cross = best ? summary.find((s) => s.byName[`${best} (copies incl.)`].nsPerOp < s.byName['js codec'].nsPerOp) : undefined;
  ctx.log(`crossover: ${best} with copies first beats the js codec at ${cross ? cross.group : 'none of the sizes'}; ` +
    `WASM_MASK_MIN = ${codecWasm.WASM_MASK_MIN} B`);
  rows.push(...await receiveRows(ctx, engines, bufferutil));
  const file = ctx.save({ options: ctx.options, rows });
  ctx.log(`results: ${file}`);
  return { rows };
}

/** A masked binary frame of `size` payload bytes (RFC 6455 §5.2, §5.3), cut into READ-byte reads. */
function maskedReads(size) {
  const hlen = size < 126 ? 6 : size < 65536 ? 8 : 14;
  const frame = Buffer.alloc(hlen + size);
  frame[0] = 0x82;
  if (size < 126) frame[1] = 0x80 | size;
  else if (size < 65536) { frame[1] = 0x80 | 126; frame.writeUInt16BE(size, 2); }
  else { frame[1] = 0x80 | 127; frame.writeBigUInt64BE(BigInt(size), 2); }
  KEY_BYTES.copy(frame, hlen - 4);
  for (let i = 0; i < size; i++) frame[hlen + i] = ((i * 131 + 7) & 0xff) ^ KEY_BYTES[i & 3];
  const reads = [];
  for (let at = 0; at < frame.length; at += READ) reads.push(Buffer.from(frame.subarray(at, at + READ)));
  return reads;
}

/** The product-path rows: reads → message Buffer, our Receiver per engine and ws's receiver. */
async function receiveRows(ctx, engines, bufferutil) {
  const recv = await ctx.importDist('ws/receiver.js');
  if (!recv) return [];
  let WsReceiver = null;
  try {
    const require = createRequire(import.meta.url);
    WsReceiver = require(require.resolve('ws').replace(/index\.js$/, 'lib/receiver.js')); // not exported; test-only path
  } catch { /* ws not installed */ }
  const rows = [];
  for (const size of FRAME_SIZES) {
    const group = `${label(size)} frame → message`;
    const reads = maskedReads(size);
    const expected = Buffer.alloc(size);
    for (let i = 0; i < size; i++) expected[i] = (i * 131 + 7) & 0xff;
    let last = null;
    const impls = [];
    for (const engine of [...engines, 'js']) {
      const r = new recv.Receiver({ engine, isServer: true, maxPayload: 0 }, {
        message: (data) => { last = data; }, ping() {}, pong() {}, close() {}, error: (err) => { throw err; },
      });
      impls.push([`Receiver (${engine})`, () => { for (const b of reads) r.write(b); }]);
    }
    if (WsReceiver) {
      const w = new WsReceiver({ isServer: true, maxPayload: 0, skipUTF8Validation: false });
      w.on('message', (data) => { last = data; });
      w.on('error', (err) => { throw err; });
      impls.push([`ws Receiver + bufferutil${bufferutil ? '' : ' (absent: JS)'}`, () => { for (const b of reads) w.write(b); }]);
    }
    const byName = {};
    // The JS twin unmasks the reads in place, and its timed runs leave them masked or not depending on
    // how many runs tinybench made: every implementation is checked on the pristine masked reads.
    const pristine = reads.map((b) => Buffer.from(b));
    const restore = () => pristine.forEach((b, i) => b.copy(reads[i]));
    for (const [n, fn] of impls) {
      restore();
      last = null;
      fn();
      if (!last || !last.equals(expected)) throw new Error(`ws-mask: ${n} delivers a wrong message at ${size} B`);
      restore();
      // Binary payloads: a run over bytes the JS twin left unmasked costs the same.
      byName[n] = ctx.measure(n, fn, { bytes: size, group, meta: { impl: n, path: 'receive' } });
      rows.push(byName[n]);
    }
    const buf = Buffer.from(expected);
    const inPlace = bufferutil ? ctx.measure('bufferutil in place (no copy)', () => bufferutil.unmask(buf, KEY_BYTES), { bytes: size, group, meta: { impl: 'bufferutil', path: 'receive' } }) : null;
    if (inPlace) rows.push(inPlace);
    const ref = Object.entries(byName).find(([n]) => n.startsWith('ws Receiver'))?.[1];
    for (const r of rows.filter((x) => x.group === group)) {
      r.vsJs = ref ? ctx.speedup(r, ref) : null; // this column is "× ws receiver" in this table
      r.vsBufferutil = inPlace ? ctx.speedup(r, inPlace) : null;
      r.gbPerSec = r.mbPerSec / 1000;
    }
    for (const engine of engines) {
      const row = byName[`Receiver (${engine})`];
      if (ref) ctx.target(`${engine} receive of a ${label(size)} frame (copies incl.) vs ws + bufferutil receive`, row.vsJs, TARGET_RECEIVE_VS_BUFFERUTIL);
      if (inPlace) ctx.log(`  ${engine} receive vs bufferutil in place (no copy): ${row.vsBufferutil.toFixed(2)}×`);
    }
  }
  ctx.printTable(rows, [ctx.columns.group, ctx.columns.label, ctx.columns.ns,
    { key: 'gbPerSec', title: 'GB/s', fmt: (v) => (v == null ? '—' : v.toFixed(2)) },
    ctx.columns.ratio('vsJs', '× ws receiver'), ctx.columns.ratio('vsBufferutil', '× bufferutil in place'), ctx.columns.spread],
  { groupKey: 'group', title: '\nproduct path: masked frame in 64 KiB reads → unmasked message (copies included)' });
  return rows;
}
