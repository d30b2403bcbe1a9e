/**
 * The dialect operations SQLite and PostgreSQL write alike: the `ON CONFLICT` upsert
 * (`on-conflict-upsert.ts`), inline `(values ...)` tables, `|| ''` to keep the planner off an index, and
 * aggregates read as numbers. Each of their dialects spreads {@link SHARED_OPERATIONS} and adds its own.
 *
 * @internal
 * @module
 */
import { sql } from '../kysely-runtime.js';
import { onConflictUpsert } from './on-conflict-upsert.js';
import type { StoreDialect } from './store-dialect.js';

/** `upsert`, `valueList` and `readCount` of SQLite and PostgreSQL. */
export const SHARED_OPERATIONS: Pick<StoreDialect, 'upsert' | 'valueList' | 'readCount'> = Object.freeze({
  upsert: onConflictUpsert,

  // `(values ...)` names its column `column1`.
  valueList: (values: readonly string[], alias: string) => ({
    table: sql`(values ${sql.join(values.map((value) => sql`(${value})`))}) ${sql.id(alias)}`,
    column: sql<string>`${sql.ref(`${alias}.column1`)}`,
  }),

  // SQLite returns a number; pg returns count(*) (a bigint) and sum() (a numeric) as text.
  readCount: (value: number | string | bigint | null) => Number(value ?? 0),
});
