#!/usr/bin/env node
// Incremental build: the two release WASM targets and tsc → dist/, each rebuilt only when its inputs
// changed since its last successful build (or its outputs are missing). `npm run build`, `prepare`
// (npm install / npm ci) and the pre-scripts of start, test, bench and stress all run this, so a
// start with nothing changed costs a hash of the sources (milliseconds), not a 20 s rebuild.
//
//   node .ci/build.mjs            build what is stale
//   node .ci/build.mjs --force    build everything
//
// Staleness is decided by content, not mtimes: each step's inputs (files under its folders, its
// config files and the compiler's version) are hashed and compared with the hash recorded in
// build/.stamps.json after that step last succeeded. The debug WASM target is not built here
// (`npm run asbuild:debug`): nothing loads it and it is not shipped.
import { createHash } from 'node:crypto';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const STAMPS = path.join(ROOT, 'build', '.stamps.json');
const at = (...p) => path.join(ROOT, ...p);
const ASC = at('node_modules', 'assemblyscript', 'bin', 'asc.js');
const TSC = at('node_modules', 'typescript', 'bin', 'tsc');

const asc = (target, out) => ({
  name: target,
  inputs: ['assembly', 'asconfig.json', 'node_modules/assemblyscript/package.json'],
  outputs: [out],
  args: [ASC, 'assembly/index.ts', '--target', target],
});

// package.json sends require('wasmlane') here only when this Node cannot require() an ES module
// (before 20.19 / 22.12, or with --no-experimental-require-module); elsewhere the "module-sync"
// condition loads dist/index.js for require() too. Written after tsc, which cleans dist/.
const REQUIRE_STUB = 'dist/require-esm-only.cjs';
const REQUIRE_STUB_TEXT = `'use strict';
// wasmlane is ESM only; see package.json "exports" and docs/development.md.
const err = new Error(
  "wasmlane is an ES module package (ESM only), and this Node.js cannot require() ES modules. " +
    "Use: import { Server } from 'wasmlane'; or from CommonJS: const { Server } = await import('wasmlane'); " +
    'or run Node.js >= 20.19 or >= 22.12, where require(\\'wasmlane\\') loads the ES module.',
);
err.code = 'ERR_REQUIRE_ESM';
throw err;
`;

const STEPS = [
  asc('release-simd', 'build/wasmlane-simd.wasm'),
  asc('release', 'build/wasmlane.wasm'),
  {
    name: 'tsc',
    inputs: ['src', 'tsconfig.json', 'tsconfig.build.json', 'node_modules/typescript/package.json'],
    outputs: ['dist/index.js', 'dist/index.d.ts', REQUIRE_STUB],
    clean: 'dist', // a module deleted from src/ must not survive in dist/
    args: [TSC, '-p', 'tsconfig.build.json'],
    after: () => writeFileSync(at(REQUIRE_STUB), REQUIRE_STUB_TEXT),
  },
];

/** Every file under `rel` (a file or a folder), relative to ROOT, sorted. */
function files(rel) {
  const abs = at(rel);
  if (!existsSync(abs)) return [];
  return readdirSync(abs, { withFileTypes: true, recursive: true }).filter((e) => e.isFile()).map((e) => path.relative(ROOT, path.join(e.parentPath ?? e.path, e.name))).sort();
}

function isDir(rel) {
  try { readdirSync(at(rel)); return true; } catch { return false; }
}

/** One hash over the paths and contents of a step's inputs. */
function inputHash(step) {
  const h = createHash('sha256');
  for (const rel of step.inputs) {
    for (const f of isDir(rel) ? files(rel) : existsSync(at(rel)) ? [rel] : []) {
      h.update(f).update('\0').update(readFileSync(at(f))).update('\0');
    }
  }
  return h.update(JSON.stringify(step.args.slice(1))).update(step.after ? REQUIRE_STUB_TEXT : '').digest('hex');
}

function run(step) {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, step.args, { cwd: ROOT, stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === 0) resolve(Date.now() - t0);
      else reject(new Error(`${step.name} failed (${signal ?? `exit ${code}`})`));
    });
  });
}

async function main() {
  const force = process.argv.includes('--force');
  for (const tool of [ASC, TSC]) {
    if (!existsSync(tool)) throw new Error(`${path.relative(ROOT, tool)} is missing: run npm install first`);
  }
  const stamps = existsSync(STAMPS) ? JSON.parse(readFileSync(STAMPS, 'utf8')) : {};
  const stale = [];
  for (const step of STEPS) {
    const hash = inputHash(step);
    const missing = step.outputs.some((o) => !existsSync(at(o)));
    if (force || missing || stamps[step.name] !== hash) stale.push({ step, hash });
  }
  if (!stale.length) {
    console.log('build: up to date (node .ci/build.mjs --force rebuilds)');
    return;
  }
  console.log(`build: ${stale.map((s) => s.step.name).join(', ')}`);
  mkdirSync(at('build'), { recursive: true });
  // Forget the stale steps' stamps first: an interrupted or failed step must not look fresh later.
  for (const { step } of stale) delete stamps[step.name];
  writeFileSync(STAMPS, `${JSON.stringify(stamps, null, 2)}\n`);
  // The steps are independent; run them side by side (asc and tsc are single-threaded).
  const results = await Promise.allSettled(stale.map(async ({ step, hash }) => {
    if (step.clean) rmSync(at(step.clean), { recursive: true, force: true });
    const ms = await run(step);
    step.after?.();
    stamps[step.name] = hash;
    return `${step.name} ${(ms / 1000).toFixed(1)} s`;
  }));
  writeFileSync(STAMPS, `${JSON.stringify(stamps, null, 2)}\n`);
  const failed = results.filter((r) => r.status === 'rejected');
  if (failed.length) {
    for (const f of failed) console.error(`build: ${f.reason.message}`);
    process.exit(1);
  }
  console.log(`build: done (${results.map((r) => r.value).join(', ')})`);
}

main().catch((err) => {
  console.error(`build: ${err.message}`);
  process.exit(1);
});
