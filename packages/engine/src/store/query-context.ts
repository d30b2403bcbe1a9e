/**
 * What every domain's queries share: the open database, its dialect, and {@link QueryContext.run},
 * which makes each store method one operation that fails as `SLUICE_STORE` naming the database and the
 * call. One per store; `close()` ends it for every domain at once.
 *
 * @internal
 * @module
 */
import type { Kysely } from 'kysely';
import { describe } from '../driver-errors.js';
import { EngineError } from '../errors.js';
import { StoreValueError } from './codec.js';
import type { Database } from './database.js';
import type { OpenDatabase, StoreDialect } from './dialects/store-dialect.js';
import { CompiledQuery } from './kysely-runtime.js';
import type { SqlStatement, SyncSql } from './sync-sql.js';
import { WriteBatch } from './write-batch.js';

/** A store's database, shared by its domains. */
export class QueryContext {
  readonly dialect: StoreDialect;
  /** For building a query once, outside {@link run} (`compiled-write.ts`); run every query through {@link run}. */
  readonly db: Kysely<Database>;
  /** The connection's synchronous statements, where the driver has them (SQLite; `sync-sql.ts`). */
  readonly sync: SyncSql | undefined;
  readonly #batch: WriteBatch | undefined;
  #closing: Promise<void> | undefined;

  constructor(dialect: StoreDialect, database: OpenDatabase) {
    this.dialect = dialect;
    this.db = database.db;
    this.sync = database.sync;
    const idle = () => database.db.connection().execute(async () => undefined);
    this.#batch =
      dialect.supports.groupCommit && database.sync !== undefined
        ? new WriteBatch(database.sync, idle)
        : undefined;
  }

  /**
   * {@link run} for a write of the hot path (a run's rows), its statements compiled already: they
   * commit together, with the other writes made at about the same time where the dialect groups
   * commits (`write-batch.ts`), else in a transaction of their own (none for a single statement).
   * Resolves the rows each statement changed, once committed.
   */
  write(operation: string, statements: readonly SqlStatement[]): Promise<number[]> {
    if (statements.length === 0) return this.run(operation, async () => []);
    const batch = this.#batch;
    // The hot path: the batch's own promise, failing as `run` would (no wrapper per write).
    if (batch !== undefined) {
      if (this.#closing !== undefined) return Promise.reject(this.#closed(operation));
      return batch.add(statements, (err) => this.#failure(operation, err));
    }
    const [only] = statements;
    if (only !== undefined && statements.length === 1) {
      return this.run(operation, async (db) => [await execute(db, only)]);
    }
    return this.run(operation, (db) =>
      db.transaction().execute(async (trx) => {
        const changes: number[] = [];
        for (const statement of statements) changes.push(await execute(trx, statement));
        return changes;
      }),
    );
  }

  /**
   * Runs one operation (`operation` names the call, as errors show it), turning any failure into
   * `SLUICE_STORE` naming the database and the call.
   *
   * @throws {EngineError} `SLUICE_STORE` when the body fails, or the store was closed.
   */
  async run<T>(operation: string, body: (db: Kysely<Database>) => Promise<T>): Promise<T> {
    if (this.#closing !== undefined) throw this.#closed(operation);
    try {
      return await body(this.db);
    } catch (err) {
      throw this.#failure(operation, err);
    }
  }

  #closed(operation: string): EngineError {
    return new EngineError('SLUICE_STORE', `${this.dialect.location}: ${operation}: the store is closed`, {
      hint: 'open a new store; close() ends it for good',
    });
  }

  /** What `operation` fails with when its body failed with `err`. */
  #failure(operation: string, err: unknown): EngineError {
    if (err instanceof EngineError) return err;
    return new EngineError(
      'SLUICE_STORE',
      `${this.dialect.location}: ${operation} failed: ${describe(err)}`,
      {
        hint: this.#hint(err),
        cause: err,
      },
    );
  }

  /** Closes the database once the writes in flight are committed. Idempotent; later {@link run} calls fail. */
  close(): Promise<void> {
    this.#closing ??= (this.#batch?.drain() ?? Promise.resolve()).then(() => this.db.destroy());
    return this.#closing;
  }

  #hint(err: unknown): string {
    if (err instanceof StoreValueError) return 'the executor passed a value the store cannot hold';
    if (/corrupted migrations/.test(describe(err))) {
      return 'the database was migrated by a newer Sluice; upgrade, or use another database';
    }
    return this.dialect.hint(err) ?? 'check that the database is reachable and writable';
  }
}

/** Runs `statement` through Kysely; resolves the rows it changed. */
async function execute(db: Kysely<Database>, statement: SqlStatement): Promise<number> {
  const result = await db.executeQuery(CompiledQuery.raw(statement.sql, [...statement.parameters]));
  return Number(result.numAffectedRows ?? 0n);
}
