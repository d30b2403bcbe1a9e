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

describeEachDialect('the coordination store', (t) => {
  describe('claimRun and listClaimableRuns', () => {
    it('lets one owner claim a free run, renew it, and another take it only once it expired', async () => {
      await t.store.createRun(newRun('r1'));
      expect(await t.store.claimRun('r1', 'a', T1, T0)).toBe(true);
      expect(await t.store.claimRun('r1', 'b', T2, T0)).toBe(false);
      expect(await t.store.claimRun('r1', 'a', T2, T0)).toBe(true);
      expect((await t.store.getRun('r1'))?.lease_owner).toBe('a');
      // At T2 the lease of a (until T2) has expired.
      expect(await t.store.claimRun('r1', 'b', LATER, T2)).toBe(true);
      expect((await t.store.getRun('r1'))?.lease_owner).toBe('b');
      expect(await t.store.claimRun('r1', 'a', LATER, T2)).toBe(false);
    });

    it('does not claim a finished run, or a run whose stored wait is not over', async () => {
      await t.store.createRun(newRun('done'));
      await t.store.updateRun('done', { status: 'succeeded' });
      await t.store.createRun(newRun('waiting'));
      await t.store.updateRun('waiting', { status: 'running', resume_at: T2 });
      expect(await t.store.claimRun('done', 'a', LATER, T0)).toBe(false);
      expect(await t.store.claimRun('waiting', 'a', LATER, T1)).toBe(false);
      expect(await t.store.claimRun('waiting', 'a', LATER, T2)).toBe(true);
      expect(await t.store.claimRun('missing', 'a', LATER, T2)).toBe(false);
    });

    it('lists the unfinished runs without a live lease or a pending wait, oldest first', async () => {
      await t.store.createRun(newRun('free', { created_at: T1 }));
      await t.store.createRun(newRun('old', { created_at: T0 }));
      await t.store.createRun(newRun('leased', { created_at: T0 }));
      await t.store.createRun(newRun('expired', { created_at: T2 }));
      await t.store.createRun(newRun('waits', { created_at: T0 }));
      await t.store.createRun(newRun('finished', { created_at: T0 }));
      await t.store.updateRun('leased', { lease_owner: 'x', lease_expires_at: LATER });
      await t.store.updateRun('expired', { status: 'running', lease_owner: 'x', lease_expires_at: T0 });
      await t.store.updateRun('waits', { status: 'running', resume_at: LATER });
      await t.store.updateRun('finished', { status: 'failed' });
      const ids = (await t.store.listClaimableRuns(T2, 10)).map((r) => r.id);
      expect(ids).toEqual(['old', 'free', 'expired']);
      expect((await t.store.listClaimableRuns(T2, 2)).map((r) => r.id)).toEqual(['old', 'free']);
      expect((await t.store.listClaimableRuns(LATER, 10)).map((r) => r.id)).toContain('waits');
    });
  });

  describe('updateRun of a run that ended', () => {
    it('keeps its end against a later status, and lets a retry move it back to pending', async () => {
      await t.store.createRun(newRun('r1'));
      await t.store.updateRun('r1', { status: 'cancelled', finished_at: T1 });
      await t.store.updateRun('r1', { status: 'succeeded', finished_at: T2 });
      await t.store.updateRun('r1', { status: 'running' });
      expect(await t.store.getRun('r1')).toMatchObject({ status: 'cancelled', finished_at: T1 });
      await t.store.updateRun('r1', { status: 'pending', finished_at: null });
      expect((await t.store.getRun('r1'))?.status).toBe('pending');
      await expect(t.store.updateRun('missing', { status: 'succeeded' })).rejects.toThrow(/does not exist/);
    });
  });

  describe('named leases', () => {
    it('are held by one owner at a time, renewed by it, taken over once expired, released', async () => {
      expect(await t.store.acquireLease('triggers', 'a', T1, T0)).toBe(true);
      expect(await t.store.acquireLease('triggers', 'b', T1, T0)).toBe(false);
      expect(await t.store.acquireLease('triggers', 'a', T2, T1)).toBe(true);
      expect(await t.store.acquireLease('triggers', 'b', LATER, T1)).toBe(false);
      expect(await t.store.acquireLease('triggers', 'b', LATER, T2)).toBe(true);
      await t.store.releaseLease('triggers', 'a'); // not a's any more: nothing happens
      expect(await t.store.acquireLease('triggers', 'a', LATER, T2)).toBe(false);
      await t.store.releaseLease('triggers', 'b');
      expect(await t.store.acquireLease('triggers', 'a', LATER, T2)).toBe(true);
      expect(await t.store.acquireLease('other', 'b', LATER, T2)).toBe(true);
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
      await t.store.createApiKey(key('k2', 'acme', T1));
      await t.store.createApiKey(key('k1', 'acme', T0));
      await t.store.createApiKey(key('k3', 'globex', T0));
      expect((await t.store.listApiKeys('acme')).map((k) => k.id)).toEqual(['k1', 'k2']);
      expect((await t.store.listApiKeys()).map((k) => k.id)).toEqual(['k1', 'k3', 'k2']);
      expect(await t.store.revokeApiKey('k1', T2)).toBe(true);
      expect(await t.store.revokeApiKey('k1', T2)).toBe(false);
      expect(await t.store.revokeApiKey('nope', T2)).toBe(false);
      expect(await t.store.findApiKey('hash-k1')).toBeUndefined();
      expect((await t.store.listApiKeys('acme'))[0]?.revoked_at).toBe(T2);
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
      expect(await t.store.saveConnection(row('prod'))).toBe(true);
      expect(await t.store.saveConnection(row('dev'))).toBe(true);
      expect(await t.store.saveConnection(row('prod', 'globex'))).toBe(true);
      expect(
        await t.store.saveConnection({ ...row('prod', 'acme', 'v1.other'), created_at: T2, updated_at: T1 }),
      ).toBe(false);
      const prod = await t.store.getConnection('acme', 'prod');
      expect(prod).toMatchObject({ sealed_values: 'v1.other', created_at: T0, updated_at: T1 });
      expect((await t.store.listConnections('acme')).map((c) => c.name)).toEqual(['dev', 'prod']);
      expect(await t.store.deleteConnection('acme', 'prod')).toBe(true);
      expect(await t.store.deleteConnection('acme', 'prod')).toBe(false);
      expect(await t.store.getConnection('acme', 'prod')).toBeUndefined();
      expect(await t.store.getConnection('globex', 'prod')).toBeDefined();
    });
  });

  describe('trigger states', () => {
    it('creates a state, and bumps the revision on each change of configuration', async () => {
      const created = await t.store.putTriggerState(trigger('wf1'), false);
      expect(created).toMatchObject({
        kind: 'poll',
        enabled: true,
        revision: 0,
        events_seen: 0,
        state: null,
      });
      const disabled = await t.store.putTriggerState(
        trigger('wf1', { enabled: false, next_at: null }),
        false,
      );
      expect(disabled).toMatchObject({ enabled: false, revision: 1, next_at: null });
      await t.store.putTriggerState(trigger('wf2', { kind: 'schedule' }), false);
      await t.store.putTriggerState({ ...trigger('wf3'), workspace_id: 'globex' }, false);
      expect((await t.store.listTriggerStates('acme')).map((s) => s.workflow_uid)).toEqual(['wf1', 'wf2']);
      expect(await t.store.listTriggerStates()).toHaveLength(3);
      await t.store.deleteTriggerState('wf2');
      expect(await t.store.getTriggerState('wf2')).toBeUndefined();
    });

    it('commits the state and the runs together, only on the revision the cycle read', async () => {
      await t.store.putTriggerState(trigger('wf1'), false);
      const runs = ['e1', 'e2'].map((id) => ({
        run: newRun(id, { workspace_id: 'acme', workflow_uid: 'wf1' }),
        caller,
      }));
      const state = { kind: 'ascending', seen: ['a', 'b'], closure: 2 };
      expect(
        await t.store.commitTrigger({
          workflow_uid: 'wf1',
          expectedRevision: 0,
          patch: { state, next_at: T1, last_polled_at: T0, last_error: null },
          runs,
          at: T0,
        }),
      ).toBe(true);
      const after = await t.store.getTriggerState('wf1');
      expect(after).toMatchObject({ state, revision: 1, events_seen: 2, next_at: T1, last_polled_at: T0 });
      expect((await t.store.getRun('e1'))?.status).toBe('pending');
      expect(await t.store.getRunCaller('e2')).toEqual(caller);

      // A cycle that read revision 0 lost the race: nothing of it is written.
      const stale = { run: newRun('e3', { workflow_uid: 'wf1' }), caller };
      expect(
        await t.store.commitTrigger({
          workflow_uid: 'wf1',
          expectedRevision: 0,
          patch: { state: {} },
          runs: [stale],
          at: T1,
        }),
      ).toBe(false);
      expect(await t.store.getRun('e3')).toBeUndefined();
      expect((await t.store.getTriggerState('wf1'))?.state).toEqual(state);
    });

    it('commits without a revision check when none is given (a webhook delivery), not for a missing row', async () => {
      await t.store.putTriggerState(trigger('wf1', { kind: 'webhook' }), false);
      await t.store.putTriggerState(trigger('wf1', { kind: 'webhook' }), false); // revision 1
      const run = { run: newRun('hook-1', { workflow_uid: 'wf1' }), caller };
      expect(await t.store.commitTrigger({ workflow_uid: 'wf1', patch: {}, runs: [run], at: T1 })).toBe(true);
      expect(await t.store.getTriggerState('wf1')).toMatchObject({ events_seen: 1, revision: 2 });
      const orphan = { run: newRun('hook-2'), caller };
      expect(await t.store.commitTrigger({ workflow_uid: 'gone', patch: {}, runs: [orphan], at: T1 })).toBe(
        false,
      );
      expect(await t.store.getRun('hook-2')).toBeUndefined();
    });

    it('writes nothing when one of the runs cannot be created', async () => {
      await t.store.putTriggerState(trigger('wf1'), false);
      await t.store.createRun(newRun('taken'));
      const runs = ['fresh', 'taken'].map((id) => ({ run: newRun(id), caller }));
      await expect(
        t.store.commitTrigger({
          workflow_uid: 'wf1',
          expectedRevision: 0,
          patch: { state: { x: 1 } },
          runs,
          at: T0,
        }),
      ).rejects.toSatisfy((err: unknown) => isSluiceError(err, 'SLUICE_STORE'));
      expect(await t.store.getRun('fresh')).toBeUndefined();
      expect(await t.store.getTriggerState('wf1')).toMatchObject({
        revision: 0,
        state: null,
        events_seen: 0,
      });
    });

    it('resets the poll state only when asked to', async () => {
      await t.store.putTriggerState(trigger('wf1'), false);
      await t.store.commitTrigger({
        workflow_uid: 'wf1',
        expectedRevision: 0,
        patch: { state: { kept: true }, last_error: 'boom' },
        runs: [],
        at: T0,
      });
      expect((await t.store.putTriggerState(trigger('wf1'), false)).state).toEqual({ kept: true });
      const reset = await t.store.putTriggerState(trigger('wf1'), true);
      expect(reset).toMatchObject({ state: null, last_error: null, revision: 3 });
    });

    it('commits many runs at once (more than one statement can bind)', async () => {
      await t.store.putTriggerState(trigger('wf1'), false);
      const runs = Array.from({ length: 240 }, (_, i) => ({ run: newRun(`bulk-${i}`), caller }));
      expect(
        await t.store.commitTrigger({ workflow_uid: 'wf1', expectedRevision: 0, patch: {}, runs, at: T0 }),
      ).toBe(true);
      expect((await t.store.getTriggerState('wf1'))?.events_seen).toBe(240);
      expect(await t.store.getRun('bulk-239')).toBeDefined();
    });
  });
});
