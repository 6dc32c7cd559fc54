// bench:ws's servers (by label: the rows and bench/figures.json name servers so), its targets
// (bench/lib/targets.js explains the fields; the CPU ones are issue 12's) and the row fields they read.
export const WASMLANE = 'wasmlane (wasm-simd)';
export const WS = 'ws + bufferutil';
export const RAW = 'raw net floor';
export const FANOUT_CLIENT = 'fan-out 1→1000';

export const WS_TARGETS = [
  { label: '64 B echo, ws ×1', where: { size: 64, client: 'ws ×1' }, server: WASMLANE, vs: WS, goal: 1.3, metric: 'rate' },
  { label: '64 B echo, ws ×1', where: { size: 64, client: 'ws ×1' }, server: WASMLANE, vs: RAW, goal: 1.05, metric: 'cpu', sense: 'cost' },
  { label: '64 B echo, ws ×16 (16 in flight)', where: { size: 64, client: 'ws ×16' }, server: WASMLANE, vs: WS, goal: 4, metric: 'cpu', sense: 'gain' },
  { label: '64 B echo, raw ×16 (16 in flight)', where: { size: 64, client: 'raw ×16' }, server: WASMLANE, vs: WS, goal: 4, metric: 'cpu', sense: 'gain' },
  { label: '64 B echo, raw ×16 (16 in flight)', where: { size: 64, client: 'raw ×16' }, server: WASMLANE, vs: WS, goal: 1.3, metric: 'rate' },
  // CPU per MB of payload (unit 'MB'): at one message size, the same ratio as CPU per message.
  { label: '16 KiB echo, ws ×1', where: { size: 16384, client: 'ws ×1' }, server: WASMLANE, vs: WS, goal: 0.8, metric: 'cpu', sense: 'cost', unit: 'MB' },
  { label: '1 MiB echo, ws ×1', where: { size: 1048576, client: 'ws ×1' }, server: WASMLANE, vs: WS, goal: 0.8, metric: 'cpu', sense: 'cost', unit: 'MB' },
  { label: '1 MiB echo, ws ×1', where: { size: 1048576, client: 'ws ×1' }, server: WASMLANE, vs: WS, goal: 1, metric: 'rate' },
  { label: 'broadcast 1 → 1,000 subscribers', where: { size: 64, client: FANOUT_CLIENT }, server: WASMLANE, vs: WS, goal: 3, metric: 'cpu', sense: 'gain', unit: 'delivery' },
];

export const WS_FIELDS = { rate: 'msgPerSec', cpu: 'cpuUsPerMsg' };

export const sizeLabel = (n) => (n >= 1048576 ? `${n / 1048576} MiB` : n >= 1024 ? `${n / 1024} KiB` : `${n} B`);
