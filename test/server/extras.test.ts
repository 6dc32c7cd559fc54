// Server extras over real sockets: server.routes() in registration order, server.topicSize(topic)
// following WebSocket subscribers as they come and go, and maxConnections — the N+1th connection is
// closed at once (FIN, no response) while the first N keep working, upgraded WebSockets count, and a
// freed slot is usable again.
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket as WebSocketClient } from 'ws';
import { Status } from '../../src/hooks.js';
import { Server } from '../../src/server.js';
import { start, statuses } from './helpers.js';
import type { Running } from './helpers.js';

let running: Running | null = null;
afterEach(async () => {
  await running?.close();
  running = null;
});

/** A keep-alive client socket that sends one request per call and resolves with the raw answer. */
class Client {
  readonly socket: Socket;
  text = '';
  closed = false;
  readonly ready: Promise<void>;
  constructor(port: number) {
    this.socket = connect(port, '127.0.0.1');
    this.socket.on('data', (c) => (this.text += c.toString('latin1')));
    this.socket.on('error', () => {});
    this.socket.on('close', () => (this.closed = true));
    this.ready = new Promise((resolve) => this.socket.once('connect', () => resolve()));
  }

  async get(path: string): Promise<string> {
    const from = this.text.length;
    this.socket.write(`GET ${path} HTTP/1.1\r\nhost: x\r\n\r\n`);
    for (let i = 0; i < 200 && !/\r\n\r\n[\s\S]*ok$/.test(this.text.slice(from)) && !this.closed; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    return this.text.slice(from);
  }

  /** Resolve once the server closed the socket (or after 2 s). */
  async waitClosed(): Promise<boolean> {
    for (let i = 0; i < 200 && !this.closed; i++) await new Promise((r) => setTimeout(r, 10));
    return this.closed;
  }
}

describe('server.routes()', () => {
  it('lists method, pattern and an options summary in registration order', () => {
    const server = new Server();
    server.get('/a', (ctx) => ctx.send('a'));
    server.group('/api', (g) => {
      g.requestMiddleware(() => Status.Continue);
      g.post('/items/{id}', (ctx) => ctx.send('x'), { maxBodySize: 10, requestMiddleware: [() => undefined] });
      g.ws('/live', {});
    });
    server.route('/any', (ctx) => ctx.send('any'), { handlerTimeoutMs: 50, responseMiddleware: [() => undefined] });
    const max = server.config.request.maxBodySize;
    expect(server.routes()).toEqual([
      { method: 'GET', pattern: '/a', websocket: false, maxBodySize: max, handlerTimeoutMs: 0, requestMiddleware: 0, responseMiddleware: 0 },
      { method: 'POST', pattern: '/api/items/{id}', websocket: false, maxBodySize: 10, handlerTimeoutMs: 0, requestMiddleware: 1, responseMiddleware: 0 },
      { method: 'GET', pattern: '/api/live', websocket: true, maxBodySize: max, handlerTimeoutMs: 0, requestMiddleware: 0, responseMiddleware: 0 },
      { method: '*', pattern: '/any', websocket: false, maxBodySize: max, handlerTimeoutMs: 50, requestMiddleware: 0, responseMiddleware: 1 },
    ]);
  });
});

describe('server.requestsRouted', () => {
  it('counts the requests that reached routing (what cluster workers report), 404s included', async () => {
    running = await start((s) => s.get('/', (ctx) => ctx.send('ok')));
    const client = new Client(running.port);
    await client.ready;
    await client.get('/');
    await client.get('/');
    await client.get('/missing');
    expect(statuses(client.text)).toEqual([200, 200, 404]);
    expect(running.server.requestsRouted).toBe(3);
    client.socket.destroy();
  });
});

describe('server.topicSize()', () => {
  it('counts the WebSocket subscribers of a topic as they join and leave', async () => {
    running = await start((s) => {
      s.ws('/ws', {
        open(ws: { subscribe(topic: string): boolean; send(data: string): void }) {
          ws.subscribe('room');
          ws.send('in');
        },
      }, { heartbeatIntervalMs: 0 });
    });
    const { server, port } = running;
    expect(server.topicSize('room')).toBe(0);
    const open = (): Promise<WebSocketClient> => new Promise((resolve, reject) => {
      const ws = new WebSocketClient(`ws://127.0.0.1:${port}/ws`);
      ws.once('message', () => resolve(ws));
      ws.once('error', reject);
    });
    const a = await open();
    const b = await open();
    expect(server.topicSize('room')).toBe(2);
    expect(server.topicSize('other')).toBe(0);
    a.close();
    for (let i = 0; i < 100 && server.topicSize('room') !== 1; i++) await new Promise((r) => setTimeout(r, 10));
    expect(server.topicSize('room')).toBe(1);
    b.terminate();
  });
});

describe('maxConnections', () => {
  it('closes the N+1th connection at once while the first N keep working; a freed slot is usable', async () => {
    running = await start((s) => {
      s.get('/', (ctx) => ctx.send('ok'));
    }, { maxConnections: 2 });
    const { port } = running;
    const first = new Client(port);
    const second = new Client(port);
    await Promise.all([first.ready, second.ready]);
    expect(statuses(await first.get('/'))).toEqual([200]);
    expect(statuses(await second.get('/'))).toEqual([200]);
    const third = new Client(port);
    await third.ready;
    third.socket.write('GET / HTTP/1.1\r\nhost: x\r\n\r\n');
    expect(await third.waitClosed()).toBe(true);
    expect(third.text).toBe(''); // no response: a clean close
    // The first two are unaffected (keep-alive, several requests each).
    for (let i = 0; i < 3; i++) {
      expect(statuses(await first.get('/'))).toEqual([200]);
      expect(statuses(await second.get('/'))).toEqual([200]);
    }
    expect(running.server.connectionCount).toBe(2);
    first.socket.end();
    await first.waitClosed();
    for (let i = 0; i < 100 && running.server.connectionCount !== 1; i++) await new Promise((r) => setTimeout(r, 10));
    const fourth = new Client(port);
    await fourth.ready;
    expect(statuses(await fourth.get('/'))).toEqual([200]);
    second.socket.destroy();
    fourth.socket.destroy();
  });

  it('counts upgraded WebSockets', async () => {
    running = await start((s) => {
      s.get('/', (ctx) => ctx.send('ok'));
      s.ws('/ws', { open(ws: { send(data: string): void }) { ws.send('hi'); } }, { heartbeatIntervalMs: 0 });
    }, { maxConnections: 1 });
    const { port } = running;
    const ws = await new Promise<WebSocketClient>((resolve, reject) => {
      const client = new WebSocketClient(`ws://127.0.0.1:${port}/ws`);
      client.once('message', () => resolve(client));
      client.once('error', reject);
    });
    const http = new Client(port);
    await http.ready;
    http.socket.write('GET / HTTP/1.1\r\nhost: x\r\n\r\n');
    expect(await http.waitClosed()).toBe(true);
    expect(http.text).toBe('');
    const echoed = new Promise((resolve) => ws.once('pong', resolve));
    ws.ping();
    await echoed; // the WebSocket still works
    ws.terminate();
  });

  it('is validated like every other option', () => {
    expect(() => new Server({ maxConnections: -1 })).toThrow(/maxConnections must be an integer/);
    expect(new Server({}).config.maxConnections).toBe(0);
  });
});
