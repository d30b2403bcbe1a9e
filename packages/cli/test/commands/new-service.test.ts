import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expectCleanError, scratchDir } from '../cli-fixtures.js';
import { REPO_ROOT, runCli } from '../run-cli.js';

const scratch = scratchDir('new-service');
afterAll(() => scratch.remove());

function list(root: string, dir = root): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? list(root, path) : [relative(root, path)];
  });
}

/** Runs the repository's vitest in the scaffolded folder, as `npx vitest run` would there. */
function runVitest(cwd: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(REPO_ROOT, 'node_modules/vitest/vitest.mjs'), 'run', '--reporter=default'],
      { cwd, env: { ...process.env, NO_COLOR: '1', CI: '' }, timeout: 60_000 },
      (error, stdout, stderr) => {
        resolve({
          code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1,
          output: `${stdout}${stderr}`,
        });
      },
    );
  });
}

describe('sluice new service', () => {
  it('scaffolds a service whose own test passes', async () => {
    const dir = join(scratch.dir, 'acme-service');
    const created = await runCli(['new', 'service', dir, '--name', 'Acme "CRM" Service', '--deps', 'links']);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    expect(list(dir).sort()).toEqual(
      [
        '.dockerignore',
        '.gitignore',
        'Dockerfile',
        'README.md',
        'app_config.yaml',
        'main.ts',
        'package.json',
        'routes/hello/v1/route.ts',
        'routes/hello/v1/schema.json',
        'test/hello.test.ts',
        'tsconfig.json',
        'vitest.config.ts',
      ]
        .map((f) => join(f))
        .sort(),
    );
    expect(readFileSync(join(dir, 'main.ts'), 'utf8')).toBe(
      "import { Router } from '@sluice/server';\n\nconst router = new Router();\nawait router.runApp();\n",
    );
    expect(readFileSync(join(dir, 'app_config.yaml'), 'utf8')).toContain(
      'app_name: "Acme \\"CRM\\" Service"',
    );
    expect(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))).toMatchObject({
      name: 'acme-service',
      dependencies: { '@sluice/server': expect.any(String) },
    });
    const dockerfile = readFileSync(join(dir, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/RUN npx tsc --noEmit && npx vitest run/);
    expect(dockerfile).toMatch(/CMD \["node", "--import", "tsx", "main.ts"\]/);

    const tests = await runVitest(dir);
    expect(tests.output).toMatch(/Tests\s+4 passed/);
    expect(tests.code, tests.output).toBe(0);
  });

  it('refuses a folder that is not empty', async () => {
    const dir = join(scratch.dir, 'taken');
    mkdirSync(dir, { recursive: true });
    scratch.write('taken/keep.txt', 'x');
    expectCleanError(
      await runCli(['new', 'service', dir, '--deps', 'links']),
      /^error SLUICE_CLI_DIR_NOT_EMPTY: folder .* is not empty \(it holds keep\.txt\)/,
    );
  });
});
