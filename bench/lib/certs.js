// Throwaway certificates made with the openssl CLI in a temporary directory that is removed at once:
// a CA (valid 2 days) and leaves it signs for the names asked (DNS names and IP addresses as
// subjectAltName; RFC 6125 §6.4.4: clients match SAN, never the CN). Nothing is written in the
// repository. Used by the TLS tests (test/support/certs.ts gives it types) and by the HTTPS workload
// of `npm run bench:http`.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const OPENSSL = '/usr/bin/openssl';

export function opensslAvailable() {
  return existsSync(OPENSSL);
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

function openssl(dir, args) {
  execFileSync(OPENSSL, args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], timeout: 10_000 });
}

/** Run `fn(dir)` in a fresh temporary directory, removed afterwards whatever happens. */
function inTempDir(prefix, fn) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  try {
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Make a CA (its key is kept in memory only).
 * @returns {{ca: string, leaf(names?: string[], options?: {clientAuth?: boolean}): {key: string, cert: string}}}
 */
export function makeTestCa() {
  const [ca, caKey] = inTempDir('wasmlane-ca-', (dir) => {
    openssl(dir, ['req', '-x509', ...EC_KEY, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2',
      '-subj', '/CN=wasmlane throwaway test CA',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
    return [readFileSync(join(dir, 'ca.pem'), 'utf8'), readFileSync(join(dir, 'ca.key'), 'utf8')];
  });
  let serial = 1;
  return {
    ca,
    leaf(names = ['localhost', '127.0.0.1'], options = {}) {
      return inTempDir('wasmlane-leaf-', (dir) => {
        writeFileSync(join(dir, 'ca.pem'), ca);
        writeFileSync(join(dir, 'ca.key'), caKey, { mode: 0o600 });
        const san = names.map((n) => (isIP(n) !== 0 ? `IP:${n}` : `DNS:${n}`)).join(',');
        writeFileSync(join(dir, 'ext.cnf'), [
          `subjectAltName=${san}`,
          'basicConstraints=critical,CA:FALSE',
          'keyUsage=critical,digitalSignature',
          `extendedKeyUsage=${options.clientAuth === true ? 'clientAuth' : 'serverAuth'}`,
          '',
        ].join('\n'));
        openssl(dir, ['req', ...EC_KEY, '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', `/CN=${names[0]}`]);
        openssl(dir, ['x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key',
          '-set_serial', String(serial++), '-days', '2', '-extfile', 'ext.cnf', '-out', 'leaf.pem']);
        return { key: readFileSync(join(dir, 'leaf.key'), 'utf8'), cert: readFileSync(join(dir, 'leaf.pem'), 'utf8') };
      });
    },
  };
}

/** `key` encrypted with `passphrase` (AES-256, PKCS#8). */
export function encryptKey(key, passphrase) {
  return execFileSync(OPENSSL, ['pkey', '-aes256', '-passout', `pass:${passphrase}`], { input: key, timeout: 10_000 })
    .toString('utf8');
}
