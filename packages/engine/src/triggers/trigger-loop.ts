/**
 * The trigger loop: one per engine, ticking every `tickMs`, and working only while it holds the
 * database lease `triggers` (renewed each tick, released on close), so schedules and pollers run on
 * one process at a time and move to another when that one dies.
 *
 * Each tick takes the due triggers (`enabled`, `next_at <= now`) one by one:
 * - schedule: one run (`INPUT` = `schedule.input`, default `{}`), committed with the next fire time
 *   after now (fire times missed while the service was down collapse into this one run);
 * - poll: one cycle of the connector's trigger through the SDK runtime (ascending or paging_desc
 *   semantics), then ONE `triggers.commit`: the new state (cursor and dedup ledger), `next_at = now +
 *   interval`, `last_polled_at`, and one `pending` run per new record (`INPUT` = the record). A cycle that
 *   crashes before its commit leaves nothing behind, so the next one polls the same records again.
 *   A failed poll commits only `last_error` and the next time (no runs, the state unchanged).
 * A commit refused because the revision moved (the workflow was republished, enabled or disabled
 * meanwhile, or another process committed) is dropped: the next tick reads the new row.
 *
 * @internal
 * @module
 */
import type { Connector, Logger } from '@sluice/sdk';
import { createConnectorRuntime, type HttpTransport } from '@sluice/sdk/internal';
import { actionConnections } from '../connectors/catalog.js';
import { admitRun } from '../run/admit-run.js';
import { createRedactor } from '../secrets/redactor.js';
import type { RunValueSealer } from '../secrets/run-values.js';
import type {
  ServiceStore,
  StoredWorkflow,
  TriggerCommit,
  TriggeredRun,
  TriggerStateRow,
} from '../store/service-store.js';
import type { PollTrigger, ScheduleTrigger } from '../workflow/model.js';
import { pollFingerprint, pollIntervalMs, resumableState, type StoredPollState } from './poll-state.js';
import { nextFireTime } from './schedule.js';
import type { TriggerConnections } from './sync-triggers.js';

/** The name of the lease the loop holds. */
export const TRIGGERS_LEASE = 'triggers';

/** A run a commit created, to execute now (its unredacted input is sealed in its row). */
export interface DispatchedRun {
  id: string;
}

/** What {@link TriggerLoop} works with. */
export interface TriggerLoopOptions {
  store: ServiceStore;
  /** This process's lease owner name. */
  owner: string;
  connectors: ReadonlyMap<string, Connector>;
  /** Also gives the connection secrets of a workspace, redacted from the inputs of its runs. */
  connections?: (TriggerConnections & { secretsOf(workspaceId: string): Promise<string[]> }) | undefined;
  /** Queues runs a commit created. */
  dispatch(runs: readonly DispatchedRun[]): void;
  now: () => number;
  /** Time between the end of one tick and the start of the next, in ms. */
  tickMs: number;
  /** How long the lease lasts without renewal, in ms. */
  leaseMs: number;
  logger: Logger;
  transport?: HttpTransport | undefined;
  /** Seals each run's unredacted input in its row, when redaction changed it. @default none */
  seal?: RunValueSealer | undefined;
}

/** Runs due schedules and pollers while holding the `triggers` lease. */
export class TriggerLoop {
  readonly #o: TriggerLoopOptions;
  /** Aborts the poll in flight on close: its cycle is abandoned uncommitted. */
  readonly #closing = new AbortController();
  #cycle: Promise<void> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;
  #started = false;
  #closed: Promise<void> | undefined;

  constructor(options: TriggerLoopOptions) {
    this.#o = options;
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
   * Stops: aborts the poll in flight (its cycle commits nothing), waits for the tick to end, and gives
   * the lease up so another process can take over at once. Idempotent.
   */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      clearTimeout(this.#timer);
      this.#closing.abort(new Error('the trigger loop is closing'));
      await this.#cycle;
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
      const now = this.#o.now();
      const due = await this.#o.store.triggers.listDue(iso(now));
      for (const row of due) {
        if (this.#closing.signal.aborted) return;
        // A long poll must not outlive the lease: renew before each trigger, stop when it was lost.
        if (!(await this.#renewLease())) return;
        await this.#fire(row).catch((err: unknown) =>
          this.#o.logger.error({ err, workflow: row.workflow_uid }, 'trigger cycle failed'),
        );
      }
    } catch (err) {
      if (!this.#closing.signal.aborted) this.#o.logger.error({ err }, 'trigger tick failed');
    }
  }

  #renewLease(): Promise<boolean> {
    const now = this.#o.now();
    return this.#o.store.leases.acquire(TRIGGERS_LEASE, this.#o.owner, iso(now + this.#o.leaseMs), iso(now));
  }

  async #fire(row: TriggerStateRow): Promise<void> {
    const stored = await this.#o.store.workflows.get(row.workflow_uid);
    // The sync removes rows of deleted workflows; one seen in between is skipped.
    if (stored === undefined || stored.deleted) return;
    const { schedule, poll } = stored.document.trigger ?? {};
    if (row.kind === 'schedule' && schedule !== undefined) return this.#fireSchedule(row, stored, schedule);
    if (row.kind === 'poll' && poll !== undefined) return this.#firePoll(row, stored, poll);
  }

  /**
   * Why the workflow's runs are refused now: the test of a connection its action steps use failed
   * (DESIGN: a run first tests its connections). `undefined` when they pass (a success is cached).
   */
  async #refusal(stored: StoredWorkflow): Promise<string | undefined> {
    const names = actionConnections(stored.document);
    if (names.length === 0 || this.#o.connections === undefined) return undefined;
    try {
      await this.#o.connections.check(stored.workspace_id, names);
      return undefined;
    } catch (err) {
      return errorMessage(err);
    }
  }

  async #fireSchedule(row: TriggerStateRow, stored: StoredWorkflow, schedule: ScheduleTrigger) {
    const refused = await this.#refusal(stored);
    if (refused !== undefined) {
      await this.#commit(row, { next_at: nextFireTime(schedule, this.#o.now()), last_error: refused }, []);
      return;
    }
    const secrets = await this.#workspaceSecrets(stored);
    const now = this.#o.now();
    const admitted = admitRun({
      from: 'schedule',
      stored,
      input: schedule.input ?? {},
      createdAt: iso(now),
      secrets,
      seal: this.#o.seal,
    });
    await this.#commit(row, { next_at: nextFireTime(schedule, now), last_error: null }, [admitted]);
  }

  async #firePoll(row: TriggerStateRow, stored: StoredWorkflow, poll: PollTrigger): Promise<void> {
    const signal = this.#closing.signal;
    // Refused before polling, so the records stay new for the cycle after the connection is fixed.
    const refused = await this.#refusal(stored);
    if (refused !== undefined) {
      await this.#commit(
        row,
        { last_error: refused, next_at: iso(this.#o.now() + pollIntervalMs(poll)) },
        [],
      );
      return;
    }
    let secrets: string[] = [];
    let cycle: { events: unknown[]; state: StoredPollState };
    try {
      const connection = await this.#connectionOf(stored, poll);
      const runtime = createConnectorRuntime(connection.connector, {
        connection: connection.values,
        signal,
        logger: this.#o.logger.child({ workflow: stored.uid, trigger: poll.trigger }),
        transport: this.#o.transport,
        // Refreshed tokens outlive the cycle: the next poll and the runs' action steps start from them.
        ...(connection.onConnectionChange === undefined
          ? {}
          : { onConnectionChange: connection.onConnectionChange }),
      });
      secrets = runtime.secrets();
      const result = await runtime.pollTrigger(poll.trigger, {
        input: poll.input ?? {},
        state: resumableState(row.state, poll),
      });
      cycle = { events: result.events, state: { config: pollFingerprint(poll), trigger: result.state } };
    } catch (err) {
      if (signal.aborted) return; // closing: abandoned, nothing committed
      const message = createRedactor({ values: secrets }).text(errorMessage(err));
      const next_at = iso(this.#o.now() + pollIntervalMs(poll));
      await this.#commit(row, { last_error: message, next_at }, []);
      return;
    }
    if (signal.aborted) return;
    // A record may hold the poll's own (refreshed) tokens, as well as any connection's values.
    const known = [...secrets, ...(await this.#workspaceSecrets(stored))];
    const now = this.#o.now();
    const at = iso(now);
    const runs = cycle.events.map((input) =>
      admitRun({ from: 'poll', stored, input, createdAt: at, secrets: known, seal: this.#o.seal }),
    );
    const patch = { state: cycle.state, next_at: iso(now + pollIntervalMs(poll)), last_polled_at: at };
    await this.#commit(row, { ...patch, last_error: null }, runs);
  }

  /** The connection secrets of the workflow's workspace, redacted from its runs' inputs. */
  async #workspaceSecrets(stored: StoredWorkflow): Promise<string[]> {
    return (await this.#o.connections?.secretsOf(stored.workspace_id)) ?? [];
  }

  async #connectionOf(
    stored: StoredWorkflow,
    poll: PollTrigger,
  ): Promise<{
    connector: Connector;
    values: Record<string, unknown>;
    onConnectionChange?: (values: Readonly<Record<string, unknown>>) => Promise<void>;
  }> {
    if (poll.connection !== undefined) {
      if (this.#o.connections === undefined) {
        throw new Error(`trigger.poll.connection: no connection ${poll.connection} (no connection service)`);
      }
      const opened = await this.#o.connections.open(stored.workspace_id, poll.connection);
      if (opened.connectorName !== poll.connector) {
        throw new Error(
          `trigger.poll.connection: connection ${poll.connection} is for connector ${opened.connectorName}, not ${poll.connector}`,
        );
      }
      return opened;
    }
    const connector = this.#o.connectors.get(poll.connector);
    if (connector === undefined) {
      throw new Error(`trigger.poll.connector: connector ${poll.connector} is not registered here`);
    }
    return { connector, values: {} };
  }

  async #commit(
    row: TriggerStateRow,
    patch: TriggerCommit['patch'],
    runs: readonly TriggeredRun[],
  ): Promise<void> {
    const committed = await this.#o.store.triggers.commit({
      workflow_uid: row.workflow_uid,
      expectedRevision: row.revision,
      patch,
      runs: runs.map(({ run, caller }) => ({ run, caller })),
      at: iso(this.#o.now()),
    });
    if (!committed) {
      this.#o.logger.debug({ workflow: row.workflow_uid }, 'trigger row changed during the cycle; dropped');
      return;
    }
    if (runs.length > 0) this.#o.dispatch(runs.map(({ run }) => ({ id: run.id })));
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function errorMessage(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return typeof code === 'string' && code.startsWith('SLUICE_') ? `${code}: ${err.message}` : err.message;
  }
  return String(err);
}
