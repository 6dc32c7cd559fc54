// A minimal net server that hands every request straight to handleWebSocketUpgrade, the way the HTTP
// core does after matching a server.ws() route. It lets the WebSocket layer be tested over real
// sockets on its own; test/ws/interop.test.ts also runs through the real Server when it is present.
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { UpgradeRequest } from '../../src/http/stream-types.js';
import { handleWebSocketUpgrade } from '../../src/ws/upgrade.js';
import type { WebSocket, WebSocketHandlers } from '../../src/ws/websocket.js';
import type { WebSocketOptions } from '../../src/ws/options.js';
import { TopicRegistry } from '../../src/pubsub.js';
import { resolveEngine } from '../../src/wasm/instance.js';

export interface UpgradeServer {
  readonly port: number;
  readonly url: string;
  readonly sockets: Set<Socket>;
  publish(topic: string, data: string | Buffer, isBinary?: boolean): number;
  close(): Promise<void>;
}

function parseRequest(text: string, socket: Socket): UpgradeRequest | null {
  const lines = text.split('\r\n');
  const m = /^(\S+) (\S+) HTTP\/1\.(\d)$/.exec(lines[0] ?? '');
  if (m === null) return null;
  const headers: [string, string][] = [];
  for (const line of lines.slice(1)) {
    const i = line.indexOf(':');
    if (i <= 0) return null;
    headers.push([line.slice(0, i), line.slice(i + 1).trim()]);
  }
  const [path, query = ''] = m[2]!.split('?');
  return {
    method: m[1]!,
    path: path!,
    query,
    version: 10 + Number(m[3]),
    headers,
    params: {},
    remoteAddress: socket.remoteAddress,
    secure: false,
    header: (name) => headers.find(([k]) => k.toLowerCase() === name)?.[1],
  };
}

export async function startUpgradeServer(handlers: WebSocketHandlers, options?: WebSocketOptions): Promise<UpgradeServer> {
  const sockets = new Set<Socket>();
  const owner = { topics: new TopicRegistry(), webSockets: new Set<WebSocket>() };
  const engine = resolveEngine(); // once per server, as the Server does
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let buf = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      buf = Buffer.concat([buf, chunk]);
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', onData);
      const req = parseRequest(buf.toString('latin1', 0, end), socket);
      if (req === null) return void socket.destroy();
      handleWebSocketUpgrade(req, socket, buf.subarray(end + 4), handlers, options, owner, engine);
    };
    socket.on('data', onData);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `ws://127.0.0.1:${port}`,
    sockets,
    publish: (topic, data, isBinary) => owner.topics.publish(topic, data, isBinary),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
