/**
 * The service methods of the store (workflows, API keys, run listings, unfinished runs), once per
 * dialect: SQLite always, PostgreSQL when SLUICE_TEST_PG_URL is set.
 */
import { isSluiceError, type PublishWorkflow, type Workflow } from '@sluice/engine';
import { describe, expect, it } from 'vitest';
import { describeEachDialect } from './dialects.js';
import { newRun, T0, T1, T2, WORKFLOW } from './fixtures.js';

const doc = (name: string, scope: Workflow['scope'] = 'workspace'): Workflow => ({
  ...WORKFLOW,
  name,
  scope,
});
const publish = (uid: string, extra: Partial<PublishWorkflow> = {}): PublishWorkflow => ({
  uid,
  workspace_id: 'acme',
  user_id: 'ann@acme.test',
  document: doc(`flow-${uid}`),
  at: T0,
  ...extra,
});

describeEachDialect('the service store', { reuse: true }, (t) => {
  describe('publishWorkflow and getWorkflow', () => {
    it('keeps every version, the first created time and the caller of each', async () => {
      const v1 = await t.store.workflows.publish(publish('a', { expectedVersion: 0 }));
      expect(v1).toMatchObject({ uid: 'a', version: 1, created: T0, updated: T0, deleted: false });
      const v2 = await t.store.workflows.publish(
        publish('a', { at: T1, user_id: 'bob@acme.test', document: doc('renamed'), expectedVersion: 1 }),
      );
      expect(v2).toMatchObject({
        version: 2,
        created: T0,
        updated: T1,
        user_id: 'bob@acme.test',
        name: 'renamed',
      });
      expect((await t.store.workflows.get('a'))?.version).toBe(2);
      expect((await t.store.workflows.get('a', 1))?.document.name).toBe('flow-a');
      expect(await t.store.workflows.get('a', 3)).toBeUndefined();
      expect(await t.store.workflows.get('nope')).toBeUndefined();
    });

    it('refuses a stale version and a taken uid with SLUICE_WORKFLOW_CONFLICT', async () => {
      await t.store.workflows.publish(publish('a', { expectedVersion: 0 }));
      await t.store.workflows.publish(publish('a'));
      const stale = await t.store.workflows.publish(publish('a', { expectedVersion: 1 })).catch((e) => e);
      expect(isSluiceError(stale, 'SLUICE_WORKFLOW_CONFLICT')).toBe(true);
      expect(stale.message).toMatch(/at version 2, not 1/);
      const taken = await t.store.workflows.publish(publish('a', { expectedVersion: 0 })).catch((e) => e);
      expect(isSluiceError(taken, 'SLUICE_WORKFLOW_CONFLICT')).toBe(true);
    });
  });

  describe('listWorkflows and deleteWorkflow', () => {
    it("lists the latest version of the workspace's and the global workflows, not deleted ones", async () => {
      await t.store.workflows.publish(publish('a'));
      await t.store.workflows.publish(publish('a', { document: doc('a2') }));
      await t.store.workflows.publish(publish('g', { workspace_id: 'globex', document: doc('g', 'global') }));
      await t.store.workflows.publish(publish('x', { workspace_id: 'globex', document: doc('x') }));
      await t.store.workflows.publish(publish('d'));
      expect(await t.store.workflows.delete('d', T2)).toBe(true);
      expect(await t.store.workflows.delete('d', T2)).toBe(false);
      const acme = await t.store.workflows.list('acme');
      expect(acme.map((w) => [w.uid, w.version, w.name])).toEqual([
        ['a', 2, 'a2'],
        ['g', 1, 'g'],
      ]);
      expect((await t.store.workflows.list('globex')).map((w) => w.uid)).toEqual(['g', 'x']);
      expect(await t.store.workflows.get('d')).toMatchObject({ deleted: true, updated: T2 });
    });
  });

  describe('API keys', () => {
    it('finds a key by its hash until it is revoked', async () => {
      const key = {
        id: 'key_1',
        key_hash: 'h1',
        workspace_id: 'acme',
        email: 'ann@acme.test',
        role: 'admin' as const,
        created_at: T0,
        revoked_at: null,
      };
      await t.store.apiKeys.create(key);
      expect(await t.store.apiKeys.find('h1')).toEqual(key);
      expect(await t.store.apiKeys.find('h2')).toBeUndefined();
      await t.db.query('update api_keys set revoked_at = created_at');
      expect(await t.store.apiKeys.find('h1')).toBeUndefined();
    });
  });

  describe('runs of the service', () => {
    const caller = {
      id: 'ann@acme.test',
      email: 'ann@acme.test',
      workspace_id: 'acme',
      role: 'member' as const,
    };

    it('keeps who started a run, without the key id', async () => {
      await t.store.runs.createServiceRun(newRun('r1', { workspace_id: 'acme' }), {
        ...caller,
        key_id: 'key_1',
      });
      expect(await t.store.runs.getRunCaller('r1')).toEqual(caller);
      await t.store.runs.createRun(newRun('r2'));
      expect(await t.store.runs.getRunCaller('r2')).toBeUndefined();
      expect((await t.store.runs.getRun('r1'))?.status).toBe('pending');
    });

    it('lists a workspace runs newest first, by workflow and status, a page at a time', async () => {
      const times = [T0, T1, T1, T2];
      for (const [i, at] of times.entries()) {
        await t.store.runs.createServiceRun(
          newRun(`r${i}`, { workspace_id: 'acme', workflow_uid: i === 3 ? 'b' : 'a', created_at: at }),
          caller,
        );
      }
      await t.store.runs.createServiceRun(
        newRun('other', { workspace_id: 'globex', workflow_uid: 'a' }),
        caller,
      );
      await t.store.runs.updateRun('r1', { status: 'failed' });
      const all = await t.store.runs.listRuns({ workspace_id: 'acme', limit: 10 });
      expect(all.map((r) => r.id)).toEqual(['r3', 'r2', 'r1', 'r0']);
      const first = await t.store.runs.listRuns({ workspace_id: 'acme', workflow_uid: 'a', limit: 2 });
      expect(first.map((r) => r.id)).toEqual(['r2', 'r1']);
      const last = first.at(-1);
      const next = await t.store.runs.listRuns({
        workspace_id: 'acme',
        workflow_uid: 'a',
        limit: 2,
        after: { created_at: last?.created_at ?? '', id: last?.id ?? '' },
      });
      expect(next.map((r) => r.id)).toEqual(['r0']);
      const failed = await t.store.runs.listRuns({ workspace_id: 'acme', status: 'failed', limit: 10 });
      expect(failed.map((r) => r.id)).toEqual(['r1']);
    });

    it('finds the pending and running runs, oldest first', async () => {
      await t.store.runs.createRun(newRun('r0', { created_at: T1 }));
      await t.store.runs.createRun(newRun('r1', { created_at: T0 }));
      await t.store.runs.createRun(newRun('r2', { created_at: T2 }));
      await t.store.runs.updateRun('r0', { status: 'running' });
      await t.store.runs.updateRun('r2', { status: 'succeeded' });
      expect((await t.store.runs.listUnfinishedRuns()).map((r) => r.id)).toEqual(['r1', 'r0']);
    });
  });
});
