/**
 * The sealed columns of migration 0003 (`runs.sealed_input`, `run_steps.sealed_output`,
 * `run_step_items.sealed_output`), once per dialect: every way a run is created carries its sealed
 * input, the step and item upserts replace the sealed output with the row, and a row without one reads
 * back without the field (SQL `NULL`).
 */
import type { ApiCaller } from '@sluice/engine';
import { describe, expect, it } from 'vitest';
import { describeEachDialect } from './dialects.js';
import { item, newRun, step, T0, T1 } from './fixtures.js';

const caller: ApiCaller = { id: 'a@acme.test', email: 'a@acme.test', workspace_id: 'acme', role: 'member' };
const SEALED = 'v1.aXY.dGFn.Ym9keQ';

describeEachDialect('sealed columns', { reuse: true }, (t) => {
  describe('runs.sealed_input', () => {
    it('is written by createRun, createServiceRun and commitTrigger, and absent when not given', async () => {
      await t.store.runs.createRun(newRun('plain'));
      await t.store.runs.createRun(newRun('direct', { sealed_input: `${SEALED}1` }));
      await t.store.runs.createServiceRun(
        newRun('api', { workspace_id: 'acme', sealed_input: `${SEALED}2` }),
        caller,
      );
      await t.store.triggers.put(
        {
          workflow_uid: 'wf1',
          workspace_id: 'acme',
          kind: 'webhook',
          enabled: true,
          next_at: null,
          updated_at: T0,
        },
        false,
      );
      const runs = [
        { run: newRun('hook', { workflow_uid: 'wf1', sealed_input: `${SEALED}3` }), caller },
        { run: newRun('hook-plain', { workflow_uid: 'wf1' }), caller },
      ];
      expect(await t.store.triggers.commit({ workflow_uid: 'wf1', patch: {}, runs, at: T0 })).toBe(true);

      expect((await t.store.runs.getRun('direct'))?.sealed_input).toBe(`${SEALED}1`);
      expect((await t.store.runs.getRun('api'))?.sealed_input).toBe(`${SEALED}2`);
      expect((await t.store.runs.getRun('hook'))?.sealed_input).toBe(`${SEALED}3`);
      for (const id of ['plain', 'hook-plain']) {
        expect(await t.store.runs.getRun(id)).not.toHaveProperty('sealed_input');
      }
      const raw = await t.db.query<{ id: string; sealed_input: string | null }>(
        'select id, sealed_input from runs order by id',
      );
      expect(raw).toEqual([
        { id: 'api', sealed_input: `${SEALED}2` },
        { id: 'direct', sealed_input: `${SEALED}1` },
        { id: 'hook', sealed_input: `${SEALED}3` },
        { id: 'hook-plain', sealed_input: null },
        { id: 'plain', sealed_input: null },
      ]);
      // Listings read the same rows.
      expect((await t.store.runs.listUnfinishedRuns()).find((r) => r.id === 'hook')?.sealed_input).toBe(
        `${SEALED}3`,
      );
    });
  });

  describe('run_steps.sealed_output and run_step_items.sealed_output', () => {
    it('are replaced with the row on each upsert, and cleared by a row without one', async () => {
      await t.store.runs.createRun(newRun('r1'));
      const done = step('r1', 0, { status: 'succeeded', output: { token: '[redacted]' }, finished_at: T1 });
      await t.store.runs.saveStep({ ...done, sealed_output: `${SEALED}s` });
      expect(await t.store.runs.listSteps('r1')).toStrictEqual([{ ...done, sealed_output: `${SEALED}s` }]);
      await t.store.runs.saveStep({ ...done, sealed_output: null });
      expect(await t.store.runs.listSteps('r1')).toStrictEqual([done]);

      const first = item('r1', 0, 0, { output: { token: '[redacted]' } });
      await t.store.runs.saveStepItem({ ...first, sealed_output: `${SEALED}i` });
      await t.store.runs.saveStepItem(item('r1', 0, 1));
      expect(await t.store.runs.listStepItems('r1')).toStrictEqual([
        { ...first, sealed_output: `${SEALED}i` },
        item('r1', 0, 1),
      ]);
      await t.store.runs.saveStepItem(first);
      expect((await t.store.runs.listStepItems('r1'))[0]).toStrictEqual(first);
      const raw = await t.db.query<{ sealed_output: string | null }>(
        'select sealed_output from run_step_items order by item_index',
      );
      expect(raw).toEqual([{ sealed_output: null }, { sealed_output: null }]);
    });
  });
});
