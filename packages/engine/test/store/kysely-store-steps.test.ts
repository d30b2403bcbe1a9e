/**
 * The store suite, part 2 (steps, items, JSON and time fidelity), run once per dialect like part 1.
 */
import { isSluiceError } from '@sluice/engine';
import { describe, expect, it } from 'vitest';
import { describeEachDialect } from './dialects.js';
import { AWKWARD_JSON, item, newRun, step, T0, T1, T2 } from './fixtures.js';

async function storeError(promise: Promise<unknown>): Promise<Error> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isSluiceError(err, 'SLUICE_STORE')).toBe(true);
  return err as Error;
}

describeEachDialect('openStore steps and items', (t) => {
  describe('saveStep and listSteps', () => {
    it('inserts, then replaces the row of the same step', async () => {
      await t.store.runs.createRun(newRun('r1'));
      await t.store.runs.saveStep(step('r1', 0));
      const done = step('r1', 0, {
        status: 'succeeded',
        fanned_out: true,
        input: [1, 2],
        output: [{ a: 1 }, { a: 2 }],
        attempts: 3,
        finished_at: T1,
      });
      await t.store.runs.saveStep(done);
      expect(await t.store.runs.listSteps('r1')).toStrictEqual([done]);
    });

    it('lists a run steps by step_index, and no other run steps', async () => {
      await t.store.runs.createRun(newRun('r1'));
      await t.store.runs.createRun(newRun('r2'));
      for (const index of [2, 0, 10, 1]) await t.store.runs.saveStep(step('r1', index));
      await t.store.runs.saveStep(step('r2', 5));
      expect((await t.store.runs.listSteps('r1')).map((s) => s.step_index)).toEqual([0, 1, 2, 10]);
      expect(await t.store.runs.listSteps('none')).toEqual([]);
    });

    it('refuses a step of a run that does not exist', async () => {
      const err = await storeError(t.store.runs.saveStep(step('ghost', 0)));
      expect(err.message).toContain('saveStep(ghost, 0) failed');
    });
  });

  describe('saveStepItem and listStepItems', () => {
    it('inserts, then replaces the row of the same item', async () => {
      await t.store.runs.createRun(newRun('r1'));
      await t.store.runs.saveStepItem(
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
      await t.store.runs.saveStepItem(retried);
      expect(await t.store.runs.listStepItems('r1')).toStrictEqual([retried]);
    });

    it('lists by step_index, then item_index', async () => {
      await t.store.runs.createRun(newRun('r1'));
      for (const [s, i] of [
        [1, 2],
        [0, 0],
        [1, 0],
        [1, 10],
        [0, 1],
        [1, 1],
      ] as const) {
        await t.store.runs.saveStepItem(item('r1', s, i));
      }
      expect((await t.store.runs.listStepItems('r1')).map((r) => [r.step_index, r.item_index])).toEqual([
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
      await t.store.runs.createRun(newRun('r1', { input: AWKWARD_JSON }));
      await t.store.runs.saveStep(step('r1', 0, { input: AWKWARD_JSON, output: [AWKWARD_JSON] }));
      await t.store.runs.saveStepItem(item('r1', 0, 0, { input: AWKWARD_JSON, output: AWKWARD_JSON }));
      const text = JSON.stringify(AWKWARD_JSON);
      expect(JSON.stringify((await t.store.runs.getRun('r1'))?.input)).toBe(text);
      const [s] = await t.store.runs.listSteps('r1');
      expect(JSON.stringify(s?.input)).toBe(text);
      expect(JSON.stringify(s?.output)).toBe(`[${text}]`);
      const [i] = await t.store.runs.listStepItems('r1');
      expect(i?.output).toStrictEqual(AWKWARD_JSON);
      expect(Object.keys(i?.output as object)).toEqual(Object.keys(AWKWARD_JSON));
    });

    it('keep null apart from absent', async () => {
      await t.store.runs.createRun(newRun('r1', { input: null }));
      await t.store.runs.createRun(newRun('r2', { input: undefined }));
      await t.store.runs.saveStepItem(item('r1', 0, 0, { input: null, output: undefined }));
      await t.store.runs.saveStepItem(item('r1', 0, 1, { input: { a: null, b: undefined }, output: [null] }));
      expect((await t.store.runs.getRun('r1'))?.input).toBeNull();
      expect((await t.store.runs.getRun('r2'))?.input).toBeUndefined();
      const [a, b] = await t.store.runs.listStepItems('r1');
      expect([a?.input, a?.output]).toStrictEqual([null, undefined]);
      expect([b?.input, b?.output]).toStrictEqual([{ a: null }, [null]]);
    });

    it('refuse a value JSON cannot hold, naming the column', async () => {
      await t.store.runs.createRun(newRun('r1'));
      const err = await storeError(t.store.runs.saveStepItem(item('r1', 0, 0, { output: { n: 10n } })));
      expect(err.message).toContain('run_step_items.output is not JSON-serializable');
      expect(await t.store.runs.listStepItems('r1')).toEqual([]);
    });
  });

  describe('timestamps', () => {
    it('read back toISOString() values unchanged, and other ISO forms as the same instant', async () => {
      await t.store.runs.createRun(newRun('r1', { created_at: '2024-05-01T14:00:00+02:00' }));
      await t.store.runs.updateRun('r1', { started_at: '2024-05-01T12:00:01Z', finished_at: T2 });
      expect(await t.store.runs.getRun('r1')).toMatchObject({
        created_at: T0,
        started_at: '2024-05-01T12:00:01.000Z',
        finished_at: T2,
      });
    });

    it('refuse a time that does not parse', async () => {
      const err = await storeError(t.store.runs.createRun(newRun('r1', { created_at: 'yesterday' })));
      expect(err.message).toContain('runs.created_at is not an ISO time: "yesterday"');
    });
  });
});
