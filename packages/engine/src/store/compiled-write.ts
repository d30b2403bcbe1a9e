/**
 * A write built with Kysely once and then reused: the store's hot writes (`saveStepItem`, `saveStep`,
 * `createRun`) always insert the same columns in the same order, so the SQL text never changes and
 * only the parameters do. Building and compiling the query each time costs more than SQLite takes to
 * run it; this keeps the typed Kysely builder as the source of the SQL and skips the rebuild.
 *
 * The first call compiles the query and checks that its parameters are exactly the row's values in
 * key order; only then is the SQL kept. Otherwise every call compiles (correct, just slower).
 *
 * @internal
 * @module
 */
import type { Compilable } from 'kysely';
import type { SqlStatement } from './sync-sql.js';

/** A cached write of rows of one shape. */
export class CompiledWrite<Row extends object> {
  readonly #build: (row: Row) => Compilable;
  #sql: string | undefined;
  #keys: readonly string[] | undefined;
  #reusable = true;

  /** `build` must give the same SQL for every row with the same keys in the same order. */
  constructor(build: (row: Row) => Compilable) {
    this.#build = build;
  }

  /** The write of `row`, compiled (its SQL reused once known). */
  statement(row: Row): SqlStatement {
    const keys = this.#keys;
    if (this.#sql !== undefined && keys !== undefined) {
      const parameters = valuesInOrder(row, keys);
      if (parameters !== undefined) return { sql: this.#sql, parameters };
    }
    const compiled = this.#build(row).compile();
    if (this.#reusable && this.#sql === undefined) {
      const values = Object.values(row);
      const same =
        compiled.parameters.length === values.length && compiled.parameters.every((p, i) => p === values[i]);
      if (same) {
        this.#sql = compiled.sql;
        this.#keys = Object.keys(row);
      } else {
        this.#reusable = false;
      }
    }
    return compiled;
  }
}

/** `row`'s values when its keys are exactly `keys`, in that order; else `undefined`. */
function valuesInOrder(row: object, keys: readonly string[]): unknown[] | undefined {
  const own = Object.keys(row);
  if (own.length !== keys.length) return undefined;
  for (let i = 0; i < own.length; i += 1) if (own[i] !== keys[i]) return undefined;
  return Object.values(row);
}
