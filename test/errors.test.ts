// The error table (src/errors.ts) is the single mapping from parser return codes to coded errors,
// HTTP statuses and WebSocket close codes: every code unique, every abi.ts E_* constant mapped by
// exactly one entry, answers valid per RFC 9110 §15 / RFC 6455 §7.4, and every code documented.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as abi from '../src/abi.js';
import { ERRORS, WasmlaneError, codeForAbi, errorFromAbi, type ErrorCode, type ErrorSpec } from '../src/errors.js';
import { errorTableMarkdown } from './support/errors-table.js';

const entries = Object.entries(ERRORS) as [ErrorCode, ErrorSpec][];
const abiErrors = Object.entries(abi).filter(([name]) => name.startsWith('E_')) as [string, number][];

// RFC 6455 §7.4.1 defines 1000–1003 and 1007–1011 for Close frames (1012–1014 are IANA-registered);
// 1006 may not be sent but is the status reported locally for an abnormal closure (§7.1.5), which is
// what a heartbeat timeout is. 1004, 1005 and 1015 are never valid here; 3000–4999 are app-defined.
function isValidCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1003) || code === 1006 || (code >= 1007 && code <= 1014) ||
    (code >= 3000 && code <= 4999);
}

describe('ERRORS table', () => {
  it('uses WL_ upper-snake codes', () => {
    for (const [code] of entries) expect(code).toMatch(/^WL_[A-Z0-9]+(_[A-Z0-9]+)*$/);
  });

  it('maps each parser return code from exactly one entry', () => {
    const byAbi = new Map<number, ErrorCode[]>();
    for (const [code, spec] of entries) {
      if (spec.abi !== undefined) byAbi.set(spec.abi, [...(byAbi.get(spec.abi) ?? []), code]);
    }
    const unmapped = abiErrors.filter(([, v]) => !byAbi.has(v)).map(([name]) => name);
    expect(unmapped, 'E_* constants without an ERRORS entry').toEqual([]);
    const shared = [...byAbi].filter(([, codes]) => codes.length > 1).map(([v, codes]) => `${v}: ${codes}`);
    expect(shared, 'return codes mapped twice').toEqual([]);
    const abiValues = new Set(abiErrors.map(([, v]) => v));
    const stray = [...byAbi.keys()].filter((v) => !abiValues.has(v));
    expect(stray, 'ERRORS abi values that are not E_* constants').toEqual([]);
  });

  it('names each parser error after its E_* constant (WL_X ↔ E_X)', () => {
    const nameOf = new Map(abiErrors.map(([name, v]) => [v, name]));
    for (const [code, spec] of entries) {
      if (spec.abi !== undefined) expect(`WL_${nameOf.get(spec.abi)!.slice(2)}`).toBe(code);
    }
  });

  it('answers with valid HTTP error statuses and RFC 6455 close codes', () => {
    for (const [code, spec] of entries) {
      expect(spec.status !== undefined && spec.closeCode !== undefined, `${code} has both`).toBe(false);
      if (spec.status !== undefined) {
        expect(Number.isInteger(spec.status), code).toBe(true);
        expect(spec.status, code).toBeGreaterThanOrEqual(400); // RFC 9110 §15.5/§15.6: errors are 4xx/5xx
        expect(spec.status, code).toBeLessThanOrEqual(599);
      }
      if (spec.closeCode !== undefined) expect(isValidCloseCode(spec.closeCode), `${code}: ${spec.closeCode}`).toBe(true);
      expect(spec.message.length, code).toBeGreaterThan(5);
    }
  });

  it('answers head and chunked parse errors with HTTP, frame errors with a close code', () => {
    for (const [code, spec] of entries) {
      if (spec.abi === undefined) continue;
      if (spec.abi <= -60) expect(spec.closeCode, code).toBeDefined();
      else expect(spec.status, code).toBeDefined();
    }
  });

  it('turns every return code into its coded error', () => {
    for (const [name, rc] of abiErrors) {
      const err = errorFromAbi(rc, 7);
      expect(err).toBeInstanceOf(WasmlaneError);
      expect(err.code).toBe(`WL_${name.slice(2)}`);
      expect(err.position).toBe(7);
      expect(err.status).toBe((ERRORS[err.code] as ErrorSpec).status);
      expect(err.message).toBe(ERRORS[err.code].message);
    }
    for (const rc of [0, 1, -999, -31]) expect(() => codeForAbi(rc)).toThrow(RangeError);
  });

  // docs/errors.md holds the table between markers; it is generated from src/errors.ts, so the
  // documentation cannot drift from the codes the server uses.
  const ERRORS_MD = 'docs/errors.md';
  const START = '<!-- errors:start -->\n';
  const END = '<!-- errors:end -->';
  const docTable = (): string => {
    const doc = existsSync(ERRORS_MD) ? readFileSync(ERRORS_MD, 'utf8') : '';
    const a = doc.indexOf(START);
    const b = doc.indexOf(END);
    return a >= 0 && b > a ? doc.slice(a + START.length, b) : '';
  };

  // First, so that WASMLANE_WRITE_ERRORS_MD=docs/errors.md regenerates the page before it is checked.
  it('renders the docs/errors.md table from the same source, and the page holds exactly that table', () => {
    const table = errorTableMarkdown();
    for (const [code] of entries) expect(table).toContain(`\`${code}\``);
    const out = process.env.WASMLANE_WRITE_ERRORS_MD;
    if (out && out.endsWith(ERRORS_MD)) {
      // Regenerate in place: replace what lies between the markers.
      const doc = readFileSync(out, 'utf8');
      writeFileSync(out, doc.slice(0, doc.indexOf(START) + START.length) + table + doc.slice(doc.indexOf(END)));
    } else if (out) {
      writeFileSync(out, table);
    }
    expect(docTable(), `${ERRORS_MD} differs from src/errors.ts (regenerate: WASMLANE_WRITE_ERRORS_MD=${ERRORS_MD} npx vitest run test/errors.test.ts)`).toBe(table);
  });

  it('is documented: every code appears in docs/errors.md', () => {
    const table = docTable();
    const missing = entries.map(([code]) => code).filter((code) => !table.includes(`\`${code}\``));
    expect(missing, `codes missing from ${ERRORS_MD} (regenerate: WASMLANE_WRITE_ERRORS_MD=${ERRORS_MD} npx vitest run test/errors.test.ts)`).toEqual([]);
  });
});
