/**
 * Migration 0009: what started a run (issue 17).
 *
 * - `runs.origin`: `api`, `console`, `cli` (a run through `POST /v1/workflows/{uid}/runs`, told apart by
 *   the `X-Sluice-Origin` header), `parent` (a `workflow:` step's child run), `on_failure`, `local`
 *   (`sluice run` on its own store), or the key of the trigger kind that started it (`schedule`,
 *   `webhook`, `poll`, `connector_webhook`, a custom kind's). Rows from before this migration are
 *   filled where their links tell (`parent`, `on_failure`) and stay `NULL` otherwise.
 * - Indexes for the runs list's filters, so a filtered page reads its rows in order and stops at the
 *   page's end, however many runs the workspace has: (workspace, status), (workspace, origin),
 *   (workspace, workflow), each then newest first. A time range uses `runs_workspace_created` (0001).
 *
 * @internal
 * @module
 */
import type { Kysely } from 'kysely';
import { sql } from '../kysely-runtime.js';

/** Adds the column, fills it where the run's links tell, adds the indexes. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('runs').addColumn('origin', 'text').execute();
  await sql`update runs set origin = 'parent' where parent_run_id is not null`.execute(db);
  await sql`update runs set origin = 'on_failure' where failure_of is not null`.execute(db);
  await db.schema
    .createIndex('runs_workspace_status_created')
    .ifNotExists()
    .on('runs')
    .columns(['workspace_id', 'status', 'created_at', 'id'])
    .execute();
  await db.schema
    .createIndex('runs_workspace_origin_created')
    .ifNotExists()
    .on('runs')
    .columns(['workspace_id', 'origin', 'created_at', 'id'])
    .execute();
  await db.schema
    .createIndex('runs_workspace_workflow_created')
    .ifNotExists()
    .on('runs')
    .columns(['workspace_id', 'workflow_uid', 'created_at', 'id'])
    .execute();
}

/** Drops what `up` made. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('runs_workspace_workflow_created').ifExists().execute();
  await db.schema.dropIndex('runs_workspace_origin_created').ifExists().execute();
  await db.schema.dropIndex('runs_workspace_status_created').ifExists().execute();
  await db.schema.alterTable('runs').dropColumn('origin').execute();
}
