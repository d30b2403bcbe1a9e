/**
 * The upsert of the dialects that speak `INSERT ... ON CONFLICT (key) DO UPDATE SET ... WHERE ...` and
 * `RETURNING`: SQLite (3.35+) and PostgreSQL. `insert ... on conflict do update`, never `replace`, which
 * would delete the row and insert it again.
 *
 * @internal
 * @module
 */
import type { ExpressionBuilder, Insertable, Kysely, Selectable } from 'kysely';
import type { Database } from '../database.js';
import type { StoreColumn, StoreTable, UpsertQuery, UpsertRefs, UpsertSpec } from './store-dialect.js';

/** `insert into <table> ... on conflict (<key>) do update set ... [where ...]`. */
export function onConflictUpsert<T extends StoreTable>(
  db: Kysely<Database>,
  table: T,
  row: Insertable<Database[T]>,
  spec: UpsertSpec<T>,
): UpsertQuery<T> {
  // Kysely cannot type a query over a table named by a type parameter: the spec is typed instead.
  // biome-ignore lint/suspicious/noExplicitAny: see above
  const untyped = db as unknown as Kysely<any>;
  // biome-ignore lint/suspicious/noExplicitAny: see above
  const refs = (eb: ExpressionBuilder<any, any>): UpsertRefs<T> => ({
    eb: eb as ExpressionBuilder<Database, T>,
    inserted: (column: StoreColumn<T>) => eb.ref(`excluded.${column}`),
    existing: (column: StoreColumn<T>) => eb.ref(`${table}.${column}`),
  });
  const query = untyped
    .insertInto(table as string)
    .values(row)
    .onConflict((oc) => {
      const update = oc.columns([...spec.key]).doUpdateSet((eb) => ({
        ...Object.fromEntries((spec.replace ?? []).map((column) => [column, eb.ref(`excluded.${column}`)])),
        ...spec.set?.(refs(eb)),
      }));
      const where = spec.where;
      return where === undefined ? update : update.where((eb) => where(refs(eb)));
    });
  return {
    compile: () => query.compile(),
    execute: async () => {
      await query.execute();
    },
    executeReturningRow: async () =>
      (await query.returningAll().executeTakeFirst()) as Selectable<Database[T]> | undefined,
  };
}
