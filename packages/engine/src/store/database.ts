/**
 * The tables of the store as Kysely sees them: one interface per table, columns as stored. The same
 * types hold for SQLite and PostgreSQL, because both dialects store the same column types (see
 * `migrations/0001-init.ts` and `docs/store.md`):
 *
 * - JSON values are `text` (`JSON.stringify`), SQL `NULL` when the value is absent (`undefined`);
 * - timestamps are `text`, canonical ISO 8601 in UTC with milliseconds (`Date.prototype.toISOString`),
 *   so string order is time order;
 * - booleans are integers, 0 or 1.
 *
 * `runs`, `run_steps` and `run_step_items` back the runs domain (`runs/`); every other table backs the
 * domain of its name (`workflows/`, `api-keys/`, `connections/`, `triggers/`, `nodes/`, `leases/`).
 *
 * @internal
 * @module
 */
import type { Generated } from 'kysely';
import type { RunStatus, StepStatus } from './runs/run-store.js';

/** A JSON value serialized by `JSON.stringify`. */
export type JsonText = string;

/** A canonical ISO time, `2024-05-01T12:00:00.000Z`. */
export type IsoText = string;

/** One row per run. Unfinished runs (`pending`, `running`) are resumed after a crash. */
export interface RunsTable {
  id: string;
  workflow_uid: string | null;
  workflow_version: number | null;
  workflow_name: string;
  workspace_id: string | null;
  /** The pinned workflow document. */
  workflow: JsonText;
  status: RunStatus;
  input: JsonText | null;
  error: JsonText | null;
  created_at: IsoText;
  started_at: IsoText | null;
  finished_at: IsoText | null;
  lease_owner: string | null;
  lease_expires_at: IsoText | null;
  resume_at: IsoText | null;
  /** Migration 0002: who started the run through the API (`ApiCaller` JSON); absent on older rows. */
  started_by?: JsonText | null;
  /** Migration 0003: the unredacted input, sealed, when redaction changed it; else `NULL`. */
  sealed_input?: string | null;
  /**
   * Migration 0005: 1 when `workflow`, `input` and `sealed_input` are in `run_documents` instead;
   * migration 0011: 2 when they are in the store's document file (`runs/run-document-file.ts`).
   */
  documents_apart?: number;
  /** Migration 0006: the run whose `workflow:` step started this one. */
  parent_run_id?: string | null;
  /** Migration 0006: how many parents the run has (0: none). */
  depth?: number;
  /** Migration 0006: the failed run whose `on_failure` started this one. */
  failure_of?: string | null;
  /** Migration 0006: 1 while the run failed and its `on_failure` run is not recorded yet. */
  on_failure_due?: number;
  /** Migration 0009: what started the run (`RunOrigin`); `NULL` on older rows it could not tell. */
  origin?: string | null;
}

/**
 * Migration 0005: the pinned workflow and input of a run too large to keep in its row; key `run_id`.
 * The store's document file (`runs/run-document-file.ts`) has a table of the same columns (and
 * `stored_at`) for the largest ones.
 */
export interface RunDocumentsTable {
  run_id: string;
  workflow: JsonText;
  input: JsonText | null;
  sealed_input: string | null;
}

/** One row per step of a run; key (`run_id`, `step_index`). */
export interface RunStepsTable {
  run_id: string;
  step_index: number;
  name: string;
  status: StepStatus;
  /** 0 or 1. */
  fanned_out: number;
  input: JsonText | null;
  output: JsonText | null;
  error: JsonText | null;
  attempts: number;
  started_at: IsoText | null;
  finished_at: IsoText | null;
  /** Migration 0003: the unredacted output, sealed, when redaction changed it; else `NULL`. */
  sealed_output?: string | null;
  /** Migration 0005: the attempts of the step's one call, when it did not fan out (JSON); else `NULL`. */
  history?: JsonText | null;
  /** Migration 0005: the key of the step's one call, when it did not fan out; else `NULL`. */
  idempotency_key?: string | null;
  /**
   * Migration 0007: the HTTP exchanges of the one call's attempts (`(HttpExchange[] | null)[]`, by
   * attempt), redacted; `NULL` when none are kept (not recorded, or pruned).
   */
  exchanges?: JsonText | null;
}

/** One row per call of a step; key (`run_id`, `step_index`, `item_index`). */
export interface RunStepItemsTable {
  run_id: string;
  step_index: number;
  item_index: number;
  status: StepStatus;
  input: JsonText | null;
  output: JsonText | null;
  error: JsonText | null;
  attempts: number;
  /** `AttemptEntry[]`. */
  history: JsonText;
  /** Migration 0007: the HTTP exchanges of the attempts, as in {@link RunStepsTable.exchanges}. */
  exchanges?: JsonText | null;
  idempotency_key: string;
  started_at: IsoText | null;
  finished_at: IsoText | null;
  /** Migration 0003: the unredacted output, sealed, when redaction changed it; else `NULL`. */
  sealed_output?: string | null;
}

/** Published workflows, one row per version; key (`uid`, `version`). Issue 5. */
export interface WorkflowsTable {
  uid: string;
  version: number;
  workspace_id: string;
  /** `workspace` or `global`. */
  scope: string;
  /** The email of the user who published this version. */
  user_id: string;
  name: string;
  /** The workflow document of this version. */
  document: JsonText;
  created: IsoText;
  updated: IsoText;
  /** 0 or 1; a soft delete. */
  deleted: Generated<number>;
}

/** API keys, stored hashed (SHA-256 of the random key). Issue 5. */
export interface ApiKeysTable {
  /** A public key id, shown in lists and logs. */
  id: string;
  key_hash: string;
  workspace_id: string;
  email: string;
  /** `admin` or `member`. */
  role: string;
  created_at: IsoText;
  revoked_at: IsoText | null;
}

/** A trigger's state (poller cursor and dedup window, or the last schedule fire), per workflow. Issue 5. */
export interface TriggerStatesTable {
  workflow_uid: string;
  /** `poll`, `schedule` or `webhook`. */
  kind: string;
  /** The SDK's trigger state object (cursor and `seen` ledger). */
  state: JsonText | null;
  /** Bumped on each write, for compare-and-set updates. */
  revision: Generated<number>;
  /** When the trigger should fire or poll next. */
  next_at: IsoText | null;
  updated_at: IsoText;
  /** Migration 0003: the workflow's workspace. */
  workspace_id: Generated<string>;
  /** Migration 0003: 1 when the trigger fires, 0 when disabled. */
  enabled: Generated<number>;
  last_polled_at: IsoText | null;
  /** The last failure's message; `null` after a success. */
  last_error: string | null;
  /** Events that started runs, in all. */
  events_seen: Generated<number>;
}

/** A connection's values per workspace and name, sealed by the vault (migration 0003). */
export interface ConnectionsTable {
  workspace_id: string;
  name: string;
  connector: string;
  /** `v1.<iv>.<tag>.<ciphertext>`: never the values in clear. */
  sealed_values: string;
  user_id: string;
  created_at: IsoText;
  updated_at: IsoText;
}

/** Named leases (a scheduler, a poller): who holds it and until when. Issue 5. */
export interface LeasesTable {
  name: string;
  owner: string;
  expires_at: IsoText;
  acquired_at: IsoText;
}

/** One row per running engine process (migration 0004, issue 6); `sluice status` lists them. */
export interface NodesTable {
  /** The engine's lease owner name, `<host>:<pid>:<random>`. */
  id: string;
  /** `api`, `worker` or `api+worker`. */
  kind: string;
  host: string;
  pid: number;
  started_at: IsoText;
  heartbeat_at: IsoText;
  /** Runs the process executes at once at most (0 for an API node without a worker). */
  concurrency: number;
  /** Runs it executed at its last heartbeat. */
  executing: number;
  /** How often it renews `heartbeat_at`, in ms. */
  heartbeat_ms: number;
  /** The engine's package version. */
  version: string;
}

/** Settings of a workspace (migration 0007, issue 15); a workspace without a row has the defaults. */
export interface WorkspaceSettingsTable {
  workspace_id: string;
  /** Days the attempts' HTTP exchanges are kept; 0: not recorded. */
  attempt_retention_days: number;
  updated_at: IsoText;
  /** The email of who changed them last. */
  updated_by: string;
}

/** Every table of the store. */
export interface Database {
  runs: RunsTable;
  run_steps: RunStepsTable;
  run_step_items: RunStepItemsTable;
  run_documents: RunDocumentsTable;
  workflows: WorkflowsTable;
  api_keys: ApiKeysTable;
  trigger_states: TriggerStatesTable;
  leases: LeasesTable;
  connections: ConnectionsTable;
  nodes: NodesTable;
  workspace_settings: WorkspaceSettingsTable;
}
