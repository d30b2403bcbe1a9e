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
    testTimeout: 20_000,
    hookTimeout: 20_000,
    typecheck: { enabled: true, include: ['packages/*/test/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
  },
});
