/**
 * The seam between the store's queries and a database, after Kysely's `Dialect` and `DialectAdapter`:
 * everything whose SQL or driver behaviour differs from one database to another. The domain queries
 * (`runs/run-queries.ts`, `triggers/trigger-queries.ts`, ...) write only Kysely that every dialect
 * accepts and call the dialect for the rest; `open-store.ts` picks the dialect by the URL's scheme.
 * `sqlite.ts` and `postgres.ts` implement it.
 *
 * Nothing here differs in how values are stored: every dialect stores JSON and times as `text` and
 * booleans as `integer` 0/1 (`database.ts`, `docs/store.md`), so the row codecs are shared.
 *
 * @internal
 * @module
 */
import type {
  Compilable,
  Expression,
  ExpressionBuilder,
  Insertable,
  Kysely,
  RawBuilder,
  Selectable,
  SqlBool,
} from 'kysely';
import type { Database } from '../database.js';
import type { RunDocumentFile } from '../runs/run-document-file.js';
import type { StatementCounts } from '../statement-counts.js';
import type { SyncSql } from '../sync-sql.js';

/** A table of the store. */
export type StoreTable = keyof Database;

/** A column of table `T`. */
export type StoreColumn<T extends StoreTable> = keyof Database[T] & string;

/**
 * What a database can do beyond the SQL every dialect shares (Kysely: `DialectAdapter.supportsReturning`). A
 * query that needs one of these checks it first; the dialect's own operations ({@link StoreDialect.upsert})
 * use what their database has.
 */
export interface DialectSupport {
  /** `INSERT`/`UPDATE ... RETURNING` (SQLite 3.35+ and PostgreSQL; not MySQL). */
  readonly returning: boolean;
  /** `SELECT ... FOR UPDATE SKIP LOCKED` (PostgreSQL; not SQLite, where a writer locks the whole file). */
  readonly skipLocked: boolean;
  /**
   * Several callers' writes committed in one transaction (`write-batch.ts`): SQLite, one writer, so a
   * batch cannot deadlock; not PostgreSQL, where a batch would hold other runs' row locks.
   */
  readonly groupCommit: boolean;
}

/** What the update of an upsert can refer to. */
export interface UpsertRefs<T extends StoreTable> {
  /** For other expressions: arithmetic, `case`, `and`/`or`. */
  readonly eb: ExpressionBuilder<Database, T>;
  /** The value the insert brought for `column` (`excluded.<column>` where `ON CONFLICT` is spoken). */
  inserted(column: StoreColumn<T>): Expression<unknown>;
  /** The conflicting row's `column`, as it was before the update. */
  existing(column: StoreColumn<T>): Expression<unknown>;
}

/** How an upsert treats a row whose key already exists. */
export interface UpsertSpec<T extends StoreTable> {
  /** The columns of the primary key the conflict is on. */
  key: readonly StoreColumn<T>[];
  /** Columns the existing row takes from the inserted one, in this order. */
  replace?: readonly StoreColumn<T>[];
  /** Further columns of the existing row, set after `replace`, in the order the object lists them. */
  set?: (refs: UpsertRefs<T>) => Partial<Record<StoreColumn<T>, Expression<unknown>>>;
  /** The existing row is updated only when this holds; otherwise the statement writes nothing. */
  where?: (refs: UpsertRefs<T>) => Expression<SqlBool>;
}

/** An upsert ready to run; compilable, so a hot write can keep its SQL (`compiled-write.ts`). */
export interface UpsertQuery<T extends StoreTable> extends Compilable {
  /** Runs it. */
  execute(): Promise<void>;
  /** Runs it; resolves the row as written, or `undefined` when `where` left the existing row alone. */
  executeReturningRow(): Promise<Selectable<Database[T]> | undefined>;
}

/** An inline table of text values, one per row (`(values (?), (?)) as u`), and its one column. */
export interface ValueList {
  readonly table: RawBuilder<unknown>;
  readonly column: RawBuilder<string>;
}

/** An open database: Kysely over it, and its synchronous statements where the driver has them. */
export interface OpenDatabase {
  readonly db: Kysely<Database>;
  /** SQLite's: the group commit and the workflow cache use it (`sync-sql.ts`). */
  readonly sync?: SyncSql;
}

/** One database the store can live in. Each dialect file exports a function that builds one. */
export interface StoreDialect {
  /** What `SqlStore.dialect` reports: `sqlite`, `postgres`. */
  readonly name: string;
  /** How errors name the database: the absolute file, `:memory:`, or the URL with its password masked. */
  readonly location: string;
  readonly supports: DialectSupport;
  /**
   * Opens the database and checks that it answers; every statement it sends is counted in `counts`
   * (`countStatements` around the Kysely dialect).
   *
   * @throws {EngineError} `SLUICE_STORE` naming {@link location} when it cannot.
   */
  open(counts: StatementCounts): Promise<OpenDatabase>;
  /**
   * Runs `migrate` on one connection while holding the database's migration lock, so processes that
   * start on one database at once migrate it one after the other. `schema` is where the migration
   * table lives (`undefined`: the connection's default).
   */
  withMigrationLock<R>(
    db: Kysely<Database>,
    migrate: (connection: Kysely<Database>, schema: string | undefined) => Promise<R>,
  ): Promise<R>;
  /** Inserts `row` into `table`, or updates the row with the same key as `spec` says. */
  upsert<T extends StoreTable>(
    db: Kysely<Database>,
    table: T,
    row: Insertable<Database[T]>,
    spec: UpsertSpec<T>,
  ): UpsertQuery<T>;
  /** `values` as an inline table named `alias`. */
  valueList(values: readonly string[], alias: string): ValueList;
  /** An aggregate (`count(*)`, `sum()`) as the driver returns it, as a number. */
  readCount(value: number | string | bigint | null): number;
  /**
   * Where the dialect keeps runs' large documents apart from the database (SQLite on a file:
   * `runs/run-document-file.ts`); absent where they stay in `run_documents`.
   */
  readonly documentFile?: {
    /** Documents longer than this (JSON characters) go to the file. */
    readonly minLength: number;
    open(): Promise<RunDocumentFile>;
  };
  /** Whether `err` is the database refusing a duplicate key. */
  isUniqueViolation(err: unknown): boolean;
  /** The fix to suggest for a failure particular to this database, if it knows one. */
  hint(err: unknown): string | undefined;
}
