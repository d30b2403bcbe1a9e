/**
 * The composition root of the engine service (STYLE §3): `createEngine` picks the renderer, the
 * concurrency limits and the in-process run queue, and executes runs asynchronously, each through
 * `resumeRun` from its stored rows, so a fresh run, a run resumed after a restart and a retried run
 * take the same path. See `docs/service.md`.
 *
 * @module
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as sleepFor } from 'node:timers/promises';
import { type Connector, type Logger, silentLogger } from '@sluice/sdk';
import { createUndiciTransport, type HttpTransport } from '@sluice/sdk/internal';
import { ConnectionService } from './connections/connection-service.js';
import { actionConnections } from './connectors/catalog.js';
import { type CreateEngineOptions, ENGINE_DEFAULTS, type Engine } from './engine-options.js';
import { EngineError } from './errors.js';
import { ConcurrencyLimits } from './executor/concurrency.js';
import { RedisLimits } from './limits/redis-limits.js';
import type { StepLimits } from './limits/step-limits.js';
import { EngineMetrics } from './metrics/engine-metrics.js';
import { NODE_DEFAULTS, NodeRegistry } from './nodes/node-registry.js';
import { BullmqRunQueue } from './queue/bullmq-queue.js';
import { InProcessRunQueue } from './queue/in-process-queue.js';
import { OutageLog } from './queue/outage-log.js';
import type { QueueStats, RunQueue } from './queue/run-queue.js';
import { admitRun, runnableWorkflow } from './run/admit-run.js';
import { ownerName, releaseDeadLocalLeases } from './run/dead-owners.js';
import { resumeRun } from './run/resume-run.js';
import { RunWatch } from './run/run-watch.js';
import { Sweeper } from './run/sweeper.js';
import { RunTokens } from './secrets/run-token.js';
import { type RunValueSealer, RunValues } from './secrets/run-values.js';
import { assertSecretKey, deriveSubKey } from './secrets/secret-key.js';
import { Vault } from './secrets/vault.js';
import type { ActionSource } from './steps/action-source.js';
import { STEP_KINDS, type StepKinds } from './steps/step-kinds.js';
import { RunSuspended } from './steps/waits.js';
import { fencedStore } from './store/fenced-store.js';
import type { ApiCaller, ServiceStore, StoredWorkflow } from './store/service-store.js';
import type { RunRow } from './store/store.js';
import { TemplateRenderer } from './template/render.js';
import { TriggerSync } from './triggers/sync-triggers.js';
import { TRIGGER_KINDS, type TriggerKinds } from './triggers/trigger-kinds.js';
import { type DispatchedRun, TRIGGERS_LEASE, TriggerLoop } from './triggers/trigger-loop.js';

interface Execution {
  controller: AbortController;
  /** Set on close: the run's writes are refused, so it stays as the last commit left it. */
  fenced: boolean;
  /** When the lease was last taken or renewed (engine clock): past `leaseMs` without, it fences itself. */
  renewedAt: number;
  /** The heartbeat in flight, awaited when the execution ends: a late renewal must not outlive it. */
  beat?: Promise<void>;
}

/**
 * Creates the engine on `options.store`. Nothing executes before `start()`.
 *
 * @example
 * ```ts
 * const store = await openStore({ file: '.sluice/sluice.db' });
 * await using engine = createEngine({ store });
 * await engine.start({ baseUrl: 'http://127.0.0.1:8080' });
 * const app = await createApi({ engine });
 * ```
 */
export function createEngine(options: CreateEngineOptions): Engine {
  return new ServiceEngine(options);
}

export type { CreateEngineOptions, Engine } from './engine-options.js';
export { ENGINE_DEFAULTS } from './engine-options.js';

const FINISHED = new Set(['succeeded', 'failed', 'cancelled']);
/** How many pinned workflow versions an engine keeps in memory (oldest dropped first). */
const PINNED_VERSIONS_KEPT = 256;

/** Runs a sweep pushes per pass into a shared queue (at least; twice the concurrency if more). */
const SHARED_SWEEP_BATCH = 100;

class ServiceEngine implements Engine {
  readonly store: ServiceStore;
  readonly owner: string;
  readonly connections: ConnectionService;
  readonly connectors: ReadonlyMap<string, Connector>;
  readonly runTokens: RunTokens;
  readonly runValues: RunValueSealer;
  readonly triggers: TriggerSync;
  readonly #triggerLoop: TriggerLoop;
  readonly #secretKey: Buffer;
  readonly #options: CreateEngineOptions;
  readonly templates: TemplateRenderer;
  readonly stepKinds: StepKinds;
  readonly triggerKinds: TriggerKinds;
  /** Step concurrency and rate limits: in this process, or in Redis across every process. */
  readonly #limits: StepLimits;
  readonly #queue: RunQueue;
  /** `store unreachable, pausing work` / `store reachable again, resuming`, once per outage. */
  readonly #storeOutage: OutageLog;
  /** Aborted by `close()`: ends `waitForRun` polls of runs executing elsewhere. */
  readonly #closed = new AbortController();
  /** Waits for runs that execute in other processes: one store read per beat for all of them. */
  readonly #remoteRuns: RunWatch;
  readonly #sweeper: Sweeper;
  /** This process's row in `nodes` (`sluice status`). */
  readonly #node: NodeRegistry;
  readonly #executions = new Map<string, Execution>();
  readonly #versions = new Map<string, StoredWorkflow>();
  readonly #waiters = new Map<string, { done: Promise<void>; resolve: () => void }>();
  readonly #now: () => number;
  #systemApis: Record<string, string>;
  /** The step transport: `options.transport`, or one with the egress guard (closed with the engine). */
  readonly #transport: HttpTransport | undefined;
  readonly #ownTransport: HttpTransport | undefined;
  #closing: Promise<void> | undefined;
  /** `host:port` of the service's own API, once `start` knows it. */
  #ownOrigins: string[] = [];
  readonly metrics = new EngineMetrics({
    queueDepth: () => this.queueDepth,
    countRunsByStatus: () => this.store.runs.countRunsByStatus(),
  });

  constructor(options: CreateEngineOptions) {
    this.#options = options;
    this.templates = new TemplateRenderer(options.templateLimits);
    this.stepKinds = options.stepKinds ?? STEP_KINDS;
    this.#limits =
      options.limits === undefined
        ? new ConcurrencyLimits()
        : new RedisLimits({
            redis: options.limits.redis,
            ...(options.limits.prefix === undefined ? {} : { prefix: options.limits.prefix }),
            ...(options.limits.leaseMs === undefined ? {} : { leaseMs: options.limits.leaseMs }),
            ...(options.logger === undefined ? {} : { logger: options.logger }),
          });
    this.store = options.store;
    this.#remoteRuns = new RunWatch(
      this.store,
      options.waitPollMs ?? ENGINE_DEFAULTS.waitPollMs,
      this.#closed.signal,
    );
    this.owner = options.owner ?? ownerName(randomUUID().slice(0, 8));
    this.#now = options.now ?? Date.now;
    this.#systemApis = { ...(options.systemApis ?? {}) };
    if (options.transport === undefined && options.denyPrivateNetworks === true) {
      // The service's own API stays reachable (SYSTEM_APIS.credentials on a loopback service).
      this.#ownTransport = createUndiciTransport({
        denyPrivateNetworks: true,
        allowedOrigins: () => this.#ownOrigins,
      });
    }
    this.#transport = options.transport ?? this.#ownTransport;
    if (options.secretKey !== undefined) assertSecretKey(options.secretKey, 'createEngine({ secretKey })');
    this.#secretKey = Buffer.from(options.secretKey ?? randomBytes(32));
    this.runTokens = new RunTokens(this.deriveKey('run-tokens'), { now: this.#now });
    this.runValues = new RunValues(this.deriveKey('run-values'));
    this.connectors = options.connectors ?? new Map();
    this.connections = new ConnectionService({
      store: this.store,
      vault: new Vault(this.deriveKey('vault')),
      connectors: options.connectors,
      transport: this.#transport,
      logger: options.logger,
      now: this.#now,
    });
    this.triggerKinds = options.triggerKinds ?? TRIGGER_KINDS;
    const triggerContext = {
      connectors: this.connectors,
      connections: this.connections,
      now: this.#now,
      logger: (options.logger ?? silentLogger).child({ component: 'triggers' }),
      transport: this.#transport,
      deriveKey: (purpose: string) => this.deriveKey(purpose),
    };
    this.triggers = new TriggerSync({
      store: this.store,
      kinds: this.triggerKinds,
      context: { ...triggerContext, signal: this.#closed.signal },
    });
    this.#triggerLoop = new TriggerLoop({
      store: this.store,
      kinds: this.triggerKinds,
      context: triggerContext,
      owner: this.owner,
      dispatch: (runs) => this.dispatch(runs),
      seal: this.runValues,
      tickMs: options.triggerTickMs ?? ENGINE_DEFAULTS.triggerTickMs,
      leaseMs: options.triggerLeaseMs ?? ENGINE_DEFAULTS.triggerLeaseMs,
    });
    const concurrency = options.maxConcurrentRuns ?? ENGINE_DEFAULTS.maxConcurrentRuns;
    const logger = options.logger ?? silentLogger;
    this.#queue = this.#createQueue(options, concurrency);
    this.#storeOutage = new OutageLog(
      logger,
      { down: 'store unreachable, pausing work', up: 'store reachable again, resuming' },
      (down) => {
        // Claims would fail and drop jobs meanwhile; the sweeper's next good pass resumes the work.
        if (down) this.#queue.pause();
        else {
          this.#queue.resume();
          this.#sweeper.poke();
        }
      },
    );
    const leaseMs = options.leaseMs ?? ENGINE_DEFAULTS.leaseMs;
    this.#sweeper = new Sweeper({
      store: this.store,
      intervalMs: options.sweepMs ?? Math.max(1, Math.floor(leaseMs / 2)),
      now: this.#now,
      // Queue a little more than the slots, so a slot that frees up has a run ready.
      // A shared queue is filled by every process: push a batch per pass (a push of a queued run is a no-op).
      room: () =>
        this.#queue.shared
          ? Math.max(SHARED_SWEEP_BATCH, 2 * concurrency)
          : 2 * Math.max(1, concurrency) - this.#queue.depth,
      enqueue: (id) => this.#enqueue(id),
      onError: (err) => this.#storeOutage.failed(err),
      onPass: () => this.#storeOutage.succeeded(),
    });
    // An engine that executes nothing is an API node; `sluice worker` says `worker` itself.
    const nodeKind = options.nodeKind ?? (options.execute === false ? 'api' : 'api+worker');
    this.#node = new NodeRegistry({
      store: this.store,
      id: this.owner,
      kind: nodeKind,
      concurrency: nodeKind === 'api' ? 0 : concurrency,
      executing: () => this.#executions.size,
      heartbeatMs: options.nodeHeartbeatMs ?? NODE_DEFAULTS.heartbeatMs,
      pruneAfterMs: options.nodePruneMs ?? NODE_DEFAULTS.pruneAfterMs,
      now: this.#now,
      logger: (options.logger ?? silentLogger).child({ component: 'nodes' }),
    });
  }

  get queueDepth(): number {
    return this.#queue.depth;
  }

  async start(options: { baseUrl?: string } = {}): Promise<number> {
    this.#assertOpen();
    if (options.baseUrl !== undefined) {
      this.#systemApis = { ...this.#systemApis, ...ownApis(options.baseUrl) };
      const own = new URL(options.baseUrl);
      this.#ownOrigins = [`${own.hostname}:${own.port || (own.protocol === 'https:' ? '443' : '80')}`];
    }
    // First, so `sluice status` shows the node while it resumes runs.
    await this.#node.start();
    // A predecessor on this host that was killed holds leases nobody renews: take its work at once.
    await releaseDeadLocalLeases(this.store, this.owner, [TRIGGERS_LEASE]);
    // The sweeper finds the unfinished runs, and keeps finding runs whose lease or stored wait ran out.
    await this.#queue.start();
    const resumed = await this.#sweeper.start();
    // Rows of workflows published or deleted while a crash hid it are repaired before the first tick.
    await this.triggers.reconcile();
    this.#triggerLoop.start();
    return resumed;
  }

  dispatch(runs: readonly DispatchedRun[]): void {
    if (this.#closing !== undefined) return;
    // Their inputs are read back from the store: the unredacted copy is sealed in the run row.
    for (const { id } of runs) this.#enqueue(id);
  }

  tickTriggers(): Promise<void> {
    return this.#triggerLoop.tick();
  }

  async startRun(stored: StoredWorkflow, input: unknown, caller: ApiCaller): Promise<string> {
    this.#assertOpen();
    // The connections the action steps use must pass their test before the run is recorded (422).
    await this.connections.check(caller.workspace_id, actionConnections(runnableWorkflow(stored)));
    // Redacted with the workspace's connection secrets too; the run reads its unredacted input back
    // from the sealed copy, here or after a restart.
    const secrets = await this.connections.secretsOf(caller.workspace_id);
    const { run } = admitRun({
      from: 'api',
      caller,
      stored,
      input,
      createdAt: this.#iso(),
      secrets,
      seal: this.runValues,
    });
    await this.store.runs.createServiceRun(run, caller);
    this.#enqueue(run.id);
    return run.id;
  }

  async waitForRun(id: string, timeoutMs: number): Promise<void> {
    // On a shared queue the run may execute in another process: watch its row.
    if (this.#queue.shared) return this.#remoteRuns.wait(id, timeoutMs);
    const waiter = this.#waiters.get(id);
    if (waiter === undefined) return;
    const timer = new AbortController();
    await Promise.race([
      waiter.done,
      sleepFor(timeoutMs, undefined, { signal: timer.signal }).catch(() => undefined),
    ]);
    timer.abort();
  }

  async cancelRun(id: string): Promise<void> {
    const run = await this.#unfinished(id, 'cancel');
    const execution = this.#executions.get(id);
    if (execution !== undefined) {
      execution.controller.abort(
        new EngineError('SLUICE_RUN_CANCELLED', `run ${id} was cancelled through the API`),
      );
      await this.#queue.active(id);
      return;
    }
    await this.#queue.remove(id);
    // Executing in another process: its next heartbeat finds the run ended and fences it.
    await this.#recordCancelled(run.id);
    this.#settle(id);
  }

  /** Records run `id` as cancelled unless it already ended (cancelled before its steps began). */
  async #recordCancelled(id: string): Promise<void> {
    const run = await this.store.runs.getRun(id);
    if (run === undefined || FINISHED.has(run.status)) return;
    await this.store.runs.updateRun(id, {
      status: 'cancelled',
      error: { type: 'other', message: 'the run was cancelled' },
      finished_at: this.#iso(),
      lease_owner: null,
      lease_expires_at: null,
    });
  }

  async retryRun(id: string): Promise<void> {
    this.#assertOpen();
    const run = await this.store.runs.getRun(id);
    if (run === undefined) throw new EngineError('SLUICE_STORE', `no run with id ${id} in the store`);
    if (run.status !== 'failed') {
      throw new EngineError(
        'SLUICE_RUN_STATE',
        `run ${id} is ${run.status}; only a failed run can be retried`,
        {
          hint: 'start a new run instead',
        },
      );
    }
    // The execution that failed it may still be releasing its lease here.
    await this.#queue.active(id);
    await this.store.runs.updateRun(id, { status: 'pending', error: null, finished_at: null });
    this.#enqueue(id);
  }

  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #shutdown(): Promise<void> {
    // First, so no trigger commits more runs; a poll in flight is abandoned uncommitted.
    await this.#triggerLoop.close();
    const active = this.#queue.stop();
    await this.#sweeper.stop();
    const grace = new AbortController();
    await Promise.race([
      Promise.allSettled(active),
      sleepFor(this.#options.closeGraceMs ?? ENGINE_DEFAULTS.closeGraceMs, undefined, {
        signal: grace.signal,
      }).catch(() => undefined),
    ]);
    grace.abort();
    const checkpointed = [...this.#executions.entries()].filter(([, execution]) => !execution.fenced);
    for (const [, execution] of checkpointed) {
      execution.fenced = true;
      execution.controller.abort(
        new EngineError('SLUICE_ENGINE_CLOSED', 'the engine closed; the run resumes on the next start'),
      );
    }
    await Promise.allSettled(active);
    // Let the checkpointed runs go at once (a lease that ends now), so the next start need not wait.
    await Promise.allSettled(checkpointed.map(([id]) => this.#claim(id, 0)));
    for (const id of [...this.#waiters.keys()]) this.#settle(id);
    this.#closed.abort();
    await this.#queue.close();
    await this.#node.stop();
    await this.#ownTransport?.close?.();
    // After the runs stopped: a slot still held is released by its run, or freed by its lease.
    await this.#limits.close?.();
    await this.templates.close();
  }

  #enqueue(id: string): void {
    // Waiters settle only where the run executes: on a shared queue `waitForRun` polls the store instead.
    if (!this.#queue.shared && !this.#waiters.has(id)) {
      let resolve = (): void => {};
      const done = new Promise<void>((r) => {
        resolve = r;
      });
      this.#waiters.set(id, { done, resolve });
    }
    this.#queue.push(id);
  }

  #settle(id: string): void {
    this.#waiters.get(id)?.resolve();
    this.#waiters.delete(id);
  }

  async #execute(id: string): Promise<void> {
    const execution: Execution = { controller: new AbortController(), fenced: false, renewedAt: this.#now() };
    const logger = (this.#options.logger ?? silentLogger).child({ runId: id });
    this.#executions.set(id, execution);
    // Claimed only now that it has a slot: while it was queued here, another process could take it.
    // A claim that fails on the store drops this queue entry; the sweeper queues the run again later.
    const claimed = await this.#claim(id).then(
      (ok) => {
        this.#storeOutage.succeeded();
        return ok;
      },
      (err: unknown) => {
        this.#storeOutage.failed(err);
        return false;
      },
    );
    if (!claimed) {
      this.#executions.delete(id);
      // Cancelled through this process while it claimed: record it, whoever executes the run.
      if (execution.controller.signal.aborted && !execution.fenced) await this.#recordCancelled(id);
      this.#settle(id);
      return;
    }
    let heartbeat: NodeJS.Timeout | undefined;
    let suspended: RunSuspended | undefined;
    let finished = false;
    try {
      const found = await this.store.runs.getRunAndCaller(id);
      if (found === undefined || FINISHED.has(found.run.status)) return;
      const { run, caller } = found;
      const stored = await this.#pinnedVersion(run);
      heartbeat = setInterval(() => {
        // One beat at a time; a slow store skips beats rather than piling renewals up.
        if (execution.beat !== undefined || execution.fenced) return;
        execution.beat = this.#heartbeat(id, execution, logger).finally(() => {
          execution.beat = undefined;
        });
      }, this.#options.heartbeatMs ?? ENGINE_DEFAULTS.heartbeatMs);
      heartbeat.unref();
      const outcome = await resumeRun(id, {
        run,
        store: fencedStore(this.store.runs, () => execution.fenced),
        renderer: this.templates,
        stepKinds: this.stepKinds,
        limits: this.#limits,
        ...(stored === undefined ? {} : { workflow: runnableWorkflow(stored) }),
        seal: this.runValues,
        systemApis: this.#systemApis,
        ...(await this.#runUser(id, caller)),
        actions: this.#actionSource(caller),
        signal: execution.controller.signal,
        suspendLongWaits: true,
        longWaitMs: this.#options.longWaitMs ?? ENGINE_DEFAULTS.longWaitMs,
        ...(this.#options.logger === undefined ? {} : { logger: this.#options.logger }),
        ...(this.#transport === undefined ? {} : { transport: this.#transport }),
        onEvent: (event) => this.metrics.observe(event, stored?.document.name ?? run.workflow_name),
        now: this.#now,
      });
      // Its last write cleared the lease with the final status: nothing is left to let go.
      finished = FINISHED.has(outcome.status);
    } catch (err) {
      if (err instanceof RunSuspended && !execution.fenced) suspended = err;
      else if (!execution.controller.signal.aborted) logger.error({ err }, 'run execution stopped');
      else if (!execution.fenced) await this.#recordCancelled(id);
    } finally {
      clearInterval(heartbeat);
      // A renewal still in flight could land after the lease is let go (or checkpointed) below.
      await execution.beat;
      this.#executions.delete(id);
      if (!execution.fenced && !finished) {
        // A stored wait: the run stays `running`, free of leases until `resume_at`, when a sweep finds it.
        const wait = suspended === undefined ? {} : { resume_at: suspended.resumeAt.toISOString() };
        await this.store.runs
          .updateRun(id, { lease_owner: null, lease_expires_at: null, ...wait })
          .catch((err: unknown) => logger.error({ err }, 'releasing the run lease failed'));
      }
      if (suspended === undefined) this.#settle(id);
      else this.#sweeper.wakeAt(suspended.resumeAt.getTime());
      // A shared queue is swept in batches on the timer: a sweep per finished run would flood it.
      if (!this.#queue.shared) this.#sweeper.pokeIfBacklog();
    }
  }

  /**
   * The published version run `run` pinned. Versions never change once published (a delete only marks
   * them), so they are kept in memory: one read fewer per execution.
   */
  async #pinnedVersion(run: RunRow): Promise<StoredWorkflow | undefined> {
    if (run.workflow_uid === null || run.workflow_version === null) return undefined;
    const key = `${run.workflow_uid}@${run.workflow_version}`;
    const cached = this.#versions.get(key);
    if (cached !== undefined) return cached;
    const stored = await this.store.workflows.get(run.workflow_uid, run.workflow_version);
    if (stored === undefined) return undefined;
    if (this.#versions.size >= PINNED_VERSIONS_KEPT) {
      this.#versions.delete(this.#versions.keys().next().value as string);
    }
    this.#versions.set(key, stored);
    return stored;
  }

  /** Renews the lease of an executing run; when another process took the run, fences and stops it. */
  async #heartbeat(id: string, execution: Execution, logger: Logger): Promise<void> {
    // A store error is not a lost lease: the next beat tries again, until the lease would have run out.
    const beat = this.#now();
    const kept = await this.#claim(id).then(
      (ok) => {
        this.#storeOutage.succeeded();
        if (ok) execution.renewedAt = beat;
        return ok;
      },
      (err: unknown) => {
        this.#storeOutage.failed(err);
        return 'unknown' as const;
      },
    );
    if (kept === true || execution.fenced) return;
    if (kept === 'unknown') {
      // Past the lease, another process may have claimed the run: stop writing, as if it had.
      if (this.#now() - execution.renewedAt <= (this.#options.leaseMs ?? ENGINE_DEFAULTS.leaseMs)) return;
      execution.fenced = true;
      logger.warn({}, 'the run lease could not be renewed for longer than the lease; stopping here');
      execution.controller.abort(
        new EngineError('SLUICE_STORE', `run ${id}: the store did not renew its lease in time`),
      );
      return;
    }
    execution.fenced = true;
    // A beat that lands just after the run's own final write (which clears the lease) finds it
    // succeeded or failed: nothing is wrong, so no warning. Cancelled elsewhere, or taken over, is news.
    const run = await this.store.runs.getRun(id).catch(() => undefined);
    const endedHere = run !== undefined && (run.status === 'succeeded' || run.status === 'failed');
    if (!endedHere) {
      logger.warn({}, 'the run lease was lost (another process owns the run, or it ended); stopping here');
    }
    execution.controller.abort(
      new EngineError('SLUICE_RUN_STATE', `run ${id} is no longer leased to this process`),
    );
  }

  /**
   * Takes or renews run `id`'s lease for `leaseMs` from now (0: a lease that ends now, which lets the
   * run go while keeping the claim conditional on owning it).
   */
  #claim(id: string, leaseMs = this.#options.leaseMs ?? ENGINE_DEFAULTS.leaseMs): Promise<boolean> {
    const now = this.#now();
    const until = new Date(now + leaseMs).toISOString();
    return this.store.runs.claimRun(id, this.owner, until, new Date(now).toISOString());
  }

  deriveKey(purpose: string): Buffer {
    return deriveSubKey(this.#secretKey, purpose);
  }

  queueStats(): Promise<QueueStats> {
    return this.#queue.stats();
  }

  /** The in-process queue, or BullMQ with `queue`; `execute: false` pushes only (an API node). */
  #createQueue(options: CreateEngineOptions, concurrency: number): RunQueue {
    const execute = (id: string): Promise<void> => this.#execute(id);
    if (options.queue === undefined) {
      if (options.execute === false) {
        throw new EngineError('SLUICE_QUEUE', 'createEngine({ execute: false }) needs a shared queue', {
          hint: 'pass queue: { redis: "redis://..." } so worker processes execute the runs',
        });
      }
      return new InProcessRunQueue(concurrency, execute);
    }
    return new BullmqRunQueue({
      url: options.queue.redis,
      ...(options.queue.prefix === undefined ? {} : { prefix: options.queue.prefix }),
      ...(options.execute === false ? {} : { execute }),
      concurrency,
      logger: options.logger ?? silentLogger,
      onReconnect: () => this.#sweeper.poke(),
      lockMs: options.leaseMs ?? ENGINE_DEFAULTS.leaseMs,
    });
  }

  /**
   * `USER` of an execution, with a fresh run token, and the secrets to mask: the token and the
   * connection secrets of the workspace (a step may fetch them through the credentials API).
   */
  async #runUser(
    id: string,
    caller: ApiCaller | undefined,
  ): Promise<{ user: Record<string, unknown>; secrets?: string[] }> {
    if (caller === undefined) return { user: {} };
    const token = this.runTokens.issue(caller, id);
    const secrets = await this.connections.secretsOf(caller.workspace_id);
    return { user: { ...userOf(caller), token }, secrets: [token, ...secrets] };
  }

  /** The connectors and connections action steps of a run of `caller`'s workspace use. */
  #actionSource(caller: ApiCaller | undefined): ActionSource {
    return {
      connector: (name) => this.connectors.get(name),
      open: async (name) => {
        if (caller === undefined) {
          throw new EngineError('SLUICE_CONNECTION', `connection ${name}: the run has no workspace`);
        }
        return this.connections.open(caller.workspace_id, name);
      },
    };
  }

  async #unfinished(id: string, action: string): Promise<RunRow> {
    const run = await this.store.runs.getRun(id);
    if (run === undefined) throw new EngineError('SLUICE_STORE', `no run with id ${id} in the store`);
    if (FINISHED.has(run.status)) {
      throw new EngineError('SLUICE_RUN_STATE', `run ${id} is ${run.status}; cannot ${action} it`, {
        hint: 'only pending and running runs can be cancelled',
      });
    }
    return run;
  }

  #assertOpen(): void {
    if (this.#closing !== undefined) {
      throw new EngineError('SLUICE_ENGINE_CLOSED', 'the engine is closing and takes no new runs', {
        hint: 'start the service again; unfinished runs resume on start-up',
      });
    }
  }

  #iso(): string {
    return new Date(this.#now()).toISOString();
  }
}

/** The engine's own `SYSTEM_APIS` entries for the service at `baseUrl`. */
function ownApis(baseUrl: string): Record<string, string> {
  const base = baseUrl.replace(/\/+$/, '');
  return {
    sluice: base,
    credentials: `${base}/v1/credentials`,
    workflows: `${base}/v1/workflows`,
    runs: `${base}/v1/runs`,
  };
}

function userOf(caller: ApiCaller): Record<string, unknown> {
  return { id: caller.id, email: caller.email, workspace_id: caller.workspace_id, role: caller.role };
}
