// The code samples of the README and docs/types.md, as a type test: every ```js / ```ts block that
// imports 'wasmlane' becomes the body of its own async function in test/types/readme.test-d.ts, with
// the imports of all blocks merged at the top, so vitest's typecheck compiles each sample against
// the published types. test/types/readme-sync.test.ts fails when the docs and that file drift apart.
import { readFileSync } from 'node:fs';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../..');
/** Markdown files whose samples must compile (paths from the repository root). */
export const SAMPLE_SOURCES = ['README.md', 'docs/types.md'];
export const GENERATED = 'test/types/readme.test-d.ts';

export interface Sample {
  readonly file: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  readonly code: string;
}

const FENCE = /^```(js|ts|javascript|typescript|mjs)\s*$/;

export function extractSamples(file: string, markdown: string): Sample[] {
  const lines = markdown.split('\n');
  const out: Sample[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!FENCE.test(lines[i]!)) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !lines[i]!.startsWith('```'); i++) body.push(lines[i]!);
    const code = body.join('\n');
    if (/from '(wasmlane)'/.test(code)) out.push({ file, line: start + 1, code });
  }
  return out;
}

const NAMED_IMPORT = /^import (type )?\{([^}]*)\} from '([^']+)';?\s*$/;

/** The type-test file for `samples`: merged imports, then one async function per sample. */
export function renderSamples(samples: readonly Sample[]): string {
  const named = new Map<string, Set<string>>(); // module → names ('type X' for type-only)
  const other = new Set<string>();
  const bodies: string[] = [];
  samples.forEach((sample, n) => {
    const body: string[] = [];
    for (const line of sample.code.split('\n')) {
      const m = NAMED_IMPORT.exec(line);
      if (m !== null) {
        const names = named.get(m[3]!) ?? new Set<string>();
        for (const name of m[2]!.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
          names.add(m[1] === undefined ? name : `type ${name.replace(/^type\s+/, '')}`);
        }
        named.set(m[3]!, names);
      } else if (line.startsWith('import ')) {
        other.add(line);
      } else {
        body.push(line === '' ? '' : `  ${line}`);
      }
    }
    while (body.length > 0 && body[0] === '') body.shift();
    bodies.push(`// ${sample.file}:${sample.line}\nexport async function sample${n + 1}(): Promise<void> {\n${body.join('\n')}\n}\n`);
  });
  const imports = [...named].map(([mod, names]) => {
    // A value import covers the type-only import of the same name.
    const list = [...names].filter((name) => !(name.startsWith('type ') && names.has(name.slice(5))));
    return `import { ${list.sort().join(', ')} } from '${mod}';`;
  });
  const tests = samples.map((s, n) => `  test('${s.file}:${s.line}', () => expectTypeOf(sample${n + 1}).toBeFunction());`);
  return [
    `// GENERATED from ${SAMPLE_SOURCES.join(' and ')} by test/types/doc-samples.ts: do not edit by hand.`,
    '// Regenerate after changing a sample: UPDATE_DOC_SAMPLES=1 npx vitest run test/types/readme-sync.test.ts',
    "import { describe, expectTypeOf, test } from 'vitest';",
    ...imports,
    ...other,
    '',
    ...bodies,
    "describe('documentation samples compile', () => {",
    ...tests,
    '});',
    '',
  ].join('\n');
}

export function renderFromDocs(): string {
  const samples = SAMPLE_SOURCES.flatMap((file) => extractSamples(file, readFileSync(path.join(ROOT, file), 'utf8')));
  return renderSamples(samples);
}
