// The HTTPS workload's certificate: a throwaway CA and a leaf for 127.0.0.1 made when the run starts
// (bench/lib/certs.js, openssl CLI), passed to the server processes as PEM text in BENCH_TLS_KEY /
// BENCH_TLS_CERT (servers/*.js read it with tlsFromEnv) and to the response check as the CA to trust.
// Nothing is written to disk beyond openssl's temporary directory, removed at once.
import { makeTestCa, opensslAvailable } from '../../lib/certs.js';

/** @returns {{env: Record<string, string>, ca: string} | null} null when openssl is missing */
export function benchTls() {
  if (!opensslAvailable()) return null;
  const ca = makeTestCa();
  const leaf = ca.leaf(['127.0.0.1', 'localhost']);
  return { env: { BENCH_TLS_KEY: leaf.key, BENCH_TLS_CERT: leaf.cert }, ca: ca.ca };
}

/** The port workload `w` is served on by a started server (its TLS port for a TLS workload). */
export function portFor(instance, w) {
  return w.tls ? instance.tlsPort : instance.port;
}
