// The load benchmark's targets (bench/lib/targets.js explains the fields), judged in the same run.
// The CPU targets are issue 12's: CPU per request does not depend on the load generator's speed.
export const HTTP_TARGETS = [
  { label: 'hello keep-alive', where: { workload: 'hello' }, server: 'wasmlane-wasm', vs: 'node-http', goal: 1.6, metric: 'rate' },
  { label: 'hello keep-alive', where: { workload: 'hello' }, server: 'wasmlane-wasm', vs: 'raw', goal: 0.85, metric: 'rate', percent: true },
  { label: 'pipelined', where: { workload: 'pipelined' }, server: 'wasmlane-wasm', vs: 'node-http', goal: 4, metric: 'rate' },
  { label: 'pipelined', where: { workload: 'pipelined' }, server: 'wasmlane-wasm', vs: 'raw', goal: 2, metric: 'cpu', sense: 'cost' },
  { label: 'Connection: close', where: { workload: 'hello-close' }, server: 'wasmlane-wasm', vs: 'node-http', goal: 1.8, metric: 'cpu', sense: 'gain' },
  { label: 'POST 1 KiB echo', where: { workload: 'echo' }, server: 'wasmlane-wasm', vs: 'node-http', goal: 2, metric: 'cpu', sense: 'gain' },
  { label: '16 KiB upload', where: { workload: 'upload-16k' }, server: 'wasmlane-wasm', vs: 'node-http', goal: 1.5, metric: 'cpu', sense: 'gain' },
  { label: '1 MiB chunked upload', where: { workload: 'upload-1m-chunked' }, server: 'wasmlane-wasm', vs: 'node-http', goal: 1.5, metric: 'cpu', sense: 'gain' },
  // Issue 10: the same hono app (lib/hono-app.js) on wasmlane's serve() and on @hono/node-server.
  { label: 'hono hello', where: { workload: 'hello' }, server: 'hono-wasmlane', vs: 'hono-node-server', goal: 1.5, metric: 'rate' },
  { label: 'hono hello', where: { workload: 'hello' }, server: 'hono-wasmlane', vs: 'hono-node-server', goal: 1.5, metric: 'cpu', sense: 'gain' },
  { label: 'hono JSON', where: { workload: 'users' }, server: 'hono-wasmlane', vs: 'hono-node-server', goal: 1.5, metric: 'rate' },
  { label: 'hono JSON', where: { workload: 'users' }, server: 'hono-wasmlane', vs: 'hono-node-server', goal: 1.5, metric: 'cpu', sense: 'gain' },
];

/** Row fields the target evaluator reads. */
export const HTTP_FIELDS = { rate: 'rps', cpu: 'cpuUsPerReq' };

/** The workloads where the raw ceiling gives the same answer, so "of raw" compares like with like. */
export const CEILING_WORKLOADS = new Set(['hello', 'hello-close', 'pipelined']);
