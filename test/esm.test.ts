// wasmlane is ESM only. require('wasmlane') must either load the ES module (Node with require(esm):
// 20.19+, 22.12+, via the "module-sync" export condition) or fail with a message that says the
// package is ESM only and how to import it — never the misleading "No exports main defined".
// The package is resolved the way a user's project resolves it: node_modules/wasmlane in a temp dir.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const ROOT = path.resolve('.');
let dir = '';

function node(args: string[]) {
  const r = spawnSync(process.execPath, args, { cwd: dir, encoding: 'utf8', timeout: 15_000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

// process.features.require_module exists (and is true) on Node versions that can require() ESM.
const canRequireEsm = (process.features as { require_module?: boolean }).require_module === true;

describe('ESM only: require("wasmlane")', () => {
  beforeAll(() => {
    expect(existsSync(path.join(ROOT, 'dist/index.js')), 'dist/ is missing: run npm run build (npm test does)').toBe(true);
    dir = mkdtempSync(path.join(tmpdir(), 'wasmlane-esm-'));
    mkdirSync(path.join(dir, 'node_modules'));
    symlinkSync(ROOT, path.join(dir, 'node_modules', 'wasmlane'), 'dir');
  });
  afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

  it('import works', () => {
    const r = node(['--input-type=module', '-e', "import { Server } from 'wasmlane'; console.log(typeof Server);"]);
    expect(r.out.trim()).toBe('function');
    expect(r.status).toBe(0);
  });

  it.runIf(canRequireEsm)('require loads the ES module on a Node with require(esm)', () => {
    const r = node(['-e', "const w = require('wasmlane'); const s = new w.Server({ port: 0 }); console.log(typeof w.Server, s.engine !== undefined);"]);
    expect(r.out).toContain('function true');
    expect(r.status).toBe(0);
  });

  it('require fails with an ESM-only message where require(esm) is unavailable', () => {
    // On a Node with require(esm) the flag turns it off, which is what an older Node 20 does.
    const r = node([...(canRequireEsm ? ['--no-experimental-require-module'] : []), '-e', "require('wasmlane')"]);
    expect(r.status).not.toBe(0);
    expect(r.out).toContain('wasmlane is an ES module package (ESM only)');
    expect(r.out).toContain("await import('wasmlane')");
    expect(r.out).not.toContain('No "exports" main defined');
  });
});
