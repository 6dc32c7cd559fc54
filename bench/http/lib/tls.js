// The https-hello workload's certificate: a throwaway CA and a leaf for 127.0.0.1 made when the run
// starts (bench/lib/certs.js, openssl CLI, in a temporary directory removed at once; nothing is
// written to the repository). The servers marked `tls` get the leaf as PEM text in BENCH_TLS_KEY /
// BENCH_TLS_CERT (server-common.js tlsFromEnv) and then also listen with TLS on a second port,
// announced as `tlsPort`; the response check (workloads.js verify) trusts the CA, so the certificate
// must verify before anything is measured. wrk and autocannon do not verify it.
import { makeTestCa, opensslAvailable } from '../../lib/certs.js';

/** @returns {{env: Record<string, string>, ca: string} | null} null when openssl is missing */
export function benchTls() {
  if (!opensslAvailable()) return null;
  const ca = makeTestCa();
  const leaf = ca.leaf(['127.0.0.1', 'localhost']);
  return { env: { BENCH_TLS_KEY: leaf.key, BENCH_TLS_CERT: leaf.cert }, ca: ca.ca };
}

/** The environment a server process starts with: the certificate when it serves TLS workloads. */
export const serverEnv = (server, tls) => (server.tls && tls ? tls.env : {});

/** The port a started server serves workload `w` on (its TLS port for a TLS workload). */
export const portFor = (instance, w) => (w.tls ? instance.tlsPort : instance.port);
