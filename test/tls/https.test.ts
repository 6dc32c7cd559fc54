// HTTPS: the same parser, router and response writer over node:tls sockets, with certificates made
// at test time (test/support/certs.ts). Clients: undici trusting the throwaway CA.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import type { Agent } from 'undici';
import { opensslOrSkip } from '../support/certs.js';
import { startTls, trustingAgent } from './helpers.js';
import type { TlsRunning } from './helpers.js';

const hasOpenssl = opensslOrSkip('https.test');

describe.skipIf(!hasOpenssl)('HTTPS with undici', () => {
  let app: TlsRunning;
  let agent: Agent;

  beforeAll(async () => {
    app = await startTls((s) => {
      s.get('/hello', (ctx) => ctx.send('hello over tls'));
      s.get('/scheme', (ctx) => ctx.json({ secure: ctx.request.secure, protocol: ctx.request.protocol }));
      s.post('/echo', async (ctx) => ctx.send(await ctx.request.bytes()));
    });
    agent = trustingAgent();
  }, 20_000);

  afterAll(async () => {
    await agent?.close();
    await app?.close();
  });

  it('answers a GET over TLS, and the request knows it is secure', async () => {
    const res = await request(`${app.url}/hello`, { dispatcher: agent });
    expect(res.statusCode).toBe(200);
    expect(await res.body.text()).toBe('hello over tls');
    const scheme = await request(`${app.url}/scheme`, { dispatcher: agent });
    expect(await scheme.body.json()).toEqual({ secure: true, protocol: 'https' });
  });
});
