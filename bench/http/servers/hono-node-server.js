// The reference: the bench hono app on @hono/node-server with its defaults (global Request/Response
// replaced by its lightweight classes).
import { serve } from '@hono/node-server';
import { createBenchApp } from '../lib/hono-app.js';
import { announce, onShutdown } from '../lib/server-common.js';

const server = serve({ fetch: createBenchApp().fetch, hostname: '127.0.0.1', port: 0 }, (info) => {
  announce(info.port, { server: 'hono-node-server' });
});
onShutdown(() => new Promise((resolve) => { server.closeAllConnections?.(); server.close(() => resolve()); }));
