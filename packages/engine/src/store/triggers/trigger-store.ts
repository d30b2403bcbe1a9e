/**
 * The triggers domain: what the trigger of each published workflow is doing (`trigger_states`, one row
 * per workflow uid), and the commit of a trigger cycle with the runs it starts. `trigger-queries.ts`
 * implements it.
 *
 * @module
 */
import type { ApiCaller } from '../api-keys/api-key-store.js';
import type { NewRun } from '../runs/run-store.js';

/** What a trigger of a published workflow is doing (`trigger_states`, one row per workflow uid). */
export interface TriggerStateRow {
  workflow_uid: string;
  workspace_id: string;
  /** The trigger kind's key (`schedule`, `webhook`, `poll`, ...). */
  kind: string;
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

/** What {@link TriggerStore.commit} writes in one transaction. */
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

/** The `trigger_states` table. */
export interface TriggerStore {
  get(workflowUid: string): Promise<TriggerStateRow | undefined>;
  /** Every trigger state (enabled or not), by workflow uid. */
  list(workspaceId?: string): Promise<TriggerStateRow[]>;
  /**
   * The triggers due at `now`: enabled, not webhooks, `next_at` at or before `now`; by workflow uid,
   * at most `limit` of them.
   */
  listDue(now: string, limit?: number): Promise<TriggerStateRow[]>;
  /**
   * Creates the row, or updates `kind`, `enabled`, `next_at` (and resets `state` when `resetState`) of an
   * existing one; `revision` is bumped so an in-flight cycle of an older configuration cannot commit.
   */
  put(
    row: Pick<
      TriggerStateRow,
      'workflow_uid' | 'workspace_id' | 'kind' | 'enabled' | 'next_at' | 'updated_at'
    >,
    resetState: boolean,
  ): Promise<TriggerStateRow>;
  delete(workflowUid: string): Promise<void>;
  /**
   * In one transaction: checks the revision, writes the patch, bumps the revision and `events_seen`, and
   * creates the runs. Resolves `false` (nothing written) when the revision moved.
   */
  commit(commit: TriggerCommit): Promise<boolean>;
}
