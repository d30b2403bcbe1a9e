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
    // One file at a time by default: the suite must stay green when two copies run at once on 2 cores.
    // SLUICE_TEST_WORKERS=2 runs two files at a time (CI 10.9 min instead of 14 on an idle machine; each
    // test uses its own folder, PostgreSQL schema and Redis prefix, but under twice that load the tests
    // that start `sluice` processes reach their 20 s timeout).
    maxWorkers: Number(process.env.SLUICE_TEST_WORKERS ?? 1),
    // A safety net, not a speed check: tests that start `sluice` processes take several times longer on a
    // loaded machine (issue 17: the suite must stay green when two copies run at once).
    testTimeout: 60_000,
    hookTimeout: 60_000,
    typecheck: { enabled: true, include: ['packages/*/test/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
  },
});
