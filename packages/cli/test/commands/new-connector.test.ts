import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expectCleanError, json, scratchDir } from '../cli-fixtures.js';
import { REPO_ROOT, runCli } from '../run-cli.js';

const scratch = scratchDir('scaffold');

afterAll(() => scratch.remove());

/** Runs the repository's vitest on the scaffolded folder (its own vitest.config.ts), as `npx vitest run` would. */
function runVitest(cwd: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(REPO_ROOT, 'node_modules/vitest/vitest.mjs'), 'run', '--reporter=default'],
      { cwd, env: { ...process.env, NO_COLOR: '1', CI: '' }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ code, output: `${stdout}${stderr}` });
      },
    );
  });
}

describe('sluice new connector', () => {
  it('scaffolds a connector whose own tests pass, and which sluice exec runs', async () => {
    const dir = join(scratch.dir, 'acme-crm');
    const created = await runCli(['new', 'connector', dir, '--name', "Acme's CRM", '--deps', 'links']);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    expect(created.stdout).toContain(`created ${join(dir, 'connector.ts')}`);
    expect(readdirSync(dir).sort()).toEqual([
      '.gitignore',
      'README.md',
      'connector.test.ts',
      'connector.ts',
      'package.json',
      'settings.example.json',
      'vitest.config.ts',
    ]);
    expect(readFileSync(join(dir, 'connector.ts'), 'utf8')).toContain("title: 'Acme\\'s CRM',");
    expect(readFileSync(join(dir, 'README.md'), 'utf8')).toMatch(/^# Acme's CRM connector/);
    expect(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))).toMatchObject({ name: 'acme-crm' });

    const [tests, fields, again, help, execHelp] = await Promise.all([
      runVitest(dir),
      runCli([
        'exec',
        join(dir, 'connector.ts'),
        'actions.get_item.inputFields',
        '--settings',
        join(dir, 'settings.example.json'),
      ]),
      runCli(['new', 'connector', dir, '--deps', 'links']),
      runCli(['--help']),
      runCli(['exec', '--help']),
    ]);
    expect(tests.output).toMatch(/Tests\s+4 passed/);
    expect(tests.code, tests.output).toBe(0);
    expect(json(fields)).toEqual([{ name: 'id', type: 'integer', optional: false }]);
    expectCleanError(
      again,
      /^error SLUICE_CLI_DIR_NOT_EMPTY: folder .*acme-crm is not empty \(it holds .*connector\.ts/,
    );
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/exec \[options\] <connector> <path>/);
    expect(help.stdout).toContain('new');
    expect(help.stdout).toContain('$ sluice new connector');
    expect(execHelp.code).toBe(0);
    for (const option of [
      '--settings',
      '--input',
      '--closure',
      '--args',
      '--output',
      '--verbose',
      '--debug',
      '--record',
      '--replay',
    ]) {
      expect(execHelp.stdout).toContain(option);
    }
    expect(execHelp.stdout).toContain('triggers.<name>.poll');
    expect(execHelp.stdout).toContain('$ sluice exec connector.ts');
  });

  it('titles the connector after the folder when --name is absent', async () => {
    const dir = join(scratch.dir, 'my-shop_api');
    expect((await runCli(['new', 'connector', dir, '--deps', 'links'])).code).toBe(0);
    expect(readFileSync(join(dir, 'connector.ts'), 'utf8')).toContain("title: 'My Shop Api',");
  });
});
