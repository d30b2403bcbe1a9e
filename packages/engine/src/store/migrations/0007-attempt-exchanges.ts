/**
 * Migration 0007: what an attempt sent and received (issue 15, "Inspection").
 *
 * - `run_steps.exchanges` and `run_step_items.exchanges`: the HTTP exchanges of the row's attempts
 *   (request and response, redacted, bodies cut at 64 KiB), as JSON by attempt, written with the row in
 *   the same statement. Pruning sets them to `NULL`; a partial index on each keeps the rows that still
 *   hold some easy to find.
 * - `workspace_settings`: per-workspace settings, one row per workspace that changed a default;
 *   `attempt_retention_days` (default 7 when there is no row; 0: exchanges are not recorded).
 *
 * @internal
 * @module
 */
import type { Kysely } from 'kysely';
import { sql } from '../kysely-runtime.js';

/** Adds the columns, their indexes and the table. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('run_steps').addColumn('exchanges', 'text').execute();
  await db.schema.alterTable('run_step_items').addColumn('exchanges', 'text').execute();
  for (const table of ['run_steps', 'run_step_items']) {
    await db.schema
      .createIndex(`${table}_exchanges`)
      .ifNotExists()
      .on(table)
      .column('run_id')
      .where(sql.ref('exchanges'), 'is not', null)
      .execute();
  }
  await db.schema
    .createTable('workspace_settings')
    .ifNotExists()
    .addColumn('workspace_id', 'text', (c) => c.primaryKey())
    .addColumn('attempt_retention_days', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .execute();
}

/** Drops what `up` made. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('workspace_settings').ifExists().execute();
  for (const table of ['run_steps', 'run_step_items']) {
    await db.schema.dropIndex(`${table}_exchanges`).ifExists().execute();
    await db.schema.alterTable(table).dropColumn('exchanges').execute();
  }
}
