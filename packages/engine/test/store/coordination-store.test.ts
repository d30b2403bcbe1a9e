/**
 * The store methods the service's durability and triggers stand on: run claims, named leases, API key
 * listing and revocation, connections, trigger states and the one-transaction trigger commit. Once per
 * dialect: SQLite always, PostgreSQL when SLUICE_TEST_PG_URL is set.
 */
import { type ApiCaller, isSluiceError, type TriggerStateRow } from '@sluice/engine';
import { describe, expect, it } from 'vitest';
import { describeEachDialect } from './dialects.js';
import { newRun, T0, T1, T2 } from './fixtures.js';

const LATER = '2024-05-01T13:00:00.000Z';
const caller: ApiCaller = {
  id: 'ann@acme.test',
  email: 'ann@acme.test',
  workspace_id: 'acme',
  role: 'member',
};
const trigger = (
  uid: string,
  extra: Partial<Pick<TriggerStateRow, 'kind' | 'enabled' | 'next_at'>> = {},
): Pick<
  TriggerStateRow,
  'workflow_uid' | 'workspace_id' | 'kind' | 'enabled' | 'next_at' | 'updated_at'
> => ({
  workflow_uid: uid,
  workspace_id: 'acme',
  kind: 'poll',
  enabled: true,
  next_at: T0,
  updated_at: T0,
  ...extra,
});

describeEachDialect('the coordination store', { reuse: true }, (t) => {
  describe('claimRun and listClaimableRuns', () => {
    it('lets one owner claim a free run, renew it, and another take it only once it expired', async () => {
      await t.store.runs.createRun(newRun('r1'));
      expect(await t.store.runs.claimRun('r1', 'a', T1, T0)).toBe(true);
      expect(await t.store.runs.claimRun('r1', 'b', T2, T0)).toBe(false);
      expect(await t.store.runs.claimRun('r1', 'a', T2, T0)).toBe(true);
      expect((await t.store.runs.getRun('r1'))?.lease_owner).toBe('a');
      // At T2 the lease of a (until T2) has expired.
      expect(await t.store.runs.claimRun('r1', 'b', LATER, T2)).toBe(true);
      expect((await t.store.runs.getRun('r1'))?.lease_owner).toBe('b');
      expect(await t.store.runs.claimRun('r1', 'a', LATER, T2)).toBe(false);
    });

    it('does not claim a finished run, or a run whose stored wait is not over', async () => {
      await t.store.runs.createRun(newRun('done'));
      await t.store.runs.updateRun('done', { status: 'succeeded' });
      await t.store.runs.createRun(newRun('waiting'));
      await t.store.runs.updateRun('waiting', { status: 'running', resume_at: T2 });
      expect(await t.store.runs.claimRun('done', 'a', LATER, T0)).toBe(false);
      expect(await t.store.runs.claimRun('waiting', 'a', LATER, T1)).toBe(false);
      expect(await t.store.runs.claimRun('waiting', 'a', LATER, T2)).toBe(true);
      expect(await t.store.runs.claimRun('missing', 'a', LATER, T2)).toBe(false);
    });

    it('lists the unfinished runs without a live lease or a pending wait, oldest first', async () => {
      await t.store.runs.createRun(newRun('free', { created_at: T1 }));
      await t.store.runs.createRun(newRun('old', { created_at: T0 }));
      await t.store.runs.createRun(newRun('leased', { created_at: T0 }));
      await t.store.runs.createRun(newRun('expired', { created_at: T2 }));
      await t.store.runs.createRun(newRun('waits', { created_at: T0 }));
      await t.store.runs.createRun(newRun('finished', { created_at: T0 }));
      await t.store.runs.updateRun('leased', { lease_owner: 'x', lease_expires_at: LATER });
      await t.store.runs.updateRun('expired', { status: 'running', lease_owner: 'x', lease_expires_at: T0 });
      await t.store.runs.updateRun('waits', { status: 'running', resume_at: LATER });
      await t.store.runs.updateRun('finished', { status: 'failed' });
      const ids = (await t.store.runs.listClaimableRuns(T2, 10)).map((r) => r.id);
      expect(ids).toEqual(['old', 'free', 'expired']);
      expect((await t.store.runs.listClaimableRuns(T2, 2)).map((r) => r.id)).toEqual(['old', 'free']);
      expect((await t.store.runs.listClaimableRuns(LATER, 10)).map((r) => r.id)).toContain('waits');
    });
  });

  describe('named leases', () => {
    it('are held by one owner at a time, renewed by it, taken over once expired, released', async () => {
      expect(await t.store.leases.acquire('triggers', 'a', T1, T0)).toBe(true);
      expect(await t.store.leases.acquire('triggers', 'b', T1, T0)).toBe(false);
      expect(await t.store.leases.acquire('triggers', 'a', T2, T1)).toBe(true);
      expect(await t.store.leases.acquire('triggers', 'b', LATER, T1)).toBe(false);
      expect(await t.store.leases.acquire('triggers', 'b', LATER, T2)).toBe(true);
      await t.store.leases.release('triggers', 'a'); // not a's any more: nothing happens
      expect(await t.store.leases.acquire('triggers', 'a', LATER, T2)).toBe(false);
      await t.store.leases.release('triggers', 'b');
      expect(await t.store.leases.acquire('triggers', 'a', LATER, T2)).toBe(true);
      expect(await t.store.leases.acquire('other', 'b', LATER, T2)).toBe(true);
    });
  });

  describe('API keys', () => {
    it('lists keys, revoked ones too, per workspace, and revokes a live key once', async () => {
      const key = (id: string, workspace_id: string, created_at: string) => ({
        id,
        key_hash: `hash-${id}`,
        workspace_id,
        email: 'ann@acme.test',
        role: 'admin' as const,
        created_at,
        revoked_at: null,
      });
      await t.store.apiKeys.create(key('k2', 'acme', T1));
      await t.store.apiKeys.create(key('k1', 'acme', T0));
      await t.store.apiKeys.create(key('k3', 'globex', T0));
      expect((await t.store.apiKeys.list('acme')).map((k) => k.id)).toEqual(['k1', 'k2']);
      expect((await t.store.apiKeys.list()).map((k) => k.id)).toEqual(['k1', 'k3', 'k2']);
      expect(await t.store.apiKeys.revoke('k1', T2)).toBe(true);
      expect(await t.store.apiKeys.revoke('k1', T2)).toBe(false);
      expect(await t.store.apiKeys.revoke('nope', T2)).toBe(false);
      expect(await t.store.apiKeys.find('hash-k1')).toBeUndefined();
      expect((await t.store.apiKeys.list('acme'))[0]?.revoked_at).toBe(T2);
    });
  });

  describe('connections', () => {
    const row = (name: string, workspace_id = 'acme', sealed_values = 'v1.sealed') => ({
      workspace_id,
      name,
      connector: 'my_app',
      sealed_values,
      user_id: 'ann@acme.test',
      created_at: T0,
      updated_at: T0,
    });

    it('saves, replaces (keeping created_at), lists by name and deletes, per workspace', async () => {
      expect(await t.store.connections.save(row('prod'))).toBe(true);
      expect(await t.store.connections.save(row('dev'))).toBe(true);
      expect(await t.store.connections.save(row('prod', 'globex'))).toBe(true);
      expect(
        await t.store.connections.save({
          ...row('prod', 'acme', 'v1.other'),
          created_at: T2,
          updated_at: T1,
        }),
      ).toBe(false);
      const prod = await t.store.connections.get('acme', 'prod');
      expect(prod).toMatchObject({ sealed_values: 'v1.other', created_at: T0, updated_at: T1 });
      expect((await t.store.connections.list('acme')).map((c) => c.name)).toEqual(['dev', 'prod']);
      expect(await t.store.connections.delete('acme', 'prod')).toBe(true);
      expect(await t.store.connections.delete('acme', 'prod')).toBe(false);
      expect(await t.store.connections.get('acme', 'prod')).toBeUndefined();
      expect(await t.store.connections.get('globex', 'prod')).toBeDefined();
    });
  });

  describe('trigger states', () => {
    it('creates a state, and bumps the revision on each change of configuration', async () => {
      const created = await t.store.triggers.put(trigger('wf1'), false);
      expect(created).toMatchObject({
        kind: 'poll',
        enabled: true,
        revision: 0,
        events_seen: 0,
        state: null,
      });
      const disabled = await t.store.triggers.put(trigger('wf1', { enabled: false, next_at: null }), false);
      expect(disabled).toMatchObject({ enabled: false, revision: 1, next_at: null });
      await t.store.triggers.put(trigger('wf2', { kind: 'schedule' }), false);
      await t.store.triggers.put({ ...trigger('wf3'), workspace_id: 'globex' }, false);
      expect((await t.store.triggers.list('acme')).map((s) => s.workflow_uid)).toEqual(['wf1', 'wf2']);
      expect(await t.store.triggers.list()).toHaveLength(3);
      await t.store.triggers.delete('wf2');
      expect(await t.store.triggers.get('wf2')).toBeUndefined();
    });

    it('commits the state and the runs together, only on the revision the cycle read', async () => {
      await t.store.triggers.put(trigger('wf1'), false);
      const runs = ['e1', 'e2'].map((id) => ({
        run: newRun(id, { workspace_id: 'acme', workflow_uid: 'wf1' }),
        caller,
      }));
      const state = { kind: 'ascending', seen: ['a', 'b'], closure: 2 };
      expect(
        await t.store.triggers.commit({
          workflow_uid: 'wf1',
          expectedRevision: 0,
          patch: { state, next_at: T1, last_polled_at: T0, last_error: null },
          runs,
          at: T0,
        }),
      ).toBe(true);
      const after = await t.store.triggers.get('wf1');
      expect(after).toMatchObject({ state, revision: 1, events_seen: 2, next_at: T1, last_polled_at: T0 });
      expect((await t.store.runs.getRun('e1'))?.status).toBe('pending');
      expect(await t.store.runs.getRunCaller('e2')).toEqual(caller);

      // A cycle that read revision 0 lost the race: nothing of it is written.
      const stale = { run: newRun('e3', { workflow_uid: 'wf1' }), caller };
      expect(
        await t.store.triggers.commit({
          workflow_uid: 'wf1',
          expectedRevision: 0,
          patch: { state: {} },
          runs: [stale],
          at: T1,
        }),
      ).toBe(false);
      expect(await t.store.runs.getRun('e3')).toBeUndefined();
      expect((await t.store.triggers.get('wf1'))?.state).toEqual(state);
    });

    it('commits without a revision check when none is given (a webhook delivery), not for a missing row', async () => {
      await t.store.triggers.put(trigger('wf1', { kind: 'webhook' }), false);
      await t.store.triggers.put(trigger('wf1', { kind: 'webhook' }), false); // revision 1
      const run = { run: newRun('hook-1', { workflow_uid: 'wf1' }), caller };
      expect(await t.store.triggers.commit({ workflow_uid: 'wf1', patch: {}, runs: [run], at: T1 })).toBe(
        true,
      );
      expect(await t.store.triggers.get('wf1')).toMatchObject({ events_seen: 1, revision: 2 });
      const orphan = { run: newRun('hook-2'), caller };
      expect(await t.store.triggers.commit({ workflow_uid: 'gone', patch: {}, runs: [orphan], at: T1 })).toBe(
        false,
      );
      expect(await t.store.runs.getRun('hook-2')).toBeUndefined();
    });

    it('writes nothing when one of the runs cannot be created', async () => {
      await t.store.triggers.put(trigger('wf1'), false);
      await t.store.runs.createRun(newRun('taken'));
      const runs = ['fresh', 'taken'].map((id) => ({ run: newRun(id), caller }));
      await expect(
        t.store.triggers.commit({
          workflow_uid: 'wf1',
          expectedRevision: 0,
          patch: { state: { x: 1 } },
          runs,
          at: T0,
        }),
      ).rejects.toSatisfy((err: unknown) => isSluiceError(err, 'SLUICE_STORE'));
      expect(await t.store.runs.getRun('fresh')).toBeUndefined();
      expect(await t.store.triggers.get('wf1')).toMatchObject({
        revision: 0,
        state: null,
        events_seen: 0,
      });
    });

    it('resets the poll state only when asked to', async () => {
      await t.store.triggers.put(trigger('wf1'), false);
      await t.store.triggers.commit({
        workflow_uid: 'wf1',
        expectedRevision: 0,
        patch: { state: { kept: true }, last_error: 'boom' },
        runs: [],
        at: T0,
      });
      expect((await t.store.triggers.put(trigger('wf1'), false)).state).toEqual({ kept: true });
      const reset = await t.store.triggers.put(trigger('wf1'), true);
      expect(reset).toMatchObject({ state: null, last_error: null, revision: 3 });
    });

    it('commits many runs at once (more than one statement can bind)', async () => {
      await t.store.triggers.put(trigger('wf1'), false);
      const runs = Array.from({ length: 240 }, (_, i) => ({ run: newRun(`bulk-${i}`), caller }));
      expect(
        await t.store.triggers.commit({ workflow_uid: 'wf1', expectedRevision: 0, patch: {}, runs, at: T0 }),
      ).toBe(true);
      expect((await t.store.triggers.get('wf1'))?.events_seen).toBe(240);
      expect(await t.store.runs.getRun('bulk-239')).toBeDefined();
    });

    it('lists the due triggers: enabled, next_at at or before now (pushed kinds have none), by workflow uid', async () => {
      await t.store.triggers.put(trigger('poll-late', { next_at: T0 }), false);
      await t.store.triggers.put(trigger('due-now', { kind: 'schedule', next_at: T1 }), false);
      await t.store.triggers.put(trigger('future', { next_at: LATER }), false);
      await t.store.triggers.put(trigger('disabled', { enabled: false, next_at: T0 }), false);
      // A pushed kind (a webhook) is never due: its row has no next_at.
      await t.store.triggers.put(trigger('hook', { kind: 'webhook', next_at: null }), false);
      await t.store.triggers.put(trigger('never', { next_at: null }), false);
      const due = async (now: string, limit?: number) =>
        (await t.store.triggers.listDue(now, limit)).map((row) => row.workflow_uid);
      expect(await due(T1)).toEqual(['due-now', 'poll-late']);
      expect(await due(T0)).toEqual(['poll-late']);
      expect(await due('2024-05-01T14:00:00+01:00')).toEqual(['due-now', 'future', 'poll-late']);
      expect(await due(T2, 1)).toEqual(['due-now']);
      expect((await t.store.triggers.listDue(T1))[0]).toMatchObject({
        kind: 'schedule',
        enabled: true,
        next_at: T1,
      });
    });
  });
});
