// The smallest wasmlane server: node examples/hello.js (after `npm run build`).
import { Server } from 'wasmlane';

const server = new Server({ host: '127.0.0.1', port: Number(process.env.PORT ?? 3000) });
server.get('/', (ctx) => ctx.send('Hello, World!'));
const { port } = await server.listen();
console.log(`hello listening on http://127.0.0.1:${port}`);
