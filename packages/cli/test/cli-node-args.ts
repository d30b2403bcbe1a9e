/**
 * How the tests start `sluice` as a child process, in a module of its own (no import of the CLI's
 * sources) so that tests of other packages that start `sluice` (the engine's trigger crash test, the
 * example workflows) start it the same way.
 */
import { fileURLToPath } from 'node:url';

/** The repository root: the CLI runs from here, as a user in the repo would. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * The node arguments that start `sluice`: from source (`packages/cli/src/main.ts` through tsx,
 * `development` condition), or, with `SLUICE_TEST_CLI=bin`, the built bin (`packages/cli/bin/sluice.js`,
 * the bundle users run; needs `npm run build`, which `npm test` runs first and then sets it). The entry by
 * its absolute path: `cwd` may be any folder inside the repository (tsx resolves from it).
 */
export const CLI_NODE_ARGS: readonly string[] =
  process.env.SLUICE_TEST_CLI === 'bin'
    ? [fileURLToPath(new URL('../bin/sluice.js', import.meta.url))]
    : [
        '--conditions=development',
        '--import',
        'tsx',
        fileURLToPath(new URL('../src/main.ts', import.meta.url)),
      ];
