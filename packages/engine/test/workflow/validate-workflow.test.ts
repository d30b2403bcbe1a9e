import { type HttpStep, validateWorkflow } from '@sluice/engine';
import { describe, expect, it } from 'vitest';

describe('validateWorkflow', () => {
  it('returns the workflow with defaults, without changing its input', async () => {
    const doc = { name: 'w', steps: [{ name: 'a', apispec: { url: 'https://x.test', method: 'patch' } }] };
    const copy = structuredClone(doc);
    const result = await validateWorkflow(doc);
    expect(result).toEqual({
      ok: true,
      problems: [],
      workflow: {
        name: 'w',
        scope: 'workspace',
        steps: [{ name: 'a', apispec: { url: 'https://x.test', method: 'PATCH' } }],
      },
    });
    expect(doc).toEqual(copy);
  });

  it('reports problems of a value by path, without lines', async () => {
    const result = await validateWorkflow({
      name: 'w',
      steps: [
        { name: 'a', apispec: { url: 'https://x.test' } },
        { name: 'a', apispec: { url: 'https://x.test', timeout: 'soon' } },
      ],
    });
    expect(result.problems).toEqual([
      { path: 'steps[1].apispec.timeout', message: 'must be a positive number of seconds (got "soon")' },
      {
        path: 'steps[1].name',
        message: 'duplicate step name "a", first used by steps[0]; step names must be unique',
      },
    ]);
  });

  it('lists the first 100 problems in order and counts the rest in a last problem', async () => {
    const step: Record<string, unknown> = { name: 'a', apispec: { url: 'https://x.test' } };
    for (let i = 0; i < 250; i += 1) step[`k${i}`] = 1;
    const result = await validateWorkflow({ name: 'w', steps: [step] });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toHaveLength(101);
    expect(result.problems.slice(0, 100).map((p) => p.path)).toEqual(
      Array.from({ length: 100 }, (_, i) => `steps[0].k${i}`),
    );
    expect(result.problems[100]).toEqual({
      path: '',
      message: '150 more problems not listed (only the first 100 are); fix these and check again',
    });
    expect(result.omitted).toBe(150);
  });

  it('refuses a value nested more than 100 levels deep with one problem at the first level too deep', async () => {
    let input: unknown[] = [];
    const outer = input;
    for (let i = 0; i < 100_000; i += 1) {
      const inner: unknown[] = [];
      input.push(inner);
      input = inner;
    }
    const result = await validateWorkflow({
      name: 'w',
      steps: [{ name: 'a', apispec: { url: 'https://x.test' }, input: outer }],
    });
    // The document is level 1, steps 2, the step 3, input 4: the 101st level is 97 lists into input.
    expect(result.problems).toEqual([
      {
        path: `steps[0].input${'[0]'.repeat(97)}`,
        message: 'nests lists and objects more than 100 levels deep; flatten it',
      },
    ]);
  });

  it.each([null, 'text', 42, []])('rejects %j as a document', async (value) => {
    expect((await validateWorkflow(value)).ok).toBe(false);
  });

  it.each([
    ['methd', 'method'],
    ['Method', 'method'],
    ['json-body', 'json_body'],
    ['JSON_BODY', 'json_body'],
    ['timout', 'timeout'],
    ['header', 'headers'],
    ['query', 'params'],
  ])('suggests %s → %s for an unknown apispec key', async (key, known) => {
    const result = await validateWorkflow({
      name: 'w',
      steps: [{ name: 'a', apispec: { url: 'https://x.test', [key]: 1 } }],
    });
    expect(result.problems[0]?.message).toBe(`unknown key; did you mean "${known}"?`);
  });

  it.each(['GET', 'get', 'Post', 'PROPFIND', 'M-SEARCH', 'X_CUSTOM!'])(
    'accepts the method %s',
    async (method) => {
      const result = await validateWorkflow({
        name: 'w',
        steps: [{ name: 'a', apispec: { url: 'https://x.test', method } }],
      });
      expect(result.ok && (result.workflow.steps[0] as HttpStep | undefined)?.apispec.method).toBe(
        method.toUpperCase(),
      );
    },
  );

  it.each(['', 'GE T', 'GET/1', 'GÉT', 'a:b'])('rejects the method %j', async (method) => {
    const result = await validateWorkflow({
      name: 'w',
      steps: [{ name: 'a', apispec: { url: 'https://x.test', method } }],
    });
    expect(result.problems.map((p) => p.path)).toEqual(['steps[0].apispec.method']);
  });

  // Object.prototype's names are own keys of STEPS like any other (test/e2e/step-names-and-headers.test.ts).
  it.each([
    'a',
    '_x',
    'list_customers',
    'Step2',
    'update',
    'items',
    'constructor',
    'prototype',
    'toString',
    'hasOwnProperty',
    'valueOf',
    '__defineGetter__',
    '2fa',
    'get-customers',
    'a.b',
    'a b',
    'café',
    'étape 1',
    '顧客',
    '🚀 launch',
  ])('accepts the step name %s', async (name) => {
    expect(
      (await validateWorkflow({ name: 'w', steps: [{ name, apispec: { url: 'https://x.test' } }] })).ok,
    ).toBe(true);
  });

  it.each([
    '',
    '__proto__',
    'a\nb',
    'a\rb',
    'a\u0000b',
    '\u007f',
    'a\u0085b',
    'a\u2028b',
    'evil\u202egnp.exe',
    'x'.repeat(201),
    'x'.repeat(10_240),
  ])('rejects the step name %j', async (name) => {
    const result = await validateWorkflow({
      name: 'w',
      steps: [{ name, apispec: { url: 'https://x.test' } }],
    });
    expect(result.problems.map((p) => p.path)).toEqual(['steps[0].name']);
  });

  it('accepts an action step with a connection, and keeps it as written', async () => {
    const step = {
      name: 'get',
      action: 'my-app.get_customer',
      connection: 'prod',
      input: { id: '{{ INPUT.id }}' },
    };
    const result = await validateWorkflow({
      name: 'w',
      steps: [{ name: 'list', apispec: { url: 'https://x.test' } }, step],
    });
    expect(result.ok && result.workflow.steps).toEqual([
      { name: 'list', apispec: { url: 'https://x.test', method: 'GET' } },
      step,
    ]);
  });

  it.each(['my_app.get', 'MyApp.getCustomer', 'my-app.get-customer', '_x._y'])(
    'accepts the action %s',
    async (action) => {
      expect((await validateWorkflow({ name: 'w', steps: [{ name: 'a', action }] })).ok).toBe(true);
    },
  );

  it.each(['my_app', 'my_app.', '.get', 'a.b.c', '1app.get', 'my app.get', '{{ X }}.get'])(
    'rejects the action %j',
    async (action) => {
      const result = await validateWorkflow({ name: 'w', steps: [{ name: 'a', action }] });
      expect(result.problems.map((p) => p.path)).toEqual(['steps[0].action']);
    },
  );

  it.each([
    [{ schedule: { cron: '*/15 * * * *' } }],
    [{ schedule: { cron: '0 9 * * MON-FRI', timezone: 'Europe/Paris', input: { since: '1d' } } }],
    [{ schedule: { cron: '30 0 9 * * *', timezone: 'America/New_York' } }],
    [{ schedule: { cron: '@daily' } }],
    [{ webhook: {} }],
    [{ webhook: { hmac_header: 'X-Hub-Signature-256' } }],
    [{ poll: { connector: 'my_app', trigger: 'new_customers' } }],
    [{ poll: { connector: 'my-app', trigger: 'new', connection: 'prod', input: { list: 3 }, interval: 1 } }],
  ])('accepts the trigger %j as it is', async (trigger) => {
    const result = await validateWorkflow({
      name: 'w',
      trigger,
      steps: [{ name: 'a', apispec: { url: 'https://x.test' } }],
    });
    expect(result.ok && result.workflow.trigger).toEqual(trigger);
  });

  it('reads an empty webhook (YAML `webhook:`) as webhook: {}', async () => {
    const result = await validateWorkflow({
      name: 'w',
      trigger: { webhook: null },
      steps: [{ name: 'a', action: 'x.y' }],
    });
    expect(result.ok && result.workflow.trigger).toEqual({ webhook: {} });
  });

  it('reports a bad time zone and checks the cron expression without it', async () => {
    const result = await validateWorkflow({
      name: 'w',
      trigger: { schedule: { cron: '0 25 * * *', timezone: 'Europe/Pariss' } },
      steps: [{ name: 'a', action: 'x.y' }],
    });
    expect(result.problems.map((p) => p.path)).toEqual([
      'trigger.schedule.timezone',
      'trigger.schedule.cron',
    ]);
    expect(result.problems[1]?.message).toBe(
      'is not a valid cron expression: invalid value for hour: 25 (got "0 25 * * *")',
    );
  });
});
