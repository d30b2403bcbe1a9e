/**
 * The runs domain: a run, its steps and its step items. {@link RunStore} is what a run's execution
 * needs (the executor sees only it, as `Store` of `store.ts`); {@link ServiceRunStore} adds what the
 * engine service needs: runs started by a caller, listings, claims, and counts. `run-queries.ts`
 * implements both over Kysely.
 *
 * A run is a small state machine: the run row, one row per step (its rendered input and its result)
 * and one row per step item (one call, or one item of a fanned-out step). Each item is committed when
 * it finishes, before the next begins, so a crashed run resumes from its rows (issue 5). Values are
 * JSON; secrets are redacted by the executor before they reach the store. The engine service also
 * keeps the unredacted copy of a value that redaction changed, sealed (`sealed_input`,
 * `sealed_output`), so a resumed run sees the real secrets.
 *
 * @module
 */

import type { StepErrorClass } from '../../errors.js';
import type { Workflow } from '../../model/workflow.js';
import type { ApiCaller } from '../api-keys/api-key-store.js';
import type { HttpExchange } from './http-exchange.js';

/** Where a run is. `pending` and `running` runs are resumed after a crash. */
export type RunStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'cancelled';

const FINISHED: ReadonlySet<string> = new Set<RunStatus>(['succeeded', 'failed', 'cancelled']);

/** Whether a run with `status` has ended (`succeeded`, `failed` or `cancelled`). */
export function isFinished(status: string): boolean {
  return FINISHED.has(status);
}

/** Where a step or a step item is. */
export type StepStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped';

/** One HTTP request sent for a step item (retries and redirect hops each count). */
export interface AttemptEntry {
  /** ISO time the attempt started. */
  started_at: string;
  duration_ms: number;
  /** The wait before this attempt (0 for the first). */
  wait_ms: number;
  /** The HTTP status, when a response arrived. */
  status?: number;
  /** The error class, when none did: connect, read, timeout, other. */
  error?: string;
  /** The page the attempt fetched, counted from 0, on a step with `paginate`. */
  page?: number;
  /** The run a `workflow:` step item started: its one entry stands for the child run. */
  child_run_id?: string;
  /**
   * The HTTP request(s) of the attempt and their responses, redacted (issue 15). Stored apart, in the
   * row's `exchanges` column, and read only when asked for ({@link ListItemsOptions}); absent when not
   * read, not kept (the workspace's retention is 0) or pruned.
   */
  exchanges?: HttpExchange[];
}

/** What {@link RunStore.listStepItems} reads besides the rows. */
export interface ListItemsOptions {
  /** Read the attempts' exchanges too (`AttemptEntry.exchanges`). @default false */
  exchanges?: boolean;
}

/** Why a step or item failed, as the run record shows it. */
export interface StepErrorRecord {
  type: StepErrorClass;
  message: string;
  status?: number;
  /** The first 1 KB of the last response body. */
  body?: string;
}

/** A run row. */
export interface RunRow {
  id: string;
  workflow_uid: string | null;
  workflow_version: number | null;
  workflow_name: string;
  workspace_id: string | null;
  /** The document the run executes, pinned when the run was created. */
  workflow: Workflow;
  status: RunStatus;
  input: unknown;
  error: StepErrorRecord | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  /** The process that owns the run while it executes, and until when (issue 5). */
  lease_owner: string | null;
  lease_expires_at: string | null;
  /** A stored wait: do not resume before this time (long Retry-After or backoff). */
  resume_at: string | null;
  /**
   * The unredacted `input`, sealed with the secret key (`v1.<iv>.<tag>.<ciphertext>`), when redaction
   * changed it; absent (SQL `NULL`) otherwise. Migration 0003.
   */
  sealed_input?: string | null;
  /** The run whose `workflow:` step started this one (migration 0006); absent for other runs. */
  parent_run_id?: string | null;
  /** How many parents the run has: absent (0) for a run no step started. */
  depth?: number;
  /** The failed run whose workflow's `on_failure` started this one; absent for other runs. */
  failure_of?: string | null;
  /** True while the run failed and the run of its workflow's `on_failure` is not recorded yet. */
  on_failure_due?: boolean;
  /** What started the run (migration 0009); absent on older rows it could not be told for. */
  origin?: RunOrigin;
}

/**
 * What started a run: `api`, `console` or `cli` (through `POST /v1/workflows/{uid}/runs`, told apart by
 * the `X-Sluice-Origin` header), `parent` (a `workflow:` step's child), `on_failure`, `local` (`sluice run`
 * on its own store), or the key of the trigger kind that started it (`schedule`, `webhook`, `poll`,
 * `connector_webhook`, or a custom kind's key).
 */
export type RunOrigin = string;

/**
 * What a run starts with. A run the creating process executes at once may be created started: `running`
 * with `started_at` and its lease, so no claim and no start write follow (issue 14).
 */
export type NewRun = Pick<RunRow, 'id' | 'workflow_name' | 'workflow' | 'input' | 'created_at'> &
  Partial<
    Pick<
      RunRow,
      | 'workflow_uid'
      | 'workflow_version'
      | 'workspace_id'
      | 'status'
      | 'sealed_input'
      | 'started_at'
      | 'lease_owner'
      | 'lease_expires_at'
      | 'parent_run_id'
      | 'depth'
      | 'failure_of'
      | 'origin'
    >
  >;

/** The fields of a run that change while it executes. */
export type RunPatch = Partial<
  Pick<
    RunRow,
    | 'status'
    | 'error'
    | 'started_at'
    | 'finished_at'
    | 'lease_owner'
    | 'lease_expires_at'
    | 'resume_at'
    | 'on_failure_due'
  >
>;

/** A step of a run: its rendered input and its result. Keyed by (`run_id`, `step_index`). */
export interface StepRow {
  run_id: string;
  step_index: number;
  name: string;
  status: StepStatus;
  /** True when the rendered input was a list and the step ran once per item. */
  fanned_out: boolean;
  /** The rendered input (the list when fanned out). */
  input: unknown;
  /** The item's output, or the list of item outputs in item order when fanned out. */
  output: unknown;
  error: StepErrorRecord | null;
  /** HTTP requests sent for the step, over all its items. */
  attempts: number;
  started_at: string | null;
  finished_at: string | null;
  /** The unredacted `output`, sealed, when redaction changed it (see {@link RunRow.sealed_input}). */
  sealed_output?: string | null;
  /**
   * A step that did not fan out commits its one call with its row (one write per step): the call's
   * attempts and key are here, and `listStepItems` answers its item from the step row (`step-calls.ts`).
   * Absent on steps that fanned out, never called, or were stored before migration 0005.
   */
  history?: AttemptEntry[] | null;
  /** The key of the step's one call (see {@link StepRow.history}). */
  idempotency_key?: string | null;
}

/** One call of a step: the only one, or one item of a fanned-out step. Keyed by (`run_id`, `step_index`, `item_index`). */
export interface StepItemRow {
  run_id: string;
  step_index: number;
  /** 0 for a step that is not fanned out. */
  item_index: number;
  status: StepStatus;
  input: unknown;
  output: unknown;
  error: StepErrorRecord | null;
  attempts: number;
  history: AttemptEntry[];
  /** The same across retries and crash re-executions of this item. */
  idempotency_key: string;
  started_at: string | null;
  finished_at: string | null;
  /** The unredacted `output`, sealed, when redaction changed it (see {@link RunRow.sealed_input}). */
  sealed_output?: string | null;
}

/** Where a page of runs starts: after this (`created_at`, `id`), newest first. */
export interface RunCursor {
  created_at: string;
  id: string;
}

/** The filter and page of {@link ServiceRunStore.listRuns}. */
export interface ListRunsQuery {
  workspace_id: string;
  workflow_uid?: string | undefined;
  status?: RunStatus | undefined;
  /** Only the child runs of this run (`workflow:` steps). */
  parent_run_id?: string | undefined;
  /** Only the run with this id (a filter like the others: none when it is another workspace's). */
  id?: string | undefined;
  /** Only the runs with this {@link RunOrigin}. */
  origin?: RunOrigin | undefined;
  /** Only the runs created at or after this ISO time. */
  since?: string | undefined;
  /** Only the runs created before this ISO time. */
  until?: string | undefined;
  /** At most this many runs. */
  limit: number;
  after?: RunCursor | undefined;
}

/** Which rows {@link ServiceRunStore.pruneExchanges} clears. */
export interface PruneExchangesQuery {
  /** Step and item rows started before this ISO time. */
  before: string;
  /** This workspace's runs; `null`: the runs of every workspace without a settings row. */
  workspace_id: string | null;
}

/** The newest run of a workflow in one workspace, as {@link ServiceRunStore.lastRuns} answers it. */
export type LastRun = Pick<RunRow, 'id' | 'status' | 'created_at' | 'finished_at'>;

/** Unfinished runs leased to one owner: how many, and how many of those leases have expired. */
export interface RunLeaseCount {
  owner: string;
  runs: number;
  expired: number;
}

/**
 * One run's rows: what a run's execution reads and writes. Every method is atomic and resolves once
 * committed; on SQLite the writes of several runs may share one commit (`../write-batch.ts`).
 */
export interface RunStore {
  createRun(run: NewRun): Promise<void>;
  /**
   * Changes the run. A patch that sets `status` (other than back to `pending`, a retry) applies only
   * while the run is unfinished: a run that ended (cancelled through another process, say) keeps its
   * end, and the patch is dropped without an error.
   */
  updateRun(id: string, patch: RunPatch): Promise<void>;
  getRun(id: string): Promise<RunRow | undefined>;
  /** Inserts or replaces the step row. */
  saveStep(step: StepRow): Promise<void>;
  /** Inserts or replaces the item row. */
  saveStepItem(item: StepItemRow): Promise<void>;
  /** Ordered by `step_index`. */
  listSteps(runId: string): Promise<StepRow[]>;
  /**
   * Ordered by `step_index`, then `item_index`. The one call of a step that did not fan out is here too,
   * read from its step row ({@link StepRow.history}).
   */
  listStepItems(runId: string, options?: ListItemsOptions): Promise<StepItemRow[]>;
}

/** The runs of the engine service: {@link RunStore} plus callers, listings, claims and counts. */
export interface ServiceRunStore extends RunStore {
  /** Creates a run started by `caller` (kept for `USER` when the run resumes). */
  createServiceRun(run: NewRun, caller: ApiCaller): Promise<void>;
  /** Who started run `id`, when the service started it. */
  getRunCaller(id: string): Promise<ApiCaller | undefined>;
  /** Run `id` and who started it, in one read (what an execution needs first). */
  getRunAndCaller(id: string): Promise<{ run: RunRow; caller: ApiCaller | undefined } | undefined>;
  /** The status of each of `ids` that exists (one read, for waiters of runs executing elsewhere). */
  getRunStatuses(ids: readonly string[]): Promise<Map<string, RunStatus>>;
  /** A workspace's runs, newest first (`created_at`, then `id`, descending). */
  listRuns(query: ListRunsQuery): Promise<RunRow[]>;
  /** Every `pending` or `running` run, oldest first. */
  listUnfinishedRuns(): Promise<RunRow[]>;
  /**
   * The newest run (`created_at`, then `id`) of each of `uids` among the runs of `workspaceId`, by
   * workflow uid; a uid without runs there is absent. One statement per 500 uids.
   */
  lastRuns(workspaceId: string, uids: readonly string[]): Promise<Map<string, LastRun>>;
  /** How many runs are in each status, over every workspace (`sluice_runs` of `GET /metrics`). */
  countRunsByStatus(): Promise<Record<RunStatus, number>>;
  /** Deletes a run with its steps and items; resolves whether it existed. */
  deleteRun(id: string): Promise<boolean>;
  /**
   * Clears the attempts' exchanges (issue 15) of the step and item rows started before `query.before`
   * (the row's first attempt), of the runs of workspace `query.workspace_id`, or with `workspace_id: null`
   * of every run whose workspace has no settings row (runs without a workspace included). Resolves how
   * many step and item rows it cleared.
   */
  pruneExchanges(query: PruneExchangesQuery): Promise<number>;

  // A run's lease (issue 5, "Durability"): which process executes it.
  /**
   * Takes run `id` for `owner` until `until` when it is unfinished, it is not waiting past `now`
   * (`resume_at`), and its lease is free, expired at `now`, or already `owner`'s. One conditional update.
   */
  claimRun(id: string, owner: string, until: string, now: string): Promise<boolean>;
  /** Unfinished runs that {@link claimRun} could take at `now` (no live lease, no wait past `now`), oldest first, at most `limit`. */
  listClaimableRuns(now: string, limit: number): Promise<RunRow[]>;
  /** Clears run `id`'s lease when `owner` holds it (a dead process's); resolves whether it did. */
  releaseRunLease(id: string, owner: string): Promise<boolean>;
  /** Unfinished runs with a lease, per owner, with how many of those leases expired at `now` (`sluice status`). */
  countRunLeases(now: string): Promise<RunLeaseCount[]>;
}
