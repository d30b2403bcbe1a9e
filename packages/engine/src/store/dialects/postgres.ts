/**
 * The PostgreSQL dialect (a pg pool, loaded with `await import()` when a store opens one). Every
 * connection of the pool runs `set search_path to "<schema>"`, so the tables live in the store's
 * schema and nothing is created elsewhere.
 *
 * @internal
 * @module
 */
import { silentLogger } from '@sluice/sdk';
import { describe, maskUrl } from '../../driver-errors.js';
import { EngineError } from '../../errors.js';
import type { Database } from '../database.js';
import { CompiledQuery, Kysely, PostgresDialect, sql } from '../kysely-runtime.js';
import { countStatements } from '../statement-counts.js';
import { type OpenStoreOptions, STORE_DEFAULTS } from '../store-options.js';
import { SHARED_OPERATIONS } from './shared-operations.js';
import type { StoreDialect } from './store-dialect.js';

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** An arbitrary constant key for `pg_advisory_lock` ("sluice" in ASCII). */
const MIGRATION_LOCK_KEY = 0x736c75696365;

/**
 * PostgreSQL at `url`, its tables in `options.schema`.
 *
 * @throws {EngineError} `SLUICE_STORE` when the schema name is not a plain identifier.
 */
export function postgresDialect(url: string, options: OpenStoreOptions): StoreDialect {
  const schema = options.schema ?? STORE_DEFAULTS.schema;
  if (!SCHEMA_NAME.test(schema)) {
    throw new EngineError('SLUICE_STORE', `invalid PostgreSQL schema name ${JSON.stringify(schema)}`, {
      hint: 'use letters, digits and underscores, not starting with a digit (at most 63)',
    });
  }
  const location = maskUrl(url);
  const logger = options.logger ?? silentLogger;
  return {
    name: 'postgres',
    location,
    supports: { returning: true, skipLocked: true, groupCommit: false },

    async open(counts) {
      const { Pool } = await import('pg');
      const pool = new Pool({
        connectionString: url,
        max: options.poolSize ?? STORE_DEFAULTS.poolSize,
        connectionTimeoutMillis: options.connectTimeoutMs ?? STORE_DEFAULTS.connectTimeoutMs,
        application_name: 'sluice',
      });
      // An idle client that loses its server emits on the pool; without a listener that kills the process.
      pool.on('error', (err) =>
        logger.warn({ err, database: location }, 'idle PostgreSQL connection failed'),
      );
      // A client checked out of the pool has no pool listener: a server lost mid-query would emit an
      // unhandled 'error' and kill the process. The query itself rejects; the engine logs the outage.
      pool.on('connect', (client) => {
        client.on('error', () => {});
      });
      const searchPath = CompiledQuery.raw(`set search_path to "${schema}"`);
      const dialect = new PostgresDialect({
        pool,
        onCreateConnection: async (connection) => {
          await connection.executeQuery(searchPath);
        },
      });
      const db = new Kysely<Database>({ dialect: countStatements(dialect, counts) });
      try {
        await sql`select 1`.execute(db);
      } catch (err) {
        await db.destroy().catch(() => undefined);
        throw new EngineError(
          'SLUICE_STORE',
          `cannot connect to PostgreSQL at ${location}: ${describe(err)}`,
          {
            hint: 'check the URL (postgres://user:password@host:port/database), that the server runs and accepts the user',
            cause: err,
          },
        );
      }
      return { db };
    },

    // A session advisory lock, held around the schema's creation and Kysely's own (transactional) run.
    withMigrationLock: (db, migrate) =>
      db.connection().execute(async (connection) => {
        await sql`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`.execute(connection);
        try {
          const found = await sql<{
            one: number;
          }>`select 1 as one from pg_namespace where nspname = ${schema}`.execute(connection);
          if (found.rows.length === 0) await sql`create schema ${sql.id(schema)}`.execute(connection);
          // The schema is required: without it Kysely finds its table in any schema of the database.
          return await migrateDespiteDroppedSchemas(() => migrate(connection, schema), schema);
        } finally {
          await sql`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`.execute(connection);
        }
      }),

    ...SHARED_OPERATIONS,

    isUniqueViolation: (err) =>
      (err as { code?: unknown } | undefined)?.code === '23505' ||
      /duplicate key/i.test(String((err as Error | undefined)?.message)),

    hint: (err) =>
      /foreign key/.test(describe(err)) ? 'create the run before its steps and items' : undefined,
  };
}

/** How often a migration is tried again when another schema vanished under its introspection. */
const DROPPED_SCHEMA_RETRIES = 5;

/**
 * Runs `migrate`, again when it failed only because ANOTHER schema of the database was dropped while
 * Kysely's introspector read the catalog (it lists every table of the database): `3F000 schema "x" does
 * not exist` or `42P01 relation "x.t" does not exist`, naming a schema that is not `schema`, or `42703
 * column "c" of relation "t" does not exist` raised inside `pg_get_serial_sequence` (the introspector's
 * catalog read; our own DDL never calls it), which names no schema. Databases shared by many tenants or
 * test runs drop schemas at any time.
 */
async function migrateDespiteDroppedSchemas<T>(migrate: () => Promise<T>, schema: string): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await migrate();
    } catch (err) {
      const { code, message, routine } = (err ?? {}) as {
        code?: unknown;
        message?: unknown;
        routine?: unknown;
      };
      const vanished =
        code === '3F000' || code === '42P01' || (code === '42703' && routine === 'pg_get_serial_sequence');
      const ours = String(message).includes(`"${schema}"`) || String(message).includes(`"${schema}.`);
      const elsewhere = vanished && !ours;
      if (!elsewhere || attempt >= DROPPED_SCHEMA_RETRIES) throw err;
    }
  }
}
