/**
 * How an engine executes runs, put together: the run queue (in this process, or BullMQ shared by
 * every process), the sweeper that finds runs to queue (unfinished at start, leases run out, stored
 * waits due), the supervisor that claims and executes them, the waiters of `?wait=true`, and the log of
 * store outages that pauses the queue while the store is down.
 *
 * @internal
 * @module
 */
import { setTimeout as sleepFor } from 'node:timers/promises';
import { isSluiceError, type Logger } from '@sluice/sdk';
import type { ConnectionService } from '../connections/connection-service.js';
import { actionConnections } from '../connectors/catalog.js';

import { EngineError } from '../errors.js';
import { isoTime } from '../model/iso-time.js';
import type { Workflow } from '../model/workflow.js';
import { createRunQueue, type EngineQueueOptions } from '../queue/create-queue.js';
import { OutageLog } from '../queue/outage-log.js';
import type { QueueStats, RunQueue } from '../queue/run-queue.js';
import type { ApiCaller, StoredWorkflow } from '../store/service-store.js';
import { isFinished, type RunRow, type RunStatus, type Store } from '../store/store.js';
import { type ApiRunOrigin, admitRun, runnableWorkflow } from './admit-run.js';
import { ServiceChildRuns } from './child-runs.js';
import { FailureRuns } from './failure-runs.js';
import { RunSupervisor, type RunSupervisorOptions } from './run-supervisor.js';
import { RunWaiters } from './run-waiters.js';
import { RunWatch } from './run-watch.js';
import { Sweeper } from './sweeper.js';

/** Runs a sweep pushes per pass into a shared queue (at least; twice the concurrency if more). */
const SHARED_SWEEP_BATCH = 100;

/** What {@link RunExecution} is built from: the supervisor's parts, and the queue's. */
export interface RunExecutionOptions
  extends Omit<
    RunSupervisorOptions,
    | 'storeOutage'
    | 'waiters'
    | 'onSuspended'
    | 'onExecutionEnd'
    | 'logger'
    | 'connections'
    | 'children'
    | 'onRunEnded'
  > {
  /** Tests the connections of a run's action steps, opens them, gives a workspace's secrets. */
  connections: Pick<ConnectionService, 'check' | 'open' | 'secretsOf'>;
  logger: Logger;
  /** The engine's logger as given (`undefined`: runs log nothing). */
  runLogger: Logger | undefined;
  queue: EngineQueueOptions | undefined;
  /** `false`: push only (an API node). */
  execute: boolean | undefined;
  /** Runs executing at once in this process. */
  concurrency: number;
  /** How often the sweeper looks for runs to queue. */
  sweepMs: number;
  /** How often a wait for a run executing elsewhere reads the store. */
  waitPollMs: number;
  /** Aborted when the engine closes. */
  signal: AbortSignal;
  /** How deep child runs may nest. @default {@link DEFAULT_MAX_WORKFLOW_DEPTH} */
  maxWorkflowDepth?: number | undefined;
}

/** The queue, the sweeper, the supervisor and the waiters of one engine. */
export class RunExecution {
  readonly supervisor: RunSupervisor;
  readonly #queue: RunQueue;
  readonly #sweeper: Sweeper;
  readonly #waiters: RunWaiters;
  readonly #storeOutage: OutageLog;
  readonly #o: RunExecutionOptions;
  readonly #failures: FailureRuns;
  /** The last sweep of `on_failure` runs due, which stop() waits for. */
  #failureSweep: Promise<void> | undefined;
  #stopped = false;
  /** Runs created started whose insert is in flight: the slots they will take. */
  #starting = 0;

  constructor(options: RunExecutionOptions) {
    const { concurrency } = options;
    this.#o = options;
    this.#queue = createRunQueue({
      queue: options.queue,
      execute: options.execute,
      logger: options.runLogger,
      concurrency,
      run: (id) => this.supervisor.execute(id),
      onReconnect: () => this.#sweeper.poke(),
      lockMs: options.leaseMs,
    });
    const outage = { down: 'store unreachable, pausing work', up: 'store reachable again, resuming' };
    this.#storeOutage = new OutageLog(options.logger, outage, (down) => {
      // Claims would fail and drop jobs meanwhile; the sweeper's next good pass resumes the work.
      if (down) this.#queue.pause();
      else {
        this.#queue.resume();
        this.#sweeper.poke();
      }
    });
    this.#sweeper = new Sweeper({
      store: options.store,
      intervalMs: options.sweepMs,
      now: options.now,
      // Queue a little more than the slots, so a slot that frees up has a run ready. A shared queue is
      // filled by every process: push a batch per pass (a push of a queued run is a no-op).
      room: () =>
        this.#queue.shared
          ? Math.max(SHARED_SWEEP_BATCH, 2 * concurrency)
          : 2 * Math.max(1, concurrency) - this.#queue.depth,
      enqueue: (id) => this.enqueue(id),
      onError: (err) => this.#storeOutage.failed(err),
      onPass: () => {
        this.#storeOutage.succeeded();
        // `on_failure` runs a crash kept from starting; most start when their run fails. Awaited by stop().
        if (this.#stopped) return;
        this.#failureSweep = this.#failures.sweep().catch((err: unknown) => this.#storeOutage.failed(err));
      },
    });
    const starts = {
      store: options.store,
      connections: options.connections,
      seal: options.seal,
      now: options.now,
      enqueue: (id: string) => this.enqueue(id),
    };
    this.#failures = new FailureRuns({ ...starts, logger: options.logger });
    const children = new ServiceChildRuns({ ...starts, maxDepth: options.maxWorkflowDepth });
    const remote = new RunWatch(options.store, options.waitPollMs, options.signal);
    this.#waiters = new RunWaiters(remote, () => this.#queue.shared);
    this.supervisor = new RunSupervisor({
      ...options,
      logger: options.runLogger,
      storeOutage: this.#storeOutage,
      waiters: this.#waiters,
      onSuspended: (at) => this.#sweeper.wakeAt(at),
      // A shared queue is swept in batches on the timer: a sweep per finished run would flood it.
      onExecutionEnd: () => (this.#queue.shared ? undefined : this.#sweeper.pokeIfBacklog()),
      children,
      onRunEnded: (run, status) => this.#ended(run, status),
    });
  }

  /** Runs queued or executing in this process. */
  get depth(): number {
    return this.#queue.depth;
  }

  /** Starts the queue, then the sweeper; resolves how many runs its first pass queued. */
  async start(): Promise<number> {
    await this.#queue.start();
    return this.#sweeper.start();
  }

  /**
   * Records a `pending` run of `stored` for `caller` and queues it; resolves its id at once. The
   * connections its action steps use must pass their test first (422 `SLUICE_CONNECTION_TEST`).
   */
  async submit(
    stored: StoredWorkflow,
    input: unknown,
    caller: ApiCaller,
    origin: ApiRunOrigin = 'api',
  ): Promise<string> {
    const { connections } = this.#o;
    const used = connectionsOf(runnableWorkflow(stored));
    if (used.length > 0) await connections.check(caller.workspace_id, used);
    // Redacted with the workspace's connection secrets too; the run reads its unredacted input back
    // from the sealed copy, here or after a restart.
    const secrets = await connections.secretsOf(caller.workspace_id);
    const now = this.#o.now();
    const createdAt = isoTime(now);
    const admitted = admitRun({
      from: 'api',
      origin,
      caller,
      stored,
      input,
      createdAt,
      secrets,
      seal: this.#o.seal,
    });
    // A slot is free here: the run is created started and leased to this process, and its execution
    // carries the row (no claim, no read, no start write). Otherwise it waits `pending` for a claim.
    // Slots promised to runs still being inserted count as taken.
    const startsHere = this.#queue.freeSlots() > this.#starting;
    const { run } = admitted;
    if (startsHere) {
      // The row is this admission's own: set in place rather than copied.
      run.status = 'running';
      run.started_at = createdAt;
      run.lease_owner = this.#o.owner;
      run.lease_expires_at = isoTime(now + this.#o.leaseMs);
    } else {
      await this.#o.store.runs.createServiceRun(run, caller);
      this.enqueue(run.id);
      return run.id;
    }
    this.#starting += 1;
    try {
      await this.#o.store.runs.createServiceRun(run, caller);
    } finally {
      this.#starting -= 1;
    }
    this.supervisor.carry(run, caller, stored);
    this.enqueue(run.id);
    return run.id;
  }

  /** What follows the end of run `run`: its parent goes on, a failure starts its `on_failure` run. */
  async #ended(run: Pick<RunRow, 'id' | 'parent_run_id'>, status: RunStatus): Promise<void> {
    if (status === 'failed') await this.#failures.start(run.id);
    if (run.parent_run_id == null) return;
    const woken = await this.#o.store.runLinks.wake(run.parent_run_id, isoTime(this.#o.now()));
    if (woken) this.#sweeper.poke();
  }

  /** Queues run `id` (with a waiter, when it executes here). */
  enqueue(id: string): void {
    this.#waiters.expect(id);
    this.#queue.push(id);
  }

  /**
   * Resolves when run `id` ends, or after `timeoutMs`: with its rows as its execution wrote them when it
   * ended here (`recorded-run.ts`), else `undefined`.
   */
  wait(id: string, timeoutMs: number): Promise<Store | undefined> {
    return this.#waiters.wait(id, timeoutMs);
  }

  /**
   * Cancels unfinished run `id`: aborts its execution when it executes here (recorded `cancelled`), else
   * takes it off the queue and records it so (a process executing it elsewhere finds that on its next
   * heartbeat).
   * @throws {EngineError} `SLUICE_STORE` for an unknown run; `SLUICE_RUN_STATE` when it has ended.
   */
  async cancel(id: string): Promise<void> {
    const run = await this.#o.store.runs.getRun(id);
    if (run === undefined) throw noRun(id);
    if (isFinished(run.status)) {
      throw new EngineError('SLUICE_RUN_STATE', `run ${id} is ${run.status}; cannot cancel it`, {
        hint: 'only pending and running runs can be cancelled',
      });
    }
    if (this.supervisor.cancel(id)) {
      await this.#queue.active(id);
    } else {
      await this.#queue.remove(id);
      await this.supervisor.recordCancelled(id);
      this.#waiters.settle(id);
      await this.#ended(run, 'cancelled');
    }
    // A parent's children go with it (and theirs with them).
    for (const child of await this.#o.store.runLinks.listUnfinishedChildren(id)) {
      await this.cancel(child).catch((err: unknown) => {
        if (!isSluiceError(err, 'SLUICE_RUN_STATE')) throw err;
      });
    }
  }

  /**
   * Queues failed run `id` again, from its failed step (earlier steps are not called again).
   * @throws {EngineError} `SLUICE_STORE` for an unknown run; `SLUICE_RUN_STATE` when it did not fail.
   */
  async retry(id: string): Promise<void> {
    const run = await this.#o.store.runs.getRun(id);
    if (run === undefined) throw noRun(id);
    if (run.status !== 'failed') {
      const message = `run ${id} is ${run.status}; only a failed run can be retried`;
      throw new EngineError('SLUICE_RUN_STATE', message, { hint: 'start a new run instead' });
    }
    // The execution that failed it may still be releasing its lease here.
    await this.#queue.active(id);
    await this.#o.store.runs.updateRun(id, { status: 'pending', error: null, finished_at: null });
    this.enqueue(id);
  }

  stats(): Promise<QueueStats> {
    return this.#queue.stats();
  }

  /**
   * Stops taking work, lets executing runs finish for `graceMs`, then checkpoints the rest (they resume
   * on the next start, their leases let go at once) and closes the queue.
   */
  async stop(graceMs: number): Promise<void> {
    const active = this.#queue.stop();
    await this.#sweeper.stop();
    this.#stopped = true;
    await this.#failureSweep;
    const grace = new AbortController();
    await Promise.race([
      Promise.allSettled(active),
      sleepFor(graceMs, undefined, { signal: grace.signal }).catch(() => undefined),
    ]);
    grace.abort();
    const checkpointed = this.supervisor.checkpoint();
    await Promise.allSettled(active);
    // Let the checkpointed runs go at once (a lease that ends now), so the next start need not wait.
    await Promise.allSettled(checkpointed.map((id) => this.supervisor.claim(id, 0)));
    this.#waiters.settleAll();
  }

  /** Closes the queue (after {@link stop}). */
  close(): Promise<void> {
    return this.#queue.close();
  }
}

/** The connections each workflow's action steps use: the runs of a published (frozen) version share one list. */
const CONNECTIONS_USED = new WeakMap<Workflow, readonly string[]>();

function connectionsOf(workflow: Workflow): readonly string[] {
  let used = CONNECTIONS_USED.get(workflow);
  if (used === undefined) {
    used = actionConnections(workflow);
    if (Object.isFrozen(workflow)) CONNECTIONS_USED.set(workflow, used);
  }
  return used;
}

function noRun(id: string): EngineError {
  return new EngineError('SLUICE_STORE', `no run with id ${id} in the store`);
}
