import { configDefaults, defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

// CI (CI=true) also writes a JSON report that .ci/run reads to print `N passed, N failed`.
const reporters = process.env.CI ? ['default', 'json'] : ['default'];

const INCLUDE = ['packages/*/test/**/*.test.ts', 'examples/*/test/**/*.test.ts', 'test/**/*.test.ts'];

/**
 * The files that replace a module of the code under test (`vi.mock`): each runs with a module graph of its
 * own. Every other file shares its worker's modules with the files that ran there before it
 * (`isolate: false`): importing the packages from source costs about a second per file, more than most
 * files take to run. A file of the shared project therefore leaves no global state behind: it restores
 * what it spies on or stubs, and registers its hooks in its own suites, not at a helper module's top level.
 */
const ISOLATED = [
  'packages/engine/test/workflow/precompiled-validator.test.ts',
  'packages/engine/test/workflow/retry-guard.test.ts',
];

/**
 * Files that take longest (tens of seconds: child processes, kill -9, npm installs, megabyte documents),
 * started first so that no worker begins one of them while the others are running out of files. A clean
 * clone has no timings of an earlier run; without this, vitest starts the largest files first, and a small
 * file that runs for a minute and a half could start last. Order matters, membership does not: a file
 * missing here only starts later.
 */
const SLOW_FIRST = [
  'packages/cli/test/scale/scale.test.ts',
  'packages/engine/test/security/hostile-documents.test.ts',
  'packages/cli/test/scaffold/installable.test.ts',
  'packages/cli/test/commands/serve-durability.test.ts',
  'packages/cli/test/commands/run.test.ts',
  'packages/cli/test/commands/serve.test.ts',
  'packages/engine/test/triggers/crash.test.ts',
  'packages/cli/test/commands/exec-errors.test.ts',
  'packages/engine/test/api/run-token-scope.test.ts',
  'packages/engine/test/api/child-runs.test.ts',
  'packages/engine/test/queue/bullmq-queue.test.ts',
  'packages/cli/test/commands/keys.test.ts',
  'examples/service/test/start.test.ts',
];

class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (spec: TestSpecification) => {
      const index = SLOW_FIRST.findIndex((path) => spec.moduleId.endsWith(`/${path}`));
      return index === -1 ? SLOW_FIRST.length : index;
    };
    return sorted
      .map((spec, position) => ({ spec, position, rank: rank(spec) }))
      .sort((a, b) => a.rank - b.rank || a.position - b.position)
      .map(({ spec }) => spec);
  }
}

export default defineConfig({
  resolve: { conditions: ['development'] },
  ssr: { resolve: { conditions: ['development'] } },
  test: {
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
    sequence: { sequencer: SlowFirstSequencer },
    projects: [
      {
        extends: true,
        test: {
          name: 'shared',
          include: INCLUDE,
          exclude: [...configDefaults.exclude, ...ISOLATED],
          isolate: false,
          typecheck: {
            enabled: true,
            include: ['packages/*/test/**/*.test-d.ts'],
            tsconfig: './tsconfig.json',
          },
        },
      },
      { extends: true, test: { name: 'isolated', include: ISOLATED, isolate: true } },
    ],
  },
});
