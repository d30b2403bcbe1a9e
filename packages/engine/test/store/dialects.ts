/**
 * The databases the store suite runs on, like kysely's `DIALECTS`: SQLite always (a file in a fresh
 * temporary folder per test), PostgreSQL when `SLUICE_TEST_PG_URL` is set (a fresh schema per test,
 * dropped afterwards). Each test gets a {@link TestDatabase} that opens stores on its database, reads
 * it directly, and closes everything in teardown.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type OpenStoreOptions, openStore, type SqlStore } from '@sluice/engine';
import Sqlite from 'better-sqlite3';
import pg from 'pg';
import { afterAll, afterEach, beforeEach, describe } from 'vitest';

/** Set by CI (`.ci/run`); without it the PostgreSQL pass reports as skipped. */
export const PG_URL = process.env.SLUICE_TEST_PG_URL;

/** Runs one statement on the SQLite file `file` through a connection of its own: rows for a read. */
export function querySqliteFile<T>(file: string, text: string, params: unknown[] = []): T[] {
  const raw = new Sqlite(file);
  try {
    const statement = raw.prepare(text);
    if (statement.reader) return statement.all(...params) as T[];
    statement.run(...params);
    return [];
  } finally {
    raw.close();
  }
}

/** One test's database. */
export interface TestDatabase {
  /** Where the store's data lives: the file, or the schema. */
  readonly where: string;
  /** Opens a store on this database (closed in teardown). */
  open(options?: ExtraOptions): Promise<SqlStore>;
  /** Runs SQL on the database directly (`?` placeholders on SQLite, `$1` on PostgreSQL). */
  query<T>(text: string, params?: unknown[]): Promise<T[]>;
  /** The names of the tables and of the indexes in the store's schema. */
  tables(): Promise<string[]>;
  indexes(): Promise<string[]>;
  teardown(): Promise<void>;
}

/** A dialect of the suite. */
export interface Dialect {
  name: 'sqlite' | 'postgres';
  /** True when the dialect cannot run here: `describe.skipIf(skip)`. */
  skip: boolean;
  /**
   * A fresh database. With `reuse`, PostgreSQL may hand out a schema an earlier test of this file used,
   * already migrated and emptied (every table truncated): for tests of the API and the engine, which
   * neither migrate by hand nor change the schema; it saves the migration of a new schema per test.
   */
  setup(options?: { reuse?: boolean }): Promise<TestDatabase>;
}

type ExtraOptions = Omit<OpenStoreOptions, 'url' | 'file' | 'schema'>;

function tracked(openOne: (extra: ExtraOptions) => Promise<SqlStore>) {
  const stores: SqlStore[] = [];
  return {
    open: async (extra: ExtraOptions = {}) => {
      const store = await openOne(extra);
      stores.push(store);
      return store;
    },
    closeAll: () => Promise.all(stores.map((s) => s.close())),
  };
}

const sqlite: Dialect = {
  name: 'sqlite',
  skip: false,
  async setup() {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-store-'));
    const file = join(dir, 'data', 'sluice.db');
    const stores = tracked((extra) => openStore({ ...extra, file }));
    const query = async <T>(text: string, params: unknown[] = []): Promise<T[]> =>
      querySqliteFile<T>(file, text, params);
    const names = async (type: string) =>
      (
        await query<{ name: string }>(
          "select name from sqlite_master where type = ? and name not like 'sqlite_%' order by name",
          [type],
        )
      ).map((r) => r.name);
    return {
      where: file,
      open: stores.open,
      query,
      tables: () => names('table'),
      indexes: () => names('index'),
      async teardown() {
        await stores.closeAll();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};

/**
 * Migrated PostgreSQL schemas free for `setup({ reuse: true })`, emptied; dropped by
 * {@link dropReusedSchemas}, which the suites that reuse schemas run in `afterAll`.
 */
const reusable: string[] = [];
const createdForReuse: string[] = [];

/**
 * Drops the schemas `setup({ reuse: true })` created. A suite that reuses schemas registers it in its own
 * `afterAll` (see `useApiHarness`): this module is shared by the files that run one after another in a
 * worker (`isolate: false`), so a hook at its top level would belong to the first of them only.
 */
export async function dropReusedSchemas(): Promise<void> {
  if (createdForReuse.length === 0) return;
  const admin = new pg.Pool({ connectionString: PG_URL as string, max: 1 });
  try {
    for (const schema of createdForReuse.splice(0))
      await admin.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    reusable.length = 0;
    await admin.end();
  }
}

const postgres: Dialect = {
  name: 'postgres',
  skip: PG_URL === undefined,
  async setup(options = {}) {
    const url = PG_URL as string;
    const reuse = options.reuse === true;
    const schema =
      (reuse ? reusable.pop() : undefined) ??
      `sluice_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
    if (reuse && !createdForReuse.includes(schema)) createdForReuse.push(schema);
    const admin = new pg.Pool({ connectionString: url, max: 2 });
    const stores = tracked((extra) => openStore({ ...extra, url, schema }));
    const query = async <T>(text: string, params: unknown[] = []): Promise<T[]> => {
      const client = await admin.connect();
      try {
        await client.query(`set search_path to "${schema}"`);
        return (await client.query(text, params)).rows as T[];
      } finally {
        client.release();
      }
    };
    const tables = async () =>
      (
        await query<{ name: string }>(
          'select table_name as name from information_schema.tables where table_schema = $1 order by 1',
          [schema],
        )
      ).map((r) => r.name);
    return {
      where: schema,
      open: stores.open,
      query,
      tables,
      indexes: async () =>
        (
          await query<{ name: string }>(
            'select indexname as name from pg_indexes where schemaname = $1 order by 1',
            [schema],
          )
        ).map((r) => r.name),
      async teardown() {
        await stores.closeAll();
        try {
          if (reuse) {
            // Emptied for the next test, its migrations kept: the next store to open finds it migrated.
            const emptied = (await tables()).filter((name) => !name.startsWith('sluice_migrations'));
            if (emptied.length > 0) {
              await admin.query(
                `truncate ${emptied.map((name) => `"${schema}"."${name}"`).join(', ')} restart identity cascade`,
              );
            }
            reusable.push(schema);
          } else {
            await admin.query(`drop schema if exists "${schema}" cascade`);
          }
        } finally {
          await admin.end();
        }
      },
    };
  },
};

/** Every dialect, SQLite first. */
export const DIALECTS: readonly Dialect[] = [sqlite, postgres];

/** What a test of {@link describeEachDialect} works on; fresh for each test. */
export interface DialectContext {
  dialect: Dialect;
  db: TestDatabase;
  /** A store opened on `db`. */
  store: SqlStore;
}

/**
 * Declares the suite once per dialect, `describe.skipIf` on the ones that cannot run here, with a fresh
 * database and store per test (torn down afterwards). With `reuse` (for suites that neither migrate by
 * hand nor change the schema), a PostgreSQL test may get a schema an earlier test of the suite emptied.
 */
export function describeEachDialect(
  title: string,
  ...args:
    | [body: (t: DialectContext) => void]
    | [options: { reuse?: boolean }, body: (t: DialectContext) => void]
): void {
  const [options, body] = args.length === 1 ? [{}, args[0]] : args;
  for (const dialect of DIALECTS) {
    describe.skipIf(dialect.skip)(`${title} on ${dialect.name}`, () => {
      const t = { dialect } as DialectContext;
      if (options.reuse === true) afterAll(dropReusedSchemas);
      beforeEach(async () => {
        t.db = await dialect.setup(options);
        t.store = await t.db.open();
      });
      afterEach(async () => {
        await t.db.teardown();
      });
      body(t);
    });
  }
}
