/**
 * The store on a SQL database: the dialect the options name, the database, and the object of domains
 * over it. A `url` names its dialect by its scheme ({@link DIALECTS}, the one registration of a
 * dialect); without a `url` the store is SQLite on `file`. Loaded by `openStore` when a store opens.
 *
 * @internal
 * @module
 */
import { EngineError } from '../errors.js';
import { ApiKeyQueries } from './api-keys/api-key-queries.js';
import { ConnectionQueries } from './connections/connection-queries.js';
import { postgresDialect } from './dialects/postgres.js';
import { sqliteDialect } from './dialects/sqlite.js';
import type { OpenDatabase, StoreDialect } from './dialects/store-dialect.js';
import { LeaseQueries } from './leases/lease-queries.js';
import { migrateToLatest } from './migrations/migrate.js';
import { NodeQueries } from './nodes/node-queries.js';
import { QueryContext } from './query-context.js';
import { RunLinkQueries } from './run-links/run-link-queries.js';
import type { RunDocumentFile } from './runs/run-document-file.js';
import { RunQueries } from './runs/run-queries.js';
import type { ServiceStore } from './service-store.js';
import { SettingsQueries } from './settings/settings-queries.js';
import { StatementCounts, type StatementTotals } from './statement-counts.js';
import { type OpenStoreOptions, STORE_DEFAULTS } from './store-options.js';
import { TriggerQueries } from './triggers/trigger-queries.js';
import { WorkflowQueries } from './workflows/workflow-queries.js';

/** The store on a SQL database, as `openStore` returns it: its domains, and the database's life. */
export interface SqlStore extends ServiceStore, AsyncDisposable {
  /** Which database this is: `sqlite` or `postgres`. */
  readonly dialect: string;
  /** The absolute SQLite file (or `:memory:`), or the PostgreSQL URL with its password masked. */
  readonly location: string;
  /** The SQL statements sent so far, by kind (`sluice_store_statements_total` of `GET /metrics`). */
  statements(): StatementTotals;
  /** Creates or upgrades the tables; safe to call on every start. */
  migrate(): Promise<void>;
  /** Closes the database. Idempotent; every later call of a domain fails with `SLUICE_STORE`. */
  close(): Promise<void>;
  /** Same as {@link SqlStore.close}. */
  [Symbol.asyncDispose](): Promise<void>;
}

/** The dialect of each URL scheme, in the order errors list them. SQLite takes `file`, not a URL. */
const DIALECTS: ReadonlyMap<string, (url: string, options: OpenStoreOptions) => StoreDialect> = new Map([
  ['postgres', postgresDialect],
  ['postgresql', postgresDialect],
]);

/**
 * How old a document of the document file must be before the store, opening, removes it for having no
 * run: younger ones may belong to a run another process is committing right now.
 */
const ORPHAN_GRACE_MS = 10 * 60_000;

/** Opens the store `options` name and migrates it (see `openStore`). */
export async function openSqlStore(options: OpenStoreOptions): Promise<SqlStore> {
  const dialect = dialectOf(options);
  const counts = new StatementCounts();
  const documents = await dialect.documentFile?.open();
  const store = new KyselyStore(dialect, await dialect.open(counts), counts, documents);
  try {
    if (options.migrate ?? STORE_DEFAULTS.migrate) await store.migrate();
    // Documents a crash left without their run (stored, then the run row never committed).
    if (documents !== undefined) await store.runs.sweepDocuments(Date.now() - ORPHAN_GRACE_MS);
  } catch (err) {
    await store.close();
    throw err;
  }
  return store;
}

/** The dialect `options` name, checking that they do not clash. */
function dialectOf(options: OpenStoreOptions): StoreDialect {
  if (options.url !== undefined && options.file !== undefined) {
    throw new EngineError('SLUICE_STORE', 'the store takes a PostgreSQL url or a SQLite file, not both', {
      hint: 'pass one of --database and --db',
    });
  }
  if (options.url === undefined) return sqliteDialect(options.file ?? STORE_DEFAULTS.file, options);
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(options.url)?.[1]?.toLowerCase();
  const dialect = scheme === undefined ? undefined : DIALECTS.get(scheme);
  if (dialect === undefined) {
    const schemes = [...DIALECTS.keys()].map((name) => `${name}://`).join(' or ');
    throw new EngineError('SLUICE_STORE', `the database URL must start with ${schemes}`, {
      hint: 'for SQLite, pass a file path instead of a URL',
    });
  }
  return dialect(options.url, options);
}

/** The store behind {@link openStore}: one query object per domain, sharing one database. */
class KyselyStore implements SqlStore {
  readonly dialect: string;
  readonly location: string;
  readonly runs: RunQueries;
  readonly workflows: WorkflowQueries;
  readonly apiKeys: ApiKeyQueries;
  readonly connections: ConnectionQueries;
  readonly triggers: TriggerQueries;
  readonly nodes: NodeQueries;
  readonly leases: LeaseQueries;
  readonly runLinks: RunLinkQueries;
  readonly settings: SettingsQueries;
  readonly #context: QueryContext;
  readonly #counts: StatementCounts;
  readonly #documents: RunDocumentFile | undefined;

  constructor(
    dialect: StoreDialect,
    database: OpenDatabase,
    counts: StatementCounts,
    documents: RunDocumentFile | undefined,
  ) {
    this.#counts = counts;
    this.#documents = documents;
    const context = new QueryContext(dialect, database);
    this.#context = context;
    this.dialect = dialect.name;
    this.location = dialect.location;
    const runDocuments =
      documents === undefined
        ? undefined
        : { file: documents, minLength: dialect.documentFile?.minLength ?? 0 };
    this.runs = new RunQueries(context, runDocuments);
    this.workflows = new WorkflowQueries(context);
    this.apiKeys = new ApiKeyQueries(context);
    this.connections = new ConnectionQueries(context);
    this.triggers = new TriggerQueries(context, runDocuments);
    this.nodes = new NodeQueries(context);
    this.leases = new LeaseQueries(context);
    this.runLinks = new RunLinkQueries(context);
    this.settings = new SettingsQueries(context);
  }

  statements(): StatementTotals {
    return this.#counts.totals();
  }

  async migrate(): Promise<void> {
    await this.#context.run('migrate', (db) => migrateToLatest(db, this.#context.dialect));
  }

  async close(): Promise<void> {
    try {
      await this.#context.close();
    } finally {
      await this.#documents?.close();
    }
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
