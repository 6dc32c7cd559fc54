// The `tls` server option: which node:tls options a Server takes and how they are checked. Any
// tls.createSecureContext() option (key, cert, ca, pfx, passphrase, ciphers, minVersion …) plus the
// server-side SNICallback, requestCert and rejectUnauthorized. ALPN and the handshake timeout are not
// options here: the Server sets them (src/listener.ts). The options are tried once with
// createSecureContext() when the config is resolved, so a bad key, a wrong passphrase or a key that
// does not match its certificate is a WL_INVALID_CONFIG at `new Server()`, not a failure on every
// handshake.
import { createSecureContext } from 'node:tls';
import type { SecureContextOptions, TlsOptions } from 'node:tls';

/** node:tls options for an HTTPS server (docs/tls.md). */
export type TlsConfig = Omit<SecureContextOptions, 'ALPNCallback'>
  & Pick<TlsOptions, 'SNICallback' | 'requestCert' | 'rejectUnauthorized'>;

/** The tls.createSecureContext() options (Node 20 docs), checked by createSecureContext itself. */
const CONTEXT_KEYS: readonly string[] = [
  'allowPartialTrustChain', 'ca', 'cert', 'sigalgs', 'ciphers', 'clientCertEngine', 'crl', 'dhparam', 'ecdhCurve',
  'honorCipherOrder', 'key', 'privateKeyEngine', 'privateKeyIdentifier', 'maxVersion', 'minVersion',
  'passphrase', 'pfx', 'secureOptions', 'secureProtocol', 'sessionIdContext', 'ticketKeys', 'sessionTimeout',
];
const SERVER_KEYS: Readonly<Record<string, 'function' | 'boolean'>> = {
  SNICallback: 'function',
  requestCert: 'boolean',
  rejectUnauthorized: 'boolean',
};
/** Keys the Server owns, with the reason given when one is passed. */
const OWNED: Readonly<Record<string, string>> = {
  ALPNProtocols: 'is set by the Server (http/1.1; docs/tls.md)',
  ALPNCallback: 'is set by the Server (http/1.1; docs/tls.md)',
  handshakeTimeout: 'is request.headTimeoutMs (docs/tls.md)',
};

/** Check a `tls` option object; `fail(key, detail)` throws (key '' = the whole object). */
export function checkTls(tls: Record<string, unknown>, fail: (key: string, detail: string) => never): void {
  for (const key of Object.keys(tls)) {
    const owned = Object.hasOwn(OWNED, key) ? OWNED[key] : undefined;
    if (owned !== undefined) fail(key, owned);
    const type = Object.hasOwn(SERVER_KEYS, key) ? SERVER_KEYS[key] : undefined;
    if (type === undefined && !CONTEXT_KEYS.includes(key)) {
      fail(key, `is not a known option (known: ${[...CONTEXT_KEYS, ...Object.keys(SERVER_KEYS)].join(', ')})`);
    }
    const value = tls[key];
    if (type !== undefined && value !== undefined && typeof value !== type) fail(key, `must be a ${type}`);
  }
  // The default certificate answers clients that send no server name (RFC 6066 §3: never for an IP
  // address) and names SNICallback does not know.
  if (tls.pfx === undefined && (tls.key === undefined || tls.cert === undefined)) {
    fail('', 'needs key and cert (or pfx): the certificate for clients that send no server name');
  }
  try {
    createSecureContext(tls as SecureContextOptions);
  } catch (error) {
    fail('', `is refused by node:tls createSecureContext(): ${(error as Error).message}`);
  }
}
