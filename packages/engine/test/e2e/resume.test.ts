import {
  getRunRecord,
  idempotencyKey,
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
useEngineHarness(
  (s, e) => {
    server = s;
    engine = e;
  },
  { reset: false },
);

/** The real store, until `die()` is called when `when` matches a write: then every write fails, as if the process had died. */
function crashingStore(store: Store, when: (method: string, row: unknown) => boolean): Store {
  let dead = false;
  const guard =
    <A extends unknown[]>(method: string, fn: (...args: A) => Promise<void>) =>
    async (...args: A): Promise<void> => {
      if (!dead && when(method, args[0])) dead = true;
      if (dead) throw new Error('process died');
      return fn(...args);
    };
  return {
    ...store,
    getRun: (id) => store.getRun(id),
    listSteps: (id) => store.listSteps(id),
    listStepItems: (id) => store.listStepItems(id),
    createRun: guard('createRun', (run) => store.createRun(run)),
    updateRun: guard('updateRun', (id: string, patch) => store.updateRun(id, patch)),
    saveStep: guard('saveStep', (row) => store.saveStep(row)),
    saveStepItem: guard('saveStepItem', (row) => store.saveStepItem(row)),
  };
}

function workflow(prefix: string): Workflow {
  server.script(`${prefix}/a`, [{ status: 200, body: { ids: [1, 2, 3, 4] } }]);
  server.script(`${prefix}/b`, [{ status: 200, body: { ok: true } }]);
  server.script(`${prefix}/c`, [{ status: 200, body: { done: true } }]);
  return {
    name: 'resumable',
    scope: 'workspace',
    steps: [
      {
        name: 'a',
        apispec: { url: server.url(`${prefix}/a`), method: 'GET' },
        output: '{{ CURRENT_STEP.response.body.ids }}',
      },
      {
        name: 'b',
        input: '{{ STEPS.a.output }}',
        apispec: {
          url: server.url(`${prefix}/b`),
          method: 'POST',
          json_body: { id: '{{ CURRENT_STEP.input }}' },
        },
        output: '{{ CURRENT_STEP.input * 2 }}',
      },
      {
        name: 'c',
        apispec: {
          url: server.url(`${prefix}/c`),
          method: 'GET',
          params: { n: '{{ STEPS.b.output | length }}' },
        },
      },
    ],
  };
}

describe('resumeRun', () => {
  it('continues a crashed run: done steps and items are not run again, the item in flight runs with the same key', async () => {
    const flow = workflow('/crash');
    const crashing = crashingStore(
      engine.store.runs,
      (method, row) =>
        method === 'saveStepItem' &&
        (row as { step_index: number; item_index: number }).step_index === 1 &&
        (row as { item_index: number }).item_index === 2,
    );
    await expect(engine.run(flow, { runId: 'run-crash', store: crashing })).rejects.toThrow('process died');
    expect((await engine.store.runs.getRun('run-crash'))?.status).toBe('running');
    expect(server.count('/crash/b')).toBe(3);

    const outcome = await resumeRun('run-crash', {
      store: engine.store.runs,
      renderer: new TemplateRenderer(),
    });
    expect(outcome).toEqual({ id: 'run-crash', status: 'succeeded', error: null });
    expect(server.count('/crash/a')).toBe(1);
    const keys = server
      .requests('/crash/b')
      .map((r) => [JSON.parse(r.body).id, r.headers['idempotency-key']]);
    expect(keys).toEqual([
      [1, idempotencyKey('run-crash', 1, 0)],
      [2, idempotencyKey('run-crash', 1, 1)],
      [3, idempotencyKey('run-crash', 1, 2)],
      [3, idempotencyKey('run-crash', 1, 2)],
      [4, idempotencyKey('run-crash', 1, 3)],
    ]);
    expect(server.requests('/crash/c')[0]?.query.get('n')).toBe('4');
    const record = await getRunRecord(engine.store.runs, 'run-crash');
    expect(record.steps.map((s) => s.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    expect(record.steps[1]?.output).toEqual([2, 4, 6, 8]);
  });

  it('runs a run that was created but never started from its first step', async () => {
    const flow = workflow('/pending');
    const crashing = crashingStore(engine.store.runs, (method) => method === 'updateRun');
    await expect(engine.run(flow, { runId: 'run-pending', store: crashing })).rejects.toThrow('process died');
    expect((await engine.store.runs.getRun('run-pending'))?.status).toBe('pending');
    const outcome = await resumeRun('run-pending', {
      store: engine.store.runs,
      renderer: new TemplateRenderer(),
    });
    expect(outcome.status).toBe('succeeded');
    expect([server.count('/pending/a'), server.count('/pending/b'), server.count('/pending/c')]).toEqual([
      1, 4, 1,
    ]);
  });

  it('returns a run that already ended as it is', async () => {
    const { outcome } = await engine.run(workflow('/ended'));
    expect(
      await resumeRun(outcome.id, { store: engine.store.runs, renderer: new TemplateRenderer() }),
    ).toEqual(outcome);
    expect(server.count('/ended/a')).toBe(1);
  });

  it('refuses an unknown run', async () => {
    await expect(
      resumeRun('nope', { store: engine.store.runs, renderer: new TemplateRenderer() }),
    ).rejects.toThrow(/no such run/);
  });
});
