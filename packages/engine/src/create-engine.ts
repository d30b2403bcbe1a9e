/**
 * The composition root of the engine service (STYLE §3): `createEngine` picks the renderer, the
 * concurrency limits and the in-process run queue, and executes runs asynchronously, each through
 * `resumeRun` from its stored rows, so a fresh run, a run resumed after a restart and a retried run
 * take the same path. See `docs/service.md`.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleepFor } from 'node:timers/promises';
import { silentLogger } from '@sluice/sdk';
import { type CreateEngineOptions, ENGINE_DEFAULTS, type Engine } from './engine-options.js';
import { EngineError } from './errors.js';
import { ConcurrencyLimits } from './executor/concurrency.js';
import { InProcessRunQueue } from './queue/in-process-queue.js';
import { resumeRun } from './run/resume-run.js';
import { createRedactor, secretValuesIn } from './secrets/redactor.js';
import { DEFAULT_SECRET_NAMES } from './secrets/secret-names.js';
import { fencedStore } from './store/fenced-store.js';
import type { ApiCaller, ServiceStore, StoredWorkflow } from './store/service-store.js';
import type { RunRow } from './store/store.js';
import { TemplateRenderer } from './template/render.js';
import type { Workflow } from './workflow/model.js';

interface Execution {
  controller: AbortController;
  /** Set on close: the run's writes are refused, so it stays as the last commit left it. */
  fenced: boolean;
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

class ServiceEngine implements Engine {
  readonly store: ServiceStore;
  readonly owner: string;
  readonly #options: CreateEngineOptions;
  readonly #renderer = new TemplateRenderer();
  readonly #limits = new ConcurrencyLimits();
  readonly #queue: InProcessRunQueue;
  readonly #executions = new Map<string, Execution>();
  readonly #waiters = new Map<string, { done: Promise<void>; resolve: () => void }>();
  /** Inputs of runs started here, unredacted (the stored copy is redacted). */
  readonly #inputs = new Map<string, unknown>();
  readonly #now: () => number;
  readonly #secretNames = DEFAULT_SECRET_NAMES.map((n) => n.toLowerCase());
  #systemApis: Record<string, string>;
  #closing: Promise<void> | undefined;

  constructor(options: CreateEngineOptions) {
    this.#options = options;
    this.store = options.store;
    this.owner = options.owner ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.#now = options.now ?? Date.now;
    this.#systemApis = { ...(options.systemApis ?? {}) };
    const concurrency = options.maxConcurrentRuns ?? ENGINE_DEFAULTS.maxConcurrentRuns;
    this.#queue = new InProcessRunQueue(concurrency, (id) => this.#execute(id));
  }

  get queueDepth(): number {
    return this.#queue.depth;
  }

  async start(options: { baseUrl?: string } = {}): Promise<number> {
    this.#assertOpen();
    if (options.baseUrl !== undefined) this.#systemApis = { ...this.#systemApis, sluice: options.baseUrl };
    const unfinished = await this.store.listUnfinishedRuns();
    for (const run of unfinished) this.#enqueue(run.id);
    this.#queue.start();
    return unfinished.length;
  }

  async startRun(stored: StoredWorkflow, input: unknown, caller: ApiCaller): Promise<string> {
    this.#assertOpen();
    const id = randomUUID();
    const workflow = runnable(stored);
    const redact = createRedactor({
      names: this.#secretNames,
      values: secretValuesIn({ input }, this.#secretNames),
    });
    await this.store.createServiceRun(
      {
        id,
        workflow_name: workflow.name,
        workflow: redact.value(workflow),
        input: redact.value(input),
        created_at: this.#iso(),
        workflow_uid: stored.uid,
        workflow_version: stored.version,
        workspace_id: caller.workspace_id,
        status: 'pending',
      },
      caller,
    );
    this.#inputs.set(id, input);
    this.#enqueue(id);
    return id;
  }

  async waitForRun(id: string, timeoutMs: number): Promise<void> {
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
    this.#queue.remove(id);
    await this.#recordCancelled(run.id);
    this.#settle(id);
  }

  /** Records run `id` as cancelled unless it already ended (cancelled before its steps began). */
  async #recordCancelled(id: string): Promise<void> {
    const run = await this.store.getRun(id);
    if (run === undefined || FINISHED.has(run.status)) return;
    await this.store.updateRun(id, {
      status: 'cancelled',
      error: { type: 'other', message: 'the run was cancelled' },
      finished_at: this.#iso(),
      lease_owner: null,
      lease_expires_at: null,
    });
  }

  async retryRun(id: string): Promise<void> {
    this.#assertOpen();
    const run = await this.store.getRun(id);
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
    await this.store.updateRun(id, { status: 'pending', error: null, finished_at: null });
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
    const active = this.#queue.stop();
    const grace = new AbortController();
    await Promise.race([
      Promise.allSettled(active),
      sleepFor(this.#options.closeGraceMs ?? ENGINE_DEFAULTS.closeGraceMs, undefined, {
        signal: grace.signal,
      }).catch(() => undefined),
    ]);
    grace.abort();
    for (const execution of this.#executions.values()) {
      execution.fenced = true;
      execution.controller.abort(
        new EngineError('SLUICE_ENGINE_CLOSED', 'the engine closed; the run resumes on the next start'),
      );
    }
    await Promise.allSettled(active);
    for (const id of [...this.#waiters.keys()]) this.#settle(id);
  }

  #enqueue(id: string): void {
    if (!this.#waiters.has(id)) {
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
    this.#inputs.delete(id);
  }

  async #execute(id: string): Promise<void> {
    const execution: Execution = { controller: new AbortController(), fenced: false };
    this.#executions.set(id, execution);
    const logger = (this.#options.logger ?? silentLogger).child({ runId: id });
    let heartbeat: NodeJS.Timeout | undefined;
    try {
      const run = await this.store.getRun(id);
      if (run === undefined || FINISHED.has(run.status)) return;
      const stored =
        run.workflow_uid !== null && run.workflow_version !== null
          ? await this.store.getWorkflow(run.workflow_uid, run.workflow_version)
          : undefined;
      const caller = await this.store.getRunCaller(id);
      await this.#renewLease(id);
      heartbeat = setInterval(
        () => void this.#renewLease(id).catch(() => undefined),
        this.#options.heartbeatMs ?? ENGINE_DEFAULTS.heartbeatMs,
      );
      heartbeat.unref();
      await resumeRun(id, {
        store: fencedStore(this.store, () => execution.fenced),
        renderer: this.#renderer,
        limits: this.#limits,
        ...(stored === undefined ? {} : { workflow: runnable(stored) }),
        ...(this.#inputs.has(id) ? { input: this.#inputs.get(id) } : {}),
        systemApis: this.#systemApis,
        user: caller === undefined ? {} : userOf(caller),
        signal: execution.controller.signal,
        ...(this.#options.logger === undefined ? {} : { logger: this.#options.logger }),
        ...(this.#options.transport === undefined ? {} : { transport: this.#options.transport }),
        now: this.#now,
      });
    } catch (err) {
      if (!execution.controller.signal.aborted) logger.error({ err }, 'run execution stopped');
      else if (!execution.fenced) await this.#recordCancelled(id);
    } finally {
      clearInterval(heartbeat);
      this.#executions.delete(id);
      if (!execution.fenced) {
        await this.store.updateRun(id, { lease_owner: null, lease_expires_at: null }).catch(() => undefined);
        this.#settle(id);
      }
    }
  }

  #renewLease(id: string): Promise<void> {
    const leaseMs = this.#options.leaseMs ?? ENGINE_DEFAULTS.leaseMs;
    return this.store.updateRun(id, {
      lease_owner: this.owner,
      lease_expires_at: new Date(this.#now() + leaseMs).toISOString(),
    });
  }

  async #unfinished(id: string, action: string): Promise<RunRow> {
    const run = await this.store.getRun(id);
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

/** The document a run executes: the stored version with its uid, version and workspace. */
function runnable(stored: StoredWorkflow): Workflow {
  return { ...stored.document, uid: stored.uid, version: stored.version, workspace_id: stored.workspace_id };
}

function userOf(caller: ApiCaller): Record<string, unknown> {
  return { id: caller.id, email: caller.email, workspace_id: caller.workspace_id, role: caller.role };
}
