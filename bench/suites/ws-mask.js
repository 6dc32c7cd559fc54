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
import { createRequire } from 'node:module';

export const name = 'ws-mask';
export const description = 'WebSocket unmask in place: wasm-simd / wasm (copies included) vs JS loop vs bufferutil';

const SIZES = [8, 64, 512, 1024, 16 * 1024, 64 * 1024, 1024 * 1024];
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
  const file = ctx.save({ options: ctx.options, rows });
  ctx.log(`results: ${file}`);
  return { rows };
}
