/**
 * Keeps `trigger_states` in step with the published workflows: one row per workflow that has a
 * `trigger`, written when a version is published, removed when the workflow is deleted or loses its
 * trigger, and reconciled with every live workflow when the engine starts (a crash between a publish
 * and its row is repaired there). Enabling a poll trigger first runs the `test` of its connection; a
 * failing test refuses the publish or the enable (422 `SLUICE_CONNECTION_TEST`).
 *
 * A trigger the user disabled stays disabled across new versions of the same trigger kind.
 *
 * @internal
 * @module
 */
import type { ConnectionValues, Connector } from '@sluice/sdk';
import { EngineError } from '../errors.js';
import type { ServiceStore, StoredWorkflow, TriggerStateRow } from '../store/service-store.js';
import type { Workflow, WorkflowTrigger } from '../workflow/model.js';
import { isStaleState, resumableState } from './poll-state.js';
import { nextFireTime } from './schedule.js';

/** What triggers need of the engine's connections (`ConnectionService`). */
export interface TriggerConnections {
  /** Runs the `test` of each connection. @throws {EngineError} `SLUICE_CONNECTION_TEST` for the first that fails. */
  check(workspaceId: string, names: readonly string[]): Promise<void>;
  /** The decrypted values of a stored connection and its connector. */
  open(
    workspaceId: string,
    name: string,
  ): Promise<{ connector: Connector; connectorName: string; values: ConnectionValues }>;
}

/** The kind of a workflow trigger. */
export type TriggerKind = TriggerStateRow['kind'];

/** The kind of `trigger`, or `undefined` for a workflow that only runs through the API. */
export function triggerKind(trigger: WorkflowTrigger | undefined): TriggerKind | undefined {
  if (trigger?.schedule !== undefined) return 'schedule';
  if (trigger?.poll !== undefined) return 'poll';
  if (trigger?.webhook !== undefined) return 'webhook';
  return undefined;
}

/** What {@link TriggerSync} works with. */
export interface TriggerSyncOptions {
  store: ServiceStore;
  /** Absent: poll triggers with a connection cannot be enabled. */
  connections?: TriggerConnections | undefined;
  now: () => number;
}

/** Writes trigger rows as workflows are published, deleted, enabled and disabled. */
export class TriggerSync {
  readonly #store: ServiceStore;
  readonly #connections: TriggerConnections | undefined;
  readonly #now: () => number;

  constructor(options: TriggerSyncOptions) {
    this.#store = options.store;
    this.#connections = options.connections;
    this.#now = options.now;
  }

  /**
   * Checks, before `workflow` is published as (a version of) `uid`, that its trigger may be enabled:
   * a poll trigger's connection passes its test. A trigger that stays disabled is not tested.
   *
   * @throws {EngineError} `SLUICE_CONNECTION_TEST` when the test fails; `SLUICE_CONNECTION` when the
   * service has no connections.
   */
  async checkPublish(workspaceId: string, uid: string | undefined, workflow: Workflow): Promise<void> {
    const kind = triggerKind(workflow.trigger);
    if (kind !== 'poll') return;
    const existing = uid === undefined ? undefined : await this.#store.triggers.get(uid);
    if (existing?.kind === kind && !existing.enabled) return;
    await this.#checkConnection(workspaceId, workflow);
  }

  /** Writes the row of a version just published (or removes it when the version has no trigger). */
  async published(stored: StoredWorkflow): Promise<TriggerStateRow | undefined> {
    return this.#put(stored, 'publish');
  }

  /** Removes the row of a deleted workflow: its trigger stops; runs it started go on. */
  async deleted(uid: string): Promise<void> {
    await this.#store.triggers.delete(uid);
  }

  /**
   * Enables or disables the trigger of `stored` (the latest version). Enabling a poll trigger runs its
   * connection's test first; a schedule goes on from the next fire time after now, a poll polls soon.
   *
   * @throws {EngineError} `SLUICE_API_NOT_FOUND` when the workflow has no trigger; `SLUICE_CONNECTION_TEST`.
   */
  async setEnabled(stored: StoredWorkflow, enabled: boolean): Promise<TriggerStateRow> {
    const kind = triggerKind(stored.document.trigger);
    if (kind === undefined) throw noTrigger(stored.uid);
    if (enabled && kind === 'poll') await this.#checkConnection(stored.workspace_id, stored.document);
    const existing = await this.#store.triggers.get(stored.uid);
    const resetState = existing !== undefined && this.#stale(existing, stored.document);
    return this.#store.triggers.put(
      {
        workflow_uid: stored.uid,
        workspace_id: stored.workspace_id,
        kind,
        enabled,
        next_at: enabled ? this.#firstTime(stored.document, existing, resetState, 'enable') : null,
        updated_at: this.#iso(),
      },
      resetState,
    );
  }

  /**
   * Brings every row in line with the live workflows (run at engine start): rows of deleted workflows or
   * of workflows without a trigger go; missing rows are created enabled; a schedule keeps a missed fire
   * time, so it fires once for it. Connections are not tested here: a failing poll records `last_error`.
   * Resolves how many rows it wrote or removed.
   */
  async reconcile(): Promise<number> {
    const rows = await this.#store.triggers.list();
    const live = await this.#liveWorkflows(rows);
    let changed = 0;
    for (const row of rows) {
      const stored = live.get(row.workflow_uid);
      if (stored === undefined || triggerKind(stored.document.trigger) === undefined) {
        await this.#store.triggers.delete(row.workflow_uid);
        changed += 1;
      }
    }
    const byUid = new Map(rows.map((row) => [row.workflow_uid, row]));
    for (const stored of live.values()) {
      if (triggerKind(stored.document.trigger) === undefined) continue;
      if (await this.#put(stored, 'reconcile', byUid.get(stored.uid) ?? null)) changed += 1;
    }
    return changed;
  }

  /**
   * Puts the row `stored` needs. `existing`: the row if known (`null`: known to be absent). On
   * reconcile, resolves `undefined` when the row was already right.
   */
  async #put(
    stored: StoredWorkflow,
    why: 'publish' | 'reconcile',
    existing?: TriggerStateRow | null,
  ): Promise<TriggerStateRow | undefined> {
    const kind = triggerKind(stored.document.trigger);
    if (kind === undefined) {
      await this.#store.triggers.delete(stored.uid);
      return undefined;
    }
    const row = existing === undefined ? await this.#store.triggers.get(stored.uid) : (existing ?? undefined);
    const resetState = row !== undefined && this.#stale(row, stored.document);
    const enabled = row?.kind === kind ? row.enabled : true;
    const next_at = enabled ? this.#firstTime(stored.document, row, resetState, why) : null;
    const unchanged =
      row !== undefined &&
      row.kind === kind &&
      row.enabled === enabled &&
      row.next_at === next_at &&
      row.workspace_id === stored.workspace_id &&
      !resetState;
    if (why === 'reconcile' && unchanged) return undefined;
    return this.#store.triggers.put(
      {
        workflow_uid: stored.uid,
        workspace_id: stored.workspace_id,
        kind,
        enabled,
        next_at,
        updated_at: this.#iso(),
      },
      resetState,
    );
  }

  /** Whether the row's state belongs to another trigger kind or another poll configuration. */
  #stale(row: TriggerStateRow, workflow: Workflow): boolean {
    const poll = workflow.trigger?.poll;
    if (row.kind !== triggerKind(workflow.trigger)) return row.state !== null;
    return poll !== undefined && isStaleState(row.state, poll);
  }

  /** `next_at` of an enabled trigger. */
  #firstTime(
    workflow: Workflow,
    row: TriggerStateRow | undefined,
    resetState: boolean,
    why: 'publish' | 'reconcile' | 'enable',
  ): string | null {
    const trigger = workflow.trigger;
    const now = this.#now();
    const kept = row?.kind === triggerKind(trigger) && row?.enabled === true ? row.next_at : null;
    if (trigger?.schedule !== undefined) {
      // On reconcile a past next_at is a fire time missed while the service was down: keep it, it fires once.
      if (why === 'reconcile' && kept !== null) return kept;
      return nextFireTime(trigger.schedule, now);
    }
    if (trigger?.poll !== undefined) {
      const fresh = resetState || resumableState(row?.state, trigger.poll) === undefined;
      if (kept === null || fresh || why === 'enable') return new Date(now).toISOString();
      // Keep the planned poll, but never later than one interval from now (the interval may have shrunk).
      const soonest = now + (trigger.poll.interval ?? 60) * 1000;
      return Date.parse(kept) <= soonest ? kept : new Date(soonest).toISOString();
    }
    return null;
  }

  async #checkConnection(workspaceId: string, workflow: Workflow): Promise<void> {
    const name = workflow.trigger?.poll?.connection;
    if (name === undefined) return;
    if (this.#connections === undefined) {
      throw new EngineError('SLUICE_CONNECTION', `trigger.poll.connection: no connection ${name} here`, {
        hint: 'this engine has no connection service; start it with createEngine({ secretKey, connectors })',
      });
    }
    await this.#connections.check(workspaceId, [name]);
  }

  /** The latest live version of every workflow that has, or may need, a row. */
  async #liveWorkflows(rows: readonly TriggerStateRow[]): Promise<Map<string, StoredWorkflow>> {
    // A workflow belongs to a workspace that had a key when it was published: list them all.
    const workspaces = new Set<string>(rows.map((row) => row.workspace_id));
    for (const key of await this.#store.apiKeys.list()) workspaces.add(key.workspace_id);
    const live = new Map<string, StoredWorkflow>();
    for (const workspace of workspaces) {
      for (const stored of await this.#store.workflows.list(workspace)) live.set(stored.uid, stored);
    }
    for (const row of rows) {
      if (live.has(row.workflow_uid)) continue;
      const stored = await this.#store.workflows.get(row.workflow_uid);
      if (stored !== undefined && !stored.deleted) live.set(stored.uid, stored);
    }
    return live;
  }

  #iso(): string {
    return new Date(this.#now()).toISOString();
  }
}

function noTrigger(uid: string): EngineError {
  return new EngineError('SLUICE_API_NOT_FOUND', `workflow ${uid} has no trigger`, {
    hint: 'add trigger: {schedule | webhook | poll} to the workflow and publish it',
  });
}
