/**
 * Opening the store: {@link openStore} and the {@link SqlStore} it returns. The dialect, the database
 * and the domains over it are in `sql-store.ts`, loaded when a store opens. Every dialect shares the
 * schema (`migrations/0001-init.ts`), the row codecs and the domain queries; see `docs/store.md`.
 *
 * @module
 */
import type { SqlStore } from './sql-store.js';
import type { OpenStoreOptions } from './store-options.js';

export type { SqlStore } from './sql-store.js';

export type { OpenStoreOptions } from './store-options.js';
export { STORE_DEFAULTS } from './store-options.js';

/**
 * Opens the store: a SQLite file (WAL, `busy_timeout`, foreign keys on), or a PostgreSQL pool when
 * `url` is given. Applies pending migrations unless `migrate: false`.
 *
 * @example
 * ```ts
 * await using store = await openStore({ file: '.sluice/sluice.db' });
 * await store.runs.createRun({ id, workflow_name: wf.name, workflow: wf, input: {}, created_at: new Date().toISOString() });
 * ```
 * @throws {EngineError} `SLUICE_STORE` when the options clash, or the database cannot be opened,
 *   reached or migrated; the message names the file, or the URL with its password masked.
 */
export async function openStore(options: OpenStoreOptions = {}): Promise<SqlStore> {
  // Kysely, the drivers and the queries load here, not with the package: `sluice run` without `--db`
  // imports the engine and never opens a SQL store.
  const { openSqlStore } = await import('./sql-store.js');
  return openSqlStore(options);
}
