/**
 * Issue 15, the first two constructs of flow control: `when` (a step skipped when its condition renders
 * falsy) and `on_error: continue` (a failed call gives null and is listed in `STEPS.<name>.errors`, the
 * run goes on). Real HTTP calls to a loopback server; the run records read back from the store.
 */
import {
  getRunRecord,
  parseWorkflow,
  resumeRun,
  type Store,
  TemplateRenderer,
  type Workflow,
} from '@sluice/engine';
import { describe, expect, it } from 'vitest';
import { type Harness, useEngineHarness } from '../helpers/engine-harness.js';
import type { FlakyServer } from '../helpers/flaky-server.js';

let server: FlakyServer;
let engine: Harness;
useEngineHarness((s, e) => {
  server = s;
  engine = e;
});

const ok = (body: unknown) => ({ status: 200, body: body as object });

/** A list step, a conditional step, and a step that reports what it saw of the conditional one. */
function conditional(prefix: string, list: unknown[], when: string | boolean): Workflow {
  server.script(`${prefix}/list`, [ok({ items: list })]);
  server.script(`${prefix}/enrich`, [ok({ enriched: true })]);
  server.script(`${prefix}/report`, [ok({})]);
  return {
    name: prefix.slice(1),
    scope: 'workspace',
    steps: [
      {
        name: 'customers',
        apispec: { url: server.url(`${prefix}/list`), method: 'GET' },
        output: '{{ CURRENT_STEP.response.body.items }}',
      },
      { name: 'enrich', when, apispec: { url: server.url(`${prefix}/enrich`), method: 'POST' } },
      {
        name: 'report',
        apispec: {
          url: server.url(`${prefix}/report`),
          method: 'POST',
          json_body: { enriched: '{{ STEPS.enrich.output }}', none: '{{ STEPS.enrich.output is none }}' },
        },
      },
    ],
  };
}

describe('when', () => {
  it('skips the step when the condition renders falsy: recorded skipped, no call, later steps see null', async () => {
    const { outcome, record } = await engine.run(
      conditional('/empty', [], '{{ STEPS.customers.output | length > 0 }}'),
    );
    expect(outcome.status).toBe('succeeded');
    expect(record.steps.map((step) => [step.name, step.status, step.output, step.attempts])).toEqual([
      ['customers', 'succeeded', [], 1],
      ['enrich', 'skipped', null, 0],
      ['report', 'succeeded', {}, 1],
    ]);
    expect(server.count('/empty/enrich')).toBe(0);
    expect(JSON.parse(server.requests('/empty/report')[0]?.body ?? '{}')).toEqual({
      enriched: null,
      none: true,
    });
  });

  it('runs the step when the condition renders truthy', async () => {
    const { record } = await engine.run(
      conditional('/full', [1, 2], '{{ STEPS.customers.output | length > 0 }}'),
    );
    expect(record.steps.map((step) => step.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    expect(server.count('/full/enrich')).toBe(1);
  });

  it.each([
    ['false', 1, false],
    ['null', 2, null],
    ['0', 3, 0],
    ["''", 4, ''],
    ['[]', 5, []],
    ['{}', 6, {}],
  ])('takes %s as false, as Jinja does', async (_label, n, value) => {
    const { record } = await engine.run(conditional(`/falsy-${n}`, [], '{{ INPUT.flag }}'), {
      input: { flag: value },
    });
    expect(record.steps[1]?.status).toBe('skipped');
    expect(server.count(`/falsy-${n}/enrich`)).toBe(0);
  });

  it('takes a non-empty string, a list and a literal true as true; a literal false skips', async () => {
    for (const [prefix, when, input, status] of [
      ['/text', 'x{{ INPUT.flag }}', { flag: false }, 'succeeded'],
      ['/list', '{{ INPUT.flag }}', { flag: [0] }, 'succeeded'],
      ['/literal-true', true, {}, 'succeeded'],
      ['/literal-false', false, {}, 'skipped'],
    ] as const) {
      const { record } = await engine.run(conditional(prefix, [], when), { input });
      expect([prefix, record.steps[1]?.status]).toEqual([prefix, status]);
    }
  });

  it('fails the step and the run, naming the field, when the condition does not render', async () => {
    const { outcome, record } = await engine.run(conditional('/broken', [], '{{ STEPS.nope.output }}'));
    expect(outcome.status).toBe('failed');
    expect(record.steps[1]?.status).toBe('failed');
    expect(record.steps[1]?.error?.type).toBe('template');
    expect(record.steps[1]?.error?.message).toContain('steps.enrich.when');
    expect(server.count('/broken/enrich')).toBe(0);
  });

  it('is validated and published as a template: a syntax error is a problem naming the field', async () => {
    const yaml = `
name: checked
steps:
  - name: a
    when: "{{ INPUT.x > }}"
    apispec: { url: "http://127.0.0.1:1/a" }
  - name: b
    on_error: sometimes
    apispec: { url: "http://127.0.0.1:1/b" }
`;
    const problems = await parseWorkflow(yaml, { file: 'checked.yaml' }).then(
      () => [],
      (err: { problems?: { path: string; message: string }[] }) => err.problems ?? [],
    );
    expect(problems.map((problem) => problem.path)).toEqual(
      expect.arrayContaining(['steps[0].when', 'steps[1].on_error']),
    );
  });

  it('keeps a skipped step skipped when the run resumes after it', async () => {
    const flow = conditional('/resumed', [], '{{ STEPS.customers.output | length > 0 }}');
    // The process dies at the third step's commit: the first two are committed, the skip among them.
    const crashing: Store = {
      ...engine.store.runs,
      getRun: (id) => engine.store.runs.getRun(id),
      listSteps: (id) => engine.store.runs.listSteps(id),
      listStepItems: (id) => engine.store.runs.listStepItems(id),
      createRun: (run) => engine.store.runs.createRun(run),
      updateRun: (id, patch) => engine.store.runs.updateRun(id, patch),
      saveStepItem: (row) => engine.store.runs.saveStepItem(row),
      saveStep: async (row) => {
        if (row.step_index === 2) throw new Error('process died');
        return engine.store.runs.saveStep(row);
      },
    };
    await expect(engine.run(flow, { runId: 'run-skip', store: crashing })).rejects.toThrow('process died');
    server.script('/resumed/report', [ok({})]);
    const outcome = await resumeRun('run-skip', {
      store: engine.store.runs,
      renderer: new TemplateRenderer(),
    });
    expect(outcome.status).toBe('succeeded');
    expect(server.count('/resumed/list')).toBe(1);
    expect(server.count('/resumed/enrich')).toBe(0);
    const record = await getRunRecord(engine.store.runs, 'run-skip');
    expect(record.steps.map((step) => step.status)).toEqual(['succeeded', 'skipped', 'succeeded']);
    expect(JSON.parse(server.requests('/resumed/report').at(-1)?.body ?? '{}')).toEqual({
      enriched: null,
      none: true,
    });
  });
});

describe('on_error: continue', () => {
  function charges(prefix: string, onError?: 'fail' | 'continue'): Workflow {
    server.script(`${prefix}/charge`, [
      ok({ charged: 1 }),
      { status: 402, body: { error: 'card declined' } },
      ok({ charged: 3 }),
    ]);
    server.script(`${prefix}/after`, [ok({})]);
    return {
      name: prefix.slice(1),
      scope: 'workspace',
      default_retry: { total: 0 },
      steps: [
        {
          name: 'charge',
          input: '{{ INPUT.ids }}',
          ...(onError === undefined ? {} : { on_error: onError }),
          apispec: {
            url: server.url(`${prefix}/charge`),
            method: 'POST',
            json_body: { id: '{{ CURRENT_STEP.input }}' },
          },
          output: '{{ CURRENT_STEP.response.body.charged }}',
        },
        {
          name: 'after',
          apispec: {
            url: server.url(`${prefix}/after`),
            method: 'POST',
            json_body: {
              outputs: '{{ STEPS.charge.output }}',
              failed: '{{ STEPS.charge.errors | map(attribute="index") | list }}',
              status: '{{ STEPS.charge.errors[0].error.status }}',
            },
          },
        },
      ],
    };
  }

  it('runs every item, gives null for the failed one and lists its error; the run succeeds', async () => {
    const { outcome, record } = await engine.run(charges('/cont', 'continue'), { input: { ids: [1, 2, 3] } });
    expect(outcome.status).toBe('succeeded');
    expect(server.count('/cont/charge')).toBe(3);
    const step = record.steps[0];
    expect([step?.status, step?.output]).toEqual(['succeeded', [1, null, 3]]);
    expect(step?.items.map((item) => item.status)).toEqual(['succeeded', 'failed', 'succeeded']);
    expect(JSON.parse(server.requests('/cont/after')[0]?.body ?? '{}')).toEqual({
      outputs: [1, null, 3],
      failed: [1],
      status: 402,
    });
  });

  it('without it, the first failed item fails the step and the run, as before', async () => {
    const { outcome, record } = await engine.run(charges('/stop'), { input: { ids: [1, 2, 3] } });
    expect(outcome.status).toBe('failed');
    expect(server.count('/stop/charge')).toBe(2);
    expect(record.steps[0]?.items.map((item) => item.status)).toEqual(['succeeded', 'failed', 'skipped']);
    expect(record.steps[1]?.status).toBe('skipped');
  });

  it('continues past a single call that fails: its output is null, its error on the step and in errors', async () => {
    const flow = charges('/single', 'continue');
    server.script('/single/charge', [{ status: 402, body: { error: 'card declined' } }]);
    const { outcome, record } = await engine.run(flow, { input: { ids: 7 } });
    expect(outcome.status).toBe('succeeded');
    expect([record.steps[0]?.status, record.steps[0]?.output, record.steps[0]?.error?.status]).toEqual([
      'succeeded',
      null,
      402,
    ]);
    expect(JSON.parse(server.requests('/single/after')[0]?.body ?? '{}')).toEqual({
      outputs: null,
      failed: [0],
      status: 402,
    });
  });
});
