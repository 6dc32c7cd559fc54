// The live part of the demo: the chat page (examples/public), the WebSocket chat (/chat, every
// message published to topic "chat") and the stats stream (/stats, server-sent events, one a second).
import { readFileSync } from 'node:fs';

const MAX_NAME = 24;
const MAX_TEXT = 500;

// Fixed map of files read once at start: nothing from the URL ever reaches the file system.
const ASSETS = {
  '/': ['index.html', 'text/html; charset=utf-8'],
  '/chat.js': ['chat.js', 'text/javascript; charset=utf-8'],
  '/chat.css': ['chat.css', 'text/css; charset=utf-8'],
  '/favicon.svg': ['favicon.svg', 'image/svg+xml'],
};

/** Register the page, /chat and /stats on `app`; `server` is read for the stats. */
export function liveRoutes(app, server) {
  let requests = 0;
  let wsClients = 0;
  app.requestMiddleware(() => {
    requests++;
  });

  for (const [path, [file, type]] of Object.entries(ASSETS)) {
    const body = readFileSync(new URL(`./public/${file}`, import.meta.url));
    app.get(path, (ctx) => {
      ctx.header('content-type', type).header('cache-control', 'no-cache');
      // The page loads only its own script and style and talks only to this origin.
      ctx.header('content-security-policy', "default-src 'self'; connect-src 'self'");
      ctx.header('x-content-type-options', 'nosniff');
      ctx.send(body);
    });
  }

  app.ws('/chat', {
    open(ws) {
      wsClients++;
      ws.subscribe('chat');
    },
    message(ws, data, isBinary) {
      const message = isBinary ? null : parseChat(data.toString('utf8'));
      if (message === null) {
        ws.send(JSON.stringify({ type: 'error', text: `Send JSON {"name","text"}, text 1–${MAX_TEXT} characters.` }));
        return;
      }
      // One frame encoded for all subscribers, the sender included.
      ws.publish('chat', JSON.stringify({ type: 'chat', ...message, time: new Date().toISOString() }));
    },
    close() {
      wsClients--;
    },
  }, { maxPayload: 4096 }); // a chat line is at most 500 characters: anything bigger is closed with 1009

  const snapshot = () => ({
    connections: server.connectionCount + server.upgradedSockets.size,
    requests,
    wsClients,
    rss: process.memoryUsage.rss(),
    uptime: process.uptime(),
    engine: server.engine,
  });

  // One snapshot a second for every stats page: published to topic "stats", so the event is
  // formatted once and the same bytes are written to each SSE subscriber.
  setInterval(() => server.publish('stats', JSON.stringify(snapshot())), 1000).unref();

  app.get('/stats', (ctx) => {
    const sse = ctx.sse({ retry: 2000 });
    sse.send({ event: 'stats', data: snapshot() }); // the page fills its panel at once
    sse.subscribe('stats', { event: 'stats' });
  });
}

/** {name, text} from a chat frame, trimmed and bounded; null when it is not one. */
function parseChat(text) {
  let value;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (value === null || typeof value !== 'object' || typeof value.text !== 'string') return null;
  const body = value.text.trim();
  if (body.length === 0 || body.length > MAX_TEXT) return null;
  const name = typeof value.name === 'string' ? value.name.trim().slice(0, MAX_NAME) : '';
  return { name: name === '' ? 'anonymous' : name, text: body };
}
