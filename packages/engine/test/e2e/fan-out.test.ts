import { ConcurrencyLimits, idempotencyKey, openStore, type Workflow } from '@sluice/engine';
import { describe, expect, it } from 'vitest';
import { type Harness, oneStep, useEngineHarness } from '../helpers/engine-harness.js';
import type { FlakyServer } from '../helpers/flaky-server.js';

let server: FlakyServer;
let engine: Harness;
useEngineHarness((s, e) => {
  server = s;
  engine = e;
});

const ok = (body: unknown) => ({ status: 200, body: body as object });

function fanOutWorkflow(name: string, concurrency?: number, items = 8): Workflow {
  server.script(`/${name}/list`, [ok({ ids: Array.from({ length: items }, (_, i) => i + 1) })]);
  // Later items answer sooner, so completion order is the reverse of item order.
  server.script(
    `/${name}/item`,
    Array.from({ length: items }, () => ({ status: 200, body: { done: true }, delayMs: 5 })),
  );
  return {
    name,
    scope: 'workspace',
    steps: [
      {
        name: 'list',
        apispec: { url: server.url(`/${name}/list`), method: 'GET' },
        output: '{{ CURRENT_STEP.response.body.ids }}',
      },
      {
        name: 'each',
        input: '{{ STEPS.list.output }}',
        ...(concurrency === undefined ? {} : { concurrency }),
        apispec: {
          url: server.url(`/${name}/item`),
          method: 'POST',
          json_body: { id: '{{ CURRENT_STEP.input }}', index: '{{ CURRENT_STEP.index }}' },
        },
        output: '{{ CURRENT_STEP.input * 10 }}',
      },
    ],
  };
}

describe('fan-out, concurrency and idempotency keys', () => {
  it('fans out over a list: one call per item, outputs and item records in item order', async () => {
    const { record } = await engine.run(fanOutWorkflow('order', 3));
    const step = record.steps[1];
    expect(step?.output).toEqual([10, 20, 30, 40, 50, 60, 70, 80]);
    expect(step?.items.map((i) => [i.index, i.status, i.input, i.output])).toEqual(
      [1, 2, 3, 4, 5, 6, 7, 8].map((id, index) => [index, 'succeeded', id, id * 10]),
    );
    const bodies = server.requests('/order/item').map((r) => JSON.parse(r.body));
    expect(bodies.map((b) => b.id).sort()).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(bodies.every((b) => b.index === b.id - 1)).toBe(true);
    expect(step?.attempts).toBe(8);
  });

  it('runs fanned-out items one at a time when concurrency is unset', async () => {
    await engine.run(fanOutWorkflow('serial'));
    expect(server.maxInFlight('/serial/item')).toBe(1);
  });

  it('caps simultaneous calls at concurrency within a run', async () => {
    await engine.run(fanOutWorkflow('capped', 3, 9));
    expect(server.maxInFlight('/capped/item')).toBe(3);
  });

  it('shares the cap across runs of the workflow; without one, runs do not limit each other', async () => {
    const limits = new ConcurrencyLimits();
    const shared = fanOutWorkflow('shared', 2, 6);
    server.script(
      '/shared/item',
      Array.from({ length: 12 }, () => ({ status: 200, body: {}, delayMs: 15 })),
    );
    await Promise.all([engine.run(shared, { limits }), engine.run(shared, { limits })]);
    expect(server.maxInFlight('/shared/item')).toBe(2);

    const free = fanOutWorkflow('free', undefined, 4);
    server.script(
      '/free/item',
      Array.from({ length: 12 }, () => ({ status: 200, body: {}, delayMs: 15 })),
    );
    await Promise.all([
      engine.run(free, { limits }),
      engine.run(free, { limits }),
      engine.run(free, { limits }),
    ]);
    expect(server.maxInFlight('/free/item')).toBe(3);
  });

  it('sends the same Idempotency-Key on every retry of an item, and on a re-execution of the run', async () => {
    server.script('/idem', [{ status: 503 }, { status: 503 }, { status: 200 }]);
    const workflow = oneStep(server.url('/idem'), { retry: { total: 3, status_forcelist: [503] } });
    const { record } = await engine.run(workflow, { runId: 'run-idem' });
    const keys = server.requests('/idem').map((r) => r.headers['idempotency-key']);
    expect(keys).toEqual(Array(3).fill(idempotencyKey('run-idem', 0, 0)));
    expect(record.steps[0]?.idempotency_key).toBe(keys[0]);

    // The same run executed again (as after a crash, in a fresh database) sends the same key.
    server.script('/idem', [{ status: 200 }]);
    const other = await openStore({ file: ':memory:' });
    try {
      await engine.run(workflow, { runId: 'run-idem', store: other.runs });
    } finally {
      await other.close();
    }
    expect(server.requests('/idem')[0]?.headers['idempotency-key']).toBe(keys[0]);

    const fanned = await engine.run(fanOutWorkflow('keys', 2, 3), { runId: 'run-keys' });
    const itemKeys = fanned.record.steps[1]?.items.map((i) => i.idempotency_key);
    expect(itemKeys).toEqual([0, 1, 2].map((i) => idempotencyKey('run-keys', 1, i)));
  });

  it('stops a fan-out at the first failed item and records the items that never ran as skipped', async () => {
    server.script('/ff/list', [ok([1, 2, 3, 4])]);
    server.script('/ff/item', [{ status: 200 }, { status: 500, body: 'nope' }, { status: 200 }]);
    const workflow: Workflow = {
      name: 'ff',
      scope: 'workspace',
      steps: [
        { name: 'list', apispec: { url: server.url('/ff/list'), method: 'GET' } },
        {
          name: 'each',
          input: '{{ STEPS.list.output }}',
          apispec: { url: server.url('/ff/item'), method: 'GET' },
        },
      ],
    };
    const { record } = await engine.run(workflow);
    expect(record.steps[1]?.items.map((i) => i.status)).toEqual([
      'succeeded',
      'failed',
      'skipped',
      'skipped',
    ]);
    expect(record.steps[1]?.error).toMatchObject({ type: 'status', status: 500, body: 'nope' });
    expect(record.steps[1]?.error?.message).toMatch(/^item 1: /);
  });

  it('runs 16 items at once on the run signal without a listener warning', async () => {
    // Each call in flight listens to the run's abort signal; Node warns past ten listeners unless told.
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on('warning', onWarning);
    try {
      const controller = new AbortController();
      const { outcome } = await engine.run(fanOutWorkflow('wide', 16, 16), { signal: controller.signal });
      expect(outcome.status).toBe('succeeded');
      // A warning is emitted on the next tick: let it arrive before looking.
      await new Promise((done) => setImmediate(done));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.filter((name) => name === 'MaxListenersExceededWarning')).toEqual([]);
  });
});
