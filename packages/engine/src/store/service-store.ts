/**
 * What the engine service (`sluice serve`, issue 5) needs from the database: one object per domain,
 * each a narrow interface of its own (`runs/run-store.ts`, `workflows/workflow-store.ts`, ...), so a
 * caller names the domain it works on (`store.runs.getRun(id)`, `store.workflows.publish(...)`).
 * `open-store.ts` builds it over SQLite or PostgreSQL; see `docs/store.md` and `docs/service.md`. The
 * domains' row types are re-exported here for the service's modules.
 *
 * @module
 */
import type { ApiKeyStore } from './api-keys/api-key-store.js';
import type { ConnectionStore } from './connections/connection-store.js';
import type { LeaseStore } from './leases/lease-store.js';
import type { NodeStore } from './nodes/node-store.js';
import type { RunLinkStore } from './run-links/run-link-store.js';
import type { ServiceRunStore } from './runs/run-store.js';
import type { SettingsStore } from './settings/settings-store.js';
import type { StatementTotals } from './statement-counts.js';
import type { TriggerStore } from './triggers/trigger-store.js';
import type { WorkflowStore } from './workflows/workflow-store.js';

export type { ApiCaller, ApiKeyRow, ApiKeyStore, ApiRole } from './api-keys/api-key-store.js';
export type { ConnectionRow, ConnectionStore } from './connections/connection-store.js';
export type { LeaseRow, LeaseStore } from './leases/lease-store.js';
export type { NodeKind, NodeRow, NodeStore } from './nodes/node-store.js';
export type { FailureDue, RunLinkStore } from './run-links/run-link-store.js';
export type {
  LastRun,
  ListRunsQuery,
  PruneExchangesQuery,
  RunCursor,
  RunLeaseCount,
  ServiceRunStore,
} from './runs/run-store.js';
export type { SettingsStore, WorkspaceSettingsRow } from './settings/settings-store.js';
export type { TriggerCommit, TriggeredRun, TriggerStateRow, TriggerStore } from './triggers/trigger-store.js';
export type {
  ListWorkflowsPage,
  PublishWorkflow,
  StoredWorkflow,
  WorkflowCursor,
  WorkflowStore,
} from './workflows/workflow-store.js';

/** The service's store: its domains. Every method of a domain is one transaction. */
export interface ServiceStore {
  /** Runs, their steps and items; claims of runs; run listings and counts. */
  readonly runs: ServiceRunStore;
  /** Published workflows, every version kept. */
  readonly workflows: WorkflowStore;
  /** API keys, stored hashed. */
  readonly apiKeys: ApiKeyStore;
  /** Connection values per workspace, sealed by the vault. */
  readonly connections: ConnectionStore;
  /** What each workflow's trigger is doing, and the commits of trigger cycles. */
  readonly triggers: TriggerStore;
  /** The engine processes sharing the database (issue 6). */
  readonly nodes: NodeStore;
  /** Named leases (the trigger loop's). */
  readonly leases: LeaseStore;
  /** Child runs of a parent, failed runs whose `on_failure` run is due (issue 15). */
  readonly runLinks: RunLinkStore;
  /** What each workspace changed of the defaults (issue 15: how long attempts' exchanges are kept). */
  readonly settings: SettingsStore;
  /** The SQL statements sent so far, by kind, when the store counts them (`openStore`'s does). */
  statements?(): StatementTotals;
}
