/**
 * What the engine service (`sluice serve`, issue 5) needs from the database beyond the {@link Store}
 * of a single run: published workflows with every version kept, API keys stored hashed, runs listed
 * per workspace with keyset pagination, and the unfinished runs to resume on start-up. `kysely-store.ts`
 * implements it over SQLite and PostgreSQL; see `docs/store.md` and `docs/service.md`.
 *
 * @module
 */
import type { Workflow, WorkflowScope } from '../workflow/model.js';
import type { RunRow, RunStatus, Store } from './store.js';

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

/** The filter and page of {@link ServiceStore.listRuns}. */
export interface ListRunsQuery {
  workspace_id: string;
  workflow_uid?: string | undefined;
  status?: RunStatus | undefined;
  /** At most this many runs. */
  limit: number;
  after?: RunCursor | undefined;
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
  /** The latest version of each workflow of `workspaceId` and of each global one, not deleted, by name. */
  listWorkflows(workspaceId: string): Promise<StoredWorkflow[]>;
  /** Marks every version deleted; resolves whether the workflow existed and was not deleted yet. */
  deleteWorkflow(uid: string, at: string): Promise<boolean>;
  createApiKey(key: ApiKeyRow): Promise<void>;
  /** The key with this hash, unless revoked. */
  findApiKey(keyHash: string): Promise<ApiKeyRow | undefined>;
  /** Creates a run started by `caller` (kept for `USER` when the run resumes). */
  createServiceRun(run: Parameters<Store['createRun']>[0], caller: ApiCaller): Promise<void>;
  /** Who started run `id`, when the service started it. */
  getRunCaller(id: string): Promise<ApiCaller | undefined>;
  /** A workspace's runs, newest first (`created_at`, then `id`, descending). */
  listRuns(query: ListRunsQuery): Promise<RunRow[]>;
  /** Every `pending` or `running` run, oldest first. */
  listUnfinishedRuns(): Promise<RunRow[]>;
}
