/**
 * Migration 0006: runs that other runs start (issue 15).
 *
 * - `runs.parent_run_id`: the run whose `workflow:` step started this one (a child run), and `depth`,
 *   how many parents it has (0 for a run started any other way), which the engine's depth limit reads.
 * - `runs.failure_of`: the failed run whose workflow's `on_failure` started this one. Such a run starts no
 *   `on_failure` of its own, so failure workflows do not chain.
 * - `runs.on_failure_due`: 1 from the commit that fails a run whose workflow has `on_failure` until its
 *   failure run is recorded, so a crash in between loses nothing (the sweep starts it) and the failure
 *   run's id, derived from the failed run's, makes a second start a no-op.
 *
 * @internal
 * @module
 */
import type { Kysely } from 'kysely';

/** Adds the columns and their indexes. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('runs').addColumn('parent_run_id', 'text').execute();
  await db.schema
    .alterTable('runs')
    .addColumn('depth', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable('runs').addColumn('failure_of', 'text').execute();
  await db.schema
    .alterTable('runs')
    .addColumn('on_failure_due', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex('runs_parent_idx').ifNotExists().on('runs').column('parent_run_id').execute();
  await db.schema
    .createIndex('runs_failure_due_idx')
    .ifNotExists()
    .on('runs')
    .column('on_failure_due')
    .execute();
}

/** Drops what `up` made. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('runs_failure_due_idx').ifExists().execute();
  await db.schema.dropIndex('runs_parent_idx').ifExists().execute();
  for (const column of ['on_failure_due', 'failure_of', 'depth', 'parent_run_id']) {
    await db.schema.alterTable('runs').dropColumn(column).execute();
  }
}
