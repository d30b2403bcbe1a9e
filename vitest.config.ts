import { defineConfig } from 'vitest/config';

// CI (CI=true) also writes a JSON report that .ci/run reads to print `N passed, N failed`.
const reporters = process.env.CI ? ['default', 'json'] : ['default'];

export default defineConfig({
  resolve: { conditions: ['development'] },
  ssr: { resolve: { conditions: ['development'] } },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'examples/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    reporters,
    outputFile: { json: '.vitest-results.json' },
    // Three files at a time on the 2-core machine (SLUICE_TEST_WORKERS=1 for one): the files wait on
    // PostgreSQL, Redis and child processes much of the time (two workers kept about 1.5 cores busy). The
    // suite must stay green when two copies run at once: each test uses its own folder, PostgreSQL schema
    // and Redis prefix, asserts counts and orders rather than durations, and starts at most two `sluice`
    // processes at once (`packages/cli/test/run-cli.ts`).
    maxWorkers: Number(process.env.SLUICE_TEST_WORKERS ?? 3),
    // A safety net, not a speed check: tests that start `sluice` processes take several times longer on a
    // loaded machine (issue 17: the suite must stay green when two copies run at once).
    testTimeout: 60_000,
    hookTimeout: 60_000,
    typecheck: { enabled: true, include: ['packages/*/test/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
  },
});
