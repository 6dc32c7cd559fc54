import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Network tests bind ephemeral ports on 127.0.0.1; files run in parallel workers on 2 cores.
    pool: 'forks',
    // Type tests (test/types/*.test-d.ts, expectTypeOf): checked by tsc, never run, against the
    // published types (dist/*.d.ts: they import 'wasmlane'), so internals stripped there stay hidden.
    typecheck: {
      enabled: true,
      include: ['test/types/**/*.test-d.ts'],
      tsconfig: 'test/types/tsconfig.json',
    },
  },
});
