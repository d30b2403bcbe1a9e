import { describe, expect, it } from 'vitest';
import { describeEachDialect } from './dialects.js';
import { item, newRun, step, storeError } from './fixtures.js';

const APPLIED = [
  { name: '0001-init' },
  { name: '0002-run-caller' },
  { name: '0003-connections-triggers' },
  { name: '0004-nodes' },
  { name: '0005-lean-runs' },
  { name: '0006-run-links' },
  { name: '0007-attempt-exchanges' },
  { name: '0009-run-origin' },
  { name: '0010-lean-run-indexes' },
  { name: '0011-document-file' },
];

describeEachDialect('openStore', (t) => {
  describe('migrate', () => {
    it('creates every table and the indexes issue 5 queries by', async () => {
      expect(await t.db.tables()).toEqual(
        expect.arrayContaining(['runs', 'run_steps', 'run_step_items', 'workflows', 'api_keys']),
      );
      expect(await t.db.tables()).toEqual(
        expect.arrayContaining(['trigger_states', 'leases', 'connections']),
      );
      expect(await t.db.indexes()).toEqual(
        expect.arrayContaining([
          'runs_unfinished',
          'runs_workspace_created',
          'runs_workspace_workflow_created',
          'runs_workspace_status_created',
          'workflows_workspace',
          'trigger_states_next_at',
          'leases_expires_at',
          'trigger_states_workspace',
          'runs_claimable',
        ]),
      );
      // 0010: no index a query does not need (each costs pages on every run insert and status change).
      expect(await t.db.indexes()).not.toContain('runs_workflow_created');
      expect(await t.db.indexes()).not.toContain('runs_workflow_status_created');
    });

    it('is a no-op when run again, on this store or on another', async () => {
      await t.store.runs.createRun(newRun('r1'));
      await t.store.migrate();
      await t.store.migrate();
      const other = await t.db.open();
      await other.migrate();
      expect(await t.db.query('select name from sluice_migrations order by name')).toEqual(APPLIED);
      expect((await other.runs.getRun('r1'))?.id).toBe('r1');
    });

    it('refuses a database migrated by a newer Sluice', async () => {
      await t.db.query(`insert into sluice_migrations (name, timestamp) values ('9999-future', 'x')`);
      const err = await storeError(t.store.migrate());
      expect(err.message).toMatch(/migrate failed: corrupted migrations/);
      expect((err as Error & { hint: string }).hint).toMatch(/newer Sluice/);
    });

    it('lets several stores migrate a fresh database at once', async () => {
      await t.db.teardown();
      t.db = await t.dialect.setup();
      const stores = await Promise.all([t.db.open(), t.db.open(), t.db.open()]);
      expect(stores).toHaveLength(3);
      expect(await t.db.query('select name from sluice_migrations order by name')).toEqual(APPLIED);
    });
  });

  describe('deleteRun', () => {
    it('deletes the run with its steps and items (cascade), and no other run', async () => {
      for (const id of ['r1', 'r2']) {
        await t.store.runs.createRun(newRun(id));
        await t.store.runs.saveStep(step(id, 0));
        await t.store.runs.saveStepItem(item(id, 0, 0));
      }
      expect(await t.store.runs.deleteRun('r1')).toBe(true);
      expect(await t.store.runs.deleteRun('r1')).toBe(false);
      expect(await t.store.runs.getRun('r1')).toBeUndefined();
      expect(await t.db.query("select * from run_steps where run_id = 'r1'")).toEqual([]);
      expect(await t.db.query("select * from run_step_items where run_id = 'r1'")).toEqual([]);
      expect(await t.store.runs.listStepItems('r2')).toHaveLength(1);
    });
  });

  describe('large documents', () => {
    const big = { since: 'x', blob: 'y'.repeat(40_000) };

    it('keeps a large input apart from the run row, which its updates then leave alone', async () => {
      await t.store.runs.createRun(newRun('big', { input: big, workspace_id: 'acme' }));
      await t.store.runs.createRun(newRun('small', { workspace_id: 'acme' }));
      const rows = await t.db.query<{ id: string; input: string | null; workflow: string; apart: number }>(
        'select id, input, workflow, documents_apart as apart from runs order by id',
      );
      expect(
        rows.map((row) => [row.id, row.input === null, row.workflow === '{}', Number(row.apart)]),
      ).toEqual([
        ['big', true, true, 1],
        ['small', false, false, 0],
      ]);
      await t.store.runs.updateRun('big', { status: 'running', lease_owner: 'p1' });
      const run = await t.store.runs.getRun('big');
      expect([run?.input, run?.workflow, run?.status]).toEqual([big, newRun('big').workflow, 'running']);
      const listed = await t.store.runs.listRuns({ workspace_id: 'acme', limit: 10 });
      expect(
        listed.map((row) => [row.id, row.input === big ? 'same' : JSON.stringify(row.input).length]),
      ).toEqual([
        ['small', expect.any(Number)],
        ['big', JSON.stringify(big).length],
      ]);
      expect((await t.store.runs.listUnfinishedRuns()).find((row) => row.id === 'big')?.input).toEqual(big);
      expect((await t.store.runs.getRunAndCaller('big'))?.run.input).toEqual(big);
    });

    it('writes a service run and its documents together, and deletes them together', async () => {
      const caller = { id: 'ann', email: 'ann@acme.test', workspace_id: 'acme', role: 'admin' as const };
      await t.store.runs.createServiceRun(newRun('big', { input: big, sealed_input: 'v1.sealed' }), caller);
      expect((await t.store.runs.getRun('big'))?.sealed_input).toBe('v1.sealed');
      expect(await t.db.query("select run_id from run_documents where run_id = 'big'")).toHaveLength(1);
      expect(await t.store.runs.deleteRun('big')).toBe(true);
      expect(await t.db.query("select run_id from run_documents where run_id = 'big'")).toEqual([]);
    });
  });

  describe('two stores on one database', () => {
    it("see each other's commits", async () => {
      const other = await t.db.open();
      await t.store.runs.createRun(newRun('r1'));
      expect((await other.runs.getRun('r1'))?.status).toBe('pending');
      await other.runs.updateRun('r1', { status: 'running', lease_owner: 'second' });
      await other.runs.saveStepItem(item('r1', 0, 0));
      expect(await t.store.runs.getRun('r1')).toMatchObject({ status: 'running', lease_owner: 'second' });
      expect(await t.store.runs.listStepItems('r1')).toHaveLength(1);
    });

    it('both write at once without losing a row', async () => {
      const other = await t.db.open();
      await t.store.runs.createRun(newRun('r1'));
      const writes = Array.from({ length: 100 }, (_, i) =>
        (i % 2 === 0 ? t.store : other).runs.saveStepItem(item('r1', 0, i)),
      );
      await Promise.all(writes);
      expect(await t.store.runs.listStepItems('r1')).toHaveLength(100);
    });
  });

  describe('close', () => {
    it('is idempotent, and later calls fail with SLUICE_STORE', async () => {
      await Promise.all([t.store.close(), t.store.close()]);
      await t.store.close();
      expect((await storeError(t.store.runs.getRun('r1'))).message).toContain('the store is closed');
    });

    it('is what Symbol.asyncDispose does', async () => {
      {
        await using scoped = await t.db.open();
        await scoped.runs.createRun(newRun('r1'));
        expect(scoped[Symbol.asyncDispose]).toBeTypeOf('function');
      }
      expect((await t.store.runs.getRun('r1'))?.id).toBe('r1');
      await t.store[Symbol.asyncDispose]();
      await storeError(t.store.runs.getRun('r1'));
    });
  });
});
