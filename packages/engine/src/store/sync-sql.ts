/**
 * SQL run at once, without a promise: SQLite through better-sqlite3, which is synchronous anyway. The
 * group commit (`write-batch.ts`) runs a batch's statements through it in one `BEGIN ... COMMIT`, so a
 * run's hot writes pay SQLite's work and nothing of Kysely's executor, connection mutex and promise
 * chain per statement (issue 14). Only the dialect that has it offers one (`StoreDialect.open`).
 *
 * It shares the one connection with Kysely, whose SQLite driver serializes its queries with a mutex
 * held across `await`s: a caller must not start while {@link SyncSql.inTransaction} (a Kysely
 * transaction is open between two of its statements); a transaction of its own is synchronous.
 *
 * @internal
 * @module
 */

/** A statement and its parameters, compiled already (a Kysely `CompiledQuery` is one). */
export interface SqlStatement {
  readonly sql: string;
  readonly parameters: readonly unknown[];
}

/** One connection's statements, run synchronously. Every statement is counted like Kysely's. */
export interface SyncSql {
  /** Runs a statement that returns no rows; returns how many rows it changed. */
  run(statement: SqlStatement): number;
  /** Runs `body` between `BEGIN` and `COMMIT`, rolled back when it (or the commit) throws. */
  transaction<T>(body: () => T): T;
  /** Whether a transaction is open on the connection (SQLite's autocommit is off). */
  readonly inTransaction: boolean;
  /**
   * SQLite's `PRAGMA data_version`: the same number as long as no other connection committed to the
   * database (this connection's own commits do not change it). Lets a cache of rows this connection
   * writes itself stay valid until another process writes.
   */
  dataVersion(): number;
}
