/**
 * The options of `openStore` and opening the connection they describe: a SQLite file, or a
 * PostgreSQL pool when `url` is given.
 *
 * @module
 */
import { type Logger, silentLogger } from '@sluice/sdk';
import { EngineError } from '../errors.js';
import { type Connection, connectPostgres, connectSqlite } from './connect.js';

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
  poolSize: 10,
  connectTimeoutMs: 10_000,
} as const);

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** Opens the connection `options` describe, checking that they do not clash. */
export async function openConnection(options: OpenStoreOptions): Promise<Connection> {
  if (options.url !== undefined && options.file !== undefined) {
    throw new EngineError('SLUICE_STORE', 'the store takes a PostgreSQL url or a SQLite file, not both', {
      hint: 'pass one of --database and --db',
    });
  }
  if (options.url === undefined) {
    return connectSqlite(options.file ?? STORE_DEFAULTS.file, {
      busyTimeoutMs: options.busyTimeoutMs ?? STORE_DEFAULTS.busyTimeoutMs,
      synchronous: options.synchronous ?? STORE_DEFAULTS.synchronous,
    });
  }
  if (!/^postgres(ql)?:\/\//i.test(options.url)) {
    throw new EngineError('SLUICE_STORE', 'the database URL must start with postgres:// or postgresql://', {
      hint: 'for SQLite, pass a file path instead of a URL',
    });
  }
  const schema = options.schema ?? STORE_DEFAULTS.schema;
  if (!SCHEMA_NAME.test(schema)) {
    throw new EngineError('SLUICE_STORE', `invalid PostgreSQL schema name ${JSON.stringify(schema)}`, {
      hint: 'use letters, digits and underscores, not starting with a digit (at most 63)',
    });
  }
  return connectPostgres(options.url, {
    schema,
    poolSize: options.poolSize ?? STORE_DEFAULTS.poolSize,
    connectTimeoutMs: options.connectTimeoutMs ?? STORE_DEFAULTS.connectTimeoutMs,
    logger: options.logger ?? silentLogger,
  });
}
