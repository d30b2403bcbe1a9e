/**
 * The run record: what `sluice run --json` prints and the runs API answers, assembled from the store's
 * rows. Values are as stored, so secrets are already redacted.
 *
 * @module
 */
import { EngineError } from '../errors.js';
import { isoTimeMs } from '../model/iso-time.js';
import { needsItemRows, withStepCalls } from '../store/runs/step-calls.js';
import type {
  AttemptEntry,
  RunRow,
  RunStatus,
  StepErrorRecord,
  StepItemRow,
  StepRow,
  StepStatus,
  Store,
} from '../store/store.js';
import { isFinished } from '../store/store.js';

/** One item of a fanned-out step. */
export interface StepItemRecord {
  index: number;
  status: StepStatus;
  /** HTTP requests sent for this item, redirect hops included. */
  attempts: number;
  input: unknown;
  output: unknown;
  error: StepErrorRecord | null;
  idempotency_key: string;
  started_at: string | null;
  finished_at: string | null;
  duration_ms: number | null;
  /** Every attempt: time, duration, wait before it, status or error class. */
  history: AttemptEntry[];
}

/** One step of the run. */
export interface StepRecord {
  name: string;
  status: StepStatus;
  /** HTTP requests sent for the step, over all its items. */
  attempts: number;
  /** The step's output; a list in item order when it fanned out. */
  output: unknown;
  /** `{ type, message, status?, body? }` when the step failed. */
  error: StepErrorRecord | null;
  /** The per-item records of a fanned-out step; `[]` otherwise. */
  items: StepItemRecord[];
  input: unknown;
  started_at: string | null;
  finished_at: string | null;
  duration_ms: number | null;
  /** The item's key when the step did not fan out. */
  idempotency_key: string | null;
  /** The attempts of the call when the step did not fan out (a fanned-out step has them per item). */
  history: AttemptEntry[];
}

/** A run as `sluice run --json` prints it. */
export interface RunRecord {
  id: string;
  status: RunStatus;
  steps: StepRecord[];
  workflow: string;
  workflow_uid: string | null;
  workflow_version: number | null;
  input: unknown;
  /** The failed step's error, its message prefixed with `steps.<name>: `. */
  error: StepErrorRecord | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  duration_ms: number | null;
  /** When a stored wait (long Retry-After or backoff) ends, while the run waits. */
  resume_at: string | null;
  /** The run whose `workflow:` step started this one. */
  parent_run_id: string | null;
  /** The failed run whose workflow's `on_failure` started this one. */
  failure_of: string | null;
}

/**
 * Reads run `runId` and its steps and items from `store` into a {@link RunRecord}. Steps that have no row
 * yet are `pending`.
 *
 * @throws {EngineError} `SLUICE_STORE` when the store has no run with that id.
 */
export async function getRunRecord(store: Store, runId: string): Promise<RunRecord> {
  const run = await store.getRun(runId);
  if (run === undefined) {
    throw new EngineError('SLUICE_STORE', `no run with id ${runId} in the store`, {
      hint: 'check the run id, and that --db names the database the run was recorded in',
    });
  }
  return runRecordOf(store, run);
}

/** The {@link RunRecord} of `run`, a row just read from `store`, with its steps and items. */
export async function runRecordOf(store: Store, run: RunRow): Promise<RunRecord> {
  const runId = run.id;
  const steps = await store.listSteps(runId);
  // Single calls are in their step rows: the item rows are read only for what needs them.
  // An unfinished run may have a single call committed unfinished (a stored wait, pages so far, a child
  // run it waits for) before its step has a row: read the item rows for it too.
  const items =
    needsItemRows(steps) || !isFinished(run.status)
      ? await store.listStepItems(runId)
      : withStepCalls(steps, []);
  return {
    id: run.id,
    status: run.status,
    steps: run.workflow.steps.map((step, index) =>
      stepRecord(
        step.name,
        steps.find((row) => row.step_index === index),
        items.filter((row) => row.step_index === index),
      ),
    ),
    workflow: run.workflow_name,
    workflow_uid: run.workflow_uid,
    workflow_version: run.workflow_version,
    input: run.input,
    error: run.error,
    created_at: run.created_at,
    started_at: run.started_at,
    finished_at: run.finished_at,
    duration_ms: duration(run.started_at, run.finished_at),
    resume_at: run.resume_at,
    parent_run_id: run.parent_run_id ?? null,
    failure_of: run.failure_of ?? null,
  };
}

function stepRecord(name: string, row: StepRow | undefined, items: StepItemRow[]): StepRecord {
  if (row === undefined) {
    const inFlight = items.length === 1 ? items[0] : undefined;
    if (inFlight?.item_index === 0) return callInFlight(name, inFlight);
  }
  const single = row?.fanned_out === false ? items.find((item) => item.item_index === 0) : undefined;
  return {
    name,
    status: row?.status ?? 'pending',
    attempts: row?.attempts ?? 0,
    output: row?.output ?? null,
    error: row?.error ?? null,
    items: row?.fanned_out === true ? items.map(itemRecord) : [],
    input: row?.input ?? null,
    started_at: row?.started_at ?? null,
    finished_at: row?.finished_at ?? null,
    duration_ms: duration(row?.started_at ?? null, row?.finished_at ?? null),
    idempotency_key: single?.idempotency_key ?? null,
    history: single?.history ?? [],
  };
}

/**
 * A step whose one call was committed unfinished before the step has a row (a stored wait, the pages
 * fetched so far, a child run it waits for): running, with the call's attempts so far.
 */
function callInFlight(name: string, call: StepItemRow): StepRecord {
  return {
    name,
    status: 'running',
    attempts: call.attempts,
    output: null,
    error: null,
    items: [],
    input: call.input,
    started_at: call.started_at,
    finished_at: null,
    duration_ms: null,
    idempotency_key: call.idempotency_key,
    history: call.history,
  };
}

function itemRecord(item: StepItemRow): StepItemRecord {
  return {
    index: item.item_index,
    status: item.status,
    attempts: item.attempts,
    input: item.input,
    output: item.output,
    error: item.error,
    idempotency_key: item.idempotency_key,
    started_at: item.started_at,
    finished_at: item.finished_at,
    duration_ms: duration(item.started_at, item.finished_at),
    history: item.history,
  };
}

function duration(start: string | null, end: string | null): number | null {
  return start === null || end === null ? null : isoTimeMs(end) - isoTimeMs(start);
}
