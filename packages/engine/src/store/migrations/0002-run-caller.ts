/**
 * Migration 0002: `runs.started_by`, the caller who started a run through the API (`{id, email,
 * workspace_id, role}` as JSON text), so a run resumed after a restart renders `USER` as it started.
 *
 * @internal
 * @module
 */
import type { Kysely } from 'kysely';

/** Adds the column. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('runs').addColumn('started_by', 'text').execute();
}

/** Drops it. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('runs').dropColumn('started_by').execute();
}
