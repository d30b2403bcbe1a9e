/**
 * What the engine service (`sluice serve`, issue 5) needs from the database beyond the {@link Store}
 * of a single run: published workflows with every version kept, API keys stored hashed, runs listed
 * per workspace with keyset pagination, and the unfinished runs to resume on start-up. `kysely-store.ts`
 * implements it over SQLite and PostgreSQL; see `docs/store.md` and `docs/service.md`.
 *
 * @module
 */
import type { Workflow, WorkflowScope } from '../workflow/model.js';
import type { NewRun, RunRow, RunStatus, Store } from './store.js';

/** A user's role in a workspace: admins may also write global workflows. */
export type ApiRole = 'admin' | 'member';

/** Who calls the API (from the API key) or started a run: `USER` of the run, without a token. */
export interface ApiCaller {
  /** The user id: the email. */
  id: string;
  email: string;
  workspace_id: string;
  role: ApiRole;
  /** The id of the API key used (not the key). */
  key_id?: string;
}

/** One stored version of a published workflow. */
export interface StoredWorkflow {
  uid: string;
  version: number;
  workspace_id: string;
  scope: WorkflowScope;
  /** The email of who published this version. */
  user_id: string;
  name: string;
  /** The document of this version, without the stored fields. */
  document: Workflow;
  /** When version 1 was published. */
  created: string;
  /** When this version was published (or the workflow deleted). */
  updated: string;
  deleted: boolean;
}

/** What {@link ServiceStore.publishWorkflow} writes. */
export interface PublishWorkflow {
  uid: string;
  workspace_id: string;
  user_id: string;
  document: Workflow;
  /** The caller's time, ISO. */
  at: string;
  /**
   * `0` to create the workflow (fails when the uid exists), a version number to require that it is the
   * latest (optimistic concurrency), or `undefined` to publish over whatever is latest.
   */
  expectedVersion?: number | undefined;
}

/** A stored API key: only the SHA-256 of the key is kept. */
export interface ApiKeyRow {
  id: string;
  /** Hex SHA-256 of the whole key (`sk_...`). */
  key_hash: string;
  workspace_id: string;
  email: string;
  role: ApiRole;
  created_at: string;
  revoked_at: string | null;
}

/** Where a page of runs starts: after this (`created_at`, `id`), newest first. */
export interface RunCursor {
  created_at: string;
  id: string;
}

/** Where a page of workflows starts: after this (`name`, `uid`), in that order. */
export interface WorkflowCursor {
  name: string;
  uid: string;
}

/** The newest run of a workflow in one workspace, as {@link ServiceStore.lastRuns} answers it. */
export type LastRun = Pick<RunRow, 'id' | 'status' | 'created_at' | 'finished_at'>;

/** A page of {@link ServiceStore.listWorkflows}. */
export interface ListWorkflowsPage {
  /** At most this many workflows. */
  limit: number;
  after?: WorkflowCursor | undefined;
}

/** The filter and page of {@link ServiceStore.listRuns}. */
export interface ListRunsQuery {
  workspace_id: string;
  workflow_uid?: string | undefined;
  status?: RunStatus | undefined;
  /** At most this many runs. */
  limit: number;
  after?: RunCursor | undefined;
}

/** A stored connection: a connector's connection values for one workspace, encrypted at rest. */
export interface ConnectionRow {
  workspace_id: string;
  /** Unique within the workspace; steps and poll triggers name it (`connection: <name>`). */
  name: string;
  /** The connector's name, as the service registered it. */
  connector: string;
  /** The values as the vault sealed them (AES-256-GCM, `v1.<iv>.<tag>.<ciphertext>`, base64url). */
  sealed_values: string;
  /** The email of who stored it last. */
  user_id: string;
  created_at: string;
  updated_at: string;
}

/** What a trigger of a published workflow is doing (`trigger_states`, one row per workflow uid). */
export interface TriggerStateRow {
  workflow_uid: string;
  workspace_id: string;
  kind: 'schedule' | 'webhook' | 'poll';
  enabled: boolean;
  /** The poll trigger's SDK state (cursor and dedup ledger); `null` for other kinds and before the first poll. */
  state: unknown;
  /** Bumped by each committed poll cycle: a cycle commits only on the revision it read. */
  revision: number;
  /** When the trigger fires next (schedule time, or the next poll). */
  next_at: string | null;
  last_polled_at: string | null;
  /** The last poll's or schedule's error message, `null` after a success. */
  last_error: string | null;
  /** Events (records, deliveries, ticks) that started a run, in all. */
  events_seen: number;
  updated_at: string;
}

/** A run a trigger starts, committed with the trigger's new state. */
export interface TriggeredRun {
  run: NewRun;
  caller: ApiCaller;
}

/** What {@link ServiceStore.commitTrigger} writes in one transaction. */
export interface TriggerCommit {
  workflow_uid: string;
  /**
   * The revision the cycle read; the commit fails (resolves `false`) when another one committed since.
   * Omitted for a webhook delivery, which reads no state: it commits whenever the row exists.
   */
  expectedRevision?: number;
  patch: Partial<Pick<TriggerStateRow, 'state' | 'next_at' | 'last_polled_at' | 'last_error'>>;
  /** The runs to create: `events_seen` grows by their number. */
  runs: readonly TriggeredRun[];
  /** ISO time of the commit (`updated_at`). */
  at: string;
}

/** What an engine process does: serve the API, execute runs, or both (issue 6). */
export type NodeKind = 'api' | 'worker' | 'api+worker';

/** A running engine process, as it registered itself (`nodes`, migration 0004). */
export interface NodeRow {
  /** The engine's lease owner name (`<host>:<pid>:<random>`), so run leases and named leases name it. */
  id: string;
  kind: NodeKind;
  host: string;
  pid: number;
  started_at: string;
  /** The last heartbeat; a node whose heartbeat is old died without closing. */
  heartbeat_at: string;
  /** Runs it executes at once at most (0 for an API node without a worker). */
  concurrency: number;
  /** Runs it was executing at its last heartbeat. */
  executing: number;
  /** How often it renews `heartbeat_at`, in ms: it counts as dead after three beats missed. */
  heartbeat_ms: number;
  /** The engine's package version. */
  version: string;
}

/** A named lease (the `triggers` lease: which process runs schedules and polls). */
export interface LeaseRow {
  name: string;
  owner: string;
  expires_at: string;
  acquired_at: string;
}

/** Unfinished runs leased to one owner: how many, and how many of those leases have expired. */
export interface RunLeaseCount {
  owner: string;
  runs: number;
  expired: number;
}

/** The service's store: the run store plus workflows, keys and run listings. */
export interface ServiceStore extends Store {
  /**
   * Publishes a new version (1 for a new uid, else the latest + 1) and returns it.
   *
   * @throws {EngineError} `SLUICE_WORKFLOW_CONFLICT` when `expectedVersion` is not the latest version
   * (0: when the uid exists), or another publish of the same version won the race.
   */
  publishWorkflow(publish: PublishWorkflow): Promise<StoredWorkflow>;
  /** The latest version (deleted or not), or the given one. */
  getWorkflow(uid: string, version?: number): Promise<StoredWorkflow | undefined>;
  /**
   * The latest version of each workflow of `workspaceId` and of each global one, not deleted, by name
   * then uid; all of them, or the page `page` names.
   */
  listWorkflows(workspaceId: string, page?: ListWorkflowsPage): Promise<StoredWorkflow[]>;
  /** Every version of workflow `uid` (deleted or not), newest first; none for an unknown uid. */
  listWorkflowVersions(uid: string): Promise<StoredWorkflow[]>;
  /**
   * The newest run (`created_at`, then `id`) of each of `uids` among the runs of `workspaceId`, by
   * workflow uid; a uid without runs there is absent. One statement per 500 uids.
   */
  lastRuns(workspaceId: string, uids: readonly string[]): Promise<Map<string, LastRun>>;
  /** Marks every version deleted; resolves whether the workflow existed and was not deleted yet. */
  deleteWorkflow(uid: string, at: string): Promise<boolean>;
  createApiKey(key: ApiKeyRow): Promise<void>;
  /** The key with this hash, unless revoked. */
  findApiKey(keyHash: string): Promise<ApiKeyRow | undefined>;
  /** Creates a run started by `caller` (kept for `USER` when the run resumes). */
  createServiceRun(run: Parameters<Store['createRun']>[0], caller: ApiCaller): Promise<void>;
  /** Who started run `id`, when the service started it. */
  getRunCaller(id: string): Promise<ApiCaller | undefined>;
  /** The status of each of `ids` that exists (one read, for waiters of runs executing elsewhere). */
  getRunStatuses(ids: readonly string[]): Promise<Map<string, RunStatus>>;
  /** Run `id` and who started it, in one read (what an execution needs first). */
  getRunAndCaller(id: string): Promise<{ run: RunRow; caller: ApiCaller | undefined } | undefined>;
  /** A workspace's runs, newest first (`created_at`, then `id`, descending). */
  listRuns(query: ListRunsQuery): Promise<RunRow[]>;
  /** Every `pending` or `running` run, oldest first. */
  listUnfinishedRuns(): Promise<RunRow[]>;
  /** How many runs are in each status, over every workspace (`sluice_runs` of `GET /metrics`). */
  countRunsByStatus(): Promise<Record<RunStatus, number>>;

  // Leases (issue 5, "Durability"): which process owns a run, or a named job (the trigger loop).
  /**
   * Takes run `id` for `owner` until `until` when it is unfinished, it is not waiting past `now`
   * (`resume_at`), and its lease is free, expired at `now`, or already `owner`'s. One conditional update.
   */
  claimRun(id: string, owner: string, until: string, now: string): Promise<boolean>;
  /** Unfinished runs that {@link claimRun} could take at `now` (no live lease, no wait past `now`), oldest first, at most `limit`. */
  listClaimableRuns(now: string, limit: number): Promise<RunRow[]>;
  /** Takes or renews the named lease for `owner` until `until` when it is free, expired at `now`, or `owner`'s. */
  acquireLease(name: string, owner: string, until: string, now: string): Promise<boolean>;
  /** Gives the named lease up when `owner` holds it. */
  releaseLease(name: string, owner: string): Promise<void>;
  /** The named lease's holder and expiry, if anyone took it. */
  getLease(name: string): Promise<{ owner: string; expires_at: string } | undefined>;
  /** Clears run `id`'s lease when `owner` holds it (a dead process's); resolves whether it did. */
  releaseRunLease(id: string, owner: string): Promise<boolean>;

  // API keys beyond create and find.
  /** A workspace's keys (revoked ones too), oldest first. */
  listApiKeys(workspaceId?: string): Promise<ApiKeyRow[]>;
  /** Revokes key `id`; resolves whether it existed and was live. */
  revokeApiKey(id: string, at: string): Promise<boolean>;

  // Connections (values sealed by the vault before they reach the store).
  /** Inserts or replaces the connection (`created_at` kept on replace); resolves whether it was new. */
  saveConnection(row: ConnectionRow): Promise<boolean>;
  getConnection(workspaceId: string, name: string): Promise<ConnectionRow | undefined>;
  /** By name. */
  listConnections(workspaceId: string): Promise<ConnectionRow[]>;
  deleteConnection(workspaceId: string, name: string): Promise<boolean>;

  // Trigger states.
  getTriggerState(workflowUid: string): Promise<TriggerStateRow | undefined>;
  /** Every trigger state (enabled or not), by workflow uid. */
  listTriggerStates(workspaceId?: string): Promise<TriggerStateRow[]>;
  /**
   * Creates the row, or updates `kind`, `enabled`, `next_at` (and resets `state` when `resetState`) of an
   * existing one; `revision` is bumped so an in-flight cycle of an older configuration cannot commit.
   */
  putTriggerState(
    row: Pick<
      TriggerStateRow,
      'workflow_uid' | 'workspace_id' | 'kind' | 'enabled' | 'next_at' | 'updated_at'
    >,
    resetState: boolean,
  ): Promise<TriggerStateRow>;
  deleteTriggerState(workflowUid: string): Promise<void>;
  /**
   * In one transaction: checks the revision, writes the patch, bumps the revision and `events_seen`, and
   * creates the runs. Resolves `false` (nothing written) when the revision moved.
   */
  commitTrigger(commit: TriggerCommit): Promise<boolean>;

  // Nodes (issue 6): the engine processes sharing this database, for `sluice status`.
  /** Inserts the node's row, or replaces the row with its id. */
  registerNode(node: NodeRow): Promise<void>;
  /** Sets the node's `heartbeat_at` and `executing`; resolves `false` when its row is gone (pruned). */
  heartbeatNode(id: string, at: string, executing: number): Promise<boolean>;
  /** Deletes the node's row (on close). */
  removeNode(id: string): Promise<void>;
  /** Every registered node, alive or not, oldest first. */
  listNodes(): Promise<NodeRow[]>;
  /** Deletes the nodes whose last heartbeat is before `heartbeatBefore`; resolves how many. */
  pruneNodes(heartbeatBefore: string): Promise<number>;
  /** Every named lease, by name, expired or not. */
  listLeases(): Promise<LeaseRow[]>;
  /** Unfinished runs with a lease, per owner, with how many of those leases expired at `now`. */
  countRunLeases(now: string): Promise<RunLeaseCount[]>;
}
