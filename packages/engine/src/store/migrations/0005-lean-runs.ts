/**
 * Migration 0005: fewer and smaller writes per run (issue 14).
 *
 * - `run_steps.history` and `run_steps.idempotency_key`: a step that did not fan out commits its one
 *   call in its step row (one write per step instead of an item row and a step row). Its item is read
 *   back from the step row (`runs/step-calls.ts`: `listStepItems` answers it); `run_step_items` keeps the items of fanned-out steps
 *   and a single call committed unfinished at a stored wait.
 * - `run_documents`: a run's pinned workflow, input and sealed input when together they are larger
 *   than `runs/run-documents.ts` keeps in the run row, so the updates of the run row (claims, status,
 *   end) do not rewrite them. The run row then holds `null` in `input` and `{}` in `workflow`, and
 *   `documents_apart` = 1.
 *
 * @internal
 * @module
 */
import type { Kysely } from 'kysely';

/** Adds the columns and the table. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('run_steps').addColumn('history', 'text').execute();
  await db.schema.alterTable('run_steps').addColumn('idempotency_key', 'text').execute();
  await db.schema
    .alterTable('runs')
    .addColumn('documents_apart', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createTable('run_documents')
    .ifNotExists()
    .addColumn('run_id', 'text', (c) => c.primaryKey())
    .addColumn('workflow', 'text', (c) => c.notNull())
    .addColumn('input', 'text')
    .addColumn('sealed_input', 'text')
    .addForeignKeyConstraint('run_documents_run_fk', ['run_id'], 'runs', ['id'], (fk) =>
      fk.onDelete('cascade'),
    )
    .execute();
}

/** Drops what `up` made. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('run_documents').ifExists().execute();
  await db.schema.alterTable('runs').dropColumn('documents_apart').execute();
  await db.schema.alterTable('run_steps').dropColumn('idempotency_key').execute();
  await db.schema.alterTable('run_steps').dropColumn('history').execute();
}
