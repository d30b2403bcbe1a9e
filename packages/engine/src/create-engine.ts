/**
 * The composition root of the engine service (STYLE §3): `createEngine` builds the parts and wires them,
 * and the engine's methods hand each call to the part that owns it. Executing runs (claim, heartbeat,
 * fencing) is `run/run-supervisor.ts`; waiting for them `run/run-waiters.ts`; finding the runs to
 * execute `run/sweeper.ts`; triggers `triggers/`. See docs/architecture.md and docs/service.md.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import { type Connector, silentLogger } from '@sluice/sdk';
import { createUndiciTransport, type HttpTransport } from '@sluice/sdk/internal';
import { ConnectionService } from './connections/connection-service.js';
import { bindInternals, type EngineInternals } from './engine-internals.js';
import { type CreateEngineOptions, ENGINE_DEFAULTS, type Engine } from './engine-options.js';
import { EngineError } from './errors.js';
import { createStepLimits } from './limits/create-limits.js';
import type { StepLimits } from './limits/step-limits.js';
import { EngineMetrics } from './metrics/engine-metrics.js';
import { NODE_DEFAULTS, NodeRegistry } from './nodes/node-registry.js';
import type { QueueStats } from './queue/run-queue.js';
import { AttemptPruning } from './run/attempt-pruning.js';
import { ownerName, releaseDeadLocalLeases } from './run/dead-owners.js';
import { ownApis, ownOrigin } from './run/own-apis.js';
import { RunExecution } from './run/run-execution.js';
import type { StepTestPorts } from './run/test-step.js';
import { WorkspaceSettings } from './run/workspace-settings.js';
import { EngineKeys } from './secrets/engine-keys.js';
import type { RunTokens } from './secrets/run-token.js';
import type { RunValues } from './secrets/run-values.js';
import { STEP_KINDS, type StepKinds } from './steps/step-kinds.js';
import type { ApiCaller, ServiceStore, StoredWorkflow } from './store/service-store.js';
import type { Store } from './store/store.js';
import { TemplateRenderer } from './template/render.js';
import { createEngineTriggers } from './triggers/engine-triggers.js';
import type { TriggerSync } from './triggers/sync-triggers.js';
import type { DispatchedRun, EventSink } from './triggers/trigger-events.js';
import { TRIGGER_KINDS, type TriggerKinds } from './triggers/trigger-kinds.js';
import { TRIGGERS_LEASE, type TriggerLoop } from './triggers/trigger-loop.js';

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

class ServiceEngine implements Engine, EngineInternals {
  readonly store: ServiceStore;
  readonly owner: string;
  readonly connections: ConnectionService;
  readonly connectors: ReadonlyMap<string, Connector>;
  readonly runTokens: RunTokens;
  readonly runValues: RunValues;
  readonly templates: TemplateRenderer;
  readonly stepKinds: StepKinds;
  readonly triggerKinds: TriggerKinds;
  readonly triggers: TriggerSync;
  readonly events: EventSink;
  readonly metrics: EngineMetrics;
  readonly stepTestPorts: StepTestPorts;
  readonly settings: WorkspaceSettings;
  readonly #attemptPruning: AttemptPruning;
  readonly #closeGraceMs: number;
  readonly #keys: EngineKeys;
  readonly #limits: StepLimits;
  readonly #runs: RunExecution;
  readonly #triggerLoop: TriggerLoop;
  readonly #node: NodeRegistry;
  /** Aborted by `close()`: ends waits for runs executing elsewhere, and trigger work in flight. */
  readonly #closed = new AbortController();
  /** The step transport with the egress guard (closed with the engine), when the engine made one. */
  readonly #ownTransport: HttpTransport | undefined;
  #systemApis: Record<string, string>;
  /** Where third parties reach the API: `options.publicUrl`, else the `baseUrl` of `start`. */
  #publicUrl: string | undefined;
  /** `host:port` of the service's own API, once `start` knows it: the egress guard lets it through. */
  #ownOrigins: string[] = [];
  #closing: Promise<void> | undefined;

  constructor(options: CreateEngineOptions) {
    this.#closeGraceMs = options.closeGraceMs ?? ENGINE_DEFAULTS.closeGraceMs;
    const logger = options.logger ?? silentLogger;
    const leaseMs = options.leaseMs ?? ENGINE_DEFAULTS.leaseMs;
    const concurrency = options.maxConcurrentRuns ?? ENGINE_DEFAULTS.maxConcurrentRuns;
    const now = options.now ?? Date.now;
    this.store = options.store;
    this.owner = options.owner ?? ownerName(randomUUID().slice(0, 8));
    this.#systemApis = { ...(options.systemApis ?? {}) };
    this.#publicUrl = options.publicUrl;
    this.templates = new TemplateRenderer(options.templateLimits);
    this.stepKinds = options.stepKinds ?? STEP_KINDS;
    this.triggerKinds = options.triggerKinds ?? TRIGGER_KINDS;
    this.#limits = createStepLimits(options.limits, logger);
    if (options.transport === undefined && options.denyPrivateNetworks === true) {
      // The service's own API stays reachable (SYSTEM_APIS.credentials on a loopback service).
      const allowedOrigins = () => this.#ownOrigins;
      this.#ownTransport = createUndiciTransport({ denyPrivateNetworks: true, allowedOrigins });
    }
    const transport = options.transport ?? this.#ownTransport;
    this.#keys = new EngineKeys(options.secretKey, now);
    this.runTokens = this.#keys.runTokens;
    this.runValues = this.#keys.runValues;
    this.connectors = options.connectors ?? new Map();
    const { store, connectors } = this;
    const { vault } = this.#keys;
    const connectionOptions = { store, vault, connectors, transport, logger: options.logger, now };
    this.connections = new ConnectionService(connectionOptions);
    this.settings = new WorkspaceSettings({ store, now });
    this.#attemptPruning = new AttemptPruning({
      store,
      now,
      intervalMs: options.attemptPruneMs ?? ENGINE_DEFAULTS.attemptPruneMs,
      logger: logger.child({ component: 'attempt-pruning' }),
    });
    // What the triggers and the runs both work with.
    const shared = { store, now, transport, connectors, connections: this.connections, seal: this.runValues };
    const triggers = createEngineTriggers({
      ...shared,
      owner: this.owner,
      signal: this.#closed.signal,
      kinds: this.triggerKinds,
      stepKinds: this.stepKinds,
      logger: logger.child({ component: 'triggers' }),
      deriveKey: (purpose) => this.deriveKey(purpose),
      dispatch: (runs) => this.dispatch(runs),
      publicUrl: () => this.#publicUrl,
      tickMs: options.triggerTickMs ?? ENGINE_DEFAULTS.triggerTickMs,
      leaseMs: options.triggerLeaseMs ?? ENGINE_DEFAULTS.triggerLeaseMs,
    });
    this.triggers = triggers.sync;
    this.#triggerLoop = triggers.loop;
    this.events = triggers.events;
    const countRunsByStatus = () => store.runs.countRunsByStatus();
    this.metrics = new EngineMetrics({
      queueDepth: () => this.queueDepth,
      countRunsByStatus,
      ...(store.statements === undefined ? {} : { statements: store.statements.bind(store) }),
    });
    const longWaitMs = options.longWaitMs ?? ENGINE_DEFAULTS.longWaitMs;
    this.stepTestPorts = {
      renderer: this.templates,
      stepKinds: this.stepKinds,
      limits: this.#limits,
      transport,
      logger: options.logger,
      longWaitMs,
      now,
      systemApis: () => this.#systemApis,
    };
    this.#runs = new RunExecution({
      ...shared,
      owner: this.owner,
      signal: this.#closed.signal,
      leaseMs,
      logger,
      runLogger: options.logger,
      heartbeatMs: options.heartbeatMs ?? ENGINE_DEFAULTS.heartbeatMs,
      longWaitMs,
      renderer: this.templates,
      stepKinds: this.stepKinds,
      limits: this.#limits,
      systemApis: () => this.#systemApis,
      runTokens: this.runTokens,
      settings: this.settings,
      metrics: this.metrics,
      queue: options.queue,
      execute: options.execute,
      concurrency,
      sweepMs: options.sweepMs ?? Math.max(1, Math.floor(leaseMs / 2)),
      waitPollMs: options.waitPollMs ?? ENGINE_DEFAULTS.waitPollMs,
      maxWorkflowDepth: options.maxWorkflowDepth,
    });
    // An engine that executes nothing is an API node; `sluice worker` says `worker` itself.
    const nodeKind = options.nodeKind ?? (options.execute === false ? 'api' : 'api+worker');
    this.#node = new NodeRegistry({
      store,
      id: this.owner,
      kind: nodeKind,
      concurrency: nodeKind === 'api' ? 0 : concurrency,
      now,
      executing: () => this.#runs.supervisor.executing,
      heartbeatMs: options.nodeHeartbeatMs ?? NODE_DEFAULTS.heartbeatMs,
      pruneAfterMs: options.nodePruneMs ?? NODE_DEFAULTS.pruneAfterMs,
      logger: logger.child({ component: 'nodes' }),
    });
    bindInternals(this, this);
  }

  get queueDepth(): number {
    return this.#runs.depth;
  }

  async start(options: { baseUrl?: string } = {}): Promise<number> {
    this.#assertOpen();
    if (options.baseUrl !== undefined) {
      this.#systemApis = { ...this.#systemApis, ...ownApis(options.baseUrl) };
      this.#ownOrigins = [ownOrigin(options.baseUrl)];
      this.#publicUrl ??= options.baseUrl;
    }
    // First, so `sluice status` shows the node while it resumes runs.
    await this.#node.start();
    // A predecessor on this host that was killed holds leases nobody renews: take its work at once.
    await releaseDeadLocalLeases(this.store, this.owner, [TRIGGERS_LEASE]);
    // The sweeper finds the unfinished runs, and keeps finding runs whose lease or stored wait ran out.
    const resumed = await this.#runs.start();
    // Rows of workflows published or deleted while a crash hid it are repaired before the first tick.
    await this.triggers.reconcile();
    this.#triggerLoop.start();
    await this.#attemptPruning.start();
    return resumed;
  }

  dispatch(runs: readonly DispatchedRun[]): void {
    if (this.#closing !== undefined) return;
    // Their inputs are read back from the store: the unredacted copy is sealed in the run row.
    for (const { id } of runs) this.#runs.enqueue(id);
  }

  tickTriggers(): Promise<void> {
    return this.#triggerLoop.tick();
  }

  pruneAttempts(): Promise<number> {
    return this.#attemptPruning.prune();
  }

  async startRun(
    stored: StoredWorkflow,
    input: unknown,
    caller: ApiCaller,
    options: { origin?: 'api' | 'console' | 'cli' } = {},
  ): Promise<string> {
    this.#assertOpen();
    return this.#runs.submit(stored, input, caller, options.origin);
  }

  async waitForRun(id: string, timeoutMs: number): Promise<void> {
    await this.#runs.wait(id, timeoutMs);
  }

  waitForEndedRun(id: string, timeoutMs: number): Promise<Store | undefined> {
    return this.#runs.wait(id, timeoutMs);
  }

  cancelRun(id: string): Promise<void> {
    return this.#runs.cancel(id);
  }

  async retryRun(id: string): Promise<void> {
    this.#assertOpen();
    await this.#runs.retry(id);
  }

  deriveKey(purpose: string): Buffer {
    return this.#keys.derive(purpose);
  }

  queueStats(): Promise<QueueStats> {
    return this.#runs.stats();
  }

  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #shutdown(): Promise<void> {
    // First, so no trigger commits more runs; a firing in flight is abandoned uncommitted.
    await this.#triggerLoop.close();
    await this.#attemptPruning.stop();
    await this.#runs.stop(this.#closeGraceMs);
    this.#closed.abort();
    await this.#runs.close();
    await this.#node.stop();
    await this.#ownTransport?.close?.();
    // After the runs stopped: a slot still held is released by its run, or freed by its lease.
    await this.#limits.close?.();
    await this.templates.close();
  }

  #assertOpen(): void {
    if (this.#closing !== undefined) {
      throw new EngineError('SLUICE_ENGINE_CLOSED', 'the engine is closing and takes no new runs', {
        hint: 'start the service again; unfinished runs resume on start-up',
      });
    }
  }
}
