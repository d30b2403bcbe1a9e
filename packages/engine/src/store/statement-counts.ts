/**
 * How many SQL statements a store has sent, by kind: what `GET /metrics` reports as
 * `sluice_store_statements_total` and what `bench/service` divides by the runs it made. Counted where
 * every statement passes, the connection of Kysely's driver ({@link countStatements}), so the hot
 * writes that skip the query builder (`compiled-write.ts`) and the `begin`/`commit` of transactions
 * count too.
 *
 * @module
 */
import type { DatabaseConnection, Dialect, Driver, TransactionSettings } from 'kysely';

/** Statements sent so far, by kind. */
export interface StatementTotals {
  /** `select` (and `with ... select`). */
  reads: number;
  /** `insert`, `update`, `delete`. */
  writes: number;
  /** `begin` (`start transaction`): each explicit transaction (a write outside one is a transaction of its own). */
  transactions: number;
  /** Anything else: `commit`, `rollback`, `pragma`, `set`, DDL. */
  other: number;
  /**
   * Transactions committed: each `commit`, and each write outside an explicit transaction (a
   * transaction of its own). Not a kind of statement: what the group commit shares among writes.
   */
  commits: number;
}

/** The running totals of one store. */
export class StatementCounts {
  readonly #totals: StatementTotals = { reads: 0, writes: 0, transactions: 0, other: 0, commits: 0 };
  /** The kind of each SQL text seen (the texts are few: the store's queries). */
  readonly #kinds = new Map<string, Exclude<keyof StatementTotals, 'commits'>>();

  /**
   * Counts one statement of `sql`, sent inside an explicit transaction or not (`inTransaction`), and
   * the commit it makes: a `commit`, or a write outside a transaction.
   */
  count(sql: string, inTransaction: boolean): Exclude<keyof StatementTotals, 'commits'> {
    let kind = this.#kinds.get(sql);
    if (kind === undefined) {
      kind = kindOf(sql);
      if (this.#kinds.size < 1000) this.#kinds.set(sql, kind);
    }
    this.#totals[kind] += 1;
    if (kind === 'writes' ? !inTransaction : kind === 'other' && COMMIT.test(sql)) this.#totals.commits += 1;
    return kind;
  }

  /** A copy of the totals. */
  totals(): StatementTotals {
    return { ...this.#totals };
  }
}

const COMMIT = /^\s*(?:commit|end)\b/i;
const ENDS_TRANSACTION = /^\s*(?:commit|end|rollback)\b(?!\s+to\b)/i;

function kindOf(sql: string): Exclude<keyof StatementTotals, 'commits'> {
  const word = /^\s*(\w+)/.exec(sql)?.[1]?.toLowerCase();
  if (word === 'select' || word === 'with' || word === 'values') return 'reads';
  if (word === 'insert' || word === 'update' || word === 'delete' || word === 'replace') return 'writes';
  if (word === 'begin' || word === 'start') return 'transactions';
  return 'other';
}

/** `dialect`, with every statement its connections execute counted in `counts`. */
export function countStatements(dialect: Dialect, counts: StatementCounts): Dialect {
  return {
    createAdapter: () => dialect.createAdapter(),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createIntrospector: (db) => dialect.createIntrospector(db),
    createDriver: () => new CountingDriver(dialect.createDriver(), counts),
  };
}

/** A driver whose connections count what they execute; everything else is the inner driver's. */
class CountingDriver implements Driver {
  readonly #inner: Driver;
  readonly #counts: StatementCounts;
  readonly #wrapped = new WeakMap<DatabaseConnection, DatabaseConnection>();
  readonly #unwrapped = new WeakMap<DatabaseConnection, DatabaseConnection>();

  constructor(inner: Driver, counts: StatementCounts) {
    this.#inner = inner;
    this.#counts = counts;
  }

  init(): Promise<void> {
    return this.#inner.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const connection = await this.#inner.acquireConnection();
    let wrapped = this.#wrapped.get(connection);
    if (wrapped === undefined) {
      const counts = this.#counts;
      // Whether this connection is inside an explicit transaction: Kysely sends `begin` and `commit`
      // (or `rollback`) through it, so its statements tell.
      let open = false;
      const count = (text: string) => {
        const kind = counts.count(text, open);
        if (kind === 'transactions') open = true;
        else if (kind === 'other' && ENDS_TRANSACTION.test(text)) open = false;
      };
      wrapped = {
        executeQuery(query) {
          count(query.sql);
          return connection.executeQuery(query);
        },
        streamQuery(query, chunkSize) {
          count(query.sql);
          return connection.streamQuery(query, chunkSize);
        },
      };
      this.#wrapped.set(connection, wrapped);
      this.#unwrapped.set(wrapped, connection);
    }
    return wrapped;
  }

  // The inner driver sends `begin`/`commit` through the connection it is given: the wrapped one, so
  // they are counted; `release` gets the driver's own connection back.
  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return this.#inner.beginTransaction(connection, settings);
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return this.#inner.commitTransaction(connection);
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return this.#inner.rollbackTransaction(connection);
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.#inner.releaseConnection(this.#unwrapped.get(connection) ?? connection);
  }

  destroy(): Promise<void> {
    return this.#inner.destroy();
  }
}
