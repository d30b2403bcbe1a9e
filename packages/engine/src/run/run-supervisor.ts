/**
 * Executes runs in this process, safely among others: each execution first claims the run's lease (a
 * run queued here may have been taken by another process meanwhile), renews it on a heartbeat, and
 * fences itself (stops writing, aborts) when the lease is lost or cannot be renewed within its length.
 * A run executes through `resumeRun` from its stored rows, so a fresh run, a run resumed after a restart
 * and a retried run take the same path. A stored wait (`RunSuspended`) lets the lease go with the run's
 * `resume_at`; the sweeper finds it then. See docs/service.md "Durability".
 *
 * @internal
 * @module
 */
import { type Connector, type Logger, silentLogger } from '@sluice/sdk';
import type { HttpTransport } from '@sluice/sdk/internal';
import type { ConnectionService } from '../connections/connection-service.js';
import { EngineError } from '../errors.js';
import type { StepLimits } from '../limits/step-limits.js';
import type { EngineMetrics } from '../metrics/engine-metrics.js';
import { isoTimeMs } from '../model/iso-time.js';
import type { OutageLog } from '../queue/outage-log.js';
import type { RunTokens } from '../secrets/run-token.js';
import type { RunValueSealer } from '../secrets/run-values.js';
import type { ActionSource } from '../steps/action-source.js';
import type { ChildRuns } from '../steps/child-runs.js';
import type { StepKinds } from '../steps/step-kinds.js';
import { RunSuspended } from '../steps/waits.js';
import { exchangeFreeStore } from '../store/exchange-free-store.js';
import { fencedStore } from '../store/fenced-store.js';
import type { ApiCaller, ServiceStore, StoredWorkflow } from '../store/service-store.js';
import type { NewRun, RunRow, RunStatus, Store } from '../store/store.js';
import { isFinished, newRunAsStored } from '../store/store.js';
import type { TemplateRenderer } from '../template/render.js';
import { runnableWorkflow } from './admit-run.js';
import { RunRecorder } from './recorded-run.js';
import { resumeRun } from './resume-run.js';
import type { RunWaiters } from './run-waiters.js';
import type { WorkspaceSettings } from './workspace-settings.js';

/** What {@link RunSupervisor} executes runs with. */
export interface RunSupervisorOptions {
  store: ServiceStore;
  /** This process's lease owner name. */
  owner: string;
  now: () => number;
  leaseMs: number;
  heartbeatMs: number;
  longWaitMs: number;
  logger: Logger | undefined;
  transport: HttpTransport | undefined;
  renderer: TemplateRenderer;
  stepKinds: StepKinds;
  limits: StepLimits;
  seal: RunValueSealer;
  /** `SYSTEM_APIS` of the runs (known once the engine started). */
  systemApis: () => Record<string, string>;
  runTokens: Pick<RunTokens, 'issue'>;
  connections: Pick<ConnectionService, 'open' | 'secretsOf'>;
  connectors: ReadonlyMap<string, Connector>;
  /** Whether a workspace's runs keep their attempts' HTTP exchanges (issue 15). @default they do */
  settings?: Pick<WorkspaceSettings, 'keepsExchanges'> | undefined;
  metrics: Pick<EngineMetrics, 'observe'>;
  /** Told of each store success and failure (a claim, a heartbeat). */
  storeOutage: Pick<OutageLog, 'succeeded' | 'failed'>;
  waiters: RunWaiters;
  /** A run stopped at a stored wait, until `resumeAtMs`. */
  onSuspended(resumeAtMs: number): void;
  /** An execution ended here (finished, suspended, fenced or failed to claim). */
  onExecutionEnd(): void;
  /** Where `workflow:` steps start their child runs. */
  children: ChildRuns;
  /** Run `run` ended here with `status` (its end committed): wake its parent, start its `on_failure`. */
  onRunEnded(run: RunRow, status: RunStatus): Promise<void>;
}

interface Execution {
  controller: AbortController;
  /** Set on close: the run's writes are refused, so it stays as the last commit left it. */
  fenced: boolean;
  /** When the lease was last taken or renewed (engine clock): past `leaseMs` without, it fences itself. */
  renewedAt: number;
  /** The heartbeat in flight, awaited when the execution ends: a late renewal must not outlive it. */
  beat?: Promise<void>;
}

/** How many pinned workflow versions are kept in memory (oldest dropped first). */
const PINNED_VERSIONS_KEPT = 256;

/** Claims, executes, heartbeats and fences the runs this process executes. */
export class RunSupervisor {
  readonly #o: RunSupervisorOptions;
  readonly #executions = new Map<string, Execution>();
  readonly #versions = new Map<string, StoredWorkflow>();
  /** Runs this process created started (`carry`), as inserted, until their execution takes them. */
  readonly #carried = new Map<string, { run: RunRow; caller: ApiCaller }>();

  constructor(options: RunSupervisorOptions) {
    this.#o = options;
  }

  /** Runs executing here now. */
  get executing(): number {
    return this.#executions.size;
  }

  /**
   * Aborts run `id` when it executes here (it is then recorded `cancelled` by its execution); resolves
   * whether it did.
   */
  cancel(id: string): boolean {
    // Not executing yet: its execution must claim it, and so finds it cancelled.
    this.#carried.delete(id);
    const execution = this.#executions.get(id);
    if (execution === undefined) return false;
    execution.controller.abort(
      new EngineError('SLUICE_RUN_CANCELLED', `run ${id} was cancelled through the API`),
    );
    return true;
  }

  /**
   * Checkpoints every execution still running (the engine is closing past its grace time): each is
   * aborted without recording anything more, so the run stays unfinished and resumes on the next start.
   * Resolves the ids it checkpointed.
   */
  checkpoint(): string[] {
    this.#carried.clear();
    const checkpointed = [...this.#executions.entries()].filter(([, execution]) => !execution.fenced);
    for (const [, execution] of checkpointed) {
      execution.fenced = true;
      execution.controller.abort(
        new EngineError('SLUICE_ENGINE_CLOSED', 'the engine closed; the run resumes on the next start'),
      );
    }
    return checkpointed.map(([id]) => id);
  }

  /**
   * Keeps the row of run `run`, which this process just created started and leased to itself, for its
   * execution: it then neither claims nor reads the run, nor writes its start (issue 14).
   */
  carry(run: NewRun, caller: ApiCaller, stored: StoredWorkflow): void {
    this.#carried.set(run.id, { run: newRunAsStored(run), caller });
    this.#remember(stored);
  }

  async execute(id: string): Promise<void> {
    const execution: Execution = {
      controller: new AbortController(),
      fenced: false,
      renewedAt: this.#o.now(),
    };
    const logger = (this.#o.logger ?? silentLogger).child({ runId: id });
    this.#executions.set(id, execution);
    const carried = this.#takeCarried(id);
    // Claimed only now that it has a slot: while it was queued here, another process could take it.
    // A claim that fails on the store drops this queue entry; the sweeper queues the run again later.
    const claimed =
      carried !== undefined ||
      (await this.claim(id).then(
        (ok) => {
          this.#o.storeOutage.succeeded();
          return ok;
        },
        (err: unknown) => {
          this.#o.storeOutage.failed(err);
          return false;
        },
      ));
    if (!claimed) {
      this.#executions.delete(id);
      // Cancelled through this process while it claimed: record it, whoever executes the run.
      if (execution.controller.signal.aborted && !execution.fenced) await this.recordCancelled(id);
      this.#o.waiters.settle(id);
      return;
    }
    let heartbeat: NodeJS.Timeout | undefined;
    let suspended: RunSuspended | undefined;
    let finished = false;
    // A run created here is recorded as it executes, so a `?wait=true` answer needs no read.
    const recorder = carried === undefined ? undefined : new RunRecorder(carried.run);
    try {
      const found = carried ?? (await this.#o.store.runs.getRunAndCaller(id));
      if (found === undefined || isFinished(found.run.status)) return;
      const { run, caller } = found;
      const stored = await this.#pinnedVersion(run);
      heartbeat = setInterval(() => {
        // One beat at a time; a slow store skips beats rather than piling renewals up.
        if (execution.beat !== undefined || execution.fenced) return;
        execution.beat = this.#heartbeat(id, execution, logger).finally(() => {
          execution.beat = undefined;
        });
      }, this.#o.heartbeatMs);
      heartbeat.unref();
      const keepsExchanges = await this.#keepsExchanges(run);
      const store = this.#runStore(keepsExchanges, execution);
      const { user, userToken, secrets } = await this.#runUser(id, caller);
      // Every option written out (an absent one `undefined`): spreads into this literal cost more per run.
      const outcome = await resumeRun(id, {
        run,
        fresh: carried !== undefined,
        store: recorder === undefined ? store : recorder.wrap(store),
        renderer: this.#o.renderer,
        stepKinds: this.#o.stepKinds,
        limits: this.#o.limits,
        workflow: stored === undefined ? undefined : runnableWorkflow(stored),
        seal: this.#o.seal,
        systemApis: this.#o.systemApis(),
        user,
        userToken,
        secrets,
        recordExchanges: keepsExchanges,
        actions: this.#actionSource(caller),
        children: this.#o.children,
        startsOnFailure: true,
        signal: execution.controller.signal,
        suspendLongWaits: true,
        longWaitMs: this.#o.longWaitMs,
        logger: this.#o.logger,
        transport: this.#o.transport,
        onEvent: (event) => this.#o.metrics.observe(event, stored?.document.name ?? run.workflow_name),
        now: this.#o.now,
      });
      // Its last write cleared the lease with the final status: nothing is left to let go.
      finished = isFinished(outcome.status);
      if (finished) {
        await this.#o
          .onRunEnded(run, outcome.status)
          .catch((err: unknown) => logger.error({ err }, 'what follows the end of the run failed'));
      }
    } catch (err) {
      if (err instanceof RunSuspended && !execution.fenced) suspended = err;
      else if (!execution.controller.signal.aborted) logger.error({ err }, 'run execution stopped');
      else if (!execution.fenced) await this.recordCancelled(id);
    } finally {
      clearInterval(heartbeat);
      // A renewal still in flight could land after the lease is let go (or checkpointed) below.
      await execution.beat;
      this.#executions.delete(id);
      if (!execution.fenced && !finished) {
        // A stored wait: the run stays `running`, free of leases until `resume_at`, when a sweep finds it
        // (sooner when a child it waits for ended meanwhile).
        const release =
          suspended === undefined
            ? this.#o.store.runs.updateRun(id, { lease_owner: null, lease_expires_at: null })
            : this.#o.store.runLinks.suspend(id, suspended.resumeAt.toISOString());
        const stored = await release.catch((err: unknown) => {
          logger.error({ err }, 'releasing the run lease failed');
        });
        // Woken meanwhile (a child ended): due sooner than it asked.
        if (
          suspended !== undefined &&
          typeof stored === 'string' &&
          Date.parse(stored) < suspended.resumeAt.getTime()
        ) {
          suspended = new RunSuspended(new Date(stored));
        }
      }
      if (suspended === undefined) this.#o.waiters.settle(id, finished ? recorder?.ended() : undefined);
      else this.#o.onSuspended(suspended.resumeAt.getTime());
      this.#o.onExecutionEnd();
    }
  }

  /** Whether run `run`'s workspace keeps the HTTP exchanges of attempts (`attempt_retention_days` above 0). */
  async #keepsExchanges(run: RunRow): Promise<boolean> {
    const { settings } = this.#o;
    if (settings === undefined || run.workspace_id === null) return true;
    return settings.keepsExchanges(run.workspace_id);
  }

  /**
   * The store of an execution: fenced, and without exchanges for a workspace that keeps none (the steps
   * of built-in kinds record none then; the store drops any a step kind of a plug-in recorded anyway).
   */
  #runStore(keepsExchanges: boolean, execution: Execution): Store {
    const fenced = fencedStore(this.#o.store.runs, () => execution.fenced);
    return keepsExchanges ? fenced : exchangeFreeStore(fenced);
  }

  /** The carried row of run `id` while the lease it was created with has at least half its length left. */
  #takeCarried(id: string): { run: RunRow; caller: ApiCaller } | undefined {
    const carried = this.#carried.get(id);
    this.#carried.delete(id);
    if (carried === undefined) return undefined;
    const left = isoTimeMs(carried.run.lease_expires_at ?? '') - this.#o.now();
    return left > this.#o.leaseMs / 2 ? carried : undefined;
  }

  #remember(stored: StoredWorkflow): void {
    const key = `${stored.uid}@${stored.version}`;
    if (this.#versions.has(key)) return;
    if (this.#versions.size >= PINNED_VERSIONS_KEPT) {
      this.#versions.delete(this.#versions.keys().next().value as string);
    }
    this.#versions.set(key, stored);
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
    const stored = await this.#o.store.workflows.get(run.workflow_uid, run.workflow_version);
    if (stored !== undefined) this.#remember(stored);
    return stored;
  }

  /** Renews the lease of an executing run; when another process took the run, fences and stops it. */
  async #heartbeat(id: string, execution: Execution, logger: Logger): Promise<void> {
    // A store error is not a lost lease: the next beat tries again, until the lease would have run out.
    const beat = this.#o.now();
    const kept = await this.claim(id).then(
      (ok) => {
        this.#o.storeOutage.succeeded();
        if (ok) execution.renewedAt = beat;
        return ok;
      },
      (err: unknown) => {
        this.#o.storeOutage.failed(err);
        return 'unknown' as const;
      },
    );
    if (kept === true || execution.fenced) return;
    if (kept === 'unknown') {
      // Past the lease, another process may have claimed the run: stop writing, as if it had.
      if (this.#o.now() - execution.renewedAt <= this.#o.leaseMs) return;
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
    const run = await this.#o.store.runs.getRun(id).catch(() => undefined);
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
  claim(id: string, leaseMs = this.#o.leaseMs): Promise<boolean> {
    const now = this.#o.now();
    const until = new Date(now + leaseMs).toISOString();
    return this.#o.store.runs.claimRun(id, this.#o.owner, until, new Date(now).toISOString());
  }

  /**
   * `USER` of an execution, what makes its fresh run token when the run first reads `USER.token` (most runs
   * never do: a signature each cost about 1% of a run's CPU), and the secrets to mask: the connection
   * secrets of the workspace (a step may fetch them through the credentials API). The token needs no
   * place among them: the redactor finds every run token by its shape.
   */
  async #runUser(
    id: string,
    caller: ApiCaller | undefined,
  ): Promise<{ user: Record<string, unknown>; userToken?: () => string; secrets?: string[] }> {
    if (caller === undefined) return { user: {} };
    const secrets = await this.#o.connections.secretsOf(caller.workspace_id);
    return { user: userOf(caller), userToken: () => this.#o.runTokens.issue(caller, id), secrets };
  }

  /** The connectors and connections action steps of a run of `caller`'s workspace use. */
  #actionSource(caller: ApiCaller | undefined): ActionSource {
    return {
      connector: (name) => this.#o.connectors.get(name),
      open: async (name) => {
        if (caller === undefined) {
          throw new EngineError('SLUICE_CONNECTION', `connection ${name}: the run has no workspace`);
        }
        return this.#o.connections.open(caller.workspace_id, name);
      },
    };
  }

  /** Records run `id` as cancelled unless it already ended (cancelled before its steps began). */
  async recordCancelled(id: string): Promise<void> {
    const run = await this.#o.store.runs.getRun(id);
    if (run === undefined || isFinished(run.status)) return;
    await this.#o.store.runs.updateRun(id, {
      status: 'cancelled',
      error: { type: 'other', message: 'the run was cancelled' },
      finished_at: new Date(this.#o.now()).toISOString(),
      lease_owner: null,
      lease_expires_at: null,
    });
  }
}

function userOf(caller: ApiCaller): Record<string, unknown> {
  return { id: caller.id, email: caller.email, workspace_id: caller.workspace_id, role: caller.role };
}
