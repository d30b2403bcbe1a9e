/**
 * Kysely's runtime values, loaded through its CommonJS build. Node 20 loads the few hundred files of
 * Kysely's ESM build about twice as slowly as the CommonJS ones, and the store is on the start-up path of
 * every `sluice run` and `sluice serve`. Types still come from `kysely` itself (`import type`); the values
 * and their types are re-exported here under the same names.
 *
 * @internal
 * @module
 */
import { createRequire } from 'node:module';
import type * as KyselyModule from 'kysely';

const kysely = createRequire(import.meta.url)('kysely') as typeof KyselyModule;

export const { sql, Migrator, PostgresDialect, SqliteDialect } = kysely;
export const CompiledQuery: typeof KyselyModule.CompiledQuery = kysely.CompiledQuery;
export type CompiledQuery<O = unknown> = KyselyModule.CompiledQuery<O>;
export const Kysely: typeof KyselyModule.Kysely = kysely.Kysely;
export type Kysely<DB> = KyselyModule.Kysely<DB>;
