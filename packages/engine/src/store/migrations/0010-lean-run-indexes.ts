/**
 * Migration 0010: fewer index entries per run (issue 14). Every run insert and status change updates
 * every index of `runs` that holds the row, and on SQLite those pages are most of what a commit writes.
 *
 * - `runs_workflow_created` and `runs_workflow_status_created` (0001) go: every query that filters by
 *   workflow also names the workspace, which `runs_workspace_workflow_created` (0009) serves, with the
 *   status compared on the rows it reads in order (`GET /v1/runs?workflow=&status=` reads at most a page
 *   of the workflow's newest runs in the workspace; `lastRuns` stops at the first).
 * - `runs_parent_idx` and `runs_failure_due_idx` (0006) become partial: only child runs have a parent and
 *   only failed runs waiting for their `on_failure` run are due, so the other rows, nearly all of them,
 *   get no entry. The queries they serve (`parent_run_id = ?`, `on_failure_due = 1`) imply the condition.
 * - The rows still holding exchanges (0007) are indexed by `started_at` instead of `run_id`: a new
 *   step or item row then goes at the end of the index rather than on a random page of it (run ids are
 *   random), which was a third of the cost of a run's writes in SQLite. Pruning reads them oldest first.
 *
 * @internal
 * @module
 */
import type { Kysely, SqlBool } from 'kysely';
import { sql } from '../kysely-runtime.js';

/** The tables whose rows hold exchanges (0007). */
const EXCHANGE_TABLES = ['run_steps', 'run_step_items'] as const;

/** Drops the two workflow indexes, makes the two link indexes partial, keys the exchanges by time. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('runs_workflow_created').ifExists().execute();
  await db.schema.dropIndex('runs_workflow_status_created').ifExists().execute();
  await db.schema.dropIndex('runs_parent_idx').ifExists().execute();
  await db.schema
    .createIndex('runs_parent_idx')
    .on('runs')
    .column('parent_run_id')
    .where(sql<SqlBool>`parent_run_id is not null`)
    .execute();
  await db.schema.dropIndex('runs_failure_due_idx').ifExists().execute();
  await db.schema
    .createIndex('runs_failure_due_idx')
    .on('runs')
    .column('on_failure_due')
    .where(sql<SqlBool>`on_failure_due = 1`)
    .execute();
  for (const table of EXCHANGE_TABLES) {
    await db.schema.dropIndex(`${table}_exchanges`).ifExists().execute();
    await db.schema
      .createIndex(`${table}_exchanges_started`)
      .on(table)
      .column('started_at')
      .where(sql.ref('exchanges'), 'is not', null)
      .execute();
  }
}

/** Puts back the indexes as 0001, 0006 and 0007 made them. */
export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of EXCHANGE_TABLES) {
    await db.schema.dropIndex(`${table}_exchanges_started`).ifExists().execute();
    await db.schema
      .createIndex(`${table}_exchanges`)
      .on(table)
      .column('run_id')
      .where(sql.ref('exchanges'), 'is not', null)
      .execute();
  }
  await db.schema.dropIndex('runs_failure_due_idx').ifExists().execute();
  await db.schema.createIndex('runs_failure_due_idx').on('runs').column('on_failure_due').execute();
  await db.schema.dropIndex('runs_parent_idx').ifExists().execute();
  await db.schema.createIndex('runs_parent_idx').on('runs').column('parent_run_id').execute();
  await db.schema
    .createIndex('runs_workflow_status_created')
    .on('runs')
    .columns(['workflow_uid', 'status', 'created_at', 'id'])
    .execute();
  await db.schema
    .createIndex('runs_workflow_created')
    .on('runs')
    .columns(['workflow_uid', 'created_at', 'id'])
    .execute();
}
