// The engine is chosen once and reaches every WebSocket loop: a Server's `engine` option decides the
// frame decoder and codec of its WebSockets (issue 8: `Server({ engine: 'js' })` used to serve
// WebSockets on wasm-simd), a route's own `engine` option wins over it, and connect() resolves its
// option once per connection. UTF-8 of text is the exception, and says so: Node's buffer.isUtf8
// validates it on every engine unless the option `utf8: 'engine'` asks for the engine's validator
// (ws.utf8Validator names which runs). Real sockets on 127.0.0.1; each case echoes a masked text
// message that crosses the WASM small-input threshold, so the chosen codec really runs.
import { afterEach, describe, expect, it } from 'vitest';
import { availableEngines, type EngineKind } from '../../src/wasm/instance.js';
import { Server } from '../../src/server.js';
import { connect } from '../../src/ws/client.js';
import type { WebSocket } from '../../src/ws/websocket.js';
import type { WebSocketOptions } from '../../src/ws/options.js';

const engines = availableEngines();
let server: Server | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A Server with one echo route; resolves with its URL and the engine each server-side socket got. */
async function echoServer(engine: EngineKind, routeOptions?: WebSocketOptions): Promise<{ url: string; seen: EngineKind[]; utf8: string[] }> {
  const seen: EngineKind[] = [];
  const utf8: string[] = [];
  server = new Server({ host: '127.0.0.1', port: 0, engine });
  server.ws('/echo', {
    open: (ws) => {
      seen.push(ws.engine);
      utf8.push(ws.utf8Validator);
    },
    message: (ws, data, isBinary) => void ws.send(data, isBinary),
  }, { heartbeatIntervalMs: 0, ...routeOptions });
  const { port } = await server.listen();
  return { url: `ws://127.0.0.1:${port}/echo`, seen, utf8 };
}

async function echo(ws: WebSocket, text: string): Promise<string> {
  const reply = new Promise<string>((resolve) => ws.once('message', (data: Buffer) => resolve(data.toString())));
  ws.send(text);
  return reply;
}

describe.each(engines)('Server({ engine: %s })', (engine) => {
  it('runs its WebSockets on that engine, and connect() on the one it asked for', async () => {
    const { url, seen, utf8 } = await echoServer(engine);
    const clientEngine = engines[engines.length - 1 - engines.indexOf(engine)]!; // a different one where possible
    const ws = await connect(url, { engine: clientEngine });
    const text = 'é'.repeat(2000); // 4000 bytes: above WASM_MASK_MIN and WASM_UTF8_MIN
    expect(await echo(ws, text)).toBe(text);
    expect(seen).toEqual([engine]);
    expect(utf8).toEqual(['native']);
    expect(ws.engine).toBe(clientEngine);
    expect(ws.utf8Validator).toBe('native');
    ws.close(1000);
  });

  it("validates UTF-8 on that engine too when the route and connect() ask for utf8: 'engine'", async () => {
    const { url, seen, utf8 } = await echoServer(engine, { utf8: 'engine' });
    const ws = await connect(url, { engine, utf8: 'engine' });
    const text = '€'.repeat(2000); // 6000 bytes: a bulk frame on both sides when the reads split it
    expect(await echo(ws, text)).toBe(text);
    expect(seen).toEqual([engine]);
    expect(utf8).toEqual([engine]);
    expect(ws.utf8Validator).toBe(engine);
    // Invalid UTF-8 is refused by the engine's validator: the server closes with 1007 (§8.1).
    const closed = new Promise<number>((resolve) => ws.once('close', (code: number) => resolve(code)));
    ws.send(Buffer.from([0xc3, 0x28]), false); // a text frame whose bytes are not UTF-8
    expect(await closed).toBe(1007);
  });
});

describe('a route engine option', () => {
  it('wins over the server engine (resolved at registration)', async () => {
    const { url, seen } = await echoServer('js', { engine: engines[0]! });
    const ws = await connect(url);
    expect(await echo(ws, 'x'.repeat(1000))).toBe('x'.repeat(1000));
    expect(seen).toEqual([engines[0]]);
    ws.close(1000);
  });
});
