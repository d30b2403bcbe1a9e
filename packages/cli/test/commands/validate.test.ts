import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expectCleanError, scratchDir } from '../cli-fixtures.js';
import { runCli } from '../run-cli.js';

const scratch = scratchDir('validate');
afterAll(() => scratch.remove());

const VALID = [
  'name: sync',
  'steps:',
  '  - name: customers',
  '    apispec: { url: "{{ SYSTEM_APIS.my_app }}/v1/customers.json" }',
  '  - name: notify',
  '    input: "{{ STEPS.customers.output }}"',
  '    apispec: { url: https://hooks.test/notify, method: post, json_body: { id: "{{ CURRENT_STEP.input.id }}" } }',
  '',
].join('\n');

const INVALID = [
  'name: sync',
  'steps:',
  '  - name: customers',
  '    apispec:',
  '      url: /v1/customers',
  '      methd: get',
  '    retry: { total: "three" }',
  '  - name: customers',
  '    apispec: { url: "https://x.test/{{ INPUT.id }" }',
  '',
].join('\n');

describe('sluice validate', () => {
  it('prints "<file>: valid (N steps)" and exits 0', async () => {
    const file = scratch.write('sync.yaml', VALID);
    const result = await runCli(['validate', file]);
    expect(result).toEqual({ code: 0, stdout: `${file}: valid (2 steps)\n`, stderr: '' });
  });

  it('prints every problem as file:line: path: message and exits 2', async () => {
    const file = scratch.write('broken.yaml', INVALID);
    const result = await runCli(['validate', file]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.split('\n')).toEqual([
      `error SLUICE_WORKFLOW_INVALID: ${file} is not a valid workflow (5 problems)`,
      `${file}:5: steps[0].apispec.url: must be an absolute http or https URL, or a template (got "/v1/customers")`,
      `${file}:6: steps[0].apispec.methd: unknown key; did you mean "method"?`,
      `${file}:7: steps[0].retry.total: must be a non-negative integer, null or false (got "three")`,
      `${file}:8: steps[1].name: duplicate step name "customers", first used by steps[0] (line 3); step names must be unique`,
      `${file}:9: steps[1].apispec.url: syntax error: unexpected \`}\`, expected end of variable block (at column 28 of the template)`,
      'hint: see docs/workflows.md for the format; "sluice schema workflow" prints its JSON Schema for editors',
      '',
    ]);
  });

  it('names the line and column of a syntax error, and exits 2', async () => {
    const file = scratch.write('broken.json', '{\n  "name": "sync",\n  "steps": [}\n}\n');
    const result = await runCli(['validate', file]);
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n').slice(0, 2)).toEqual([
      `error SLUICE_WORKFLOW_PARSE: ${file} does not parse (1 problem)`,
      `${file}:3:13: invalid JSON: Unexpected token '}'`,
    ]);
  });

  it('prints the verdict as JSON with --json', async () => {
    const file = scratch.write('json.yaml', INVALID);
    const result = await runCli(['validate', file, '--json']);
    expect(result.code).toBe(2);
    const answer = JSON.parse(result.stdout) as {
      valid: boolean;
      code: string;
      problems: { line: number }[];
    };
    expect(answer.valid).toBe(false);
    expect(answer.code).toBe('SLUICE_WORKFLOW_INVALID');
    expect(answer.problems.map((p) => p.line)).toEqual([5, 6, 7, 8, 9]);
    const ok = await runCli(['validate', scratch.write('ok.yaml', VALID), '--json']);
    expect(JSON.parse(ok.stdout)).toMatchObject({ valid: true, steps: 2, problems: [] });
  });

  it('lists the first 100 problems of 5,000 and says how many more there were, in text and JSON', async () => {
    const keys = Array.from({ length: 5_000 }, (_, i) => `    k${i}: ${i}`);
    const file = scratch.write(
      'many.yaml',
      [...VALID.trimEnd().split('\n').slice(0, 4), ...keys, ''].join('\n'),
    );
    const result = await runCli(['validate', file]);
    expect(result.code).toBe(2);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines[0]).toBe(
      `error SLUICE_WORKFLOW_INVALID: ${file} is not a valid workflow (5,000 problems, the first 100 listed)`,
    );
    expect(lines[1]).toMatch(
      new RegExp(`^${file}:5: steps\\[0\\]\\.k0: unknown key; expected one of: name, action`),
    );
    expect(lines.slice(-2)).toEqual([
      `${file}: 4,900 more problems not listed (only the first 100 are); fix these and check again`,
      'hint: see docs/workflows.md for the format; "sluice schema workflow" prints its JSON Schema for editors',
    ]);
    expect(lines).toHaveLength(1 + 101 + 1);
    const json = JSON.parse((await runCli(['validate', file, '--json'])).stdout) as {
      problems: unknown[];
      omitted: number;
    };
    expect(json.problems).toHaveLength(101);
    expect(json.omitted).toBe(4_900);
  });

  it('exits 1 with SLUICE_WORKFLOW_FILE when the file cannot be read', async () => {
    const result = await runCli(['validate', join(scratch.dir, 'missing.yaml')]);
    expectCleanError(
      result,
      /^error SLUICE_WORKFLOW_FILE: cannot read workflow file .*missing\.yaml: no such file$/,
    );
  });
});
