// Shared by every bench server script (bench/http/servers/*.js): the one-line port announcement the
// runner waits for, a clean shutdown (so `--cpu-prof` gets to write its profile), and the payloads
// every server must answer with so the workloads compare like with like.

/** The hello-world body and the /users/{id} JSON shape, identical across servers. */
export const HELLO = 'Hello, World!';
export const userJson = (id) => ({ id, name: 'user' });
/** POST /upload reads the whole body and answers {"bytes": n}; its body limit on every server. */
export const uploadJson = (n) => ({ bytes: n });
export const UPLOAD_LIMIT = 2 * 1024 * 1024;

/** Tell the runner which port we listen on: one JSON line on stdout. */
export function announce(port, extra = {}) {
  process.stdout.write(`${JSON.stringify({ port, pid: process.pid, ...extra })}\n`);
}

/**
 * Exit cleanly on SIGTERM/SIGINT or when the runner's stdin closes (the runner died): close the
 * server, then process.exit(0), which lets --cpu-prof write its file. A second signal forces exit.
 */
export function onShutdown(close) {
  let closing = false;
  const stop = () => {
    if (closing) process.exit(0);
    closing = true;
    // Do not wait for keep-alive sockets to drain: the load generator is already gone.
    const timer = setTimeout(() => process.exit(0), 500);
    timer.unref();
    Promise.resolve()
      .then(close)
      .catch(() => {})
      .finally(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.stdin.on('end', stop);
  process.stdin.on('error', stop);
  process.stdin.resume();
}

/** The key and certificate for an HTTPS listener when the runner passed them (BENCH_TLS_KEY and
 *  BENCH_TLS_CERT, PEM text, bench/http/lib/tls.js); null otherwise. A server that gets them also
 *  listens with TLS on a second port and announces it as `tlsPort`. */
export function tlsFromEnv(env = process.env) {
  return env.BENCH_TLS_KEY && env.BENCH_TLS_CERT ? { key: env.BENCH_TLS_KEY, cert: env.BENCH_TLS_CERT } : null;
}
