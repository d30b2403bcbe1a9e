/**
 * `sluice validate` on what templates name (issue 15): unknown and later steps, unknown filters, a `when`
 * or `wait` that cannot work, and with `--system-apis` the `SYSTEM_APIS` keys; each printed with its line.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { expectCleanError, scratchDir } from '../cli-fixtures.js';
import { runCli } from '../run-cli.js';

const scratch = scratchDir('validate-references');
afterAll(() => scratch.remove());

const WORKFLOW = [
  'name: sync',
  'steps:',
  '  - name: customers',
  '    apispec: { url: "{{ SYSTEM_APIS.my_ap }}/v1/customers.json" }',
  '  - name: notify',
  '    when: "yes"',
  '    input: "{{ STEPS.custmers.output }}"',
  '    apispec:',
  '      url: "{{ SYSTEM_APIS.hooks }}/notify"',
  '      method: post',
  '      json_body: { id: "{{ CURRENT_STEP.input.id | uper }}", later: "{{ STEPS.pause.output }}" }',
  '  - name: pause',
  '    wait: { until: next monday }',
  '',
].join('\n');

const LINES = (file: string) => [
  `${file}:6: steps[1].when: is plain text, not a condition: any non-empty text is true, so the step always runs; write the condition inside {{ }} (e.g. "{{ INPUT.notify }}"), or true or false`,
  `${file}:7: steps[1].input: STEPS.custmers names no step; did you mean "customers"? (at column 4 of the template)`,
  `${file}:11: steps[1].apispec.json_body.id: unknown filter "uper"; did you mean "upper"? (at column 28 of the template)`,
  `${file}:11: steps[1].apispec.json_body.later: STEPS.pause names step "pause", which runs after step "notify": its output is not known yet (at column 4 of the template)`,
  `${file}:13: steps[2].wait.until: must be an RFC 3339 time, e.g. 2026-12-31T09:00:00Z, or a template of one (got "next monday")`,
];

const HINT =
  'hint: see docs/workflows.md for the format; "sluice schema workflow" prints its JSON Schema for editors';

describe('sluice validate: what templates name', () => {
  it('prints each problem with its line, without checking SYSTEM_APIS keys when none are given', async () => {
    const file = scratch.write('refs.yaml', WORKFLOW);
    const result = await runCli(['validate', file]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.split('\n')).toEqual([
      `error SLUICE_WORKFLOW_INVALID: ${file} is not a valid workflow (5 problems)`,
      ...LINES(file),
      HINT,
      '',
    ]);
  });

  it('checks SYSTEM_APIS keys against --system-apis, inline or from a file', async () => {
    const file = scratch.write('refs-apis.yaml', WORKFLOW);
    const apis = scratch.write('apis.yaml', 'my_app: http://127.0.0.1:4010\nhooks: http://127.0.0.1:4020\n');
    const inline = await runCli(['validate', file, '--system-apis', '{"my_app": "http://127.0.0.1:4010"}']);
    expect(inline.code).toBe(2);
    const lines = inline.stderr.split('\n');
    expect(lines[0]).toBe(`error SLUICE_WORKFLOW_INVALID: ${file} is not a valid workflow (7 problems)`);
    expect(lines.slice(1, 8)).toEqual([
      `${file}:4: steps[0].apispec.url: SYSTEM_APIS.my_ap names no configured SYSTEM_APIS key; did you mean "my_app"? (at column 4 of the template)`,
      ...LINES(file).slice(0, 2),
      `${file}:9: steps[1].apispec.url: SYSTEM_APIS.hooks names no configured SYSTEM_APIS key (configured: credentials, my_app, runs, sluice, workflows) (at column 4 of the template)`,
      ...LINES(file).slice(2),
    ]);
    const fromFile = await runCli(['validate', file, '--system-apis', apis, '--json']);
    expect(fromFile.code).toBe(2);
    const answer = JSON.parse(fromFile.stdout) as {
      problems: { path: string; line: number; message: string }[];
    };
    expect(answer.problems.map((p) => `${p.line} ${p.path}`)).toEqual([
      '4 steps[0].apispec.url',
      '6 steps[1].when',
      '7 steps[1].input',
      '11 steps[1].apispec.json_body.id',
      '11 steps[1].apispec.json_body.later',
      '13 steps[2].wait.until',
    ]);
  });

  it('passes a workflow whose templates name what exists', async () => {
    const file = scratch.write(
      'ok.yaml',
      [
        'name: sync',
        'steps:',
        '  - name: customers',
        '    apispec: { url: "{{ SYSTEM_APIS.my_app }}/v1/customers.json" }',
        '  - name: notify',
        '    when: "{{ STEPS.customers.output | length > 0 }}"',
        '    input: "{{ STEPS.customers.output }}"',
        '    apispec: { url: "{{ SYSTEM_APIS.credentials }}/x", json_body: { id: "{{ CURRENT_STEP.input.id | upper }}" } }',
        '',
      ].join('\n'),
    );
    const result = await runCli(['validate', file, '--system-apis', '{"my_app": "http://127.0.0.1:4010"}']);
    expect(result).toEqual({ code: 0, stdout: `${file}: valid (2 steps)\n`, stderr: '' });
  });

  it('exits 1 when --system-apis is not an object of base URLs', async () => {
    const file = scratch.write('bad-flag.yaml', WORKFLOW);
    const result = await runCli(['validate', file, '--system-apis', '["x"]']);
    expectCleanError(result, /^error SLUICE_CLI_OPTION: --system-apis must be an object of base URLs$/);
  });

  it('lists the first 100 of 5,000 unknown filters in one template, counting the rest', async () => {
    const template = Array.from({ length: 5_000 }, (_, i) => `{{ INPUT.x | nope${i} }}`).join(' ');
    const file = scratch.write(
      'hostile.json',
      JSON.stringify({
        name: 'w',
        steps: [{ name: 'a', apispec: { url: 'https://api.test/' }, output: template }],
      }),
    );
    const result = await runCli(['validate', file]);
    expect(result.code).toBe(2);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines[0]).toBe(
      `error SLUICE_WORKFLOW_INVALID: ${file} is not a valid workflow (101 problems, the first 100 listed)`,
    );
    expect(lines[1]).toBe(
      `${file}:1: steps[0].output: unknown filter "nope0" (the filters are listed in docs/templates.md) (at column 14 of the template)`,
    );
    expect(lines).toHaveLength(1 + 101 + 1);
  });
});
