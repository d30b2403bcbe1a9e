/**
 * The options of `createEngine`, their defaults, and the {@link Engine} it returns.
 *
 * @module
 */
import type { Logger } from '@sluice/sdk';
import type { HttpTransport } from './executor/sdk-parts.js';
import type { ApiCaller, ServiceStore, StoredWorkflow } from './store/service-store.js';

/** Options of {@link createEngine}. */
export interface CreateEngineOptions {
  /** Where workflows, keys and runs live (`openStore`). The engine does not close it. */
  store: ServiceStore;
  /** Receives structured lines per run (`runId`, `workflow`, `step`), redacted. @default silent */
  logger?: Logger;
  /** Sends each HTTP attempt of a step. @default the SDK's shared undici transport */
  transport?: HttpTransport;
  /** Configured `SYSTEM_APIS` entries; `sluice` (the service's own base URL) is added by `start`. @default {} */
  systemApis?: Record<string, string>;
  /** Runs executing at once; the others wait in the queue. @default 16 */
  maxConcurrentRuns?: number;
  /** How long a run's lease lasts without a heartbeat, in ms. @default 30000 */
  leaseMs?: number;
  /** How often an executing run's lease is extended, in ms. @default 10000 */
  heartbeatMs?: number;
  /** How long `close()` lets executing runs finish before it checkpoints them, in ms. @default 10000 */
  closeGraceMs?: number;
  /** This process's lease owner name. @default `<host>:<pid>:<random>` */
  owner?: string;
  /** The clock. @default Date.now */
  now?: () => number;
}

/** The defaults of {@link CreateEngineOptions}. */
export const ENGINE_DEFAULTS = Object.freeze({
  maxConcurrentRuns: 16,
  leaseMs: 30_000,
  heartbeatMs: 10_000,
  closeGraceMs: 10_000,
} as const);

/** The running engine: start runs of published workflows, wait for, cancel and retry them. */
export interface Engine extends AsyncDisposable {
  /** The store the engine runs on (the API reads it too). */
  readonly store: ServiceStore;
  /** The lease owner name of this process. */
  readonly owner: string;
  /** Runs queued or executing in this process. */
  readonly queueDepth: number;
  /**
   * Starts executing: queues every unfinished run of the store (resumed from its rows, the step in
   * flight again with the same `Idempotency-Key`), then new runs. Resolves how many it resumed.
   */
  start(options?: { baseUrl?: string }): Promise<number>;
  /**
   * Records a `pending` run of `workflow` for `caller` and queues it; resolves its id at once.
   * @throws {EngineError} `SLUICE_ENGINE_CLOSED` once `close()` was called.
   */
  startRun(workflow: StoredWorkflow, input: unknown, caller: ApiCaller): Promise<string>;
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
  /**
   * Stops taking work; lets executing runs finish for `closeGraceMs`, then checkpoints the rest: they
   * are aborted without recording anything more, so they stay unfinished and the next start resumes
   * them. Queued runs stay `pending`. Idempotent; does not close the store.
   */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}
