import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expectCleanError, scratchDir } from '../cli-fixtures.js';
import { REPO_ROOT, runCli } from '../run-cli.js';

const scratch = scratchDir('schema');
afterAll(() => scratch.remove());

const committed: unknown = JSON.parse(
  readFileSync(join(REPO_ROOT, 'packages/engine/schema/workflow.schema.json'), 'utf8'),
);

describe('sluice schema workflow', () => {
  it('prints the workflow JSON Schema (draft-07), the one committed in the engine package', async () => {
    const result = await runCli(['schema', 'workflow']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout.endsWith('}\n')).toBe(true);
    const schema = JSON.parse(result.stdout) as { $schema: string };
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(schema).toEqual(committed);
  });

  it('writes the schema to --output, creating folders', async () => {
    const file = join(scratch.dir, 'editor', 'workflow.schema.json');
    const result = await runCli(['schema', 'workflow', '--output', file]);
    expect(result).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(committed);
  });

  it('rejects an unknown schema name as a usage error', async () => {
    expectCleanError(
      await runCli(['schema', 'connector']),
      /^error SLUICE_CLI_USAGE: unknown command 'connector'/,
    );
  });
});
