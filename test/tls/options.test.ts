// The `tls` option: its validation (WL_INVALID_CONFIG at new Server(), naming the key), SNICallback
// choosing a certificate by server name, ALPN (http/1.1 only: an h2-only client is refused with the
// no_application_protocol alert, RFC 7301 §3.2), an encrypted key with its passphrase, client
// certificates (requestCert), and loading PEM strings from a JSON config.
import { createSecureContext } from 'node:tls';
import type { SecureContext } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { loadServerConfig } from '../../src/config.js';
import { Server } from '../../src/server.js';
import { configError } from '../support/config-error.js';
import { encryptKey, opensslOrSkip } from '../support/certs.js';
import type { Leaf } from '../support/certs.js';
import { handshake, startTls, testCerts, trustingAgent } from './helpers.js';
import type { TlsRunning } from './helpers.js';

const hasOpenssl = opensslOrSkip('tls options.test');

describe.skipIf(!hasOpenssl)('tls option validation', () => {
  it('rejects unknown keys, keys the Server owns, and a missing certificate', () => {
    const { leaf } = testCerts();
    expect(configError(() => new Server({ tls: { key: leaf.key, cert: leaf.cert, certt: 'x' } as never })).message)
      .toMatch(/tls\.certt is not a known option \(known: .*passphrase.*SNICallback/);
    expect(configError(() => new Server({ tls: { ...leaf, ALPNProtocols: ['h2'] } as never })).message)
      .toMatch(/tls\.ALPNProtocols is set by the Server/);
    expect(configError(() => new Server({ tls: { ...leaf, handshakeTimeout: 5 } as never })).message)
      .toMatch(/tls\.handshakeTimeout is request\.headTimeoutMs/);
    expect(configError(() => new Server({ tls: { cert: leaf.cert } })).message).toMatch(/tls needs key and cert \(or pfx\)/);
    expect(configError(() => new Server({ tls: { ...leaf, SNICallback: 'no' } as never })).message)
      .toMatch(/tls\.SNICallback must be a function/);
    expect(configError(() => new Server({ tls: 'yes' as never })).message).toMatch(/tls must be null or an object/);
  });

  it('tries the options with node:tls: bad PEM, a key of another certificate, a wrong passphrase', () => {
    const { ca, leaf } = testCerts();
    const other = ca.leaf(['other.localhost']);
    expect(configError(() => new Server({ tls: { key: 'not a key', cert: leaf.cert } })).message)
      .toMatch(/tls is refused by node:tls createSecureContext\(\): /);
    expect(configError(() => new Server({ tls: { key: other.key, cert: leaf.cert } })).message).toMatch(/tls is refused/);
    const locked = encryptKey(leaf.key, 'right horse');
    expect(configError(() => new Server({ tls: { key: locked, cert: leaf.cert, passphrase: 'wrong' } })).message)
      .toMatch(/tls is refused/);
    expect(new Server({ tls: { key: locked, cert: leaf.cert, passphrase: 'right horse' } }).config.tls).not.toBeNull();
  });

  it('loads PEM strings from a JSON config; tls defaults to null (plain HTTP)', () => {
    const { leaf } = testCerts();
    const config = loadServerConfig(JSON.stringify({ tls: { key: leaf.key, cert: leaf.cert, minVersion: 'TLSv1.3' } }));
    expect(config.tls).toMatchObject({ cert: leaf.cert, minVersion: 'TLSv1.3' });
    expect(Object.isFrozen(config.tls)).toBe(true);
    expect(loadServerConfig('{}').tls).toBeNull();
  });
});

describe.skipIf(!hasOpenssl)('SNICallback, ALPN, passphrase, client certificates', () => {
  let sni: TlsRunning;
  let names: string[];
  let alt: Leaf;

  beforeAll(async () => {
    const { ca } = testCerts();
    alt = ca.leaf(['alt.localhost']);
    const altContext: SecureContext = createSecureContext({ key: alt.key, cert: alt.cert });
    names = [];
    sni = await startTls((s) => s.get('/', (ctx) => ctx.send(`served ${ctx.request.header('host')}`)), {
      tls: {
        SNICallback: (servername, callback) => {
          names.push(servername);
          callback(null, servername === 'alt.localhost' ? altContext : undefined);
        },
      },
    });
  }, 20_000);

  afterAll(async () => {
    await sni?.close();
  });

  it('SNICallback picks the certificate by server name; no name gets the default one', async () => {
    const byName = await handshake(sni.port, { servername: 'alt.localhost' });
    expect(byName.getPeerCertificate().subjectaltname).toBe('DNS:alt.localhost');
    byName.end('GET / HTTP/1.1\r\nHost: alt.localhost\r\nConnection: close\r\n\r\n');
    let text = '';
    for await (const chunk of byName) text += String(chunk);
    expect(text).toMatch(/^HTTP\/1\.1 200 [^]*served alt\.localhost$/);
    expect(names).toContain('alt.localhost');

    const byIp = await handshake(sni.port); // RFC 6066 §3: no server name for an IP address
    expect(byIp.getPeerCertificate().subjectaltname).toBe('DNS:localhost, IP Address:127.0.0.1');
    byIp.destroy();
  });

  it('negotiates http/1.1 with ALPN and refuses a client that offers only h2', async () => {
    const both = await handshake(sni.port, { ALPNProtocols: ['h2', 'http/1.1'] });
    expect(both.alpnProtocol).toBe('http/1.1');
    both.destroy();
    const none = await handshake(sni.port);
    expect(none.alpnProtocol).toBe(false); // no ALPN: HTTP/1.1 all the same
    none.destroy();
    await expect(handshake(sni.port, { ALPNProtocols: ['h2'] })).rejects.toMatchObject({
      code: 'ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL',
    });
  });

  it('serves with a passphrase-protected key', async () => {
    const { leaf } = testCerts();
    const app = await startTls((s) => s.get('/', (ctx) => ctx.send('unlocked')), {
      tls: { key: encryptKey(leaf.key, 'pass phrase'), passphrase: 'pass phrase' },
    });
    const agent = trustingAgent();
    try {
      expect(await (await request(app.url, { dispatcher: agent })).body.text()).toBe('unlocked');
    } finally {
      await agent.close();
      await app.close();
    }
  });

  it('requestCert + rejectUnauthorized: a client certificate from the CA is required', async () => {
    const { ca } = testCerts();
    const client = ca.leaf(['client.localhost'], { clientAuth: true });
    const app = await startTls((s) => s.get('/', (ctx) => ctx.send(`mtls ${ctx.request.secure}`)), {
      tls: { ca: ca.ca, requestCert: true, rejectUnauthorized: true },
    });
    const withCert = trustingAgent({ connect: { ca: ca.ca, key: client.key, cert: client.cert } });
    const without = trustingAgent();
    try {
      expect(await (await request(app.url, { dispatcher: withCert })).body.text()).toBe('mtls true');
      // TLS 1.3: the server's certificate_required alert arrives after the client's Finished.
      await expect(request(app.url, { dispatcher: without })).rejects.toThrow(/certificate required|socket|closed/i);
    } finally {
      await withCert.close();
      await without.close();
      await app.close();
    }
  });
});
