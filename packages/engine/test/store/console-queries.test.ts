/**
 * The store queries behind the console's routes, `listWorkflowVersions` (`GET /v1/workflows/{uid}/versions`)
 * and `lastRuns` (`last_run` of `GET /v1/workflows`), once per dialect: SQLite always, PostgreSQL when
 * SLUICE_TEST_PG_URL is set.
 */
import { describe, expect, it } from 'vitest';
import { describeEachDialect } from './dialects.js';
import { newRun, publishOf as publish, T0, T1, T2, WORKFLOW } from './fixtures.js';

describeEachDialect('the console queries', { reuse: true }, (t) => {
  describe('listWorkflowVersions', () => {
    it('returns every version of the uid, newest first, each with its own name, author and time', async () => {
      await t.store.workflows.publish(publish('wf', 'first'));
      await t.store.workflows.publish(publish('wf', 'second', { user_id: 'bob@acme.test', at: T1 }));
      await t.store.workflows.publish(publish('wf', 'third', { at: T2 }));
      await t.store.workflows.publish(publish('other', 'other'));
      const versions = await t.store.workflows.listVersions('wf');
      expect(versions.map((v) => [v.version, v.name, v.user_id, v.updated])).toEqual([
        [3, 'third', 'ann@acme.test', T2],
        [2, 'second', 'bob@acme.test', T1],
        [1, 'first', 'ann@acme.test', T0],
      ]);
      expect(versions[0]?.document.steps).toEqual(WORKFLOW.steps);
    });

    it('returns nothing for an unknown uid, and the versions of a deleted workflow marked deleted', async () => {
      expect(await t.store.workflows.listVersions('nope')).toEqual([]);
      await t.store.workflows.publish(publish('wf', 'a'));
      await t.store.workflows.publish(publish('wf', 'b', { at: T1 }));
      await t.store.workflows.delete('wf', T2);
      const versions = await t.store.workflows.listVersions('wf');
      expect(versions.map((v) => [v.version, v.deleted])).toEqual([
        [2, true],
        [1, true],
      ]);
    });
  });

  describe('lastRuns', () => {
    it('answers the newest run of each uid in the workspace, ties broken by id, and leaves out uids without runs', async () => {
      await t.store.runs.createRun(
        newRun('a-old', { workflow_uid: 'a', workspace_id: 'acme', created_at: T0 }),
      );
      await t.store.runs.createRun(
        newRun('a-new', { workflow_uid: 'a', workspace_id: 'acme', created_at: T1 }),
      );
      await t.store.runs.createRun(
        newRun('b-1', { workflow_uid: 'b', workspace_id: 'acme', created_at: T2 }),
      );
      await t.store.runs.createRun(
        newRun('b-2', { workflow_uid: 'b', workspace_id: 'acme', created_at: T2 }),
      );
      await t.store.runs.updateRun('a-new', { status: 'succeeded', finished_at: T2 });
      const runs = await t.store.runs.lastRuns('acme', ['a', 'b', 'c', 'a']);
      expect(Object.fromEntries(runs)).toEqual({
        a: { id: 'a-new', status: 'succeeded', created_at: T1, finished_at: T2 },
        b: { id: 'b-2', status: 'pending', created_at: T2, finished_at: null },
      });
    });

    it("counts only the workspace's own runs (a global workflow run by several workspaces)", async () => {
      await t.store.runs.createRun(
        newRun('acme-1', { workflow_uid: 'g', workspace_id: 'acme', created_at: T0 }),
      );
      await t.store.runs.createRun(
        newRun('globex-1', { workflow_uid: 'g', workspace_id: 'globex', created_at: T2 }),
      );
      await t.store.runs.createRun(newRun('loose', { created_at: T2 }));
      expect((await t.store.runs.lastRuns('acme', ['g'])).get('g')?.id).toBe('acme-1');
      expect((await t.store.runs.lastRuns('globex', ['g'])).get('g')?.id).toBe('globex-1');
      expect((await t.store.runs.lastRuns('initech', ['g'])).size).toBe(0);
    });

    it('answers an empty map for no uids, and finds runs past the first chunk of uids', async () => {
      expect((await t.store.runs.lastRuns('acme', [])).size).toBe(0);
      await t.store.runs.createRun(newRun('r', { workflow_uid: 'wf-550', workspace_id: 'acme' }));
      await t.store.runs.createRun(newRun('s', { workflow_uid: 'wf-3', workspace_id: 'acme' }));
      const uids = Array.from({ length: 600 }, (_, i) => `wf-${i}`);
      const runs = await t.store.runs.lastRuns('acme', uids);
      expect([...runs.keys()].sort()).toEqual(['wf-3', 'wf-550']);
    });
  });
});
