// `import 'wasmlane'` loads what a plain HTTP/1.1 + WebSocket server runs and nothing else: not Node's
// bundled undici (read on the first access of globalThis.Request/Response: src/fetch/native.ts),
// not node:http2 (loaded by listen() only when the http2 option is set). Live heap is marked by
// every full GC, and on bench:ws the undici heap alone cost ~1.5× the server CPU per 1 MiB echo. Each case runs in a fresh node process over the built package.
// The second half checks that the fetch adapter still works when its classes are linked late.
import { describe, it, expect, beforeAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const ENTRY = pathToFileURL(path.resolve('dist/index.js')).href;

/** Run an ES module body in a fresh node process; resolves with its stdout parsed as JSON. */
function run(body: string): any {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', body], { encoding: 'utf8', timeout: 20_000 });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

const LOADED = `const loaded = (name) => process.moduleLoadList.includes('NativeModule ' + name);`;

describe("import 'wasmlane' loads no more than a server needs", () => {
  beforeAll(() => {
    expect(existsSync(path.resolve('dist/index.js')), 'dist/ is missing: run npm run build (npm test does)').toBe(true);
  });

  it('leaves undici and node:http2 unloaded until used', () => {
    const r = run(`${LOADED}
      const w = await import(${JSON.stringify(ENTRY)});
      const s = new w.Server({ host: '127.0.0.1', port: 0 });
      s.get('/', (ctx) => ctx.send('ok'));
      await s.listen();
      const after = { undici: loaded('internal/deps/undici/undici'), http2: loaded('http2') };
      await s.close();
      void globalThis.Request; // the control: reading the global is what loads undici
      console.log(JSON.stringify({ ...after, undiciOnRead: loaded('internal/deps/undici/undici') }));`);
    expect(r).toEqual({ undici: false, http2: false, undiciOnRead: true });
  });

  it('the fetch adapter links its classes on first use: instanceof, statics, the global Request', () => {
    const r = run(`
      const w = await import(${JSON.stringify(ENTRY)});
      const platformRequest = globalThis.Request, platformResponse = globalThis.Response;
      // Before anything linked them:
      const json = w.FetchResponse.json({ a: 1 });
      const early = new w.FetchResponse('hi', { headers: { 'x-a': '1' } });
      const req = new w.FetchRequest('http://h/p', { method: 'POST', body: 'b' });
      const reqSeen = [req instanceof platformRequest, req instanceof w.FetchRequest, req.method, await req.text()];
      w.installFetchGlobals();
      const installed = globalThis.Request === w.FetchRequest && globalThis.Response === w.FetchResponse;
      const viaGlobal = new Request(new w.FetchRequest('http://h/q', { method: 'PUT' }), { headers: { 'x-b': '2' } });
      w.restoreFetchGlobals();
      console.log(JSON.stringify({
        json: [json instanceof platformResponse, await json.text()],
        early: [early instanceof platformResponse, early instanceof w.FetchResponse, early.headers.get('x-a'), await early.text()],
        req: reqSeen,
        installed,
        viaGlobal: [viaGlobal instanceof platformRequest, viaGlobal.method, viaGlobal.headers.get('x-b')],
        restored: globalThis.Request === platformRequest && globalThis.Response === platformResponse,
        redirect: w.FetchResponse.redirect('http://h/x', 307).status,
        error: w.FetchResponse.error().type,
      }));`);
    expect(r).toEqual({
      json: [true, '{"a":1}'],
      early: [true, true, '1', 'hi'],
      req: [true, true, 'POST', 'b'],
      installed: true,
      viaGlobal: [true, 'PUT', '2'],
      restored: true,
      redirect: 307,
      error: 'error',
    });
  });

  it('serve() answers over a real socket from a process that imported nothing else', () => {
    const r = run(`
      const w = await import(${JSON.stringify(ENTRY)});
      const server = await w.serve((request) => new Response(request.method + ' ' + new URL(request.url).pathname + ' ' + (request instanceof Request)),
        { host: '127.0.0.1', port: 0 });
      const res = await fetch('http://127.0.0.1:' + server.address.port + '/x');
      const body = await res.text();
      await server.close();
      w.restoreFetchGlobals();
      console.log(JSON.stringify({ status: res.status, body }));`);
    expect(r).toEqual({ status: 200, body: 'GET /x true' });
  });
});
