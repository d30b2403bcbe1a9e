/**
 * The row codecs of the runs domain: runs, steps and items (`run-store.ts`) to and from their stored
 * columns (`database.ts`), on the value codecs of `codec.ts`. A sealed column reads back as an optional
 * field, absent when `NULL`.
 *
 * @internal
 * @module
 */
import { fromJson, StoreValueError, toJson, toTime } from '../codec.js';
import type {
  IsoText,
  JsonText,
  RunDocumentsTable,
  RunStepItemsTable,
  RunStepsTable,
  RunsTable,
} from '../database.js';
import { frozenDocumentJson } from '../frozen-documents.js';
import { type DocumentText, documentJson, SplicedJson, textOf } from './document-json.js';
import type { HttpExchange } from './http-exchange.js';
import type {
  AttemptEntry,
  NewRun,
  RunPatch,
  RunRow,
  StepErrorRecord,
  StepItemRow,
  StepRow,
} from './run-store.js';

function errorToJson(error: StepErrorRecord | null | undefined, column: string): JsonText | null {
  return error == null ? null : toJson(error, column);
}

function errorFromJson(text: JsonText | null): StepErrorRecord | null {
  return text === null ? null : (JSON.parse(text) as StepErrorRecord);
}

function requiredTime(value: string, column: string): IsoText {
  const time = toTime(value, column);
  if (time === null) throw new StoreValueError(`${column} is required`);
  return time;
}

/**
 * The fields a new run's row and its carried copy share, with its `workflow` and `input` as each holds
 * them. Written out field by field: spreading a dozen keys cost more than the rest (issue 14).
 */
function newRunFields<W, I>(run: NewRun, workflow: W, input: I) {
  return {
    id: run.id,
    workflow_uid: run.workflow_uid ?? null,
    workflow_version: run.workflow_version ?? null,
    workflow_name: run.workflow_name,
    workspace_id: run.workspace_id ?? null,
    workflow,
    status: run.status ?? ('pending' as const),
    input,
    error: null,
    created_at: requiredTime(run.created_at, 'runs.created_at'),
    started_at: toTime(run.started_at, 'runs.started_at'),
    finished_at: null,
    lease_owner: run.lease_owner ?? null,
    lease_expires_at: toTime(run.lease_expires_at, 'runs.lease_expires_at'),
    resume_at: null,
  };
}

/** The row a store holds for `run` once inserted, as a read gives it back: what its creator carries instead of reading it. */
export function newRunAsStored(run: NewRun): RunRow {
  const row: RunRow = newRunFields(run, run.workflow, run.input);
  // The optional columns read back only when set (as `rowToRun` gives them).
  if (run.sealed_input != null) row.sealed_input = run.sealed_input;
  if (run.parent_run_id != null) row.parent_run_id = run.parent_run_id;
  if (run.depth !== undefined && run.depth !== 0) row.depth = run.depth;
  if (run.failure_of != null) row.failure_of = run.failure_of;
  if (run.origin != null) row.origin = run.origin;
  return row;
}

/** A new run's row, its input's JSON text perhaps spliced (`document-json.ts`) until it is stored. */
export type NewRunRow = Omit<RunsTable, 'input'> & { input: DocumentText | null };

/** A new run's documents kept apart, the input's JSON text perhaps spliced. */
export type NewRunDocuments = Omit<RunDocumentsTable, 'input'> & { input: DocumentText | null };

/** The row `createRun` inserts; `startedBy`: who started it, for a run the service started (as JSON). */
export function newRunToRow(run: NewRun, startedBy: JsonText | null = null): NewRunRow {
  const fields = newRunFields(
    run,
    // A version's document as its runs share it: stringified once (`frozen-documents.ts`).
    frozenDocumentJson(run.workflow) ?? toJson(run.workflow, 'runs.workflow') ?? 'null',
    toJson(run.input, 'runs.input', documentJson),
  );
  // Always set (NULL when absent): the cached insert needs the same columns on every row.
  return Object.assign(fields, {
    sealed_input: run.sealed_input ?? null,
    documents_apart: 0,
    parent_run_id: run.parent_run_id ?? null,
    depth: run.depth ?? 0,
    failure_of: run.failure_of ?? null,
    on_failure_due: 0,
    origin: run.origin ?? null,
    started_by: startedBy,
  });
}

/**
 * Past this many characters of JSON, a run's workflow, input and sealed input are kept in
 * `run_documents` (migration 0005) instead of the run row: every update of the run row (its claims, its
 * status, its end) rewrites the whole row on SQLite, so a 5 MB input cost 5 MB per status change.
 */
export const DOCUMENTS_INLINE_LIMIT = 16 * 1024;

/** `runs.documents_apart` of a run whose documents are in the store's document file (`run-document-file.ts`). */
export const DOCUMENTS_IN_FILE = 2;

/** The length of a documents row's JSON texts together (what the document file's threshold compares). */
export function documentsLength(documents: NewRunDocuments): number {
  return documents.workflow.length + (documents.input?.length ?? 0) + (documents.sealed_input?.length ?? 0);
}

/** `documents` as a row of the `run_documents` table: a spliced input joined. */
export function documentsRow(documents: NewRunDocuments): RunDocumentsTable {
  const { input } = documents;
  return typeof input === 'string' || input === null
    ? (documents as RunDocumentsTable)
    : { ...documents, input: textOf(input) };
}

/** A run's rows as inserted: the run row, and its documents row when they are kept apart. */
export interface NewRunRows {
  run: RunsTable;
  documents: NewRunDocuments | undefined;
}

/** `row` with its input as one string (a spliced one joined, in place): for a store that keeps rows whole. */
export function rowWithText(row: NewRunRow): RunsTable {
  if (row.input instanceof SplicedJson) row.input = row.input.toString();
  return row as RunsTable;
}

/** The rows `row` (from {@link newRunToRow}) is inserted as: apart when its documents are large. */
export function splitDocuments(row: NewRunRow): NewRunRows {
  const size = row.workflow.length + (row.input?.length ?? 0) + (row.sealed_input?.length ?? 0);
  // Only strings far longer than the limit are spliced: `rowWithText` joins nothing in practice.
  if (size <= DOCUMENTS_INLINE_LIMIT) return { run: rowWithText(row), documents: undefined };
  return {
    run: { ...row, workflow: '{}', input: null, sealed_input: null, documents_apart: 1 },
    documents: {
      run_id: row.id,
      workflow: row.workflow,
      input: row.input,
      sealed_input: row.sealed_input ?? null,
    },
  };
}

/** `row` with its documents back in it, when they were kept apart (in `run_documents` or the document file). */
export function joinDocuments(row: RunsTable, documents: RunDocumentsTable | undefined): RunsTable {
  if (row.documents_apart == null || row.documents_apart === 0) return row;
  if (documents === undefined) throw new StoreValueError(`run ${row.id}: its documents row is missing`);
  return {
    ...row,
    workflow: documents.workflow,
    input: documents.input,
    sealed_input: documents.sealed_input,
  };
}

/** The columns an `updateRun` patch sets; keys whose value is `undefined` are left alone. */
export function runPatchToColumns(patch: RunPatch): Partial<RunsTable> {
  const out: Partial<RunsTable> = {};
  if (patch.status !== undefined) out.status = patch.status;
  if (patch.error !== undefined) out.error = errorToJson(patch.error, 'runs.error');
  if (patch.lease_owner !== undefined) out.lease_owner = patch.lease_owner;
  if (patch.on_failure_due !== undefined) out.on_failure_due = patch.on_failure_due ? 1 : 0;
  for (const key of ['started_at', 'finished_at', 'lease_expires_at', 'resume_at'] as const) {
    if (patch[key] !== undefined) out[key] = toTime(patch[key], `runs.${key}`);
  }
  return out;
}

/** The links of a stored run to other runs, only those it has (rows before migration 0006 have none). */
function links(row: RunsTable): Pick<RunRow, 'parent_run_id' | 'depth' | 'failure_of' | 'on_failure_due'> {
  const out: Pick<RunRow, 'parent_run_id' | 'depth' | 'failure_of' | 'on_failure_due'> = {};
  if (row.parent_run_id != null) out.parent_run_id = row.parent_run_id;
  if (row.depth != null && row.depth !== 0) out.depth = row.depth;
  if (row.failure_of != null) out.failure_of = row.failure_of;
  if (row.on_failure_due === 1) out.on_failure_due = true;
  return out;
}

/** A stored run back to its row. */
export function rowToRun(row: RunsTable): RunRow {
  return {
    id: row.id,
    workflow_uid: row.workflow_uid,
    workflow_version: row.workflow_version,
    workflow_name: row.workflow_name,
    workspace_id: row.workspace_id,
    workflow: JSON.parse(row.workflow) as RunRow['workflow'],
    status: row.status,
    input: fromJson(row.input),
    error: errorFromJson(row.error),
    created_at: row.created_at,
    started_at: row.started_at,
    finished_at: row.finished_at,
    lease_owner: row.lease_owner,
    lease_expires_at: row.lease_expires_at,
    resume_at: row.resume_at,
    ...sealed('sealed_input', row.sealed_input),
    ...links(row),
    ...(row.origin == null ? {} : { origin: row.origin }),
  };
}

/** The row `saveStep` upserts. */
export function stepToRow(step: StepRow): RunStepsTable {
  return {
    run_id: step.run_id,
    step_index: step.step_index,
    name: step.name,
    status: step.status,
    fanned_out: step.fanned_out ? 1 : 0,
    input: toJson(step.input, 'run_steps.input'),
    output: toJson(step.output, 'run_steps.output'),
    error: errorToJson(step.error, 'run_steps.error'),
    attempts: step.attempts,
    started_at: toTime(step.started_at, 'run_steps.started_at'),
    finished_at: toTime(step.finished_at, 'run_steps.finished_at'),
    sealed_output: step.sealed_output ?? null,
    history:
      step.history == null ? null : (toJson(withoutExchanges(step.history), 'run_steps.history') ?? null),
    idempotency_key: step.idempotency_key ?? null,
    exchanges: exchangesToJson(step.history, 'run_steps.exchanges'),
  };
}

/** A stored step back to its row. */
export function rowToStep(row: RunStepsTable): StepRow {
  return {
    run_id: row.run_id,
    step_index: row.step_index,
    name: row.name,
    status: row.status,
    fanned_out: row.fanned_out === 1,
    input: fromJson(row.input),
    output: fromJson(row.output),
    error: errorFromJson(row.error),
    attempts: row.attempts,
    started_at: row.started_at,
    finished_at: row.finished_at,
    ...sealed('sealed_output', row.sealed_output),
    ...(row.idempotency_key == null
      ? {}
      : {
          idempotency_key: row.idempotency_key,
          history: withExchanges(
            row.history == null ? [] : (JSON.parse(row.history) as AttemptEntry[]),
            row.exchanges,
          ),
        }),
  };
}

/** The row `saveStepItem` upserts. */
export function itemToRow(item: StepItemRow): RunStepItemsTable {
  return {
    run_id: item.run_id,
    step_index: item.step_index,
    item_index: item.item_index,
    status: item.status,
    input: toJson(item.input, 'run_step_items.input'),
    output: toJson(item.output, 'run_step_items.output'),
    error: errorToJson(item.error, 'run_step_items.error'),
    attempts: item.attempts,
    history: toJson(withoutExchanges(item.history ?? []), 'run_step_items.history') ?? '[]',
    exchanges: exchangesToJson(item.history, 'run_step_items.exchanges'),
    idempotency_key: item.idempotency_key,
    started_at: toTime(item.started_at, 'run_step_items.started_at'),
    finished_at: toTime(item.finished_at, 'run_step_items.finished_at'),
    sealed_output: item.sealed_output ?? null,
  };
}

/** A stored item back to its row. */
export function rowToItem(row: RunStepItemsTable): StepItemRow {
  return {
    run_id: row.run_id,
    step_index: row.step_index,
    item_index: row.item_index,
    status: row.status,
    input: fromJson(row.input),
    output: fromJson(row.output),
    error: errorFromJson(row.error),
    attempts: row.attempts,
    history: withExchanges(JSON.parse(row.history) as StepItemRow['history'], row.exchanges),
    idempotency_key: row.idempotency_key,
    started_at: row.started_at,
    finished_at: row.finished_at,
    ...sealed('sealed_output', row.sealed_output),
  };
}

/** A sealed column as an optional field: present only when the row has a sealed value. */
function sealed<K extends string>(key: K, value: string | null | undefined): { [P in K]?: string } {
  return (value == null ? {} : { [key]: value }) as { [P in K]?: string };
}

/** `history` without the attempts' exchanges (they have a column of their own). */
export function withoutExchanges(history: readonly AttemptEntry[]): AttemptEntry[] {
  return history.map((entry) => {
    if (entry.exchanges === undefined) return entry;
    const { exchanges: _kept, ...rest } = entry;
    return rest;
  });
}

/** The `exchanges` column of `history`: by attempt, `null` where none; `NULL` when no attempt has any. */
function exchangesToJson(
  history: readonly AttemptEntry[] | null | undefined,
  column: string,
): JsonText | null {
  if (history == null || !history.some((entry) => entry.exchanges !== undefined)) return null;
  return toJson(
    history.map((entry) => entry.exchanges ?? null),
    column,
  );
}

/**
 * `history` with the exchanges of the `exchanges` column back on their attempts; as it is when the
 * column was not read (`undefined`) or holds none (`NULL`, pruned).
 */
function withExchanges(history: AttemptEntry[], exchanges: JsonText | null | undefined): AttemptEntry[] {
  if (exchanges == null) return history;
  const byAttempt = JSON.parse(exchanges) as (HttpExchange[] | null)[];
  return history.map((entry, index) => {
    const kept = byAttempt[index];
    return kept == null ? entry : { ...entry, exchanges: kept };
  });
}
