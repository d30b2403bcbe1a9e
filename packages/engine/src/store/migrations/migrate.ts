/**
 * The migration runner: Kysely's `Migrator` over a static list (the files are bundled, so nothing is
 * read from disk), recorded in `sluice_migrations`. Two processes may start on the same database at
 * once: on SQLite the run holds `BEGIN IMMEDIATE` (the write lock, which also makes the migration
 * atomic, since Kysely runs SQLite migrations outside a transaction), and on PostgreSQL a session
 * advisory lock held around the schema creation and Kysely's own (transactional) run.
 *
 * @internal
 * @module
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Kysely, Migration } from 'kysely';
import type { Database } from '../database.js';
import { Migrator, sql } from '../kysely-runtime.js';
import * as init from './0001-init.js';
import * as runCaller from './0002-run-caller.js';
import * as connectionsTriggers from './0003-connections-triggers.js';
import * as nodes from './0004-nodes.js';

/** Every migration, by name; names sort in the order they apply. Never edit one that shipped. */
export const MIGRATIONS: Readonly<Record<string, Migration>> = Object.freeze({
  '0001-init': init,
  '0002-run-caller': runCaller,
  '0003-connections-triggers': connectionsTriggers,
  '0004-nodes': nodes,
});

/** The table that records the applied migrations. */
export const MIGRATION_TABLE = 'sluice_migrations';
const MIGRATION_LOCK_TABLE = 'sluice_migrations_lock';
/** An arbitrary constant key for `pg_advisory_lock` ("sluice" in ASCII). */
const PG_LOCK_KEY = 0x736c75696365;

/** Where the migrations run. */
export type MigrationTarget =
  | { dialect: 'sqlite'; busyTimeoutMs: number }
  | { dialect: 'postgres'; schema: string };

/**
 * Applies the pending migrations; resolves the names it applied (none when up to date).
 *
 * @throws whatever the database or the Migrator raises (the store wraps it in `SLUICE_STORE`).
 */
export async function migrateToLatest(db: Kysely<Database>, target: MigrationTarget): Promise<string[]> {
  return db.connection().execute(async (conn) => {
    if (target.dialect === 'sqlite') {
      await beginImmediate(conn, target.busyTimeoutMs);
      try {
        const applied = await runMigrator(conn, undefined);
        await sql`commit`.execute(conn);
        return applied;
      } catch (err) {
        await sql`rollback`.execute(conn).catch(() => undefined);
        throw err;
      }
    }
    await sql`select pg_advisory_lock(${PG_LOCK_KEY})`.execute(conn);
    try {
      const found = await sql<{
        one: number;
      }>`select 1 as one from pg_namespace where nspname = ${target.schema}`.execute(conn);
      if (found.rows.length === 0) await sql`create schema ${sql.id(target.schema)}`.execute(conn);
      return await runMigrator(conn, target.schema);
    } finally {
      await sql`select pg_advisory_unlock(${PG_LOCK_KEY})`.execute(conn);
    }
  });
}

/**
 * Takes SQLite's write lock, waiting up to `busyTimeoutMs`. better-sqlite3's busy handler blocks the
 * thread, so two stores of one process would wait on each other until the timeout; instead the lock
 * is tried with `busy_timeout = 0` and retried after an asynchronous pause.
 */
async function beginImmediate(conn: Kysely<Database>, busyTimeoutMs: number): Promise<void> {
  const deadline = Date.now() + busyTimeoutMs;
  await sql`pragma busy_timeout = 0`.execute(conn);
  try {
    for (;;) {
      try {
        await sql`begin immediate`.execute(conn);
        return;
      } catch (err) {
        if ((err as { code?: unknown }).code !== 'SQLITE_BUSY' || Date.now() >= deadline) throw err;
        await sleep(10 + Math.random() * 20);
      }
    }
  } finally {
    await sql`pragma busy_timeout = ${sql.raw(String(Math.trunc(busyTimeoutMs)))}`.execute(conn);
  }
}

/** `schema` is required on PostgreSQL: without it Kysely finds its table in any schema of the database. */
async function runMigrator(db: Kysely<Database>, schema: string | undefined): Promise<string[]> {
  const migrator = new Migrator({
    db,
    ...(schema === undefined ? {} : { migrationTableSchema: schema }),
    provider: { getMigrations: async () => MIGRATIONS },
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: MIGRATION_LOCK_TABLE,
  });
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error !== undefined) throw error;
  return results.filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
