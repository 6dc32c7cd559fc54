// Differential fuzz of the head parsers: seeded valid heads (checked against the generator's own
// expected parse) and byte mutations of them, each parsed by every engine (wasm-simd, wasm, js) under
// default limits, tight limits and strictTarget; return codes and result tables (fixed slots 0..14 and 4 × count header
// slots) must agree slot by slot, and a random split + resume must reproduce the one-call result.
// SEED=<n> replays another run; the seed in use is printed. The first mismatch is reported with a hex dump.
import { describe, expect, it } from 'vitest';
import { createHeadParser } from '../../../src/http/head/index.js';
import type { HeadLimits, HeadParser } from '../../../src/http/head/parser.js';
import { availableEngines } from '../../../src/wasm/instance.js';
import { Gen, mutate, rng, validHead } from './support/gen.js';
import { checkExpectation, diffSnapshots, hexDump, rcName, snapshot, type TableSnapshot } from './support/table.js';

const SEED = process.env.SEED !== undefined ? Number(process.env.SEED) >>> 0 : 0x5eed2026;
const VALID_HEADS = 3000;
const MUTATIONS = 10000;
const TIGHT: Partial<HeadLimits> = { maxTargetLength: 24, maxHeaderCount: 6, maxHeaderNameLength: 10, maxHeaderValueLength: 24, maxHeadSize: 160 };
// The generated targets hold the browser bytes ("|^{}\\`") that strictTarget refuses: its error path.
const STRICT_TARGET: Partial<HeadLimits> = { strictTarget: true };

const engines = availableEngines();
console.log(`fuzz seed ${SEED} (SEED=${SEED} to replay); engines ${engines.join(', ')}`);

interface Mismatch { what: string; input: Uint8Array; lines: string[] }

function parseAll(parsers: HeadParser[], input: Uint8Array): TableSnapshot[] {
  return parsers.map((p) => {
    p.reset();
    return snapshot(p, p.parse(input, 0, input.length, 0));
  });
}

/** Engines agree with the first engine; a split at `k` then resume agrees with one call. */
function compare(parsers: HeadParser[], input: Uint8Array, k: number): { results: TableSnapshot[]; problems: string[] } {
  const results = parseAll(parsers, input);
  const problems: string[] = [];
  for (let i = 1; i < parsers.length; i++) {
    for (const d of diffSnapshots(results[0]!, results[i]!)) problems.push(`${parsers[0]!.engine} vs ${parsers[i]!.engine}: ${d}`);
  }
  if (k > 0 && k < input.length) {
    for (let i = 0; i < parsers.length; i++) {
      const p = parsers[i]!;
      p.reset();
      let rc = p.parse(input, 0, k, 0);
      if (rc === 0) rc = p.parse(input, 0, input.length, k);
      const resumed = snapshot(p, rc);
      const whole = results[i]!;
      // A prefix may legitimately finish a head (pipelined bytes after it) or fail early on the same byte.
      const d = rc === whole.rc ? diffSnapshots(whole, resumed, true) : [`return: ${rcName(whole.rc)} vs ${rcName(rc)}`];
      for (const line of d) problems.push(`${p.engine} split at ${k} vs one call: ${line}`);
    }
  }
  return { results, problems };
}

function report(all: Mismatch[]): string {
  const m = all[0]!;
  // Distinct kinds of disagreement (numbers masked), so one run shows every bug, not just the first.
  const kinds = new Map<string, number>();
  for (const x of all) for (const line of x.lines) {
    const kind = line.replace(/\d+/g, '#');
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  }
  const summary = [...kinds].sort((a, b) => b[1] - a[1]).slice(0, 20).map(([k, n]) => `${n}× ${k}`).join('\n  ');
  return `${all.length} mismatching inputs (seed ${SEED}); kinds:\n  ${summary}\nfirst: ${m.what}\n  ` +
    `${m.lines.join('\n  ')}\ninput (${m.input.length} bytes):\n${hexDump(m.input)}`;
}

describe(`differential head fuzz (seed ${SEED})`, () => {
  const g = new Gen(rng(SEED));
  const heads = Array.from({ length: VALID_HEADS }, (_, i) => validHead(g, `valid head #${i}`));

  for (const [label, limits] of [['default limits', undefined], ['tight limits', TIGHT], ['strictTarget', STRICT_TARGET]] as const) {
    it(`${VALID_HEADS} valid heads and ${MUTATIONS} mutations agree across engines (${label})`, () => {
      const parsers = engines.map((e) => createHeadParser(e, limits));
      const local = new Gen(rng(SEED ^ (limits ? 0x9e3779b9 : 0)));
      const mismatches: Mismatch[] = [];
      const outcomes = new Map<string, number>();
      const tally = (rc: number) => outcomes.set(rcName(rc > 0 ? 1 : rc), (outcomes.get(rcName(rc > 0 ? 1 : rc)) ?? 0) + 1);
      for (const c of heads) {
        const { results, problems } = compare(parsers, c.input, local.int(1, c.input.length - 1));
        // Under default limits a generated head is valid: the oracle's parse must come out.
        if (!limits) problems.push(...checkExpectation(c, results[0]!).map((p) => `expected parse: ${p}`));
        tally(results[0]!.rc);
        if (problems.length) mismatches.push({ what: c.title, input: c.input, lines: problems });
      }
      for (let i = 0; i < MUTATIONS; i++) {
        const input = mutate(local, local.pick(heads).input);
        if (input.length === 0) continue;
        const { results, problems } = compare(parsers, input, local.int(1, input.length));
        tally(results[0]!.rc);
        if (problems.length) mismatches.push({ what: `mutation #${i}`, input, lines: problems });
      }
      console.log(`${label}: outcomes ${JSON.stringify(Object.fromEntries([...outcomes].sort((a, b) => b[1] - a[1])))}`);
      if (mismatches.length) throw new Error(report(mismatches));
      // The mutations must reach the error paths, not only re-parse valid heads.
      expect(outcomes.size).toBeGreaterThan(limits ? 8 : 15);
    });
  }
});
