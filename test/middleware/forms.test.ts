// Forms over real sockets: undici's fetch with FormData (fields + a Blob file) and URLSearchParams
// bodies, a 64 MiB multipart upload streamed from a generator and hashed on the server with its memory
// sampled, curl -F, and every form limit crossed (status + code; a refused upload closes the connection).
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Context } from '../../src/context.js';
import type { FormOptions } from '../../src/http/form.js';
import { ENGINES, start } from '../server/helpers.js';
import type { Running } from '../server/helpers.js';

const MiB = 1024 * 1024;
const sha = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');
// A full GC before each memory sample, so that the sample counts what is retained, not garbage not
// collected yet (client and server share this process and both make garbage buffers).
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function optionsFrom(ctx: Context): FormOptions {
  const options: Record<string, number | string> = {};
  for (const [key, value] of ctx.request.searchParams) options[key] = key === 'uploadDir' ? value : Number(value);
  return options as FormOptions;
}

/** Hash every file part as it streams; sample the process's ArrayBuffer memory meanwhile. */
async function hashParts(ctx: Context): Promise<void> {
  gc();
  const base = process.memoryUsage().arrayBuffers;
  let peak = 0;
  const fields: [string, string][] = [];
  const files: object[] = [];
  for await (const part of ctx.request.parts(optionsFrom(ctx))) {
    if (!part.isFile) {
      fields.push([part.name, part.value]);
      continue;
    }
    const hash = createHash('sha256');
    let n = 0;
    for await (const chunk of part.stream()) {
      hash.update(chunk as Buffer);
      if ((++n & 127) === 0) {
        gc(); // every 128 pieces (~8 MiB of a large upload)
        peak = Math.max(peak, process.memoryUsage().arrayBuffers - base);
      }
    }
    files.push({ name: part.name, filename: part.filename, contentType: part.contentType, size: part.size, sha256: hash.digest('hex') });
  }
  ctx.json({ fields, files, peakArrayBuffers: peak });
}

async function formJson(ctx: Context): Promise<void> {
  const form = await ctx.request.form(optionsFrom(ctx));
  const files = [];
  for (const f of form.files) {
    const bytes = await f.bytes();
    files.push({ name: f.name, filename: f.filename, contentType: f.contentType, size: f.size, sha256: sha(bytes), onDisk: f.path !== undefined && existsSync(f.path) });
  }
  const directory = form.directory;
  await form.cleanup();
  ctx.json({ fields: [...form.fields], files, cleaned: directory === undefined ? null : !existsSync(directory) });
}

function multipart(boundary: string, parts: { headers: string; body: string | Buffer }[]): Buffer {
  const pieces: Buffer[] = [];
  for (const p of parts) pieces.push(Buffer.from(`--${boundary}\r\n${p.headers}\r\n\r\n`), Buffer.from(p.body), Buffer.from('\r\n'));
  pieces.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(pieces);
}

const field = (name: string, value: string): { headers: string; body: string } =>
  ({ headers: `Content-Disposition: form-data; name="${name}"`, body: value });
const file = (name: string, filename: string, body: string | Buffer): { headers: string; body: string | Buffer } =>
  ({ headers: `Content-Disposition: form-data; name="${name}"; filename="${filename}"\r\nContent-Type: application/octet-stream`, body });

for (const engine of ENGINES) {
  describe(`forms over sockets (${engine})`, () => {
    let app: Running;
    const uploadRoot = mkdtempSync(join(tmpdir(), 'wasmlane-forms-test-'));
    beforeAll(async () => {
      app = await start((s) => {
        s.onRequestError((error, ctx) => void ctx.header('x-code', error.code));
        s.post('/parts', hashParts, { maxBodySize: 256 * MiB });
        s.post('/form', formJson, { maxBodySize: 64 * MiB });
      }, { engine });
    });
    afterAll(async () => {
      await app.close();
      rmSync(uploadRoot, { recursive: true, force: true });
    });

    it('streams a FormData Blob file through parts() and hashes it on the server', async () => {
      const data = randomBytes(4 * MiB);
      const fd = new FormData();
      fd.append('title', 'héllo wörld');
      fd.append('tag', 'a');
      fd.append('tag', 'b');
      fd.append('upload', new Blob([data], { type: 'application/x-test' }), 'données.bin');
      const res = await fetch(`${app.url}/parts`, { method: 'POST', body: fd });
      expect(res.status).toBe(200);
      const body = await res.json() as { fields: unknown; files: unknown };
      expect(body.fields).toEqual([['title', 'héllo wörld'], ['tag', 'a'], ['tag', 'b']]);
      expect(body.files).toEqual([{ name: 'upload', filename: 'données.bin', contentType: 'application/x-test', size: data.length, sha256: sha(data) }]);
    });

    it('collects fields and files with form(), in memory and in uploadDir (then cleaned up)', async () => {
      const one = randomBytes(300_000);
      const two = Buffer.from('second file\n');
      const fd = new FormData();
      fd.append('a', '1');
      fd.append('f', new Blob([one]), 'one.bin');
      fd.append('f', new Blob([two], { type: 'text/plain' }), 'two.txt');
      fd.append('a', '2');
      const expected = [
        { name: 'f', filename: 'one.bin', contentType: 'application/octet-stream', size: one.length, sha256: sha(one) },
        { name: 'f', filename: 'two.txt', contentType: 'text/plain', size: two.length, sha256: sha(two) },
      ];
      const memory = await (await fetch(`${app.url}/form`, { method: 'POST', body: fd })).json();
      expect(memory).toEqual({ fields: [['a', '1'], ['a', '2']], files: expected.map((f) => ({ ...f, onDisk: false })), cleaned: null });
      const disk = await (await fetch(`${app.url}/form?uploadDir=${encodeURIComponent(uploadRoot)}`, { method: 'POST', body: fd })).json();
      expect(disk).toEqual({ fields: [['a', '1'], ['a', '2']], files: expected.map((f) => ({ ...f, onDisk: true })), cleaned: true });
    });

    it('parses urlencoded bodies sent as URLSearchParams (repeated keys, + as space, UTF-8)', async () => {
      const body = new URLSearchParams([['q', 'a b+c'], ['q', '€'], ['empty', '']]);
      const res = await fetch(`${app.url}/form`, { method: 'POST', body });
      expect(await res.json()).toEqual({ fields: [['q', 'a b+c'], ['q', '€'], ['empty', '']], files: [], cleaned: null });
      const raw = await fetch(`${app.url}/form`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'x=1+2&x=%26&&y' });
      expect(await raw.json()).toEqual({ fields: [['x', '1 2'], ['x', '&'], ['y', '']], files: [], cleaned: null });
    });

    it('reads filename* (RFC 8187), quoted boundaries and a charset on text parts', async () => {
      const b = 'quoted boundary:=?';
      const body = multipart(b, [
        { headers: "Content-Disposition: form-data; name=\"doc\"; filename=\"x.txt\"; filename*=UTF-8''%E2%82%AC.txt", body: 'euro' },
        { headers: 'Content-Disposition: form-data; name="latin"\r\nContent-Type: text/plain; charset=iso-8859-1', body: Buffer.from([0x63, 0x61, 0x66, 0xe9]) },
      ]);
      const res = await fetch(`${app.url}/parts`, { method: 'POST', headers: { 'content-type': `multipart/form-data; boundary="${b}"` }, body });
      const json = await res.json() as { fields: unknown; files: { filename: string }[] };
      expect(json.fields).toEqual([['latin', 'café']]);
      expect(json.files[0]!.filename).toBe('€.txt');
    });

    const refusals: [string, string, string | Buffer, number, string][] = [
      ['maxFields=2', 'multipart/form-data; boundary=B', multipart('B', [field('a', '1'), field('b', '2'), field('c', '3')]), 413, 'WL_FORM_TOO_MANY_FIELDS'],
      ['maxFields=2', 'application/x-www-form-urlencoded', 'a=1&b=2&c=3', 413, 'WL_FORM_TOO_MANY_FIELDS'],
      ['maxFieldSize=10', 'application/x-www-form-urlencoded', `a=${'x'.repeat(11)}`, 413, 'WL_FORM_FIELD_TOO_LARGE'],
      ['maxFieldSize=10', 'multipart/form-data; boundary=B', multipart('B', [field('a', 'x'.repeat(11))]), 413, 'WL_FORM_FIELD_TOO_LARGE'],
      ['maxFiles=1', 'multipart/form-data; boundary=B', multipart('B', [file('f', 'a', 'x'), file('f', 'b', 'y')]), 413, 'WL_FORM_TOO_MANY_FILES'],
      ['maxFileSize=1000', 'multipart/form-data; boundary=B', multipart('B', [file('f', 'a', Buffer.alloc(1001))]), 413, 'WL_FORM_FILE_TOO_LARGE'],
      ['maxParts=2', 'multipart/form-data; boundary=B', multipart('B', [field('a', '1'), file('f', 'a', 'x'), field('c', '3')]), 413, 'WL_FORM_TOO_MANY_PARTS'],
      ['maxHeaderSize=100', 'multipart/form-data; boundary=B', multipart('B', [file('f', 'n'.repeat(100), 'x')]), 413, 'WL_FORM_PART_HEADER_TOO_LARGE'],
      ['', 'multipart/form-data', multipart('B', [field('a', '1')]), 400, 'WL_FORM_INVALID'],
      ['', 'multipart/form-data; boundary=B', multipart('B', [{ headers: 'Content-Disposition: form-data; filename="x"', body: '1' }]), 400, 'WL_FORM_INVALID'],
      ['', 'multipart/form-data; boundary=B', multipart('B', [{ headers: 'Content-Type: text/plain', body: '1' }]), 400, 'WL_FORM_INVALID'],
      ['', 'multipart/form-data; boundary=B', '--B\r\nContent-Disposition: form-data; name="a"\r\n\r\nno close delimiter', 400, 'WL_FORM_INVALID'],
      ['', 'application/json', '{"a":1}', 415, 'WL_FORM_UNSUPPORTED_TYPE'],
      ['', 'application/x-www-form-urlencoded; charset=shift_jis', 'a=1', 415, 'WL_FORM_UNSUPPORTED_TYPE'],
    ];
    for (const [query, type, body, status, code] of refusals) {
      it(`answers ${status} ${code} (${query || type})`, async () => {
        for (const path of ['/form', '/parts']) {
          if (path === '/parts' && type.startsWith('application/')) continue;
          const res = await fetch(`${app.url}${path}?${query}`, { method: 'POST', headers: { 'content-type': type }, body });
          expect([res.status, res.headers.get('x-code')], path).toEqual([status, code]);
        }
      });
    }

    it('removes the upload directory when a limit is crossed in uploadDir mode', async () => {
      const body = multipart('B', [file('f', 'a', Buffer.alloc(500)), file('g', 'b', Buffer.alloc(2000))]);
      const res = await fetch(`${app.url}/form?maxFileSize=1000&uploadDir=${encodeURIComponent(uploadRoot)}`, {
        method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=B' }, body,
      });
      expect([res.status, res.headers.get('x-code')]).toEqual([413, 'WL_FORM_FILE_TOO_LARGE']);
      expect(readdirSync(uploadRoot)).toEqual([]);
    });

    it('accepts a file of exactly maxFileSize', async () => {
      const res = await fetch(`${app.url}/form?maxFileSize=1000`, {
        method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=B' }, body: multipart('B', [file('f', 'a', Buffer.alloc(1000))]),
      });
      expect(res.status).toBe(200);
    });

    it('answers 413 to an upload crossing maxFileSize while it is sent, and closes without reading the rest', async () => {
      const head = Buffer.from('--B\r\nContent-Disposition: form-data; name="f"; filename="big"\r\n\r\n');
      const total = 64 * MiB;
      const socket = connect(app.port, '127.0.0.1');
      let text = '';
      let sent = 0;
      socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
      const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
      socket.on('error', () => {}); // the server may reset what we still write after it closed
      socket.write(`POST /parts?maxFileSize=${MiB} HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=B\r\nContent-Length: ${total}\r\n\r\n`);
      socket.write(head);
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      while (sent < total && !socket.destroyed && text === '') {
        sent += chunk.length;
        if (!socket.write(chunk)) await new Promise((resolve) => { socket.once('drain', resolve); socket.once('close', resolve); setTimeout(resolve, 200); });
      }
      await closed;
      expect(text).toMatch(/^HTTP\/1\.1 413 /);
      expect(text).toMatch(/x-code: WL_FORM_FILE_TOO_LARGE\r\n/i);
      expect(sent).toBeLessThan(total / 2); // refused early, not drained
    });

    it('streams a 64 MiB upload through parts() with bounded server memory and the right SHA-256', async () => {
      // A raw socket client: undici's fetch with an async-iterable body keeps the chunks it sent alive
      // (measured: the whole 64 MiB until the next request) and it shares this process with the server.
      const boundary = '----wasmlane-test-' + randomBytes(8).toString('hex');
      const size = 64 * MiB;
      const base = randomBytes(64 * 1024);
      const clientHash = createHash('sha256');
      const open = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="note"\r\n\r\nbig one\r\n--${boundary}\r\nContent-Disposition: form-data; name="blob"; filename="big.bin"\r\n\r\n`);
      const close = Buffer.from(`\r\n--${boundary}--\r\n`);
      const socket = connect(app.port, '127.0.0.1');
      const chunks: Buffer[] = [];
      socket.on('data', (d: Buffer) => chunks.push(d));
      const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
      socket.write(`POST /parts HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: ${open.length + size + close.length}\r\n\r\n`);
      socket.write(open);
      for (let i = 0; i * base.length < size; i++) {
        base.writeUInt32BE(i, 0); // every piece differs: a misplaced piece changes the hash
        clientHash.update(base);
        // Wait for each write to be flushed before changing `base` (and to bound what we queue).
        await new Promise<void>((resolve, reject) => socket.write(base, (error) => (error ? reject(error) : resolve())));
      }
      socket.write(close);
      await closed;
      const text = Buffer.concat(chunks).toString('utf8');
      expect(text).toMatch(/^HTTP\/1\.1 200 /);
      const json = JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)) as { fields: unknown; files: { size: number; sha256: string }[]; peakArrayBuffers: number };
      expect(json.fields).toEqual([['note', 'big one']]);
      expect(json.files[0]!.size).toBe(size);
      expect(json.files[0]!.sha256).toBe(clientHash.digest('hex'));
      // Generous: a buffered upload would retain ≥ 64 MiB; streaming holds a few socket reads at a time.
      expect(json.peakArrayBuffers).toBeLessThan(16 * MiB);
    }, 60_000);

    it('accepts curl -F uploads', async (context) => {
      if (!existsSync('/usr/bin/curl')) return context.skip();
      const dir = mkdtempSync(join(tmpdir(), 'wasmlane-curl-'));
      try {
        const path = join(dir, 'hello.txt');
        const data = randomBytes(200_000);
        writeFileSync(path, data);
        const out = await new Promise<string>((resolve, reject) => {
          execFile('/usr/bin/curl', ['-sS', '-F', 'who=curl user', '-F', `doc=@${path};type=text/plain`, `${app.url}/parts`],
            (error, stdout) => (error ? reject(error) : resolve(stdout)));
        });
        const json = JSON.parse(out) as { fields: unknown; files: unknown };
        expect(json.fields).toEqual([['who', 'curl user']]);
        expect(json.files).toEqual([{ name: 'doc', filename: 'hello.txt', contentType: 'text/plain', size: data.length, sha256: sha(readFileSync(path)) }]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
