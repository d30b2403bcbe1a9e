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
import type { StoreDialect } from './dialects/store-dialect.js';
import { WriteBatch } from './write-batch.js';

/** A store's database, shared by its domains. */
export class QueryContext {
  readonly dialect: StoreDialect;
  /** For building a query once, outside {@link run} (`compiled-write.ts`); run every query through {@link run}. */
  readonly db: Kysely<Database>;
  readonly #batch: WriteBatch | undefined;
  #closing: Promise<void> | undefined;

  constructor(dialect: StoreDialect, db: Kysely<Database>) {
    this.dialect = dialect;
    this.db = db;
    this.#batch = dialect.supports.groupCommit ? new WriteBatch(db) : undefined;
  }

  /**
   * {@link run} for a write of the hot path (a run's rows): committed with the other writes made at
   * about the same time where the dialect groups commits (`write-batch.ts`), else alone. `body` must
   * not open a transaction of its own; with `several` statements they commit together in every case.
   * Resolves once its commit is done.
   */
  write<T>(
    operation: string,
    body: (db: Kysely<Database>) => Promise<T>,
    statements: 'one' | 'several' = 'one',
  ): Promise<T> {
    const batch = this.#batch;
    if (batch !== undefined) return this.run(operation, () => batch.add(body, statements));
    if (statements === 'one') return this.run(operation, body);
    return this.run(operation, (db) => db.transaction().execute(body));
  }

  /**
   * Runs one operation (`operation` names the call, as errors show it), turning any failure into
   * `SLUICE_STORE` naming the database and the call.
   *
   * @throws {EngineError} `SLUICE_STORE` when the body fails, or the store was closed.
   */
  async run<T>(operation: string, body: (db: Kysely<Database>) => Promise<T>): Promise<T> {
    const { location } = this.dialect;
    if (this.#closing !== undefined) {
      throw new EngineError('SLUICE_STORE', `${location}: ${operation}: the store is closed`, {
        hint: 'open a new store; close() ends it for good',
      });
    }
    try {
      return await body(this.db);
    } catch (err) {
      if (err instanceof EngineError) throw err;
      throw new EngineError('SLUICE_STORE', `${location}: ${operation} failed: ${describe(err)}`, {
        hint: this.#hint(err),
        cause: err,
      });
    }
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
