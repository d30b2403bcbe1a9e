/**
 * The migration runner: Kysely's `Migrator` over a static list (the files are bundled, so nothing is
 * read from disk), recorded in `sluice_migrations`. Two processes may start on the same database at
 * once: the run holds the dialect's migration lock (`StoreDialect.withMigrationLock`: `BEGIN IMMEDIATE`
 * on SQLite, a session advisory lock on PostgreSQL).
 *
 * @internal
 * @module
 */
import type { Kysely, Migration } from 'kysely';
import type { Database } from '../database.js';
import type { StoreDialect } from '../dialects/store-dialect.js';
import { Migrator, sql } from '../kysely-runtime.js';
import * as init from './0001-init.js';
import * as runCaller from './0002-run-caller.js';
import * as connectionsTriggers from './0003-connections-triggers.js';
import * as nodes from './0004-nodes.js';
import * as leanRuns from './0005-lean-runs.js';
import * as runLinks from './0006-run-links.js';
import * as attemptExchanges from './0007-attempt-exchanges.js';
import * as runOrigin from './0009-run-origin.js';
import * as leanRunIndexes from './0010-lean-run-indexes.js';
import * as documentFile from './0011-document-file.js';

/** Every migration, by name; names sort in the order they apply. Never edit one that shipped. */
export const MIGRATIONS: Readonly<Record<string, Migration>> = Object.freeze({
  '0001-init': init,
  '0002-run-caller': runCaller,
  '0003-connections-triggers': connectionsTriggers,
  '0004-nodes': nodes,
  '0005-lean-runs': leanRuns,
  '0006-run-links': runLinks,
  '0007-attempt-exchanges': attemptExchanges,
  '0009-run-origin': runOrigin,
  '0010-lean-run-indexes': leanRunIndexes,
  '0011-document-file': documentFile,
});

/** The table that records the applied migrations. */
export const MIGRATION_TABLE = 'sluice_migrations';
const MIGRATION_LOCK_TABLE = 'sluice_migrations_lock';

/**
 * Applies the pending migrations under the dialect's migration lock; resolves the names it applied
 * (none when up to date).
 *
 * @throws whatever the database or the Migrator raises (the store wraps it in `SLUICE_STORE`).
 */
export async function migrateToLatest(db: Kysely<Database>, dialect: StoreDialect): Promise<string[]> {
  if (await isUpToDate(db)) return [];
  return dialect.withMigrationLock(db, runMigrator);
}

/**
 * Whether the migration table lists exactly the migrations this version has: then there is nothing to
 * do, and a store opens with one read instead of the Migrator's lock and introspection (a few hundred
 * ms on PostgreSQL). Anything else (no table yet, migrations pending, or some this version does not
 * know) goes to the Migrator, which applies them or fails as it always did.
 */
async function isUpToDate(db: Kysely<Database>): Promise<boolean> {
  let applied: string[];
  try {
    const { rows } = await sql<{
      name: string;
    }>`select name from ${sql.table(MIGRATION_TABLE)} order by name`.execute(db);
    applied = rows.map((row) => row.name);
  } catch {
    return false;
  }
  const known = Object.keys(MIGRATIONS).sort();
  return applied.length === known.length && applied.every((name, i) => name === known[i]);
}

/** `schema`: where the migration table lives; `undefined` for the connection's default. */
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
