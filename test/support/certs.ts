// Throwaway certificates for the TLS tests, made at test time with the openssl CLI in a temporary
// directory that is removed at once: a CA (valid 2 days) and leaves it signs for the names asked
// (DNS names and IP addresses as subjectAltName; RFC 6125 §6.4.4: clients match SAN, never the CN).
// Nothing is written in the repository and nothing is committed. Without openssl a suite calls
// `opensslOrSkip()` and is skipped with a message.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const OPENSSL = '/usr/bin/openssl';

/** True when openssl is installed; otherwise warns once for `testName` and returns false. */
export function opensslOrSkip(testName: string): boolean {
  const available = existsSync(OPENSSL);
  if (!available) console.warn(`${testName}: skipped, ${OPENSSL} not found (apt-get install -y openssl)`);
  return available;
}

export interface Leaf {
  /** PEM private key (unencrypted). */
  readonly key: string;
  /** PEM certificate signed by the CA. */
  readonly cert: string;
}

export interface TestCa {
  /** PEM certificate of the CA: what a client trusts. */
  readonly ca: string;
  /** A leaf for `names` (default: localhost and 127.0.0.1), signed by this CA. */
  leaf(names?: readonly string[], options?: { clientAuth?: boolean }): Leaf;
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

function openssl(dir: string, args: string[]): void {
  execFileSync(OPENSSL, args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], timeout: 10_000 });
}

/** Make a CA in a temporary directory (removed when done; the CA key is kept in memory only). */
export function makeTestCa(): TestCa {
  const dir = mkdtempSync(join(tmpdir(), 'wasmlane-ca-'));
  let ca: string;
  let caKey: string;
  try {
    openssl(dir, ['req', '-x509', ...EC_KEY, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2',
      '-subj', '/CN=wasmlane throwaway test CA',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
    ca = readFileSync(join(dir, 'ca.pem'), 'utf8');
    caKey = readFileSync(join(dir, 'ca.key'), 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  let serial = 1;
  return {
    ca,
    leaf(names = ['localhost', '127.0.0.1'], options = {}) {
      const work = mkdtempSync(join(tmpdir(), 'wasmlane-leaf-'));
      try {
        writeFileSync(join(work, 'ca.pem'), ca);
        writeFileSync(join(work, 'ca.key'), caKey, { mode: 0o600 });
        const san = names.map((n) => (isIP(n) !== 0 ? `IP:${n}` : `DNS:${n}`)).join(',');
        writeFileSync(join(work, 'ext.cnf'), [
          `subjectAltName=${san}`,
          'basicConstraints=critical,CA:FALSE',
          'keyUsage=critical,digitalSignature',
          `extendedKeyUsage=${options.clientAuth === true ? 'clientAuth' : 'serverAuth'}`,
          '',
        ].join('\n'));
        openssl(work, ['req', ...EC_KEY, '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', `/CN=${names[0]}`]);
        openssl(work, ['x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key',
          '-set_serial', String(serial++), '-days', '2', '-extfile', 'ext.cnf', '-out', 'leaf.pem']);
        return { key: readFileSync(join(work, 'leaf.key'), 'utf8'), cert: readFileSync(join(work, 'leaf.pem'), 'utf8') };
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    },
  };
}

/** `key` encrypted with `passphrase` (AES-256, PKCS#8), as a `tls.passphrase` test needs. */
export function encryptKey(key: string, passphrase: string): string {
  return execFileSync(OPENSSL, ['pkey', '-aes256', '-passout', `pass:${passphrase}`], { input: key, timeout: 10_000 })
    .toString('utf8');
}
