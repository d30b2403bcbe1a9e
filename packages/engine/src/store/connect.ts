/**
 * Opening a Kysely instance on SQLite (better-sqlite3) or PostgreSQL (pg), each driver loaded with
 * `await import()` so a process loads only the one it uses.
 *
 * SQLite runs in WAL mode with `synchronous=NORMAL` by default. In WAL mode that is safe against
 * corruption and against a process crash (`kill -9`): a commit is in the WAL file, in the OS page
 * cache, when it returns. Only a power loss or an OS crash can drop the last commits before the next
 * checkpoint, and then the database is still consistent, back at an earlier commit, from which the
 * engine re-runs the lost step items with the same `Idempotency-Key`. `synchronous: 'full'` syncs the
 * WAL on every commit instead, at a large cost per write.
 *
 * @internal
 * @module
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Logger } from '@sluice/sdk';
import type { SqliteDatabase } from 'kysely';
import { EngineError } from '../errors.js';
import type { Database } from './database.js';
import { CompiledQuery, Kysely, PostgresDialect, SqliteDialect, sql } from './kysely-runtime.js';

/** An open database: the Kysely instance, its dialect and how errors name it. */
export interface Connection {
  db: Kysely<Database>;
  dialect: 'sqlite' | 'postgres';
  /** The absolute file, `:memory:`, or the URL with its password masked. */
  location: string;
  /** The PostgreSQL schema; `undefined` on SQLite. */
  schema: string | undefined;
  /** SQLite's busy timeout; `undefined` on PostgreSQL. */
  busyTimeoutMs: number | undefined;
}

/** SQLite settings. */
export interface SqliteSettings {
  busyTimeoutMs: number;
  synchronous: 'normal' | 'full';
}

/** PostgreSQL settings. */
export interface PostgresSettings {
  schema: string;
  poolSize: number;
  connectTimeoutMs: number;
  logger: Logger;
}

/** How many prepared statements a SQLite store keeps (Kysely's driver would prepare on every query). */
const STATEMENT_CACHE_SIZE = 200;

/** Opens (and creates, with its folder) a SQLite file, or an in-memory database for `:memory:`. */
export async function connectSqlite(file: string, settings: SqliteSettings): Promise<Connection> {
  const memory = file === ':memory:';
  const location = memory ? file : resolve(file);
  const { default: Sqlite } = await import('better-sqlite3');
  let raw: InstanceType<typeof Sqlite> | undefined;
  try {
    if (!memory) mkdirSync(dirname(location), { recursive: true });
    raw = new Sqlite(location, { timeout: settings.busyTimeoutMs });
    raw.pragma('journal_mode = WAL');
    raw.pragma(`synchronous = ${settings.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    raw.pragma('foreign_keys = ON');
  } catch (err) {
    raw?.close();
    throw new EngineError('SLUICE_STORE', `cannot open the SQLite database ${location}: ${describe(err)}`, {
      hint: 'check that the folder can be created and written, and that the file is a SQLite database',
      cause: err,
    });
  }
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: cachingDatabase(raw) }) });
  return { db, dialect: 'sqlite', location, schema: undefined, busyTimeoutMs: settings.busyTimeoutMs };
}

/** Wraps better-sqlite3 so each distinct SQL text is prepared once (bounded, oldest evicted first). */
function cachingDatabase(raw: import('better-sqlite3').Database): SqliteDatabase {
  const cache = new Map<string, import('better-sqlite3').Statement>();
  return {
    close: () => raw.close(),
    prepare(text) {
      let statement = cache.get(text);
      if (statement === undefined) {
        statement = raw.prepare(text);
        if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
        cache.set(text, statement);
      }
      return statement;
    },
  };
}

/** Connects a pool to PostgreSQL with `search_path` set to the schema, and checks that it answers. */
export async function connectPostgres(url: string, settings: PostgresSettings): Promise<Connection> {
  const location = maskUrl(url);
  const { Pool } = await import('pg');
  const pool = new Pool({
    connectionString: url,
    max: settings.poolSize,
    connectionTimeoutMillis: settings.connectTimeoutMs,
    application_name: 'sluice',
  });
  // An idle client that loses its server emits on the pool; without a listener that kills the process.
  pool.on('error', (err) =>
    settings.logger.warn({ err, database: location }, 'idle PostgreSQL connection failed'),
  );
  // A client checked out of the pool has no pool listener: a server lost mid-query would emit an
  // unhandled 'error' and kill the process. The query itself rejects; the engine logs the outage.
  pool.on('connect', (client) => {
    client.on('error', () => {});
  });
  const searchPath = CompiledQuery.raw(`set search_path to "${settings.schema}"`);
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({
      pool,
      onCreateConnection: async (connection) => {
        await connection.executeQuery(searchPath);
      },
    }),
  });
  try {
    await sql`select 1`.execute(db);
  } catch (err) {
    await db.destroy().catch(() => undefined);
    throw new EngineError('SLUICE_STORE', `cannot connect to PostgreSQL at ${location}: ${describe(err)}`, {
      hint: 'check the URL (postgres://user:password@host:port/database), that the server runs and accepts the user',
      cause: err,
    });
  }
  return { db, dialect: 'postgres', location, schema: settings.schema, busyTimeoutMs: undefined };
}

/**
 * The URL with its password replaced by `***`, in the user-info part and in a `password=` query
 * parameter; nothing else is changed.
 */
export function maskUrl(url: string): string {
  return url
    .replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/?#@]*:)[^/?#]*@/i, '$1***@')
    .replace(/([?&]password=)[^&#]*/gi, '$1***');
}

/** A driver error's message, or its code (Node's `AggregateError` for a refused connect has none). */
export function describe(err: unknown): string {
  if (err instanceof AggregateError && err.message === '') {
    return err.errors.map(describe).join('; ') || 'unknown error';
  }
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return err.message || (typeof code === 'string' ? code : err.name);
  }
  return String(err);
}
