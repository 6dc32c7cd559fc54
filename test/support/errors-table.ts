// Renders the docs/errors.md error table from src/errors.ts (the one source of truth), so the documentation
// is generated rather than retyped. Used by test/errors.test.ts and by
// `npx vitest run test/errors.test.ts` with WASMLANE_WRITE_ERRORS_MD=<path> to write the proposal.
import * as abi from '../../src/abi.js';
import { ERRORS, type ErrorCode, type ErrorSpec } from '../../src/errors.js';

const ABI_NAMES = new Map<number, string>(
  Object.entries(abi).filter(([name]) => name.startsWith('E_')).map(([name, v]) => [v as number, name]),
);

export function errorTableMarkdown(): string {
  const rows = ['| Code | Answered with | Parser return code | Message |', '| --- | --- | --- | --- |'];
  for (const code of Object.keys(ERRORS) as ErrorCode[]) {
    const spec: ErrorSpec = ERRORS[code];
    const answer = spec.status !== undefined ? `HTTP ${spec.status}`
      : spec.closeCode !== undefined ? `close ${spec.closeCode}` : 'thrown (API misuse)';
    const rc = spec.abi === undefined ? '' : `\`${ABI_NAMES.get(spec.abi) ?? '?'}\` (${spec.abi})`;
    rows.push(`| \`${code}\` | ${answer} | ${rc} | ${spec.message} |`);
  }
  return rows.join('\n') + '\n';
}
