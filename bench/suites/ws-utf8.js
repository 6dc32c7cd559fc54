// WebSocket UTF-8 validation suite (RFC 6455 §8.1, RFC 3629): whole-buffer validity.
//
// Rows per size and text kind (ASCII; mixed = Latin, Cyrillic, CJK and emoji):
//   js codec                wasmlane's TS twin (byte DFA with an ASCII fast path) — the anchor
//   wasm-simd / wasm        copy into the WASM window + wsUtf8 ("copies included")
//   wasm-simd resident      diagnostic: wsUtf8 alone on bytes already in the window
//   buffer.isUtf8           node:buffer (simdutf in C++)
//   native (product path)   what a connection runs by default (WebSocketOptions.utf8 'native'): the
//                           Receiver's incremental validator (src/ws/codec/native.ts) over the message,
//                           i.e. buffer.isUtf8 plus the carry of a character cut at a piece boundary
// Every implementation's answer is checked (valid input → true, one corrupted byte → false).
import { isUtf8 } from 'node:buffer';

export const name = 'ws-utf8';
export const description = 'WebSocket UTF-8 validation: wasm-simd / wasm (copies included) vs js vs buffer.isUtf8';

const SIZES = [8, 64, 512, 1024, 16 * 1024, 64 * 1024, 1024 * 1024];
const MIXED = 'Grüße, мир! 你好世界 😀 ';

function label(n) {
  return n >= 1024 * 1024 ? `${n / (1024 * 1024)} MiB` : n >= 1024 ? `${n / 1024} KiB` : `${n} B`;
}

/** `size` bytes of valid UTF-8 built from `unit` (cut back to a character boundary, padded with ASCII). */
function text(unit, size) {
  const b = Buffer.from(unit.repeat(Math.ceil(size / Buffer.byteLength(unit)) + 1)).subarray(0, size);
  let end = size;
  while (end > 0 && (b[end - 1] & 0xc0) === 0x80) end--; // drop a cut sequence
  if (end > 0 && b[end - 1] >= 0xc0) end--;
  const out = Buffer.alloc(size, 0x61);
  b.copy(out, 0, 0, end);
  return out;
}

export async function run(ctx) {
  const wasmMod = await ctx.importDist('wasm/instance.js');
  const codecWasm = await ctx.importDist('ws/codec/wasm.js');
  const codecJs = await ctx.importDist('ws/codec/js.js');
  const native = await ctx.importDist('ws/codec/native.js');
  if (!wasmMod || !codecWasm || !codecJs) return { skipped: 'dist/ws codecs not built' };
  const engines = wasmMod.availableEngines().filter((e) => e !== 'js');
  const js = new codecJs.JsWsCodec();
  const rows = [];
  for (const [kind, unit] of [['ascii', 'The quick brown fox jumps over the lazy dog. '], ['mixed', MIXED]]) {
    for (const size of SIZES) {
      const group = `${kind} ${label(size)}`;
      const buf = text(unit, size);
      const bad = Buffer.from(buf);
      bad[size - 1] = 0xff;
      const impls = [['js codec', (b) => js.isUtf8(b, 0, b.length)]];
      for (const e of engines) {
        const c = new codecWasm.WasmWsCodec(wasmMod.loadWasm(e));
        // utf8StepWasm: copy-in + wsUtf8 without the small-input threshold.
        impls.push([`${e} (copies incl.)`, (b) => c.utf8StepWasm(b, 0, b.length, 0) === 0]);
      }
      impls.push(['buffer.isUtf8 (simdutf)', (b) => isUtf8(b)]);
      if (native) {
        const v = new native.NativeUtf8Validator(); // one per connection, reset per message
        impls.push(['native (product path)', (b) => {
          v.reset();
          return v.push(b, 0, b.length) && v.end();
        }]);
      }
      const byName = {};
      for (const [n, fn] of impls) {
        if (fn(buf) !== true || fn(bad) !== false) throw new Error(`ws-utf8: ${n} gives a wrong answer on ${group}`);
        byName[n] = ctx.measure(n, () => fn(buf), { bytes: size, group, meta: { impl: n, kind } });
        rows.push(byName[n]);
      }
      for (const e of engines) {
        if (size > 262144) continue;
        const inst = wasmMod.loadWasm(e);
        const win = inst.exports.wsWindowPtr();
        inst.u8.set(buf, win);
        rows.push(ctx.measure(`${e} resident (no copies)`, () => inst.exports.wsUtf8(win, size, 0), { bytes: size, group, meta: { impl: 'resident' } }));
      }
      for (const r of rows.filter((x) => x.group === group)) {
        r.vsJs = ctx.speedup(r, byName['js codec']);
        r.vsNode = ctx.speedup(r, byName['buffer.isUtf8 (simdutf)']);
        r.gbPerSec = r.mbPerSec / 1000;
      }
    }
  }
  ctx.printTable(rows, [ctx.columns.group, ctx.columns.label, ctx.columns.ns,
    { key: 'gbPerSec', title: 'GB/s', fmt: (v) => (v == null ? '—' : v.toFixed(2)) },
    ctx.columns.ratio('vsJs', '× js'), ctx.columns.ratio('vsNode', '× isUtf8'), ctx.columns.spread],
  { groupKey: 'group', title: '\nUTF-8 validation (ratios > 1× = faster than the reference)' });
  ctx.log(`WASM_UTF8_MIN = ${codecWasm.WASM_UTF8_MIN} B (below it the codec validates in JS)`);
  const file = ctx.save({ options: ctx.options, rows });
  ctx.log(`results: ${file}`);
  return { rows };
}
