// A throw-away directory tree for the serveStatic tests: root/ with files of every common type,
// a directory with an index, dotfiles, symlinks in and out of root, precompressed siblings, and a
// secret file OUTSIDE root that no request may ever read.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';

export const SECRET = 'TOP-SECRET-d41d8cd98f00b204e9800998ecf8427e';

export interface Fixture {
  base: string;
  root: string;
  /** 200 KiB of pseudo-random bytes (above the 64 KiB inline limit: streamed). */
  big: Buffer;
  /** 1000 bytes (read whole). */
  small: Buffer;
  cleanup(): void;
}

function pseudoRandom(size: number, seed: number): Buffer {
  const out = Buffer.allocUnsafe(size);
  let x = seed >>> 0;
  for (let i = 0; i < size; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

export function makeFixture(): Fixture {
  const base = mkdtempSync(join(tmpdir(), 'wl-static-'));
  const root = join(base, 'root');
  mkdirSync(root);
  writeFileSync(join(base, 'secret.txt'), SECRET);
  mkdirSync(join(base, 'root-sibling'));
  writeFileSync(join(base, 'root-sibling', 'secret.txt'), SECRET); // "root" + "-sibling": a prefix trap
  const big = pseudoRandom(200 * 1024, 7);
  const small = pseudoRandom(1000, 9);
  writeFileSync(join(root, 'big.bin'), big);
  writeFileSync(join(root, 'small.bin'), small);
  writeFileSync(join(root, 'empty.txt'), '');
  writeFileSync(join(root, 'hello.txt'), 'hello world\n');
  writeFileSync(join(root, 'noext'), 'no extension');
  writeFileSync(join(root, 'space name.txt'), 'spaced');
  writeFileSync(join(root, 'caf\u00e9.txt'), 'utf-8 name');
  for (const ext of ['html', 'css', 'js', 'mjs', 'json', 'map', 'svg', 'png', 'jpg', 'gif', 'webp', 'avif', 'ico',
    'woff', 'woff2', 'ttf', 'txt', 'xml', 'pdf', 'wasm', 'mp4', 'webm', 'mp3', 'wav', 'zip', 'gz']) {
    writeFileSync(join(root, `type.${ext}`), `x.${ext}`);
  }
  mkdirSync(join(root, 'sub'));
  writeFileSync(join(root, 'sub', 'index.html'), '<h1>sub index</h1>');
  writeFileSync(join(root, 'sub', 'page.txt'), 'page');
  mkdirSync(join(root, 'noindex'));
  writeFileSync(join(root, 'noindex', 'file.txt'), 'file');
  writeFileSync(join(root, '.env'), 'DOT=secret');
  mkdirSync(join(root, '.git'));
  writeFileSync(join(root, '.git', 'config'), '[core]');
  // Precompressed: app.js with .br and .gz siblings whose bytes differ from the original.
  const app = 'console.log("precompressed");\n'.repeat(200);
  writeFileSync(join(root, 'app.js'), app);
  writeFileSync(join(root, 'app.js.br'), brotliCompressSync(app));
  writeFileSync(join(root, 'app.js.gz'), gzipSync(app));
  writeFileSync(join(root, 'only-gz.css'), 'body{}'.repeat(100));
  writeFileSync(join(root, 'only-gz.css.gz'), gzipSync('body{}'.repeat(100)));
  // Symlinks: one inside root (allowed by default), several out of it (always refused).
  symlinkSync(join(root, 'hello.txt'), join(root, 'link-inside.txt'));
  symlinkSync(join(base, 'secret.txt'), join(root, 'link-out.txt'));
  symlinkSync(base, join(root, 'link-out-dir'));
  symlinkSync('../secret.txt', join(root, 'link-relative-out.txt'));
  symlinkSync(join(base, 'secret.txt'), join(root, 'hello.txt.br')); // a "variant" pointing out of root
  return { base, root, big, small, cleanup: () => rmSync(base, { recursive: true, force: true }) };
}
