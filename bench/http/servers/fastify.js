// fastify server with the same routes, fastify defaults (logger off, its own JSON body parser and
// serializer); application/octet-stream bodies (POST /upload) are gathered into a Buffer.
import Fastify from 'fastify';
import { HELLO, userJson, uploadJson, UPLOAD_LIMIT, announce, onShutdown } from '../lib/server-common.js';

const app = Fastify({ logger: false });
app.get('/', (_req, reply) => {
  reply.type('text/plain; charset=utf-8').send(HELLO);
});
app.get('/users/:id', (req, reply) => {
  reply.send(userJson(req.params.id));
});
app.post('/echo', (req, reply) => {
  reply.send(req.body);
});
app.addContentTypeParser('application/octet-stream', { parseAs: 'buffer', bodyLimit: UPLOAD_LIMIT }, (_req, body, done) => done(null, body));
app.post('/upload', (req, reply) => {
  reply.send(uploadJson(req.body.length));
});
const address = await app.listen({ port: 0, host: '127.0.0.1' });
announce(Number(new URL(address).port), { server: 'fastify' });
onShutdown(() => app.close());
