/**
 * Issue 12, findings 1 and 2, against a real engine and API: a template that fails, runs away or takes
 * all the memory it can only ever fails its own run or request; every other workspace keeps publishing,
 * validating and running, and keeps getting answers while it is being stopped.
 */
import { describe, expect, it } from 'vitest';
import { codeOf, useApiHarness } from '../api/harness.js';

const h = useApiHarness({
  engine: { templateLimits: { deadlineMs: 5_000, memoryMb: 64, fuel: 2_000_000_000, workers: 2 } },
});

/** A one-step workflow calling the test server, with `output` (and the step's other fields) as given. */
function oneStep(name: string, step: Record<string, unknown>): Record<string, unknown> {
  h.server.script('/ok', [{ status: 200, body: { ok: true } }]);
  return {
    name,
    default_retry: { total: 0 },
    steps: [{ name: 's', apispec: { url: h.server.url('/ok'), method: 'get' }, ...step }],
  };
}

async function publish(key: string, doc: Record<string, unknown>): Promise<string> {
  const res = await h.call(key, 'POST', '/v1/workflows', doc);
  expect(res.status).toBe(201);
  return res.body.uid as string;
}

async function run(key: string, uid: string, input: unknown = {}): Promise<Record<string, unknown>> {
  const res = await h.call(key, 'POST', `/v1/workflows/${uid}/runs?wait=true`, { input });
  expect(res.status).toBe(200);
  return res.body;
}

/** Another workspace publishes, validates and runs a workflow with templates never compiled before. */
async function bystanderWorks(tag: string): Promise<void> {
  const doc = oneStep(`bystander-${tag}`, { output: `{{ '${tag}-' ~ (INPUT.n + 1) }}` });
  const valid = await h.call(h.keys.globexMember, 'POST', '/v1/workflows/validate', doc);
  expect(valid.status).toBe(200);
  const uid = await publish(h.keys.globexMember, doc);
  const record = await run(h.keys.globexMember, uid, { n: 41 });
  expect(record).toMatchObject({ status: 'succeeded', steps: [{ output: `${tag}-42` }] });
}

describe('template isolation between workspaces', () => {
  it('a list nested 2,000 deep renders, 100,000 deep fails its own run, and other workspaces go on', async () => {
    const nested = (depth: number) =>
      `{% set ns = namespace(x=[]) %}{% for i in range(${depth}) %}{% set ns.x = [ns.x] %}{% endfor %}{{ ns.x|tojson|length }}`;
    const shallow = await publish(h.keys.acmeMember, oneStep('nested-2000', { output: nested(2000) }));
    expect(await run(h.keys.acmeMember, shallow)).toMatchObject({
      status: 'succeeded',
      steps: [{ output: '4002' }],
    });
    await bystanderWorks('after-2000');

    const deep = await publish(h.keys.acmeMember, oneStep('nested-100000', { output: nested(100_000) }));
    const failed = await run(h.keys.acmeMember, deep);
    expect(failed.status).toBe('failed');
    expect(JSON.stringify(failed.error)).toMatch(/steps\.s\.output: template stopped: it nests too deeply/);
    await bystanderWorks('after-100000');
  });

  it("'a'*10**9 is refused at validation and fails only its own run; validation keeps answering", async () => {
    const folded = oneStep('folded', { output: "{{ 'a'*10**9 }}" });
    const refused = await h.call(h.keys.acmeMember, 'POST', '/v1/workflows/validate', folded);
    expect(refused.status).toBe(400);
    expect(codeOf(refused)).toBe('SLUICE_WORKFLOW_INVALID');
    expect(JSON.stringify(refused.body)).toContain('steps[0].output');
    expect(JSON.stringify(refused.body)).toContain(
      'template stopped: it needed more than the 64 MB memory cap',
    );
    expect((await h.call(h.keys.acmeMember, 'POST', '/v1/workflows', folded)).status).toBe(400);

    // The same allocation, known only at run time.
    const uid = await publish(h.keys.acmeMember, oneStep('at-run-time', { output: "{{ 'a' * INPUT.n }}" }));
    const failed = await run(h.keys.acmeMember, uid, { n: 10 ** 9 });
    expect(failed.status).toBe('failed');
    expect(JSON.stringify(failed.error)).toContain(
      'template stopped: it needed more than the 64 MB memory cap',
    );

    const again = await h.call(
      h.keys.acmeMember,
      'POST',
      '/v1/workflows/validate',
      oneStep('len', { output: "{{ ('a'*10**9)|length }}" }),
    );
    expect(again.status).toBe(400);
    expect(codeOf(again)).toBe('SLUICE_WORKFLOW_INVALID');
    await bystanderWorks('after-folding');
  });

  it('answers other workspaces while a template runs into its deadline', async () => {
    const loop = '{% for i in range(10**5) %}{% for j in range(10**5) %}{% endfor %}{% endfor %}';
    const uid = await publish(h.keys.acmeMember, oneStep('loop', { output: loop }));
    // Both template workers booted first, so the order below cannot depend on how long a boot takes.
    const warm = oneStep('warm', { output: '{{ 1 + 1 }}' });
    await Promise.all([1, 2].map(() => h.call(h.keys.globexMember, 'POST', '/v1/workflows/validate', warm)));
    const order: string[] = [];
    const attack = run(h.keys.acmeMember, uid).then((record) => {
      order.push('attack answered');
      return record;
    });
    for (let i = 0; i < 3; i++) {
      const res = await h.call(h.keys.globexMember, 'GET', '/v1/workflows');
      order.push(`globex ${res.status}`);
    }
    await bystanderWorks('during-the-loop');
    order.push('bystander ran');
    const record = await attack;
    expect(order).toEqual(['globex 200', 'globex 200', 'globex 200', 'bystander ran', 'attack answered']);
    expect(record.status).toBe('failed');
    expect(JSON.stringify(record.error)).toContain(
      'template stopped: it ran longer than the 5,000 ms deadline',
    );
  });
});
