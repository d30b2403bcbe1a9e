import Sqlite from 'better-sqlite3';
import { CompiledQuery, Kysely, SqliteDialect } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CompiledWrite } from '../../src/store/compiled-write.js';

interface Db {
  t: { a: string; b: number | null };
}

describe('CompiledWrite', () => {
  let db: Kysely<Db>;
  beforeEach(async () => {
    db = new Kysely<Db>({ dialect: new SqliteDialect({ database: new Sqlite(':memory:') }) });
    await db.schema.createTable('t').addColumn('a', 'text').addColumn('b', 'integer').execute();
  });
  afterEach(async () => {
    await db.destroy();
  });

  const rows = async () => db.selectFrom('t').selectAll().orderBy('a').execute();
  /** Runs the statement `write` gives for `row`. */
  const execute = async <Row extends object>(write: CompiledWrite<Row>, row: Row) => {
    const { sql, parameters } = write.statement(row);
    await db.executeQuery(CompiledQuery.raw(sql, [...parameters]));
  };

  it('reuses the SQL with each row values, in key order', async () => {
    let builds = 0;
    const write = new CompiledWrite<Db['t']>((row) => {
      builds += 1;
      return db.insertInto('t').values(row);
    });
    await execute(write, { a: 'x', b: 1 });
    await execute(write, { a: 'y', b: null });
    await execute(write, { a: 'z', b: 3 });
    expect(builds).toBe(1);
    expect(await rows()).toEqual([
      { a: 'x', b: 1 },
      { a: 'y', b: null },
      { a: 'z', b: 3 },
    ]);
  });

  it('compiles again for rows with other keys', async () => {
    const write = new CompiledWrite<Partial<Db['t']>>((row) => db.insertInto('t').values(row as Db['t']));
    await execute(write, { a: 'x', b: 1 });
    await execute(write, { b: 2, a: 'y' });
    await execute(write, { a: 'z' });
    expect(await rows()).toEqual([
      { a: 'x', b: 1 },
      { a: 'y', b: 2 },
      { a: 'z', b: null },
    ]);
  });

  it('never reuses a query whose parameters are not the row values', async () => {
    let builds = 0;
    const write = new CompiledWrite<Db['t']>((row) => {
      builds += 1;
      return db.insertInto('t').values({ a: row.a.toUpperCase(), b: row.b });
    });
    await execute(write, { a: 'x', b: 1 });
    await execute(write, { a: 'y', b: 2 });
    expect(builds).toBe(2);
    expect(await rows()).toEqual([
      { a: 'X', b: 1 },
      { a: 'Y', b: 2 },
    ]);
  });
});
