/**
 * The run store suite: what a run's execution reads and writes (`RunStore`: runs, steps, items, JSON and
 * time fidelity), run once per implementation: SQLite always, PostgreSQL when SLUICE_TEST_PG_URL is set
 * (else reported as skipped), and the memory store `sluice run` uses without `--db`. Each test gets a
 * fresh store.
 */
import { MemoryRunStore } from '@sluice/engine';
import { describe, expect, it } from 'vitest';
import { AWKWARD_JSON, item, newRun, step, storeError, T0, T1, T2, WORKFLOW } from './fixtures.js';
import { describeEachRunStore } from './run-stores.js';

describeEachRunStore('the run store', (t) => {
  describe('createRun and getRun', () => {
    it('stores a new run with its defaults', async () => {
      await t.runs.createRun(newRun('r1'));
      expect(await t.runs.getRun('r1')).toStrictEqual({
        id: 'r1',
        workflow_uid: null,
        workflow_version: null,
        workflow_name: WORKFLOW.name,
        workspace_id: null,
        workflow: WORKFLOW,
        status: 'pending',
        input: { since: T0 },
        error: null,
        created_at: T0,
        started_at: null,
        finished_at: null,
        lease_owner: null,
        lease_expires_at: null,
        resume_at: null,
      });
    });

    it('keeps the optional fields it is given', async () => {
      await t.runs.createRun(
        newRun('r2', {
          workflow_uid: 'wf-1',
          workflow_version: 7,
          workspace_id: 'acme',
          status: 'running',
        }),
      );
      const run = await t.runs.getRun('r2');
      expect([run?.workflow_uid, run?.workflow_version, run?.workspace_id, run?.status]).toEqual([
        'wf-1',
        7,
        'acme',
        'running',
      ]);
    });

    it('answers undefined for an unknown run', async () => {
      expect(await t.runs.getRun('nope')).toBeUndefined();
    });

    it('refuses a second run with the same id, naming the database and the call', async () => {
      await t.runs.createRun(newRun('r1'));
      const err = await storeError(t.runs.createRun(newRun('r1')));
      expect(err.message).toContain(t.location);
      expect(err.message).toContain('createRun(r1) failed');
    });
  });

  describe('updateRun', () => {
    it('changes only the fields of the patch', async () => {
      await t.runs.createRun(newRun('r1', { workspace_id: 'acme' }));
      await t.runs.updateRun('r1', {
        status: 'running',
        started_at: T1,
        lease_owner: 'p1',
        lease_expires_at: T2,
      });
      await t.runs.updateRun('r1', { resume_at: T2, lease_owner: undefined });
      const error = {
        type: 'status' as const,
        message: '503 Service Unavailable',
        status: 503,
        body: 'busy',
      };
      await t.runs.updateRun('r1', { status: 'failed', error, finished_at: T2 });
      expect(await t.runs.getRun('r1')).toMatchObject({
        workspace_id: 'acme',
        input: { since: T0 },
        status: 'failed',
        error,
        created_at: T0,
        started_at: T1,
        finished_at: T2,
        lease_owner: 'p1',
        lease_expires_at: T2,
        resume_at: T2,
      });
    });

    it('clears a field patched to null', async () => {
      await t.runs.createRun(newRun('r1'));
      await t.runs.updateRun('r1', { lease_owner: 'p1', lease_expires_at: T1, resume_at: T1 });
      await t.runs.updateRun('r1', {
        lease_owner: null,
        lease_expires_at: null,
        resume_at: null,
        error: null,
      });
      expect(await t.runs.getRun('r1')).toMatchObject({
        lease_owner: null,
        lease_expires_at: null,
        resume_at: null,
      });
    });

    it('accepts an empty patch, and refuses an unknown run', async () => {
      await t.runs.createRun(newRun('r1'));
      await t.runs.updateRun('r1', {});
      expect((await t.runs.getRun('r1'))?.status).toBe('pending');
      expect((await storeError(t.runs.updateRun('nope', { status: 'running' }))).message).toContain(
        'run nope does not exist',
      );
      await storeError(t.runs.updateRun('nope', {}));
    });
  });

  describe('updateRun of a run that ended', () => {
    it('keeps its end against a later status, and lets a retry move it back to pending', async () => {
      await t.runs.createRun(newRun('r1'));
      await t.runs.updateRun('r1', { status: 'cancelled', finished_at: T1 });
      await t.runs.updateRun('r1', { status: 'succeeded', finished_at: T2 });
      await t.runs.updateRun('r1', { status: 'running' });
      expect(await t.runs.getRun('r1')).toMatchObject({ status: 'cancelled', finished_at: T1 });
      await t.runs.updateRun('r1', { status: 'pending', finished_at: null });
      expect((await t.runs.getRun('r1'))?.status).toBe('pending');
      await expect(t.runs.updateRun('missing', { status: 'succeeded' })).rejects.toThrow(/does not exist/);
    });
  });

  describe('saveStep and listSteps', () => {
    it('inserts, then replaces the row of the same step', async () => {
      await t.runs.createRun(newRun('r1'));
      await t.runs.saveStep(step('r1', 0));
      const done = step('r1', 0, {
        status: 'succeeded',
        fanned_out: true,
        input: [1, 2],
        output: [{ a: 1 }, { a: 2 }],
        attempts: 3,
        finished_at: T1,
      });
      await t.runs.saveStep(done);
      expect(await t.runs.listSteps('r1')).toStrictEqual([done]);
    });

    it("keeps a single call's attempts and key in the step row, and leaves them absent otherwise", async () => {
      await t.runs.createRun(newRun('r1'));
      const history = [{ started_at: T0, duration_ms: 12, wait_ms: 0, status: 503 }];
      const called = step('r1', 0, {
        status: 'succeeded',
        output: { ok: true },
        attempts: 1,
        finished_at: T1,
        history,
        idempotency_key: 'r1/0/0',
      });
      await t.runs.saveStep(called);
      await t.runs.saveStep(step('r1', 1, { status: 'skipped' }));
      const [first, second] = await t.runs.listSteps('r1');
      expect(first).toStrictEqual(called);
      expect(second).not.toHaveProperty('history');
      expect(second).not.toHaveProperty('idempotency_key');
      // Its call is among the run's items, as an item row would be.
      const items = await t.runs.listStepItems('r1');
      expect(items.map((row) => [row.step_index, row.item_index, row.idempotency_key, row.history])).toEqual([
        [0, 0, 'r1/0/0', history],
      ]);
      // Replaced by a row without a call (a retried step that now fails to render): the call is gone.
      await t.runs.saveStep(step('r1', 0, { status: 'failed', finished_at: T2 }));
      expect((await t.runs.listSteps('r1'))[0]).not.toHaveProperty('idempotency_key');
    });

    it('lists a run steps by step_index, and no other run steps', async () => {
      await t.runs.createRun(newRun('r1'));
      await t.runs.createRun(newRun('r2'));
      for (const index of [2, 0, 10, 1]) await t.runs.saveStep(step('r1', index));
      await t.runs.saveStep(step('r2', 5));
      expect((await t.runs.listSteps('r1')).map((s) => s.step_index)).toEqual([0, 1, 2, 10]);
      expect(await t.runs.listSteps('none')).toEqual([]);
    });

    it('refuses a step of a run that does not exist', async () => {
      const err = await storeError(t.runs.saveStep(step('ghost', 0)));
      expect(err.message).toContain('saveStep(ghost, 0) failed');
    });
  });

  describe('saveStepItem and listStepItems', () => {
    it('inserts, then replaces the row of the same item', async () => {
      await t.runs.createRun(newRun('r1'));
      await t.runs.saveStepItem(
        item('r1', 0, 0, { status: 'running', output: undefined, finished_at: null }),
      );
      const retried = item('r1', 0, 0, {
        status: 'failed',
        attempts: 2,
        error: { type: 'timeout', message: 'read timed out' },
        history: [
          { started_at: T0, duration_ms: 5000, wait_ms: 0, error: 'timeout' },
          { started_at: T1, duration_ms: 5000, wait_ms: 500, error: 'timeout' },
        ],
      });
      await t.runs.saveStepItem(retried);
      expect(await t.runs.listStepItems('r1')).toStrictEqual([retried]);
    });

    it('lists by step_index, then item_index', async () => {
      await t.runs.createRun(newRun('r1'));
      for (const [s, i] of [
        [1, 2],
        [0, 0],
        [1, 0],
        [1, 10],
        [0, 1],
        [1, 1],
      ] as const) {
        await t.runs.saveStepItem(item('r1', s, i));
      }
      expect((await t.runs.listStepItems('r1')).map((r) => [r.step_index, r.item_index])).toEqual([
        [0, 0],
        [0, 1],
        [1, 0],
        [1, 1],
        [1, 2],
        [1, 10],
      ]);
    });
  });

  describe('JSON values', () => {
    it('read back exactly: nesting, key order, unicode, numbers', async () => {
      await t.runs.createRun(newRun('r1', { input: AWKWARD_JSON }));
      await t.runs.saveStep(step('r1', 0, { input: AWKWARD_JSON, output: [AWKWARD_JSON] }));
      await t.runs.saveStepItem(item('r1', 0, 0, { input: AWKWARD_JSON, output: AWKWARD_JSON }));
      const text = JSON.stringify(AWKWARD_JSON);
      expect(JSON.stringify((await t.runs.getRun('r1'))?.input)).toBe(text);
      const [s] = await t.runs.listSteps('r1');
      expect(JSON.stringify(s?.input)).toBe(text);
      expect(JSON.stringify(s?.output)).toBe(`[${text}]`);
      const [i] = await t.runs.listStepItems('r1');
      expect(i?.output).toStrictEqual(AWKWARD_JSON);
      expect(Object.keys(i?.output as object)).toEqual(Object.keys(AWKWARD_JSON));
    });

    it('keep null apart from absent', async () => {
      await t.runs.createRun(newRun('r1', { input: null }));
      await t.runs.createRun(newRun('r2', { input: undefined }));
      await t.runs.saveStepItem(item('r1', 0, 0, { input: null, output: undefined }));
      await t.runs.saveStepItem(item('r1', 0, 1, { input: { a: null, b: undefined }, output: [null] }));
      expect((await t.runs.getRun('r1'))?.input).toBeNull();
      expect((await t.runs.getRun('r2'))?.input).toBeUndefined();
      const [a, b] = await t.runs.listStepItems('r1');
      expect([a?.input, a?.output]).toStrictEqual([null, undefined]);
      expect([b?.input, b?.output]).toStrictEqual([{ a: null }, [null]]);
    });

    it('refuse a value JSON cannot hold, naming the column', async () => {
      await t.runs.createRun(newRun('r1'));
      const err = await storeError(t.runs.saveStepItem(item('r1', 0, 0, { output: { n: 10n } })));
      expect(err.message).toContain('run_step_items.output is not JSON-serializable');
      expect(await t.runs.listStepItems('r1')).toEqual([]);
    });
  });

  describe('copies', () => {
    it('keeps what was saved when the caller changes its objects afterwards, and hands out fresh ones', async () => {
      const run = newRun('r1', { input: { since: T0, tags: ['a'] }, workflow: structuredClone(WORKFLOW) });
      await t.runs.createRun(run);
      const saved = step('r1', 0, { input: { n: 0 }, output: { list: [1] } });
      await t.runs.saveStep(saved);
      const history = [{ started_at: T0, duration_ms: 12, wait_ms: 0, status: 200 }];
      const savedItem = item('r1', 0, 0, { output: { ok: true }, history });
      await t.runs.saveStepItem(savedItem);
      (run.input as { tags: string[] }).tags.push('changed');
      (saved.output as { list: number[] }).list.push(2);
      (savedItem.output as { ok: boolean }).ok = false;
      history.push({ started_at: T1, duration_ms: 1, wait_ms: 0, status: 500 });
      run.workflow.steps.length = 0;

      const read = await t.runs.getRun('r1');
      expect(read?.input).toStrictEqual({ since: T0, tags: ['a'] });
      expect(read?.workflow).toStrictEqual(WORKFLOW);
      (read?.input as { tags: string[] } | undefined)?.tags.push('read');
      expect((await t.runs.getRun('r1'))?.input).toStrictEqual({ since: T0, tags: ['a'] });
      const [s] = await t.runs.listSteps('r1');
      expect(s?.output).toStrictEqual({ list: [1] });
      const [i] = await t.runs.listStepItems('r1');
      expect([i?.output, i?.history]).toStrictEqual([
        { ok: true },
        [{ started_at: T0, duration_ms: 12, wait_ms: 0, status: 200 }],
      ]);
    });
  });

  describe('timestamps', () => {
    it('read back toISOString() values unchanged, and other ISO forms as the same instant', async () => {
      await t.runs.createRun(newRun('r1', { created_at: '2024-05-01T14:00:00+02:00' }));
      await t.runs.updateRun('r1', { started_at: '2024-05-01T12:00:01Z', finished_at: T2 });
      expect(await t.runs.getRun('r1')).toMatchObject({
        created_at: T0,
        started_at: '2024-05-01T12:00:01.000Z',
        finished_at: T2,
      });
    });

    it('refuse a time that does not parse', async () => {
      const err = await storeError(t.runs.createRun(newRun('r1', { created_at: 'yesterday' })));
      expect(err.message).toContain('runs.created_at is not an ISO time: "yesterday"');
    });
  });
});

describe('MemoryRunStore close', () => {
  it('is idempotent, and later calls fail with SLUICE_STORE', async () => {
    const store = new MemoryRunStore();
    await store.createRun(newRun('r1'));
    await Promise.all([store.close(), store.close()]);
    await store[Symbol.asyncDispose]();
    expect((await storeError(store.getRun('r1'))).message).toBe(
      'in-memory store: runs.getRun(r1): the store is closed',
    );
  });
});
