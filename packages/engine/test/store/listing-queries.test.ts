/**
 * Pages of `listWorkflows` (keyset by name, then uid) and `countRunsByStatus` (for `GET /metrics`),
 * once per dialect: SQLite always, PostgreSQL when SLUICE_TEST_PG_URL is set.
 */
import { describe, expect, it } from 'vitest';
import { describeEachDialect } from './dialects.js';
import { newRun, publishOf as publish, T1 } from './fixtures.js';

describeEachDialect('the listing queries', { reuse: true }, (t) => {
  describe('listWorkflows with a page', () => {
    it('returns at most limit workflows after the cursor, by name then uid', async () => {
      for (const [uid, name] of [
        ['b2', 'beta'],
        ['a1', 'alpha'],
        ['b1', 'beta'],
        ['c1', 'gamma'],
      ] as const) {
        await t.store.workflows.publish(publish(uid, name));
      }
      await t.store.workflows.publish(publish('b1', 'beta', { at: T1 }));
      await t.store.workflows.publish(publish('x', 'other', { workspace_id: 'globex' }));
      const uids = async (page?: Parameters<typeof t.store.workflows.list>[1]) =>
        (await t.store.workflows.list('acme', page)).map((w) => `${w.uid}@${w.version}`);
      expect(await uids()).toEqual(['a1@1', 'b1@2', 'b2@1', 'c1@1']);
      expect(await uids({ limit: 2 })).toEqual(['a1@1', 'b1@2']);
      expect(await uids({ limit: 2, after: { name: 'beta', uid: 'b1' } })).toEqual(['b2@1', 'c1@1']);
      expect(await uids({ limit: 5, after: { name: 'beta', uid: 'b2' } })).toEqual(['c1@1']);
      expect(await uids({ limit: 5, after: { name: 'gamma', uid: 'c1' } })).toEqual([]);
      // A cursor whose row is gone (deleted) still places the page.
      expect(await uids({ limit: 5, after: { name: 'alz', uid: 'zz' } })).toEqual(['b1@2', 'b2@1', 'c1@1']);
    });
  });

  describe('countRunsByStatus', () => {
    it('counts the runs of every workspace in each status, zero for the absent ones', async () => {
      expect(await t.store.runs.countRunsByStatus()).toEqual({
        pending: 0,
        running: 0,
        succeeded: 0,
        failed: 0,
        cancelled: 0,
      });
      await t.store.runs.createRun(newRun('r1', { workspace_id: 'acme' }));
      await t.store.runs.createRun(newRun('r2', { workspace_id: 'globex' }));
      await t.store.runs.createRun(newRun('r3', { workspace_id: 'acme' }));
      await t.store.runs.updateRun('r2', { status: 'failed' });
      await t.store.runs.updateRun('r3', { status: 'running' });
      expect(await t.store.runs.countRunsByStatus()).toEqual({
        pending: 1,
        running: 1,
        succeeded: 0,
        failed: 1,
        cancelled: 0,
      });
    });
  });
});
