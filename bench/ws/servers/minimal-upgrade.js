// Fallback front end for the wasmlane echo server while the HTTP core is unavailable: reads one
// request head from node:net and calls the WebSocket layer's handleWebSocketUpgrade directly.
import { createServer } from 'node:net';
import { handleWebSocketUpgrade } from '../../../dist/ws/upgrade.js';
import { TopicRegistry } from '../../../dist/pubsub.js';
import { resolveEngine } from '../../../dist/wasm/instance.js';

function parseHead(text, socket) {
  const [requestLine, ...lines] = text.split('\r\n');
  const [method, target, proto] = requestLine.split(' ');
  const headers = lines.map((l) => {
    const i = l.indexOf(':');
    return [l.slice(0, i), l.slice(i + 1).trim()];
  });
  const [path, query = ''] = target.split('?');
  return {
    method, path, query, version: proto === 'HTTP/1.0' ? 10 : 11, headers, params: {},
    remoteAddress: socket.remoteAddress,
    header: (name) => headers.find(([k]) => k.toLowerCase() === name)?.[1],
  };
}

export async function minimalUpgradeServer(handlers, options) {
  const owner = { topics: new TopicRegistry(), webSockets: new Set() };
  const engine = resolveEngine(); // once per server, as the Server does
  const server = createServer((socket) => {
    let buf = Buffer.alloc(0);
    socket.on('error', () => {});
    const onData = (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', onData);
      handleWebSocketUpgrade(parseHead(buf.toString('latin1', 0, end), socket), socket, buf.subarray(end + 4), handlers, options, owner, engine);
    };
    socket.on('data', onData);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: server.address().port, close: () => server.close() };
}
