/**
 * Keeps `trigger_states` in step with the published workflows: one row per workflow that has a
 * `trigger`, written when a version is published, removed when the workflow is deleted or loses its
 * trigger, and reconciled with every live workflow when the engine starts (a crash between a publish
 * and its row is repaired there). What a trigger does at each of those moments is its kind's
 * (`trigger-kind.ts`): whether it may go live (`checkEnable`: a poll's connection test, 422
 * `SLUICE_CONNECTION_TEST`), when it is first due, whether its state is stale, and telling its source
 * (`subscribe`, `unsubscribe`).
 *
 * A trigger the user disabled stays disabled across new versions of the same trigger kind.
 *
 * @internal
 * @module
 */
import { EngineError } from '../errors.js';
import type { Workflow } from '../model/workflow.js';
import type { ServiceStore, StoredWorkflow, TriggerStateRow } from '../store/service-store.js';
import type { DueReason, TriggerContext, TriggerExtras, TriggerKind } from './trigger-kind.js';
import type { TriggerKinds } from './trigger-kinds.js';

/** What {@link TriggerSync} works with. */
export interface TriggerSyncOptions {
  store: ServiceStore;
  kinds: TriggerKinds;
  context: TriggerContext;
}

/** A workflow's trigger: its kind and its configuration. */
interface LiveTrigger {
  kind: TriggerKind;
  config: unknown;
}

/** Writes trigger rows as workflows are published, deleted, enabled and disabled. */
export class TriggerSync {
  readonly #store: ServiceStore;
  readonly #kinds: TriggerKinds;
  readonly #ctx: TriggerContext;
  /** Whether a kind subscribes at its source: only then is a row read before it is removed. */
  readonly #unsubscribes: boolean;

  constructor(options: TriggerSyncOptions) {
    this.#store = options.store;
    this.#kinds = options.kinds;
    this.#ctx = options.context;
    this.#unsubscribes = options.kinds.list.some((kind) => kind.unsubscribe !== undefined);
  }

  /** The trigger of `workflow`: its kind and configuration; `undefined` when it has none. */
  triggerOf(workflow: Workflow): LiveTrigger | undefined {
    return this.#kinds.of(workflow.trigger);
  }

  /** What the API shows of the trigger of `stored` besides its row (a webhook's URL path). */
  extras(stored: StoredWorkflow): TriggerExtras {
    const trigger = this.triggerOf(stored.document);
    return trigger?.kind.extras?.(this.#ctx, stored, trigger.config) ?? {};
  }

  /**
   * Checks, before `workflow` is published as (a version of) `uid`, that its trigger may be enabled:
   * a poll trigger's connection passes its test. A trigger that stays disabled is not tested.
   *
   * @throws {EngineError} `SLUICE_CONNECTION_TEST` when the test fails; `SLUICE_CONNECTION` when the
   * service has no connections.
   */
  async checkPublish(workspaceId: string, uid: string | undefined, workflow: Workflow): Promise<void> {
    const trigger = this.triggerOf(workflow);
    if (trigger?.kind.checkEnable === undefined) return;
    const existing = uid === undefined ? undefined : await this.#store.triggers.get(uid);
    if (existing?.kind === trigger.kind.key && !existing.enabled) return;
    await trigger.kind.checkEnable(this.#ctx, workspaceId, trigger.config);
  }

  /** Writes the row of a version just published (or removes it when the version has no trigger). */
  async published(stored: StoredWorkflow): Promise<TriggerStateRow | undefined> {
    return this.#put(stored, 'publish');
  }

  /** Removes the row of a deleted workflow: its trigger stops; runs it started go on. */
  async deleted(uid: string): Promise<void> {
    await this.#remove(uid, undefined);
  }

  /** Removes the row of `uid` (`row`: as known, if it is) and tells its kind's source. */
  async #remove(uid: string, row: TriggerStateRow | undefined): Promise<void> {
    const before = row ?? (this.#unsubscribes ? await this.#store.triggers.get(uid) : undefined);
    await this.#store.triggers.delete(uid);
    if (before?.enabled === true) await this.#kinds.get(before.kind)?.unsubscribe?.(this.#ctx, uid, before);
  }

  /**
   * Enables or disables the trigger of `stored` (the latest version). Enabling a poll trigger runs its
   * connection's test first; a schedule goes on from the next fire time after now, a poll polls soon.
   *
   * @throws {EngineError} `SLUICE_API_NOT_FOUND` when the workflow has no trigger; `SLUICE_CONNECTION_TEST`.
   */
  async setEnabled(stored: StoredWorkflow, enabled: boolean): Promise<TriggerStateRow> {
    const trigger = this.triggerOf(stored.document);
    if (trigger === undefined) throw noTrigger(stored.uid);
    const { kind, config } = trigger;
    if (enabled) await kind.checkEnable?.(this.#ctx, stored.workspace_id, config);
    const existing = await this.#store.triggers.get(stored.uid);
    const resetState = existing !== undefined && this.#stale(existing, trigger);
    const row = await this.#store.triggers.put(
      {
        workflow_uid: stored.uid,
        workspace_id: stored.workspace_id,
        kind: kind.key,
        enabled,
        next_at: enabled ? this.#firstTime(trigger, existing, resetState, 'enable') : null,
        updated_at: this.#iso(),
      },
      resetState,
    );
    await this.#told(stored, trigger, existing, row);
    return row;
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
      if (stored === undefined || this.triggerOf(stored.document) === undefined) {
        await this.#remove(row.workflow_uid, row);
        changed += 1;
      }
    }
    const byUid = new Map(rows.map((row) => [row.workflow_uid, row]));
    for (const stored of live.values()) {
      if (this.triggerOf(stored.document) === undefined) continue;
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
    const trigger = this.triggerOf(stored.document);
    if (trigger === undefined) {
      await this.#remove(stored.uid, existing ?? undefined);
      return undefined;
    }
    const row = existing === undefined ? await this.#store.triggers.get(stored.uid) : (existing ?? undefined);
    const { kind } = trigger;
    const resetState = row !== undefined && this.#stale(row, trigger);
    const enabled = row?.kind === kind.key ? row.enabled : true;
    const next_at = enabled ? this.#firstTime(trigger, row, resetState, why) : null;
    const unchanged =
      row !== undefined &&
      row.kind === kind.key &&
      row.enabled === enabled &&
      row.next_at === next_at &&
      row.workspace_id === stored.workspace_id &&
      !resetState;
    if (why === 'reconcile' && unchanged) return undefined;
    const written = await this.#store.triggers.put(
      {
        workflow_uid: stored.uid,
        workspace_id: stored.workspace_id,
        kind: kind.key,
        enabled,
        next_at,
        updated_at: this.#iso(),
      },
      resetState,
    );
    await this.#told(stored, trigger, row, written);
    return written;
  }

  /** Tells the sources of the old and the new trigger what changed (kinds that subscribe somewhere). */
  async #told(
    stored: StoredWorkflow,
    trigger: LiveTrigger,
    before: TriggerStateRow | undefined,
    after: TriggerStateRow,
  ): Promise<void> {
    if (before?.enabled === true && (!after.enabled || before.kind !== after.kind)) {
      await this.#kinds.get(before.kind)?.unsubscribe?.(this.#ctx, stored.uid, before);
    }
    if (after.enabled) await trigger.kind.subscribe?.(this.#ctx, stored, trigger.config);
  }

  /** Whether the row's state belongs to another trigger kind or another configuration of the kind. */
  #stale(row: TriggerStateRow, trigger: LiveTrigger): boolean {
    if (row.kind !== trigger.kind.key) return row.state !== null;
    return trigger.kind.isStale?.(row.state, trigger.config) ?? false;
  }

  /** `next_at` of an enabled trigger. */
  #firstTime(
    trigger: LiveTrigger,
    row: TriggerStateRow | undefined,
    resetState: boolean,
    why: DueReason,
  ): string | null {
    const kept = row?.kind === trigger.kind.key && row?.enabled === true ? row.next_at : null;
    return trigger.kind.firstDue(trigger.config, { row, kept, resetState, why, now: this.#ctx.now() });
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
    return new Date(this.#ctx.now()).toISOString();
  }
}

function noTrigger(uid: string): EngineError {
  return new EngineError('SLUICE_API_NOT_FOUND', `workflow ${uid} has no trigger`, {
    hint: 'add trigger: {schedule | webhook | poll | connector_webhook} to the workflow and publish it',
  });
}
