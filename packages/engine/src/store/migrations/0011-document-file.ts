/**
 * Migration 0011: runs whose documents are in the store's document file (issue 14).
 *
 * A SQLite store on a file keeps the pinned workflow, input and sealed input of a run larger than
 * `documentFileBytes` in a database of its own beside it (`runs/run-document-file.ts`); the run row then
 * says `documents_apart = 2`. No table changes: the migration is recorded so that an older Sluice, which
 * would read such a run without its documents, refuses the database ("migrated by a newer Sluice")
 * instead. PostgreSQL and in-memory stores never write the value.
 *
 * @internal
 * @module
 */
import type { Kysely } from 'kysely';

/** Changes no table (see the module comment). */
export async function up(_db: Kysely<unknown>): Promise<void> {}

/** Nothing to undo. */
export async function down(_db: Kysely<unknown>): Promise<void> {}
