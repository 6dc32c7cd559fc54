// Throwaway certificates for the TLS tests, made at test time with the openssl CLI (the one
// implementation is bench/lib/certs.js, shared with the HTTPS benchmark; this gives it types).
// Nothing is written in the repository and nothing is committed. Without openssl a suite calls
// `opensslOrSkip()` and is skipped with a message.

export interface Leaf {
  /** PEM private key (unencrypted). */
  readonly key: string;
  /** PEM certificate signed by the CA. */
  readonly cert: string;
}

export interface TestCa {
  /** PEM certificate of the CA: what a client trusts. */
  readonly ca: string;
  /** A leaf for `names` (default: localhost and 127.0.0.1; an IP literal goes in as an IP SAN),
   *  signed by this CA; `clientAuth` makes a client certificate. */
  leaf(names?: readonly string[], options?: { clientAuth?: boolean }): Leaf;
}

interface CertsModule {
  OPENSSL: string;
  opensslAvailable(): boolean;
  makeTestCa(): TestCa;
  encryptKey(key: string, passphrase: string): string;
}

// bench/ is plain JavaScript without types: imported by URL (as test/bench-harness.test.ts does).
const certs = (await import(new URL('../../bench/lib/certs.js', import.meta.url).href)) as CertsModule;

/** True when openssl is installed; otherwise warns once for `testName` and returns false. */
export function opensslOrSkip(testName: string): boolean {
  const available = certs.opensslAvailable();
  if (!available) console.warn(`${testName}: skipped, ${certs.OPENSSL} not found (apt-get install -y openssl)`);
  return available;
}

/** Make a CA in a temporary directory (removed when done; the CA key is kept in memory only). */
export function makeTestCa(): TestCa {
  return certs.makeTestCa();
}

/** `key` encrypted with `passphrase` (AES-256, PKCS#8), as a `tls.passphrase` test needs. */
export function encryptKey(key: string, passphrase: string): string {
  return certs.encryptKey(key, passphrase);
}
