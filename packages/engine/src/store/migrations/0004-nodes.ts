/**
 * Migration 0004: the `nodes` table (issue 6). Every engine process (an API node, a worker, or both)
 * writes one row when it starts, renews `heartbeat_at` every few seconds with how many runs it executes,
 * and deletes the row when it closes; `sluice status` reads the table. A row whose heartbeat is old
 * belongs to a process that died without closing: it shows as dead, and is pruned after a while.
 *
 * @internal
 * @module
 */
import type { Kysely } from 'kysely';

/** Creates the table and its index. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('nodes')
    .ifNotExists()
    // The engine's lease owner name (`<host>:<pid>:<random>`), so leases and nodes join on it.
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('host', 'text', (c) => c.notNull())
    .addColumn('pid', 'integer', (c) => c.notNull())
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('heartbeat_at', 'text', (c) => c.notNull())
    .addColumn('concurrency', 'integer', (c) => c.notNull())
    .addColumn('executing', 'integer', (c) => c.notNull().defaultTo(0))
    // How often it heartbeats: `sluice status` calls a node dead after three missed beats.
    .addColumn('heartbeat_ms', 'integer', (c) => c.notNull())
    .addColumn('version', 'text', (c) => c.notNull())
    .execute();
  // Pruning deletes rows by heartbeat age.
  await db.schema.createIndex('nodes_heartbeat').ifNotExists().on('nodes').column('heartbeat_at').execute();
}

/** Drops what `up` made. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('nodes_heartbeat').ifExists().execute();
  await db.schema.dropTable('nodes').ifExists().execute();
}
