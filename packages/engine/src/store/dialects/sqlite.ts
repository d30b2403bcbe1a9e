/**
 * The SQLite dialect (better-sqlite3, loaded with `await import()` when a store opens one): the embedded
 * default, one file.
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
import { setTimeout as sleep } from 'node:timers/promises';
import type { SqliteDatabase } from 'kysely';
import { describe } from '../../driver-errors.js';
import { EngineError } from '../../errors.js';
import type { Database } from '../database.js';
import { Kysely, SqliteDialect, sql } from '../kysely-runtime.js';
import { documentFileOf, RunDocumentFile } from '../runs/run-document-file.js';
import { countStatements, type StatementCounts } from '../statement-counts.js';
import { type OpenStoreOptions, STORE_DEFAULTS } from '../store-options.js';
import type { SqlStatement, SyncSql } from '../sync-sql.js';
import { SHARED_OPERATIONS } from './shared-operations.js';
import type { StoreDialect } from './store-dialect.js';

/** How many prepared statements a SQLite store keeps (Kysely's driver would prepare on every query). */
const STATEMENT_CACHE_SIZE = 200;

/** SQLite on `file` (created with its folder), or a private in-memory database for `:memory:`. */
export function sqliteDialect(file: string, options: OpenStoreOptions): StoreDialect {
  const memory = file === ':memory:';
  const location = memory ? file : resolve(file);
  const busyTimeoutMs = options.busyTimeoutMs ?? STORE_DEFAULTS.busyTimeoutMs;
  const synchronous = options.synchronous ?? STORE_DEFAULTS.synchronous;
  const documentFileBytes = options.documentFileBytes ?? STORE_DEFAULTS.documentFileBytes;
  if (!(documentFileBytes >= 0)) {
    throw new EngineError('SLUICE_STORE', `documentFileBytes must be a number of characters, 0 or more`, {
      hint: 'leave it out for the default (262144), or pass Infinity to keep every document in the store',
    });
  }
  return {
    name: 'sqlite',
    location,
    supports: { returning: true, skipLocked: false, groupCommit: true },

    async open(counts) {
      const { default: Sqlite } = await import('better-sqlite3');
      let raw: InstanceType<typeof Sqlite> | undefined;
      try {
        if (!memory) mkdirSync(dirname(location), { recursive: true });
        raw = new Sqlite(location, { timeout: busyTimeoutMs });
        raw.pragma('journal_mode = WAL');
        raw.pragma(`synchronous = ${synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
        raw.pragma('foreign_keys = ON');
      } catch (err) {
        raw?.close();
        throw new EngineError(
          'SLUICE_STORE',
          `cannot open the SQLite database ${location}: ${describe(err)}`,
          {
            hint: 'check that the folder can be created and written, and that the file is a SQLite database',
            cause: err,
          },
        );
      }
      const database = cachingDatabase(raw);
      const dialect = new SqliteDialect({ database });
      return {
        db: new Kysely<Database>({ dialect: countStatements(dialect, counts) }),
        sync: new SqliteSyncSql(raw, database, counts),
      };
    },

    // Holds `BEGIN IMMEDIATE` (the write lock), which also makes the migration atomic: Kysely runs
    // SQLite migrations outside a transaction.
    withMigrationLock: (db, migrate) =>
      db.connection().execute(async (connection) => {
        await beginImmediate(connection, busyTimeoutMs);
        try {
          const result = await migrate(connection, undefined);
          await sql`commit`.execute(connection);
          return result;
        } catch (err) {
          await sql`rollback`.execute(connection).catch(() => undefined);
          throw err;
        }
      }),

    ...SHARED_OPERATIONS,

    ...(memory
      ? {}
      : {
          documentFile: {
            minLength: documentFileBytes,
            open: () => RunDocumentFile.open(documentFileOf(location), { busyTimeoutMs, synchronous }),
          },
        }),

    isUniqueViolation: (err) => /UNIQUE|PRIMARY KEY/i.test(String((err as Error | undefined)?.message)),

    hint(err) {
      const text = describe(err);
      if (/FOREIGN KEY/.test(text)) return 'create the run before its steps and items';
      if (/SQLITE_BUSY|database is locked/.test(text)) {
        return 'another process holds the write lock; raise busyTimeoutMs or stop the other writer';
      }
      return undefined;
    },
  };
}

type Statement = import('better-sqlite3').Statement;

/** A better-sqlite3 database whose statements are prepared once per SQL text. */
interface CachingDatabase extends SqliteDatabase {
  prepare(sql: string): Statement;
}

/** Wraps better-sqlite3 so each distinct SQL text is prepared once (bounded, oldest evicted first). */
function cachingDatabase(raw: import('better-sqlite3').Database): CachingDatabase {
  const cache = new Map<string, Statement>();
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

/** {@link SyncSql} on the store's one better-sqlite3 connection, its statements counted as Kysely's are. */
class SqliteSyncSql implements SyncSql {
  readonly #raw: import('better-sqlite3').Database;
  readonly #database: CachingDatabase;
  readonly #counts: StatementCounts;
  /** better-sqlite3's own `BEGIN`/`COMMIT`/`ROLLBACK` around a body, made once. */
  readonly #transaction: (body: () => unknown) => unknown;
  readonly #dataVersion: Statement;

  constructor(raw: import('better-sqlite3').Database, database: CachingDatabase, counts: StatementCounts) {
    this.#raw = raw;
    this.#database = database;
    this.#counts = counts;
    this.#transaction = raw.transaction((body: () => unknown) => body());
    this.#dataVersion = raw.prepare('pragma data_version').pluck();
  }

  run(statement: SqlStatement): number {
    this.#counts.count(statement.sql, this.#raw.inTransaction);
    return this.#database.prepare(statement.sql).run(statement.parameters as unknown[]).changes;
  }

  transaction<T>(body: () => T): T {
    this.#counts.count('begin', false);
    try {
      const out = this.#transaction(body) as T;
      this.#counts.count('commit', true);
      return out;
    } catch (err) {
      this.#counts.count('rollback', true);
      throw err;
    }
  }

  get inTransaction(): boolean {
    return this.#raw.inTransaction;
  }

  dataVersion(): number {
    this.#counts.count('pragma data_version', this.#raw.inTransaction);
    return this.#dataVersion.get() as number;
  }
}

/**
 * Takes SQLite's write lock, waiting up to `busyTimeoutMs`. better-sqlite3's busy handler blocks the
 * thread, so two stores of one process would wait on each other until the timeout; instead the lock
 * is tried with `busy_timeout = 0` and retried after an asynchronous pause.
 */
async function beginImmediate(connection: Kysely<Database>, busyTimeoutMs: number): Promise<void> {
  const deadline = Date.now() + busyTimeoutMs;
  await sql`pragma busy_timeout = 0`.execute(connection);
  try {
    for (;;) {
      try {
        await sql`begin immediate`.execute(connection);
        return;
      } catch (err) {
        if ((err as { code?: unknown }).code !== 'SQLITE_BUSY' || Date.now() >= deadline) throw err;
        await sleep(10 + Math.random() * 20);
      }
    }
  } finally {
    await sql`pragma busy_timeout = ${sql.raw(String(Math.trunc(busyTimeoutMs)))}`.execute(connection);
  }
}
