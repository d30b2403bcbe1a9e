/**
 * Queries built with Kysely once per shape, then reused with new parameters: the hot reads and updates
 * of a run (`getRun`, `listSteps`, `updateRun`, the latest version of a workflow) have a handful of
 * shapes, and building and compiling a query each time cost more than SQLite takes to run it. The
 * typed builder stays the source of the SQL (`compiled-write.ts` does the same for row writes).
 *
 * A shape's SQL is kept only when the query built the first time has exactly the given parameters, in
 * order; otherwise that shape is always built (correct, only slower).
 *
 * @internal
 * @module
 */
import type { Compilable, Kysely, QueryResult } from 'kysely';
import { CompiledQuery } from './kysely-runtime.js';
import type { SqlStatement } from './sync-sql.js';

/** Shapes kept per store (a bound on a caller that makes up shapes). */
const SHAPES_KEPT = 256;

/** The SQL of each shape seen, or `null` for a shape whose parameters did not line up. */
export class QueryShapes {
  readonly #sql = new Map<string, string | null>();

  /**
   * Runs the query of `shape` with `parameters`; `build` makes it (with those parameters) when the
   * shape has no SQL kept.
   */
  execute<DB, R>(
    db: Kysely<DB>,
    shape: string,
    parameters: readonly unknown[],
    build: () => Compilable<R>,
  ): Promise<QueryResult<R>> {
    const sql = this.#sql.get(shape);
    if (sql != null) return db.executeQuery<R>(CompiledQuery.raw(sql, [...parameters]) as CompiledQuery<R>);
    return db.executeQuery(this.#compile(shape, sql, parameters, build));
  }

  /** The statement of `shape` with `parameters`, for a write (`QueryContext.write`). */
  statement(shape: string, parameters: readonly unknown[], build: () => Compilable): SqlStatement {
    const sql = this.#sql.get(shape);
    if (sql != null) return { sql, parameters };
    return this.#compile(shape, sql, parameters, build);
  }

  /** Builds the query of a shape whose SQL is not kept, keeping it when its parameters line up. */
  #compile<R>(
    shape: string,
    sql: null | undefined,
    parameters: readonly unknown[],
    build: () => Compilable<R>,
  ): CompiledQuery<R> {
    const compiled = build().compile();
    if (sql === undefined && this.#sql.size < SHAPES_KEPT) {
      const same =
        compiled.parameters.length === parameters.length &&
        compiled.parameters.every((value, i) => value === parameters[i]);
      this.#sql.set(shape, same ? compiled.sql : null);
    }
    return compiled;
  }
}
