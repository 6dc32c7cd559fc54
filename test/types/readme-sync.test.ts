// The README's and docs/types.md's samples are compiled by the type test generated from them
// (test/types/readme.test-d.ts); this keeps that file equal to what the docs say now.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { extractSamples, GENERATED, renderFromDocs, renderSamples, ROOT } from './doc-samples.js';

describe('documentation samples', () => {
  it('the generated type test matches the samples in the docs', () => {
    const expected = renderFromDocs();
    const file = path.join(ROOT, GENERATED);
    if (process.env.UPDATE_DOC_SAMPLES === '1') writeFileSync(file, expected);
    expect(readFileSync(file, 'utf8'), `${GENERATED} is stale: UPDATE_DOC_SAMPLES=1 npx vitest run test/types/readme-sync.test.ts`)
      .toBe(expected);
  });

  it('the README has samples that import wasmlane (a parser that finds none would check nothing)', () => {
    expect(extractSamples('README.md', readFileSync(path.join(ROOT, 'README.md'), 'utf8')).length).toBeGreaterThan(0);
  });

  it('merges imports and wraps each sample in its own function', () => {
    const md = [
      '```js', "import { Server } from 'wasmlane';", 'const server = new Server();', '```',
      '```sh', 'curl x', '```',
      '```ts', "import { Server, Status } from 'wasmlane';", "import type { Context } from 'wasmlane';", 'const server = new Server();', '```',
    ].join('\n');
    const out = renderSamples(extractSamples('X.md', md));
    expect(out).toContain("import { Server, Status, type Context } from 'wasmlane';");
    expect(out).toContain('// X.md:1\nexport async function sample1(): Promise<void> {\n  const server = new Server();\n}');
    expect(out).toContain('// X.md:8\nexport async function sample2()');
    expect(out).not.toContain('curl');
  });
});
