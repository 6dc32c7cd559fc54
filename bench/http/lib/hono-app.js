// The bench routes as one hono 4 app, served unchanged by hono-wasmlane.js (wasmlane's serve()) and
// hono-node-server.js (@hono/node-server): the same answers every bench server gives.
import { Hono } from 'hono';
import { HELLO, userJson, uploadJson } from './server-common.js';

export function createBenchApp() {
  const app = new Hono();
  app.get('/', (c) => c.text(HELLO));
  app.get('/users/:id', (c) => c.json(userJson(c.req.param('id'))));
  app.post('/echo', async (c) => c.json(await c.req.json()));
  app.post('/upload', async (c) => c.json(uploadJson((await c.req.arrayBuffer()).byteLength)));
  return app;
}
