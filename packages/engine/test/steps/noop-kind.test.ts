/**
 * A step kind defined here, in the test, and nowhere else: `noop: { message }` renders its message and
 * makes it the item's output, without a call. Registered with `STEP_KINDS.with(noop)` only, it is
 * validated, described by the JSON Schema, syntax-checked, read by the input rules, published through
 * the API and run by the engine: adding a kind touches no executor, validator, schema or API file.
 */
import {
  type ItemContext,
  type ItemTask,
  inputNeeds,
  itemRecorder,
  parseWorkflow,
  STEP_KINDS,
  type StepBase,
  type StepKind,
  TemplateError,
  validateWorkflow,
  type Workflow,
  workflowJsonSchema,
} from '@sluice/engine';
import { describe, expect, it } from 'vitest';
import { useApiHarness } from '../api/harness.js';

interface NoopStep extends StepBase {
  noop: { message?: unknown; shout?: boolean };
}

/** The trivial kind: one templated field, one check, a default, a run that makes no call. */
const noop: StepKind<NoopStep> = {
  name: 'noop',
  key: 'noop',
  summary: 'a step that does nothing',
  keyHint: 'a step that does nothing',
  properties: {
    noop: {
      description: 'Does nothing; `message` (a template) becomes the output.',
      type: 'object',
      additionalProperties: false,
      errorMessage: 'must be an object (message, shout)',
      properties: {
        message: { description: 'Rendered per item; the output.' },
        shout: { type: 'boolean', errorMessage: 'must be true or false' },
      },
    },
  },
  snippets: [{ label: 'noop step', body: { name: '$1', noop: { message: '$2' } } }],
  templatedFields: [['noop', 'message']],
  checks: [
    (step) => {
      const message = (step.noop as { message?: unknown } | undefined)?.message;
      return message === 'forbidden' ? [{ path: ['noop', 'message'], message: 'cannot be "forbidden"' }] : [];
    },
  ],
  normalize: (step) => {
    const spec = step.noop as NoopStep['noop'];
    return { ...step, noop: { ...spec, shout: spec.shout ?? false } } as unknown as NoopStep;
  },
  async runItem(ctx: ItemContext, task: ItemTask<NoopStep>) {
    const record = itemRecorder(ctx, task, ctx.logger);
    let message: unknown;
    try {
      const state = {
        ...ctx.state,
        CURRENT_STEP: { name: task.step.name, input: task.input, index: task.itemIndex },
      };
      message = await ctx.renderer.render(task.step.noop.message ?? null, state, {
        step: task.step.name,
        field: 'noop.message',
      });
    } catch (err) {
      if (err instanceof TemplateError) return record.fail({ type: 'template', message: err.message });
      throw err;
    }
    const output = task.step.noop.shout && typeof message === 'string' ? message.toUpperCase() : message;
    return record.succeed(output, 0, []);
  },
};

const kinds = STEP_KINDS.with(noop as unknown as StepKind);

const doc = (step: object) => ({ name: 'quiet', steps: [{ name: 'hello', ...step }] });

describe('a step kind added in a test', () => {
  it('is refused by the built-in kinds, and accepted once registered, with its defaults', async () => {
    const step = { noop: { message: 'hi {{ INPUT.who }}' } };
    const builtIn = await validateWorkflow(doc(step));
    expect(builtIn.ok).toBe(false);
    expect(builtIn.problems.map((p) => p.path)).toContain('steps[0]');
    const added = await validateWorkflow(doc(step), { stepKinds: kinds });
    expect(added.problems).toEqual([]);
    expect(added.ok && added.workflow.steps[0]).toEqual({
      name: 'hello',
      noop: { message: 'hi {{ INPUT.who }}', shout: false },
    });
  });

  it('is in the JSON Schema: its property, its snippet, and one key per step', () => {
    const schema = workflowJsonSchema(kinds) as {
      properties: { steps: { items: Record<string, unknown> & { properties: Record<string, unknown> } } };
    };
    const step = schema.properties.steps.items;
    expect(Object.keys(step.properties)).toContain('noop');
    expect(step.anyOf).toEqual([
      { required: ['apispec'], errorMessage: expect.stringContaining('noop (a step that does nothing)') },
      { required: ['action'], errorMessage: expect.any(String) },
      { required: ['wait'], errorMessage: expect.any(String) },
      { required: ['workflow'], errorMessage: expect.any(String) },
      { required: ['noop'], errorMessage: expect.any(String) },
    ]);
    // One `not` per pair of kinds: a step has one kind's key.
    expect(step.allOf).toHaveLength(10); // 5 kinds, 10 pairs
    expect(JSON.stringify(step.defaultSnippets)).toContain('noop step');
    expect(JSON.stringify(workflowJsonSchema())).not.toContain('noop');
  });

  it('has its schema, its checks and its template syntax checked, each problem at its path', async () => {
    const result = await validateWorkflow(
      {
        name: 'bad',
        steps: [
          { name: 'a', noop: { message: 'forbidden' } },
          { name: 'b', noop: { message: '{{ INPUT.x ' } },
          { name: 'c', noop: { shout: 'yes' } },
          { name: 'd', noop: {}, apispec: { url: 'https://example.test' } },
        ],
      },
      { stepKinds: kinds },
    );
    expect(result.ok).toBe(false);
    const byPath = new Map(result.problems.map((p) => [p.path, p.message]));
    expect(byPath.get('steps[0].noop.message')).toBe('cannot be "forbidden"');
    expect(byPath.get('steps[1].noop.message')).toMatch(/syntax error/);
    expect(byPath.get('steps[2].noop.shout')).toBe('must be true or false (got "yes")');
    expect(byPath.get('steps[3]')).toBe(
      'apispec and noop cannot both be set: a step is either an HTTP call or a step that does nothing',
    );
  });

  it('has its templates read by the input rules', async () => {
    const workflow = await parseWorkflow(JSON.stringify(doc({ noop: { message: '{{ INPUT.who }}' } })), {
      stepKinds: kinds,
    });
    expect(inputNeeds(workflow, kinds)).toEqual({ fields: ['who'], indexed: false });
    expect(inputNeeds(workflow)).toEqual({ fields: [], indexed: false });
  });

  describe('through the API of an engine that has it', () => {
    const h = useApiHarness({ engine: { stepKinds: kinds } });

    it('publishes, checks the input and runs it: fanned out, next to an HTTP step', async () => {
      h.server.script('/echo', [{ status: 200, body: { ok: true } }]);
      const workflow: Workflow = {
        name: 'quiet',
        scope: 'workspace',
        steps: [
          {
            name: 'greet',
            input: '{{ INPUT.names }}',
            noop: { message: 'hi {{ CURRENT_STEP.input }}', shout: true },
          } as unknown as Workflow['steps'][number],
          { name: 'call', apispec: { url: h.server.url('/echo'), method: 'GET' } },
        ],
      };
      const published = await h.call(h.keys.acmeMember, 'POST', '/v1/workflows', workflow);
      expect(published.status).toBe(201);
      const uid = published.body.uid as string;
      const refused = await h.call(h.keys.acmeMember, 'POST', `/v1/workflows/${uid}/runs`, { input: [1] });
      expect(refused.status).toBe(422);
      const run = await h.call(h.keys.acmeMember, 'POST', `/v1/workflows/${uid}/runs?wait=true`, {
        input: { names: ['ann', 'bob'] },
      });
      expect(run.status).toBe(200);
      expect(run.body.status).toBe('succeeded');
      const steps = run.body.steps as { name: string; output: unknown; attempts: number }[];
      expect(steps.map((s) => [s.name, s.output, s.attempts])).toEqual([
        ['greet', ['HI ANN', 'HI BOB'], 0],
        ['call', { ok: true }, 1],
      ]);
    });
  });
});
