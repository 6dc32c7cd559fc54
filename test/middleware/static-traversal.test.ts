// Path traversal corpus for serveStatic: every request is written byte for byte on a raw TCP socket
// (a real client such as fetch would normalise "..", and undici would refuse some bytes), in three
// mounts — a root handler, a prefixed handler, and request middleware with fallthrough — and on each
// parser engine. A secret file sits OUTSIDE root (and in a sibling directory whose name extends
// root's, the string-prefix trap); no response may contain it, and each gets the status in the table.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from 'node:net';
import { serveStatic } from '../../src/index.js';
import { ENGINES, start } from '../server/helpers.js';
import type { Running } from '../server/helpers.js';
import { makeFixture, SECRET } from './static-fixture.js';
import type { Fixture } from './static-fixture.js';

/** [what it tries, path after the mount point, expected status]. 404: refused or missing (never
 *  "found outside root"); 400: the request-target itself is invalid and the parser refuses it. */
const CORPUS: [string, string, number][] = [
  ['plain dot-dot', '/../secret.txt', 404],
  ['two levels', '/../../secret.txt', 404],
  ['encoded dots %2e%2e', '/%2e%2e/secret.txt', 404],
  ['upper-case %2E%2E', '/%2E%2E/secret.txt', 404],
  ['half encoded .%2e', '/.%2e/secret.txt', 404],
  ['half encoded %2e.', '/%2e./secret.txt', 404],
  ['encoded slash ..%2f', '/..%2fsecret.txt', 404],
  ['encoded slash ..%2F', '/..%2Fsecret.txt', 404],
  ['all encoded %2e%2e%2f', '/%2e%2e%2fsecret.txt', 404],
  ['chained %2e%2e%2f%2e%2e%2f', '/%2e%2e%2f%2e%2e%2fsecret.txt', 404],
  ['raw backslash', '/..\\secret.txt', 404],
  ['encoded backslash %5c', '/..%5csecret.txt', 404],
  ['encoded backslash %5C with dots', '/%2e%2e%5Csecret.txt', 404],
  ['double encoded %252e%252e', '/%252e%252e/secret.txt', 404],
  ['double encoded slash %252f', '/..%252f..%252fsecret.txt', 404],
  ['overlong UTF-8 dot %c0%ae', '/%c0%ae%c0%ae/secret.txt', 404],
  ['overlong UTF-8 mixed %c0%2e', '/%c0%2e%c0%2e/secret.txt', 404],
  ['3-byte overlong dot %e0%80%ae', '/%e0%80%ae%e0%80%ae/secret.txt', 404],
  ['overlong UTF-8 slash %c0%af', '/..%c0%afsecret.txt', 404],
  ['IIS %u encoding', '/%u002e%u002e/secret.txt', 404],
  ['fullwidth solidus U+FF0F', '/..%ef%bc%8fsecret.txt', 404],
  ['NUL after dots', '/..%00/secret.txt', 404],
  ['NUL truncation', '/../secret.txt%00.html', 404],
  ['NUL before dots', '/%00../secret.txt', 404],
  ['through a real directory', '/sub/../../secret.txt', 404],
  ['through a directory, encoded', '/sub/%2e%2e/%2e%2e/secret.txt', 404],
  ['encoded slash inside a segment', '/sub%2f..%2f..%2fsecret.txt', 404],
  ['dot segment first', '/./../secret.txt', 404],
  ['empty segment then dots', '//../secret.txt', 404],
  ['tomcat ..;', '/..;/secret.txt', 404],
  ['encoded ..;', '/%2e%2e;/secret.txt', 404],
  ['four dots', '/....//secret.txt', 404],
  ['three dots', '/.../secret.txt', 404],
  ['absolute path via //', '//etc/passwd', 404],
  ['absolute path encoded', '/%2fetc%2fpasswd', 404],
  ['absolute path of the secret', '/{BASE}/secret.txt', 404],
  ['absolute path of the secret via //', '/{BASE}//secret.txt', 404],
  ['drive letter', '/C:/Windows/win.ini', 404],
  ['drive letter with backslash', '/c:%5cwindows%5cwin.ini', 404],
  ['root-prefix trap', '/../root-sibling/secret.txt', 404],
  ['root-prefix trap encoded', '/%2e%2e/root-sibling/secret.txt', 404],
  ['symlink to a file out of root', '/link-out.txt', 404],
  ['symlink to a directory out of root', '/link-out-dir/secret.txt', 404],
  ['relative symlink out of root', '/link-relative-out.txt', 404],
  ['space in the target', '/.. /secret.txt', 400],
  // Controls: the harness does serve what it should.
  ['control: a file in root', '/hello.txt', 200],
  ['control: a symlink inside root', '/link-inside.txt', 200],
];

interface Raw {
  status: number;
  text: string;
}

/** One request on a fresh socket (Connection: close), everything the server sends until it closes. */
function raw(port: number, head: string): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(new Error(`no answer to ${JSON.stringify(head)}`)), 5000);
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('latin1');
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0), text });
    });
    socket.write(head, 'latin1');
  });
}

let fx: Fixture;
beforeAll(() => {
  fx = makeFixture();
});
afterAll(() => fx.cleanup());

it('the corpus is large enough (at least 30 attack variants)', () => {
  expect(CORPUS.filter(([what]) => !what.startsWith('control')).length).toBeGreaterThanOrEqual(30);
});

for (const engine of ENGINES) {
  describe(`traversal corpus (${engine} parser)`, () => {
    let app: Running;
    let middleware: Running;
    beforeAll(async () => {
      app = await start((s) => {
        s.get('/s/{*path}', serveStatic(fx.root, { prefix: '/s', dotfiles: 'allow' }));
        s.get('/{*path}', serveStatic(fx.root));
      }, { engine });
      middleware = await start((s) => {
        s.requestMiddleware(serveStatic(fx.root, { fallthrough: true }));
        s.get('/{*path}', (ctx) => ctx.status(404).send('fallback'));
      }, { engine });
    });
    afterAll(async () => {
      await app.close();
      await middleware.close();
    });

    const mounts = [
      ['root handler', () => app.port, ''],
      ['prefixed handler (dotfiles allowed)', () => app.port, '/s'],
      ['middleware (fallthrough)', () => middleware.port, ''],
    ] as const;
    for (const [mount, port, prefix] of mounts) {
      it(`${mount}: no variant reads the secret; statuses as in the table`, async () => {
        const seen: [string, number][] = [];
        const expected: [string, number][] = [];
        for (const [what, path, status] of CORPUS) {
          const target = prefix + path.replace('{BASE}', fx.base.slice(1));
          const forms = [`GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`];
          // absolute-form (RFC 9112 §3.2.2) takes the same path through the same checks
          if (status !== 400) forms.push(`GET http://x${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
          for (const head of forms) {
            const r = await raw(port(), head);
            expect(r.text, `${what}: ${target}`).not.toContain(SECRET);
            expect(r.text, `${what}: ${target}`).not.toContain('DOT=secret');
            seen.push([what, r.status]);
            expected.push([what, status]);
          }
        }
        expect(seen).toEqual(expected);
      });
    }
  });
}
