/**
 * The options of `createEngine`, their defaults, and the {@link Engine} it returns.
 *
 * @module
 */
import type { Connector, Logger } from '@sluice/sdk';
import type { HttpTransport } from '@sluice/sdk/internal';
import type { ConnectionService } from './connections/connection-service.js';
import type { EngineLimitsOptions } from './limits/create-limits.js';
import type { EngineMetrics } from './metrics/engine-metrics.js';
import type { EngineQueueOptions } from './queue/create-queue.js';
import type { QueueStats } from './queue/run-queue.js';
import type { RunTokens } from './secrets/run-token.js';
import type { StepKinds } from './steps/step-kinds.js';
import type { ApiCaller, NodeKind, ServiceStore, StoredWorkflow } from './store/service-store.js';
import type { TemplateRenderer } from './template/render.js';
import type { TemplateLimits } from './template/state.js';
import type { TriggerSync } from './triggers/sync-triggers.js';
import type { TriggerKinds } from './triggers/trigger-kinds.js';

/** Options of {@link createEngine}. */
export interface CreateEngineOptions {
  /** Where workflows, keys and runs live (`openStore`). The engine does not close it. */
  store: ServiceStore;
  /** Receives structured lines per run (`runId`, `workflow`, `step`), redacted. @default silent */
  logger?: Logger;
  /** Sends each HTTP attempt of a step. @default the SDK's shared undici transport */
  transport?: HttpTransport;
  /**
   * The absolute URL third parties reach this engine's API at (`https://sluice.example.com`): connector
   * webhook triggers (`trigger.connector_webhook`) subscribe with `<publicUrl>/v1/hooks/...`.
   * @default the `baseUrl` given to `start`
   */
  publicUrl?: string;
  /**
   * Refuse step calls (apispec and connector actions) to loopback, private, link-local and unspecified
   * addresses, checked on the resolved address at connect time: the item fails with class `connect`
   * and a `SLUICE_EGRESS_DENIED` message. Applies to the engine's own transport; a `transport` given
   * above is used as it is. `sluice serve --deny-private-networks`.
   * @default false
   */
  denyPrivateNetworks?: boolean;
  /** The connectors action steps and poll triggers use, by name (`GET /v1/connectors` lists them). @default none */
  connectors?: ReadonlyMap<string, Connector>;
  /**
   * The 32-byte key that seals connection values (AES-256-GCM) and signs run tokens (`USER.token`).
   * `sluice serve` reads it from `SLUICE_SECRET_KEY`, else from a key file it creates in the data dir.
   * @default a random key for this process (sealed values and tokens do not outlive it)
   */
  secretKey?: Buffer;
  /** Configured `SYSTEM_APIS` entries; `sluice` (the service's own base URL) is added by `start`. @default {} */
  systemApis?: Record<string, string>;
  /**
   * The limits templates compile and render under, in the engine's template workers: deadline, memory
   * cap, output cap, fuel, number of workers (`sluice serve --template-*`). Publishing and validating
   * through the API use the same workers and limits. @default DEFAULT_TEMPLATE_LIMITS
   */
  templateLimits?: TemplateLimits;
  /**
   * The kinds steps may be of: `STEP_KINDS.with(myKind)` to add your own. Publishing, validation and
   * runs all use them. @default the built-in ones (`STEP_KINDS`: `http` and `action`)
   */
  stepKinds?: StepKinds;
  /**
   * The kinds a workflow's trigger may be of: `TRIGGER_KINDS.with(myKind)` to add your own.
   * @default the built-in ones (`TRIGGER_KINDS`: `schedule`, `webhook` and `poll`)
   */
  triggerKinds?: TriggerKinds;
  /** Runs executing at once; the others wait in the queue. @default 16 */
  maxConcurrentRuns?: number;
  /**
   * How deep `workflow:` steps may nest child runs: a run's child is at depth 1, its grandchild at 2, and
   * a step that would start one deeper fails (a call cycle that publish could not see). @default 10
   */
  maxWorkflowDepth?: number;
  /** How long a run's lease lasts without a heartbeat, in ms. @default 30000 */
  leaseMs?: number;
  /** How often an executing run's lease is extended, in ms. @default 10000 */
  heartbeatMs?: number;
  /**
   * How often the engine looks in the store for runs it can claim: unfinished runs without a live lease
   * (left by a stop, or by a process that died once its lease expired) and runs whose stored wait is
   * due. The first look is at `start()`. @default leaseMs / 2
   */
  sweepMs?: number;
  /**
   * Retry waits (backoff, Retry-After) of at least this many ms are stored waits: the run is committed
   * with `resume_at`, its lease let go, and it resumes when due. Shorter waits sleep. @default 5000
   */
  longWaitMs?: number;
  /** How long `close()` lets executing runs finish before it checkpoints them, in ms. @default 10000 */
  closeGraceMs?: number;
  /** This process's lease owner name. @default `<host>:<pid>:<random>` */
  owner?: string;
  /** How often the trigger loop looks for due schedules and polls, in ms. @default 1000 */
  triggerTickMs?: number;
  /**
   * How long the `triggers` lease (which process runs schedules and polls) lasts without renewal, in ms:
   * after a crash, another process takes the triggers over once it expired. @default 10000
   */
  triggerLeaseMs?: number;
  /**
   * What this process is in `nodes` and `sluice status` (issue 6): `api` (serves the API, executes no
   * runs), `worker`, or `api+worker`. @default `api` with `execute: false`, else `api+worker`
   */
  nodeKind?: NodeKind;
  /** How often the engine renews its row in `nodes`, in ms; it shows as dead after 3 missed beats. @default 5000 */
  nodeHeartbeatMs?: number;
  /** Rows of nodes whose last heartbeat is this old are deleted by the live nodes, in ms. @default 3600000 */
  nodePruneMs?: number;
  /**
   * How often the engine clears the attempts' HTTP exchanges past their workspace's retention
   * (`attempt_retention_days`, issue 15), in ms; the first pass is at `start()`. @default 3600000
   */
  attemptPruneMs?: number;
  /**
   * A run queue shared by every process (issue 6): BullMQ on Redis at `redis`, keys under
   * `<prefix>:runs:*`. A job is "continue run X" (job id = run id); the store stays the source of
   * truth and the sweeper pushes any claimable run a lost job left behind. `sluice serve --redis`,
   * `sluice worker --redis`. @default the in-process queue (one process)
   */
  queue?: EngineQueueOptions;
  /**
   * Whether this process executes runs (a BullMQ worker with `maxConcurrentRuns` slots on a shared
   * queue). `false` makes an API node that only pushes runs (`sluice serve --no-worker`); it needs
   * `queue`. @default true
   */
  execute?: boolean;
  /**
   * On a shared queue, how often `waitForRun` (`?wait=true`) reads the statuses of the runs it waits for
   * while they execute in other processes (one read for all of them), in ms. @default 100
   */
  waitPollMs?: number;
  /**
   * Step `concurrency` and `rate_limit` across every process (issue 6): counted in Redis at `redis`,
   * keys under `<prefix>:limits:*` (a counter with leases per step, a sliding log per host). Give it
   * the same Redis and prefix as `queue` on every node. @default this process only (in-memory)
   */
  limits?: EngineLimitsOptions;
  /** The clock. @default Date.now */
  now?: () => number;
}

export type { EngineLimitsOptions } from './limits/create-limits.js';
export type { EngineQueueOptions } from './queue/create-queue.js';

/** The defaults of {@link CreateEngineOptions}. */
export const ENGINE_DEFAULTS = Object.freeze({
  maxConcurrentRuns: 16,
  leaseMs: 30_000,
  heartbeatMs: 10_000,
  closeGraceMs: 10_000,
  longWaitMs: 5_000,
  triggerTickMs: 1_000,
  triggerLeaseMs: 10_000,
  waitPollMs: 100,
  attemptPruneMs: 3_600_000,
} as const);

/** The running engine: start runs of published workflows, wait for, cancel and retry them. */
export interface Engine extends AsyncDisposable {
  /** The lease owner name of this process. */
  readonly owner: string;
  /** Runs queued or executing in this process. */
  readonly queueDepth: number;
  /**
   * What the run queue holds now: runs waiting and executing (all processes on a shared queue) and
   * executing here. Reads Redis on a shared queue (rejects while it is down).
   */
  queueStats(): Promise<QueueStats>;
  /** The Prometheus metrics of this engine (its own registry), served by `GET /metrics`. */
  readonly metrics: EngineMetrics;
  /** The workspaces' connections: saved sealed with the engine's secret key, opened, tested. */
  readonly connections: ConnectionService;
  /** The registered connectors, by name (`GET /v1/connectors`); empty without `connectors`. */
  readonly connectors: ReadonlyMap<string, Connector>;
  /** The template workers runs render in and publishes are checked in (closed with the engine). */
  readonly templates: TemplateRenderer;
  /** The kinds the engine's steps may be of (`options.stepKinds`, else the built-in ones). */
  readonly stepKinds: StepKinds;
  /** The kinds a workflow's trigger may be of. */
  readonly triggerKinds: TriggerKinds;
  /** Issues and verifies run tokens (`USER.token`, `rt_...`), signed with a sub-key of the secret key. */
  readonly runTokens: RunTokens;
  /**
   * Starts executing: queues the unfinished runs of the store that no live lease holds (resumed from
   * their rows, the step in flight again with the same `Idempotency-Key`), then new runs, and from then
   * on every `sweepMs` the runs whose lease expired or whose stored wait is due. Each run executes only
   * once this process claimed it. Resolves how many runs the first sweep queued.
   * With `baseUrl`, runs see `SYSTEM_APIS.sluice` (it), `credentials`, `workflows` and `runs`
   * (`<baseUrl>/v1/...`) next to the configured entries.
   */
  start(options?: { baseUrl?: string }): Promise<number>;
  /**
   * Records a `pending` run of `workflow` for `caller` and queues it; resolves its id at once.
   * `origin` is what the run's row records as having started it.
   * @throws {EngineError} `SLUICE_ENGINE_CLOSED` once `close()` was called.
   */
  startRun(
    workflow: StoredWorkflow,
    input: unknown,
    caller: ApiCaller,
    options?: { origin?: 'api' | 'console' | 'cli' },
  ): Promise<string>;
  /** Resolves when run `id` ends in this process, or after `timeoutMs`, whichever comes first. */
  waitForRun(id: string, timeoutMs: number): Promise<void>;
  /**
   * Cancels an unfinished run: aborts it when it executes here (recorded `cancelled`), else records it so.
   * @throws {EngineError} `SLUICE_RUN_STATE` when the run has ended.
   */
  cancelRun(id: string): Promise<void>;
  /**
   * Resumes a failed run from its failed step (earlier steps are not called again).
   * @throws {EngineError} `SLUICE_RUN_STATE` when the run did not fail; `SLUICE_ENGINE_CLOSED` when closing.
   */
  retryRun(id: string): Promise<void>;
  /** Writes the trigger rows of workflows as they are published, deleted, enabled and disabled. */
  readonly triggers: TriggerSync;
  /**
   * Stops taking work; lets executing runs finish for `closeGraceMs`, then checkpoints the rest: they
   * are aborted without recording anything more, so they stay unfinished and the next start resumes
   * them. Queued runs stay `pending`. Idempotent; does not close the store.
   */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}
