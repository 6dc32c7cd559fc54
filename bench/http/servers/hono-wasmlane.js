// The bench hono app on wasmlane: serve(app.fetch) from the built package (dist/), with its default
// lightweight global Request/Response (as @hono/node-server's default).
import { serve } from '../../../dist/index.js';
import { createBenchApp } from '../lib/hono-app.js';
import { announce, onShutdown } from '../lib/server-common.js';

const server = await serve(createBenchApp().fetch, { host: '127.0.0.1', port: 0 });
announce(server.address.port, { server: 'hono-wasmlane' });
onShutdown(() => server.close());
