/**
 * The `sluice` bin runs the CLI bundled by `npm run build` (`scripts/build-cli-bundle.ts`), which the
 * other tests do not (they run the sources). Checked on the built bin (`npm test` builds before vitest):
 * it runs a workflow whose template needs minijinja (an external package, loaded beside the bundle),
 * its bundled engine finds the files it keeps beside its own modules, and its entry still leaves YAML,
 * the store, the API and Redis to the chunks of the commands that use them.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunRecord } from '@sluice/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MyAppApi, startMyAppApi } from '../../../examples/my-app/src/api.js';
import { scratchDir, TOKEN } from './cli-fixtures.js';
import { type CliResult, REPO_ROOT } from './run-cli.js';

const BIN = join(REPO_ROOT, 'packages/cli/bin/sluice.js');
const BUNDLE = join(REPO_ROOT, 'packages/cli/dist/bundle');

let api: MyAppApi;
const scratch = scratchDir('bundle');

function bin(args: readonly string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: scratch.dir, env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** The text of the bundle's entry and of every chunk it imports statically, transitively. */
function staticallyLoaded(): string {
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(join(BUNDLE, file), 'utf8');
    for (const match of text.matchAll(/^(?:import\s[^;]*?from\s*|import\s*)"\.\/([^"]+)";?$/gm)) {
      visit(match[1] as string);
    }
  };
  visit('main.js');
  return [...seen].map((file) => readFileSync(join(BUNDLE, file), 'utf8')).join('\n');
}

beforeAll(async () => {
  api = await startMyAppApi({ port: 0, seedCount: 3 });
  scratch.write(
    'names.yaml',
    [
      'name: names',
      'steps:',
      '  - name: customers',
      '    apispec:',
      '      url: "{{ SYSTEM_APIS.my_app }}/v1/customers.json"',
      '      method: get',
      `      params: { api_token: ${TOKEN}, limit: 2 }`,
      '    output: "{{ CURRENT_STEP.response.body.customers | map(attribute=\'id\') | list }}"',
      '',
    ].join('\n'),
  );
  scratch.write('invalid.yaml', 'name: invalid\nsteps:\n  - name: a\n    apispec: { method: get }\n');
});

afterAll(async () => {
  await api?.close();
  scratch.remove();
});

describe('the sluice bin (the bundled CLI)', () => {
  it('prints the version of the CLI package', async () => {
    const { version } = JSON.parse(readFileSync(join(REPO_ROOT, 'packages/cli/package.json'), 'utf8')) as {
      version: string;
    };
    const result = await bin(['--version']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.trim()).toBe(version);
  });

  it('runs a workflow whose output template needs minijinja', async () => {
    const result = await bin([
      'run',
      'names.yaml',
      '--json',
      '--system-apis',
      JSON.stringify({ my_app: api.url }),
    ]);
    expect(result.code, result.stderr).toBe(0);
    const record = JSON.parse(result.stdout) as RunRecord;
    expect(record).toMatchObject({ status: 'succeeded', steps: [{ name: 'customers', output: [1, 2] }] });
  });

  it('validates a document with the engine (exit 2 and the problem for an invalid one)', async () => {
    const result = await bin(['validate', 'invalid.yaml']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('url');
  });

  it('loads no YAML, store, API or Redis code before a command asks for it', () => {
    const text = staticallyLoaded();
    // esbuild names each module it inlines in a comment: the probe sees the program at all.
    expect(text).toContain('// packages/cli/dist/program.js');
    expect(text).not.toContain('// node_modules/yaml/');
    expect(text).not.toContain('// packages/engine/dist/');
    expect(text).not.toMatch(/from\s*"(?:kysely|fastify|@fastify\/[^"]+|ioredis|bullmq|better-sqlite3|pg)"/);
  });
});
