// The server of bench/cluster/run.js. argv[2] is JSON: { mode: 'single' | 'cluster', workers, policy,
// redis? }. Routes: GET / (hello world), WebSocket /ws (subscribes to topic 'fan'), GET /burst?n=
// (publishes n 32-byte binary messages to 'fan' from the worker that got the request). Prints one
// JSON line { port, pids } once listening (pids: every process whose CPU counts: primary + workers).
import { Server, cluster } from '../../dist/index.js';

const cfg = JSON.parse(process.argv[2]);
const PAYLOAD = Buffer.alloc(32, 0x78);

async function setup() {
  let broker;
  if (cfg.redis) {
    const { RedisBroker } = await import('../../dist/redis/index.js');
    broker = await RedisBroker.connect({ url: cfg.redis });
  }
  const server = new Server({ host: '127.0.0.1', port: cfg.port ?? 0, broker });
  server.get('/', (ctx) => ctx.send('hello world'));
  server.ws('/ws', { open: (ws) => void ws.subscribe('fan') });
  server.get('/burst', (ctx) => {
    const n = Number(ctx.request.searchParams.get('n') ?? 1);
    for (let i = 0; i < n; i++) server.publish('fan', PAYLOAD, true);
    ctx.send(String(process.pid));
  });
  return server.listen();
}

const print = (line) => process.stdout.write(`${JSON.stringify(line)}\n`);
if (cfg.mode === 'cluster') {
  const c = cluster({ workers: cfg.workers, schedulingPolicy: cfg.policy, setup, drainTimeoutMs: 1000 });
  if (c.isPrimary) {
    let port = 0;
    c.on('listening', (e) => (port = e.port));
    await c.ready();
    print({ port, pids: [process.pid, ...c.pids] });
    // 'stats' on stdin → one line with each worker's request count (how evenly the policy spread them).
    process.stdin.setEncoding('utf8').on('data', async () => {
      const stats = await c.stats();
      print({ requests: stats.workers.map((w) => w.requests) });
    });
  }
} else {
  const { port } = await setup();
  print({ port, pids: [process.pid] });
  process.once('SIGTERM', () => process.exit(0));
}
