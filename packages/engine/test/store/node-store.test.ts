/**
 * The store methods behind `nodes` (migration 0004) and what `sluice status` reads about leases: nodes
 * register, heartbeat, leave and are pruned by age; named leases and run leases per owner are listed.
 * Once per dialect: SQLite always, PostgreSQL when SLUICE_TEST_PG_URL is set.
 */
import type { NodeRow } from '@sluice/engine';
import { nodeIsAlive } from '@sluice/engine/internal';
import { describe, expect, it } from 'vitest';
import { describeEachDialect } from './dialects.js';
import { newRun, T0, T1, T2 } from './fixtures.js';

const LATER = '2024-05-01T13:00:00.000Z';

function node(id: string, extra: Partial<NodeRow> = {}): NodeRow {
  return {
    id,
    kind: 'worker',
    host: 'box-1',
    pid: 4242,
    started_at: T0,
    heartbeat_at: T0,
    concurrency: 16,
    executing: 0,
    heartbeat_ms: 5000,
    version: '0.1.0',
    ...extra,
  };
}

describeEachDialect('the nodes store', { reuse: true }, (t) => {
  describe('nodes', () => {
    it('creates the table and its index', async () => {
      expect(await t.db.tables()).toContain('nodes');
      expect(await t.db.indexes()).toContain('nodes_heartbeat');
    });

    it('registers nodes, lists them oldest first, and reads every column back', async () => {
      await t.store.nodes.register(node('b', { started_at: T1, kind: 'api', concurrency: 0 }));
      await t.store.nodes.register(node('a'));
      expect(await t.store.nodes.list()).toStrictEqual([
        node('a'),
        node('b', { started_at: T1, kind: 'api', concurrency: 0 }),
      ]);
    });

    it('replaces the row of a node that registers again', async () => {
      await t.store.nodes.register(node('a'));
      await t.store.nodes.register(node('a', { heartbeat_at: T2, executing: 3, kind: 'api+worker' }));
      expect(await t.store.nodes.list()).toStrictEqual([
        node('a', { heartbeat_at: T2, executing: 3, kind: 'api+worker' }),
      ]);
    });

    it('heartbeats a node, and says when its row is gone', async () => {
      await t.store.nodes.register(node('a'));
      expect(await t.store.nodes.heartbeat('a', T2, 7)).toBe(true);
      expect(await t.store.nodes.list()).toStrictEqual([node('a', { heartbeat_at: T2, executing: 7 })]);
      await t.store.nodes.remove('a');
      expect(await t.store.nodes.heartbeat('a', LATER, 0)).toBe(false);
      expect(await t.store.nodes.list()).toEqual([]);
    });

    it('prunes the nodes whose last heartbeat is older than the cut-off', async () => {
      await t.store.nodes.register(node('old', { heartbeat_at: T0 }));
      await t.store.nodes.register(node('edge', { heartbeat_at: T1 }));
      await t.store.nodes.register(node('live', { heartbeat_at: T2 }));
      expect(await t.store.nodes.prune(T1)).toBe(1);
      expect((await t.store.nodes.list()).map((n) => n.id)).toEqual(['edge', 'live']);
    });

    it('counts a node alive until three heartbeats are missed', () => {
      const beat = node('a', { heartbeat_at: T0, heartbeat_ms: 1000 });
      expect(nodeIsAlive(beat, Date.parse(T0) + 3000)).toBe(true);
      expect(nodeIsAlive(beat, Date.parse(T0) + 3001)).toBe(false);
    });
  });

  describe('listLeases and countRunLeases', () => {
    it('lists the named leases by name, expired ones too', async () => {
      await t.store.leases.acquire('triggers', 'a', T1, T0);
      await t.store.leases.acquire('alpha', 'b', LATER, T0);
      expect(await t.store.leases.list()).toEqual([
        { name: 'alpha', owner: 'b', expires_at: LATER, acquired_at: T0 },
        { name: 'triggers', owner: 'a', expires_at: T1, acquired_at: T0 },
      ]);
    });

    it('counts the unfinished runs leased to each owner, and how many leases expired', async () => {
      for (const id of ['r1', 'r2', 'r3', 'r4', 'r5', 'free']) await t.store.runs.createRun(newRun(id));
      await t.store.runs.claimRun('r1', 'a', LATER, T0);
      await t.store.runs.claimRun('r2', 'a', T1, T0);
      await t.store.runs.claimRun('r3', 'b', LATER, T0);
      await t.store.runs.claimRun('r4', 'b', LATER, T0);
      await t.store.runs.claimRun('r5', 'b', LATER, T0);
      // A finished run keeps no lease worth counting.
      await t.store.runs.updateRun('r5', { status: 'succeeded' });
      expect(await t.store.runs.countRunLeases(T2)).toEqual([
        { owner: 'a', runs: 2, expired: 1 },
        { owner: 'b', runs: 2, expired: 0 },
      ]);
      expect(await t.store.runs.countRunLeases(T0)).toEqual([
        { owner: 'a', runs: 2, expired: 0 },
        { owner: 'b', runs: 2, expired: 0 },
      ]);
    });
  });
});
