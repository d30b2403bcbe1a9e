/**
 * `on_failure` (issue 15): a run that fails for good starts its workflow's `on_failure` workflow once.
 * The failing write marks the run `on_failure_due` (`execute-steps.ts`), so the start survives a crash:
 * the process that committed the failure starts it at once, and the sweep starts any still due (a
 * crash came between). The failure run's id derives from the failed run's, so a second start finds it
 * and records nothing. Its INPUT is `{workflow, workflow_uid, run_id, failed_step, error}`, the error as
 * stored (redacted); it acts for the failed run's caller, with `failure_of` set, so it starts no
 * `on_failure` of its own. A cancelled run starts nothing.
 *
 * @internal
 * @module
 */
import { isSluiceError, type Logger } from '@sluice/sdk';
import type { ConnectionService } from '../connections/connection-service.js';
import { actionConnections } from '../connectors/catalog.js';
import type { RunValueSealer } from '../secrets/run-values.js';
import type { ServiceStore } from '../store/service-store.js';
import type { RunRow } from '../store/store.js';
import { admitRun, runnableWorkflow } from './admit-run.js';
import { derivedRunId } from './child-runs.js';
import { checkRunInput } from './input-rules.js';
import { resolveWorkflowRef } from './workflow-refs.js';

/** Failed runs a sweep starts the `on_failure` runs of, at most. */
const SWEEP_BATCH = 50;

/** What {@link FailureRuns} starts runs with. */
export interface FailureRunsOptions {
  store: Pick<ServiceStore, 'runs' | 'workflows' | 'runLinks'>;
  connections: Pick<ConnectionService, 'check' | 'secretsOf'>;
  seal: RunValueSealer;
  now: () => number;
  enqueue(id: string): void;
  logger: Logger;
}

/** The id of the `on_failure` run of failed run `runId`. */
export function failureRunId(runId: string): string {
  return derivedRunId(`${runId}/on_failure`);
}

/** Starts the `on_failure` runs of failed runs, each once. */
export class FailureRuns {
  readonly #o: FailureRunsOptions;
  #sweeping: Promise<void> | undefined;

  constructor(options: FailureRunsOptions) {
    this.#o = options;
  }

  /** Starts the `on_failure` run of run `id` when it is due, then marks it done. */
  async start(id: string): Promise<void> {
    const { store } = this.#o;
    const found = await store.runs.getRunAndCaller(id);
    if (found === undefined || found.run.on_failure_due !== true) return;
    const { run, caller } = found;
    const ref = run.workflow.on_failure?.workflow;
    const failureId = failureRunId(id);
    const skip = (why: string) =>
      this.#o.logger.warn({ runId: id, onFailure: ref }, `on_failure not started: ${why}`);
    if (ref === undefined) skip('the workflow has none');
    else if (caller === undefined) skip('the run has no caller');
    else if ((await store.runs.getRun(failureId)) === undefined) {
      const resolved = await resolveWorkflowRef(store, caller.workspace_id, ref);
      if ('problem' in resolved) skip(resolved.problem);
      else {
        const workflow = runnableWorkflow(resolved.stored);
        const input = await failureInput(store, run);
        try {
          checkRunInput(workflow, input);
          await this.#o.connections.check(caller.workspace_id, actionConnections(workflow));
          const admitted = admitRun({
            from: 'api',
            origin: 'on_failure',
            id: failureId,
            caller,
            stored: resolved.stored,
            input,
            createdAt: new Date(this.#o.now()).toISOString(),
            secrets: await this.#o.connections.secretsOf(caller.workspace_id),
            seal: this.#o.seal,
          });
          await store.runs.createServiceRun({ ...admitted.run, failure_of: id }, caller);
          this.#o.enqueue(failureId);
          this.#o.logger.info({ runId: id, failureRunId: failureId }, 'on_failure run started');
        } catch (err) {
          // Started by another process meanwhile: that one counts.
          if ((await store.runs.getRun(failureId)) === undefined) {
            if (isSluiceError(err, 'SLUICE_STORE')) throw err;
            skip(err instanceof Error ? err.message : String(err));
          }
        }
      }
    }
    await store.runLinks.clearFailureDue(id);
  }

  /** Starts the `on_failure` runs still due (a crash came between a failure and its start). */
  sweep(): Promise<void> {
    this.#sweeping ??= this.#sweep().finally(() => {
      this.#sweeping = undefined;
    });
    return this.#sweeping;
  }

  async #sweep(): Promise<void> {
    for (const due of await this.#o.store.runLinks.listFailuresDue(SWEEP_BATCH)) {
      await this.start(due.id).catch((err: unknown) =>
        this.#o.logger.error({ err, runId: due.id }, 'starting the on_failure run failed'),
      );
    }
  }
}

/** The INPUT of the `on_failure` run of failed run `run`. */
async function failureInput(
  store: Pick<ServiceStore, 'runs'>,
  run: RunRow,
): Promise<Record<string, unknown>> {
  const steps = await store.runs.listSteps(run.id);
  const failed = steps.find((step) => step.status === 'failed');
  return {
    workflow: run.workflow_name,
    workflow_uid: run.workflow_uid,
    run_id: run.id,
    failed_step: failed?.name ?? null,
    error: run.error,
  };
}
