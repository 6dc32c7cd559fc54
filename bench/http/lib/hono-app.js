// The bench routes as one hono 4 app, served unchanged by hono-wasmlane.js (wasmlane's serve()) and
// hono-node-server.js (@hono/node-server): the same three answers every bench server gives.
import { Hono } from 'hono';
import { HELLO, userJson } from './server-common.js';

export function createBenchApp() {
  const app = new Hono();
  app.get('/', (c) => c.text(HELLO));
  app.get('/users/:id', (c) => c.json(userJson(c.req.param('id'))));
  app.post('/echo', async (c) => c.json(await c.req.json()));
  return app;
}
