/**
 * Migration 0001: every table of the store, the same DDL on SQLite and PostgreSQL. Column types are
 * `text` and `integer` only (JSON and ISO times as text, booleans as 0/1), see `../database.ts` for why.
 *
 * Indexes serve the queries of the engine service (issue 5):
 * - `runs_unfinished` (partial, `status in ('pending', 'running')`, on `resume_at`): runs to resume,
 *   due stored waits and expired leases; small, because finished runs leave it;
 * - `runs_workflow_created` and `runs_workflow_status_created`: `GET /v1/runs?workflow=&status=`
 *   paginated by (`created_at`, `id`), newest first;
 * - `runs_workspace_created`: a workspace's runs, paginated the same way;
 * - `workflows_workspace` and `workflows_scope`: a workspace's workflows plus the global ones;
 * - `trigger_states_next_at`, `leases_expires_at`: due triggers and expired leases.
 *
 * Steps and items reference their run with `on delete cascade`; items reference the run rather than
 * the step, so an item row can be committed before its step row.
 *
 * @internal
 * @module
 */
import type { Kysely, RawBuilder, SqlBool } from 'kysely';
import { sql } from '../kysely-runtime.js';

const UNFINISHED = sql<SqlBool>`status in ('pending', 'running')`;

/** Creates the tables and indexes. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('runs')
    .ifNotExists()
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workflow_uid', 'text')
    .addColumn('workflow_version', 'integer')
    .addColumn('workflow_name', 'text', (c) => c.notNull())
    .addColumn('workspace_id', 'text')
    .addColumn('workflow', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('input', 'text')
    .addColumn('error', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text')
    .addColumn('finished_at', 'text')
    .addColumn('lease_owner', 'text')
    .addColumn('lease_expires_at', 'text')
    .addColumn('resume_at', 'text')
    .execute();
  await index(db, 'runs_unfinished', 'runs', ['status', 'resume_at'], UNFINISHED);
  await index(db, 'runs_workflow_created', 'runs', ['workflow_uid', 'created_at', 'id']);
  await index(db, 'runs_workflow_status_created', 'runs', ['workflow_uid', 'status', 'created_at', 'id']);
  await index(db, 'runs_workspace_created', 'runs', ['workspace_id', 'created_at', 'id']);

  await db.schema
    .createTable('run_steps')
    .ifNotExists()
    .addColumn('run_id', 'text', (c) => c.notNull())
    .addColumn('step_index', 'integer', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('fanned_out', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('input', 'text')
    .addColumn('output', 'text')
    .addColumn('error', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('started_at', 'text')
    .addColumn('finished_at', 'text')
    .addPrimaryKeyConstraint('run_steps_pk', ['run_id', 'step_index'])
    .addForeignKeyConstraint('run_steps_run_fk', ['run_id'], 'runs', ['id'], (fk) => fk.onDelete('cascade'))
    .execute();

  await db.schema
    .createTable('run_step_items')
    .ifNotExists()
    .addColumn('run_id', 'text', (c) => c.notNull())
    .addColumn('step_index', 'integer', (c) => c.notNull())
    .addColumn('item_index', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('input', 'text')
    .addColumn('output', 'text')
    .addColumn('error', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('history', 'text', (c) => c.notNull())
    .addColumn('idempotency_key', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text')
    .addColumn('finished_at', 'text')
    .addPrimaryKeyConstraint('run_step_items_pk', ['run_id', 'step_index', 'item_index'])
    .addForeignKeyConstraint('run_step_items_run_fk', ['run_id'], 'runs', ['id'], (fk) =>
      fk.onDelete('cascade'),
    )
    .execute();

  await db.schema
    .createTable('workflows')
    .ifNotExists()
    .addColumn('uid', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('document', 'text', (c) => c.notNull())
    .addColumn('created', 'text', (c) => c.notNull())
    .addColumn('updated', 'text', (c) => c.notNull())
    .addColumn('deleted', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('workflows_pk', ['uid', 'version'])
    .execute();
  await index(db, 'workflows_workspace', 'workflows', ['workspace_id', 'uid']);
  await index(db, 'workflows_scope', 'workflows', ['scope', 'uid']);

  await db.schema
    .createTable('api_keys')
    .ifNotExists()
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('key_hash', 'text', (c) => c.notNull().unique())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'text')
    .execute();
  await index(db, 'api_keys_workspace', 'api_keys', ['workspace_id']);

  await db.schema
    .createTable('trigger_states')
    .ifNotExists()
    .addColumn('workflow_uid', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('state', 'text')
    .addColumn('revision', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_at', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await index(db, 'trigger_states_next_at', 'trigger_states', ['next_at']);

  await db.schema
    .createTable('leases')
    .ifNotExists()
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('acquired_at', 'text', (c) => c.notNull())
    .execute();
  await index(db, 'leases_expires_at', 'leases', ['expires_at']);
}

/** Drops every table (items and steps before runs). */
export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'leases',
    'trigger_states',
    'api_keys',
    'workflows',
    'run_step_items',
    'run_steps',
    'runs',
  ]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}

async function index(
  db: Kysely<unknown>,
  name: string,
  table: string,
  columns: string[],
  where?: RawBuilder<SqlBool>,
): Promise<void> {
  let builder = db.schema.createIndex(name).ifNotExists().on(table).columns(columns);
  if (where !== undefined) builder = builder.where(where);
  await builder.execute();
}
