/**
 * Migration 0003: what the service's connections and triggers need (issue 5).
 *
 * - `connections`: a connector's connection values per workspace and name, sealed by the vault
 *   (AES-256-GCM) before they reach the store, so the table never holds a secret in clear;
 * - `trigger_states` gains the columns the trigger loop and `GET /v1/workflows/{uid}/trigger` read:
 *   `workspace_id`, `enabled`, `last_polled_at`, `last_error` and `events_seen`;
 * - `runs_claimable`: unfinished runs by lease expiry, for the sweeper that takes over abandoned runs;
 * - `runs.sealed_input`, `run_steps.sealed_output`, `run_step_items.sealed_output`: the unredacted
 *   value, sealed by the vault, where redaction changed it (`NULL` otherwise), so a resumed run gets
 *   its secrets back (`secrets/run-values.ts`).
 *
 * @internal
 * @module
 */
import type { Kysely, SqlBool } from 'kysely';
import { sql } from '../kysely-runtime.js';

/** Creates the table, adds the columns and the index. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('connections')
    .ifNotExists()
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('connector', 'text', (c) => c.notNull())
    .addColumn('sealed_values', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('connections_pk', ['workspace_id', 'name'])
    .execute();

  const triggers = () => db.schema.alterTable('trigger_states');
  await triggers()
    .addColumn('workspace_id', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
  await triggers()
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  await triggers().addColumn('last_polled_at', 'text').execute();
  await triggers().addColumn('last_error', 'text').execute();
  await triggers()
    .addColumn('events_seen', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createIndex('trigger_states_workspace')
    .ifNotExists()
    .on('trigger_states')
    .columns(['workspace_id', 'workflow_uid'])
    .execute();

  await db.schema
    .createIndex('runs_claimable')
    .ifNotExists()
    .on('runs')
    .columns(['lease_expires_at', 'created_at'])
    .where(sql<SqlBool>`status in ('pending', 'running')`)
    .execute();

  await db.schema.alterTable('runs').addColumn('sealed_input', 'text').execute();
  await db.schema.alterTable('run_steps').addColumn('sealed_output', 'text').execute();
  await db.schema.alterTable('run_step_items').addColumn('sealed_output', 'text').execute();
}

/** Drops what `up` made. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('run_step_items').dropColumn('sealed_output').execute();
  await db.schema.alterTable('run_steps').dropColumn('sealed_output').execute();
  await db.schema.alterTable('runs').dropColumn('sealed_input').execute();
  await db.schema.dropIndex('runs_claimable').ifExists().execute();
  await db.schema.dropIndex('trigger_states_workspace').ifExists().execute();
  for (const column of ['events_seen', 'last_error', 'last_polled_at', 'enabled', 'workspace_id']) {
    await db.schema.alterTable('trigger_states').dropColumn(column).execute();
  }
  await db.schema.dropTable('connections').ifExists().execute();
}
