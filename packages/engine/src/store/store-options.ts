/**
 * The options of `openStore` and their defaults. Each dialect reads the ones it uses
 * (`dialects/sqlite.ts`, `dialects/postgres.ts`).
 *
 * @module
 */
import type { Logger } from '@sluice/sdk';

/** Where the store lives and how it behaves. Give `url` or `file`, not both. */
export interface OpenStoreOptions {
  /** A PostgreSQL URL, `postgres://user:password@host:port/database` (or `postgresql://`). */
  url?: string;
  /** A SQLite file; its folder is created. `:memory:` is a private in-memory database. @default ':memory:' */
  file?: string;
  /** PostgreSQL only: the schema the tables live in, created if missing. @default 'public' */
  schema?: string;
  /** Whether `openStore` applies pending migrations (`migrate()` is always safe to call again). @default true */
  migrate?: boolean;
  /** SQLite only: how long a write waits for another process's write lock, in ms. @default 5000 */
  busyTimeoutMs?: number;
  /** SQLite only: `normal` (safe in WAL mode, see `docs/store.md`) or `full` (an fsync per commit). @default 'normal' */
  synchronous?: 'normal' | 'full';
  /**
   * SQLite on a file only: a run whose pinned workflow, input and sealed input (as JSON) are together
   * longer than this many characters keeps them in a database file of its own beside the store's
   * (`<file>-documents`, 64 KB pages), where writing 5 MB costs a few milliseconds instead of the
   * store's WAL and checkpoints. Below 16 KB it acts as 16 KB (smaller documents stay in the run row).
   * `Infinity` keeps every new document in the store's database.
   * @default 262144
   */
  documentFileBytes?: number;
  /** PostgreSQL only: the most connections the pool opens. @default 10 */
  poolSize?: number;
  /** PostgreSQL only: how long to wait for a connection, in ms. @default 10000 */
  connectTimeoutMs?: number;
  /** Receives a warning when an idle PostgreSQL connection fails. @default silentLogger */
  logger?: Logger;
}

/** The defaults of {@link OpenStoreOptions}. */
export const STORE_DEFAULTS = Object.freeze({
  file: ':memory:',
  schema: 'public',
  migrate: true,
  busyTimeoutMs: 5000,
  synchronous: 'normal',
  documentFileBytes: 262_144,
  poolSize: 10,
  connectTimeoutMs: 10_000,
} as const);
