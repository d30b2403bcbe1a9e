/**
 * The trigger loop: one per engine, ticking every `tickMs`, and working only while it holds the
 * database lease `triggers` (renewed each tick, released on close), so pulled triggers fire on one
 * process at a time and move to another when that one dies. Pushed kinds that listen (`start`/`stop`)
 * listen while the lease is held.
 *
 * Each tick takes the due triggers (`triggers.listDue`: enabled, `next_at <= now`) one by one and fires
 * each through its kind (`trigger-kind.ts`): a schedule's fire time, a poll cycle. What a firing returns
 * is committed in ONE `triggers.commit`: the new state, `next_at`, `last_polled_at`, `last_error` and
 * one `pending` run per event. A firing that crashes before its commit leaves nothing behind, so the next
 * one fires again. Before firing, the connections the workflow's action steps use pass their test, or
 * the firing is refused (`last_error`, next time from the kind's `nextDue`).
 * A commit refused because the revision moved (the workflow was republished, enabled or disabled
 * meanwhile, or another process committed) is dropped: the next tick reads the new row.
 *
 * @internal
 * @module
 */
import { actionConnections } from '../connectors/catalog.js';
import { admitRun } from '../run/admit-run.js';
import type { RunValueSealer } from '../secrets/run-values.js';
import type { ServiceStore, StoredWorkflow, TriggeredRun, TriggerStateRow } from '../store/service-store.js';
import { lastErrorText } from './last-error.js';
import type { DispatchedRun } from './trigger-events.js';
import type { Firing, TriggerContext, TriggerKind } from './trigger-kind.js';
import type { TriggerKinds } from './trigger-kinds.js';

export type { DispatchedRun } from './trigger-events.js';

/** The name of the lease the loop holds. */
export const TRIGGERS_LEASE = 'triggers';

/** What {@link TriggerLoop} works with. */
export interface TriggerLoopOptions {
  store: ServiceStore;
  kinds: TriggerKinds;
  /** What kinds may use; its `signal` is the loop's own (aborted on close), set by the loop. */
  context: Omit<TriggerContext, 'signal'>;
  /** This process's lease owner name. */
  owner: string;
  /** Queues runs a commit created. */
  dispatch(runs: readonly DispatchedRun[]): void;
  /** Time between the end of one tick and the start of the next, in ms. */
  tickMs: number;
  /** How long the lease lasts without renewal, in ms. */
  leaseMs: number;
  /** Seals each run's unredacted input in its row, when redaction changed it. @default none */
  seal?: RunValueSealer | undefined;
}

/** Fires due pulled triggers, and runs the listeners of pushed ones, while holding the `triggers` lease. */
export class TriggerLoop {
  readonly #o: TriggerLoopOptions;
  /** Aborts the firing in flight on close: it is abandoned uncommitted. */
  readonly #closing = new AbortController();
  readonly #ctx: TriggerContext;
  #cycle: Promise<void> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;
  #started = false;
  #closed: Promise<void> | undefined;
  /** The pushed kinds whose listener runs (started while this process holds the lease). */
  readonly #listening = new Set<TriggerKind>();

  constructor(options: TriggerLoopOptions) {
    this.#o = options;
    this.#ctx = { ...options.context, signal: this.#closing.signal };
  }

  /** Starts ticking (the first tick at once). Idempotent. */
  start(): void {
    if (this.#started || this.#closed !== undefined) return;
    this.#started = true;
    this.#schedule(0);
  }

  /** Runs one tick now, after the one in flight; resolves when its commits are done. */
  tick(): Promise<void> {
    this.#cycle = this.#cycle.then(() => this.#tick());
    return this.#cycle;
  }

  /**
   * Stops: aborts the firing in flight (it commits nothing), waits for the tick to end, stops the
   * listeners and gives the lease up so another process can take over at once. Idempotent.
   */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      clearTimeout(this.#timer);
      this.#closing.abort(new Error('the trigger loop is closing'));
      await this.#cycle;
      await this.#listen(false);
      await this.#o.store.leases.release(TRIGGERS_LEASE, this.#o.owner).catch(() => undefined);
    })();
    return this.#closed;
  }

  #schedule(delay: number): void {
    if (this.#closing.signal.aborted) return;
    this.#timer = setTimeout(() => {
      void this.tick().finally(() => this.#schedule(this.#o.tickMs));
    }, delay);
    this.#timer.unref();
  }

  async #tick(): Promise<void> {
    if (this.#closing.signal.aborted) return;
    try {
      if (!(await this.#renewLease())) return;
      const due = await this.#o.store.triggers.listDue(iso(this.#o.context.now()));
      for (const row of due) {
        if (this.#closing.signal.aborted) return;
        // A long firing must not outlive the lease: renew before each trigger, stop when it was lost.
        if (!(await this.#renewLease())) return;
        await this.#fire(row).catch((err: unknown) =>
          this.#o.context.logger.error({ err, workflow: row.workflow_uid }, 'trigger cycle failed'),
        );
      }
    } catch (err) {
      if (!this.#closing.signal.aborted) this.#o.context.logger.error({ err }, 'trigger tick failed');
    }
  }

  async #renewLease(): Promise<boolean> {
    const now = this.#o.context.now();
    const held = await this.#o.store.leases.acquire(
      TRIGGERS_LEASE,
      this.#o.owner,
      iso(now + this.#o.leaseMs),
      iso(now),
    );
    await this.#listen(held);
    return held;
  }

  /**
   * Starts the listeners of pushed kinds while the lease is held (a listener whose start failed is
   * started again on the next tick), and stops them when it is lost.
   */
  async #listen(held: boolean): Promise<void> {
    const { logger } = this.#o.context;
    for (const kind of this.#o.kinds.list) {
      if (held && !this.#closing.signal.aborted) {
        if (kind.start === undefined || this.#listening.has(kind)) continue;
        try {
          await kind.start(this.#ctx);
          this.#listening.add(kind);
        } catch (err) {
          logger.error({ err, trigger: kind.key }, 'listener start failed; trying again next tick');
        }
      } else if (this.#listening.delete(kind)) {
        await kind
          .stop?.()
          .catch((err: unknown) => logger.error({ err, trigger: kind.key }, 'listener stop failed'));
      }
    }
  }

  async #fire(row: TriggerStateRow): Promise<void> {
    const stored = await this.#o.store.workflows.get(row.workflow_uid);
    // The sync removes rows of deleted workflows; one seen in between is skipped.
    if (stored === undefined || stored.deleted) return;
    const trigger = this.#o.kinds.of(stored.document.trigger);
    if (trigger === undefined || trigger.kind.key !== row.kind || trigger.kind.fire === undefined) return;
    const { kind, config } = trigger;
    // Refused before firing, so a poll's records stay new for the cycle after the connection is fixed.
    const refused = await this.#refusal(stored);
    if (refused !== undefined) {
      const next_at = kind.nextDue?.(config, this.#o.context.now()) ?? null;
      await this.#commit(row, { patch: { next_at, last_error: refused }, events: [] }, stored, kind);
      return;
    }
    const firing = await kind.fire?.(this.#ctx, row, stored, config);
    if (firing === undefined || this.#closing.signal.aborted) return;
    await this.#commit(row, firing, stored, kind);
  }

  /**
   * Why the workflow's runs are refused now: the test of a connection its action steps use failed
   * (DESIGN: a run first tests its connections). `undefined` when they pass (a success is cached).
   */
  async #refusal(stored: StoredWorkflow): Promise<string | undefined> {
    const names = actionConnections(stored.document);
    const connections = this.#o.context.connections;
    if (names.length === 0 || connections === undefined) return undefined;
    try {
      await connections.check(stored.workspace_id, names);
      return undefined;
    } catch (err) {
      return lastErrorText(err);
    }
  }

  async #commit(
    row: TriggerStateRow,
    firing: Firing,
    stored: StoredWorkflow,
    kind: TriggerKind,
  ): Promise<void> {
    let runs: TriggeredRun[] = [];
    if (firing.events.length > 0) {
      // An event may hold the firing's own secrets (refreshed tokens), as well as any connection's values.
      const workspace = (await this.#o.context.connections?.secretsOf(stored.workspace_id)) ?? [];
      const secrets = [...(firing.secrets ?? []), ...workspace];
      const createdAt = iso(this.#o.context.now());
      runs = firing.events.map((input) =>
        admitRun({ from: 'trigger', stored, input, createdAt, secrets, seal: this.#o.seal }),
      );
    }
    const committed = await this.#o.store.triggers.commit({
      workflow_uid: row.workflow_uid,
      expectedRevision: row.revision,
      patch: firing.patch,
      runs: runs.map(({ run, caller }) => ({ run, caller })),
      at: iso(this.#o.context.now()),
    });
    if (!committed) {
      this.#o.context.logger.debug(
        { workflow: row.workflow_uid, trigger: kind.key },
        'trigger row changed during the cycle; dropped',
      );
      return;
    }
    if (runs.length > 0) this.#o.dispatch(runs.map(({ run }) => ({ id: run.id })));
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
