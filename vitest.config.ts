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
    // Two files at a time on the 2-core machines: most tests wait on sockets, child processes and the
    // databases, and each uses its own folder, PostgreSQL schema and Redis prefix (SLUICE_TEST_WORKERS=1
    // runs one file at a time).
    maxWorkers: Number(process.env.SLUICE_TEST_WORKERS ?? 2),
    testTimeout: 20_000,
    hookTimeout: 20_000,
    typecheck: { enabled: true, include: ['packages/*/test/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
  },
});
