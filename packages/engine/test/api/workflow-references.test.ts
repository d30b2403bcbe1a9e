/**
 * What templates name, checked by `POST /v1/workflows/validate` and by a publish (issue 15): unknown and
 * later steps, unknown filters, a `when` that is no condition, and `SYSTEM_APIS` keys, which are
 * checked only when the service has some configured (`createEngine({ systemApis })`).
 */
import type { WorkflowProblem } from '@sluice/engine';
import { describe, expect, it } from 'vitest';
import { type ApiHarness, codeOf, useApiHarness } from './harness.js';

const YAML = { 'content-type': 'application/yaml' };

const WORKFLOW = [
  'name: refs',
  'steps:',
  '  - name: customers',
  '    apispec: { url: "{{ SYSTEM_APIS.my_ap }}/v1/customers" }',
  '  - name: notify',
  '    when: "{{ STEPS.custmers.output }} > 0"',
  '    apispec:',
  '      url: "https://hooks.test/{{ STEPS.later.output | uper }}"',
  '  - name: later',
  '    apispec: { url: "{{ SYSTEM_APIS.credentials }}/crm" }',
  '',
].join('\n');

const WHEN =
  'mixes text with {{ }}: it renders as text, which is true unless empty, so the step always runs; write the whole condition inside one {{ }} (e.g. "{{ INPUT.count > 0 }}")';

/** The problems in a 400 answer. */
function problemsOf(res: Awaited<ReturnType<ApiHarness['call']>>): WorkflowProblem[] {
  expect(res.status, JSON.stringify(res.body).slice(0, 500)).toBe(400);
  expect(codeOf(res)).toBe('SLUICE_WORKFLOW_INVALID');
  return (res.body.error as { details: { problems: WorkflowProblem[] } }).details.problems;
}

const WITHOUT_APIS: WorkflowProblem[] = [
  { path: 'steps[1].when', message: WHEN, line: 6 },
  {
    path: 'steps[1].when',
    message: 'STEPS.custmers names no step; did you mean "customers"? (at column 4 of the template)',
    line: 6,
  },
  {
    path: 'steps[1].apispec.url',
    message:
      'STEPS.later names step "later", which runs after step "notify": its output is not known yet (at column 23 of the template)',
    line: 8,
  },
  {
    path: 'steps[1].apispec.url',
    message: 'unknown filter "uper"; did you mean "upper"? (at column 44 of the template)',
    line: 8,
  },
];

describe('POST /v1/workflows/validate and publish: what templates name', () => {
  describe('on a service without SYSTEM_APIS configured', () => {
    const h = useApiHarness();

    it('reports steps, filters and when with their lines, and leaves SYSTEM_APIS keys alone', async () => {
      const res = await h.call(h.keys.acmeMember, 'POST', '/v1/workflows/validate', WORKFLOW, YAML);
      expect(problemsOf(res)).toEqual(WITHOUT_APIS);
    });

    it('refuses to publish it, with the same problems, and stores nothing', async () => {
      const res = await h.call(h.keys.acmeMember, 'POST', '/v1/workflows', WORKFLOW, YAML);
      expect(problemsOf(res)).toEqual(WITHOUT_APIS);
      const list = await h.call(h.keys.acmeMember, 'GET', '/v1/workflows');
      expect(list.body.workflows).toEqual([]);
    });
  });

  describe('on a service with SYSTEM_APIS configured', () => {
    const h = useApiHarness({ engine: { systemApis: { my_app: 'http://127.0.0.1:4010' } } });

    it('also reports a key that is not configured, the service own keys being allowed', async () => {
      const json = {
        name: 'refs',
        steps: [
          { name: 'a', apispec: { url: '{{ SYSTEM_APIS.my_ap }}/v1' } },
          { name: 'b', apispec: { url: '{{ SYSTEM_APIS.credentials }}/crm' } },
        ],
      };
      const res = await h.call(h.keys.acmeMember, 'POST', '/v1/workflows/validate', json);
      expect(problemsOf(res)).toEqual([
        {
          path: 'steps[0].apispec.url',
          message:
            'SYSTEM_APIS.my_ap names no configured SYSTEM_APIS key; did you mean "my_app"? (at column 4 of the template)',
          line: 1,
        },
      ]);
      const put = await h.call(h.keys.acmeMember, 'POST', '/v1/workflows', json);
      expect(problemsOf(put)[0]?.path).toBe('steps[0].apispec.url');
    });

    it('publishes a workflow whose templates name what exists', async () => {
      const ok = WORKFLOW.replace('my_ap }}', 'my_app }}')
        .replace('"{{ STEPS.custmers.output }} > 0"', '"{{ STEPS.customers.output | length > 0 }}"')
        .replace('STEPS.later.output | uper', 'INPUT.id | upper');
      const valid = await h.call(h.keys.acmeMember, 'POST', '/v1/workflows/validate', ok, YAML);
      expect(valid.status, JSON.stringify(valid.body)).toBe(200);
      const res = await h.call(h.keys.acmeMember, 'POST', '/v1/workflows', ok, YAML);
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    });
  });
});
