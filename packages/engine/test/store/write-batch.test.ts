/**
 * Group commit on SQLite (`store/write-batch.ts`): the run writes callers make at about the same time
 * share one transaction, each resolves only once committed, and a write that fails fails alone.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isSluiceError, openStore, type SqlStore } from '@sluice/engine';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sqliteDialect } from '../../src/store/dialects/sqlite.js';
import { migrateToLatest } from '../../src/store/migrations/migrate.js';
import { QueryContext } from '../../src/store/query-context.js';
import { RunQueries } from '../../src/store/runs/run-queries.js';
import { StatementCounts } from '../../src/store/statement-counts.js';
import { newRun, step } from './fixtures.js';

let dir: string;
let store: SqlStore;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-batch-'));
  store = await openStore({ file: join(dir, 'sluice.db') });
  await store.runs.createRun(newRun('r1'));
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('group commit on SQLite', () => {
  it('commits writes made together in one transaction, each resolving once it is stored', async () => {
    const before = store.statements();
    await Promise.all(Array.from({ length: 10 }, (_, i) => store.runs.saveStep(step('r1', i))));
    const after = store.statements();
    expect([
      after.transactions - before.transactions,
      after.writes - before.writes,
      after.commits - before.commits,
    ]).toEqual([1, 10, 1]);
    // A write alone is a transaction of its own: one commit, no `begin`.
    await store.runs.saveStep(step('r1', 10));
    const alone = store.statements();
    expect([alone.transactions - after.transactions, alone.commits - after.commits]).toEqual([0, 1]);
    expect((await store.runs.listSteps('r1')).map((row) => row.step_index)).toEqual([
      0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
    ]);
  });

  it('fails only the write that fails, and keeps the others of its batch', async () => {
    const results = await Promise.allSettled([
      store.runs.saveStep(step('r1', 0)),
      store.runs.saveStep(step('r1', 1, { output: { n: 10n } })),
      store.runs.saveStep(step('ghost', 2)),
      store.runs.saveStep(step('r1', 3)),
    ]);
    expect(results.map((result) => result.status)).toEqual([
      'fulfilled',
      'rejected',
      'rejected',
      'fulfilled',
    ]);
    const [, unserializable, noRun] = results.map((result) =>
      result.status === 'rejected' ? result.reason : undefined,
    );
    expect(isSluiceError(unserializable, 'SLUICE_STORE') && String(unserializable.message)).toContain(
      'run_steps.output is not JSON-serializable',
    );
    expect(isSluiceError(noRun, 'SLUICE_STORE') && String(noRun.message)).toContain(
      'saveStep(ghost, 2) failed',
    );
    expect((await store.runs.listSteps('r1')).map((row) => row.step_index)).toEqual([0, 3]);
  });

  it('commits the writes in flight before it closes', async () => {
    const writes = [store.runs.saveStep(step('r1', 0)), store.runs.updateRun('r1', { status: 'running' })];
    await store.close();
    await Promise.all(writes);
    const again = await openStore({ file: join(dir, 'sluice.db') });
    try {
      expect((await again.runs.getRun('r1'))?.status).toBe('running');
      expect(await again.runs.listSteps('r1')).toHaveLength(1);
    } finally {
      await again.close();
    }
  });

  it('waits for a transaction of Kysely open on the connection, and is not rolled back with it', async () => {
    // The batch runs its statements synchronously on the connection Kysely shares: while a Kysely
    // transaction is open (between two of its statements), a batch must neither join it nor fail.
    const file = join(dir, 'shared.db');
    const dialect = sqliteDialect(file, {});
    const context = new QueryContext(dialect, await dialect.open(new StatementCounts()));
    try {
      await migrateToLatest(context.db, dialect);
      const runs = new RunQueries(context);
      await runs.createRun(newRun('r1'));
      const status = (await runs.getRun('r1'))?.status;
      let write: Promise<void> | undefined;
      const rolledBack = context.db.transaction().execute(async (trx) => {
        await trx.updateTable('runs').set({ status: 'cancelled' }).where('id', '=', 'r1').execute();
        write = runs.saveStep(step('r1', 0));
        // Turns of the event loop in which the batch finds the transaction open.
        for (let i = 0; i < 5; i += 1) await new Promise((done) => setImmediate(done));
        throw new Error('rolled back on purpose');
      });
      await expect(rolledBack).rejects.toThrow('rolled back on purpose');
      await write;
      expect((await runs.listSteps('r1')).map((row) => row.step_index)).toEqual([0]);
      expect((await runs.getRun('r1'))?.status).toBe(status);
    } finally {
      await context.close();
    }
  });
});
