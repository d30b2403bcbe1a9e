/**
 * `openStore` options and failures, and what is particular to each dialect: SQLite's pragmas and
 * files, PostgreSQL's schema and URL masking.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore } from '@sluice/engine';
import Sqlite from 'better-sqlite3';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { maskUrl } from '../../src/driver-errors.js';
import { PG_URL } from './dialects.js';
import { newRun, storeError } from './fixtures.js';

describe('openStore on a SQLite file', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sluice-open-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates the folder and the file, in WAL mode', async () => {
    const file = join(dir, 'a', 'b', 'sluice.db');
    const store = await openStore({ file });
    await store.runs.createRun(newRun('r1'));
    expect(store.dialect).toBe('sqlite');
    expect(store.location).toBe(file);
    expect(existsSync(`${file}-wal`)).toBe(true);
    await store.close();
    const raw = new Sqlite(file, { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    raw.close();
  });

  it('opens an up-to-date file with one read of its migrations: no lock, no Migrator', async () => {
    const file = join(dir, 'twice.db');
    const first = await openStore({ file });
    const fresh = first.statements();
    await first.close();
    const again = await openStore({ file });
    const opened = again.statements();
    await again.close();
    // The first open takes the migration lock (BEGIN IMMEDIATE) and migrates; the second only reads.
    expect(fresh.transactions).toBeGreaterThan(0);
    expect([opened.transactions, opened.writes, opened.reads]).toEqual([0, 0, 1]);
  });

  it('opens with migrate: false without creating tables', async () => {
    const file = join(dir, 'bare.db');
    const store = await openStore({ file, migrate: false });
    await storeError(store.runs.getRun('r1'));
    await store.migrate();
    expect(await store.runs.getRun('r1')).toBeUndefined();
    await store.close();
  });

  it('names the file when its folder cannot be created', async () => {
    writeFileSync(join(dir, 'blocker'), 'a file, not a folder');
    const file = join(dir, 'blocker', 'sub', 'sluice.db');
    const err = await storeError(openStore({ file }));
    expect(err.message).toContain(`cannot open the SQLite database ${file}`);
    expect(err.hint).toMatch(/folder/);
  });

  it('names the file when it is not a database', async () => {
    const file = join(dir, 'notes.txt');
    writeFileSync(file, 'x'.repeat(4096));
    const err = await storeError(openStore({ file }));
    expect(err.message).toContain(file);
    expect(err.message).toMatch(/not a database/);
  });

  it('keeps :memory: databases private to their store', async () => {
    const a = await openStore({ file: ':memory:' });
    const b = await openStore();
    await a.runs.createRun(newRun('r1'));
    expect([a.location, b.location]).toEqual([':memory:', ':memory:']);
    expect(await b.runs.getRun('r1')).toBeUndefined();
    await Promise.all([a.close(), b.close()]);
  });
});

describe('openStore options', () => {
  it('refuses a url and a file together', async () => {
    const err = await storeError(openStore({ url: 'postgres://localhost/x', file: 'x.db' }));
    expect(err.message).toMatch(/not both/);
  });

  it('refuses a URL that is not PostgreSQL', async () => {
    const err = await storeError(openStore({ url: 'mysql://root:pw@localhost/x' }));
    expect(err.message).toMatch(/postgres:\/\//);
    expect(err.message).not.toContain('pw');
  });

  it('refuses a schema name that is not a plain identifier', async () => {
    const err = await storeError(
      openStore({ url: 'postgres://localhost/x', schema: 'a"; drop table runs; --' }),
    );
    expect(err.message).toMatch(/invalid PostgreSQL schema name/);
  });
});

describe('openStore on an unreachable PostgreSQL', () => {
  it('names the URL with its password masked', async () => {
    const err = await storeError(openStore({ url: 'postgres://postgres:secret@127.0.0.1:1/x' }));
    expect(err.message).toContain('cannot connect to PostgreSQL at postgres://postgres:***@127.0.0.1:1/x');
    expect(err.message).not.toContain('secret');
    expect(err.message).toMatch(/ECONNREFUSED/);
  });
});

describe('maskUrl', () => {
  it.each([
    ['postgres://postgres:secret@127.0.0.1:1/x', 'postgres://postgres:***@127.0.0.1:1/x'],
    ['postgresql://u:p%40ss@h/db?sslmode=require', 'postgresql://u:***@h/db?sslmode=require'],
    ['postgres://u@h/db?password=secret&ssl=1', 'postgres://u@h/db?password=***&ssl=1'],
    ['postgres://h/db', 'postgres://h/db'],
  ])('masks %s', (url, masked) => {
    expect(maskUrl(url)).toBe(masked);
  });
});

describe.skipIf(PG_URL === undefined)('openStore on PostgreSQL', () => {
  const schema = `sluice_open_${process.pid}`;
  let admin: pg.Pool;
  beforeEach(() => {
    admin = new pg.Pool({ connectionString: PG_URL });
  });
  afterEach(async () => {
    await admin.query(`drop schema if exists "${schema}" cascade`);
    await admin.end();
  });

  it('creates its schema and keeps every table in it', async () => {
    const store = await openStore({ url: PG_URL, schema });
    expect([store.dialect, store.location]).toEqual(['postgres', PG_URL]);
    await store.runs.createRun(newRun('r1'));
    const { rows } = await admin.query<{ table_schema: string }>(
      "select distinct table_schema from information_schema.tables where table_name in ('runs', 'sluice_migrations') and table_schema = $1",
      [schema],
    );
    expect(rows).toEqual([{ table_schema: schema }]);
    const runs = await admin.query(`select id from "${schema}".runs`);
    expect(runs.rows).toEqual([{ id: 'r1' }]);
    await store.close();
    await store.close();
  });
});

describe('openStore on a SQLite file shared by processes', () => {
  it('lets two processes migrate a fresh file and write to it at once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-procs-'));
    const file = join(dir, 'shared.db');
    const child = fileURLToPath(new URL('./store-child.ts', import.meta.url));
    const run = (id: string) =>
      new Promise<number | null>((done, fail) => {
        const proc = spawn(
          process.execPath,
          ['--conditions=development', '--import', 'tsx', child, file, id, '300'],
          { stdio: ['ignore', 'inherit', 'inherit'] },
        );
        proc.on('error', fail);
        proc.on('exit', done);
      });
    try {
      expect(await Promise.all([run('a'), run('b')])).toEqual([0, 0]);
      const store = await openStore({ file });
      expect(await store.runs.listStepItems('a')).toHaveLength(300);
      expect(await store.runs.listStepItems('b')).toHaveLength(300);
      await store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
