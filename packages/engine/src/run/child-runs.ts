/**
 * The engine service's {@link ChildRuns}: a `workflow:` step item's child is a real run, recorded with
 * `parent_run_id` and `depth`, acting for the parent's caller in the parent's workspace, queued like any
 * run. Its id derives from the item's idempotency key, so a parent resumed after a crash (or after its
 * wait) finds the same child instead of starting another; two processes racing to start it insert one
 * row. A child's output is the output of its last step.
 *
 * @internal
 * @module
 */
import { createHash } from 'node:crypto';
import { isSluiceError } from '@sluice/sdk';
import type { ConnectionService } from '../connections/connection-service.js';
import { actionConnections } from '../connectors/catalog.js';
import type { RunValueSealer } from '../secrets/run-values.js';
import type { ChildCall, ChildRuns, ChildState } from '../steps/child-runs.js';
import type { ServiceStore } from '../store/service-store.js';
import type { RunRow, StepErrorRecord } from '../store/store.js';
import { admitRun, runnableWorkflow } from './admit-run.js';
import { checkRunInput } from './input-rules.js';
import { resolveWorkflowRef } from './workflow-refs.js';

/** How deep child runs nest by default: a run, its child, ..., ten levels down. */
export const DEFAULT_MAX_WORKFLOW_DEPTH = 10;
/** How long a parent waits before it looks at its child again, when no end woke it sooner. */
export const DEFAULT_CHILD_RECHECK_MS = 60_000;

/** What {@link ServiceChildRuns} starts children with. */
export interface ServiceChildRunsOptions {
  store: Pick<ServiceStore, 'runs' | 'workflows'>;
  connections: Pick<ConnectionService, 'check' | 'secretsOf'>;
  seal: RunValueSealer;
  now: () => number;
  /** Queues a child just recorded. */
  enqueue(id: string): void;
  /** @default {@link DEFAULT_MAX_WORKFLOW_DEPTH} */
  maxDepth?: number | undefined;
  /** @default {@link DEFAULT_CHILD_RECHECK_MS} */
  recheckMs?: number | undefined;
}

/** The id of the child run of the step item whose idempotency key is `itemKey`. */
export function childRunId(itemKey: string): string {
  return derivedRunId(`${itemKey}/child`);
}

/** A UUID-shaped id derived from `name` (SHA-256), so that deriving it again gives the same id. */
export function derivedRunId(name: string): string {
  const hex = createHash('sha256').update(name).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

export class ServiceChildRuns implements ChildRuns {
  readonly #o: ServiceChildRunsOptions;

  constructor(options: ServiceChildRunsOptions) {
    this.#o = options;
  }

  async call(call: ChildCall): Promise<ChildState> {
    const id = childRunId(call.key);
    const existing = await this.#o.store.runs.getRun(id);
    if (existing !== undefined) return this.#state(existing);
    const refused = (message: string): ChildState => ({
      status: 'refused',
      error: { type: 'other', message: `steps.${call.step}: ${message}` },
    });
    const parent = await this.#o.store.runs.getRunAndCaller(call.parentRunId);
    if (parent === undefined) return refused(`the parent run ${call.parentRunId} is not in the store`);
    const { caller } = parent;
    if (caller === undefined) return refused('the run has no caller, so it cannot start child runs');
    const depth = (parent.run.depth ?? 0) + 1;
    const maxDepth = this.#o.maxDepth ?? DEFAULT_MAX_WORKFLOW_DEPTH;
    if (depth > maxDepth) {
      return refused(
        `workflow ${JSON.stringify(call.workflow)} would run ${depth} levels below the first run, past the limit of ${maxDepth}: do the workflows call each other in a cycle?`,
      );
    }
    const found = await resolveWorkflowRef(this.#o.store, caller.workspace_id, call.workflow);
    if ('problem' in found) return refused(found.problem);
    const { stored } = found;
    const workflow = runnableWorkflow(stored);
    try {
      checkRunInput(workflow, call.input);
      await this.#o.connections.check(caller.workspace_id, actionConnections(workflow));
    } catch (err) {
      // A store that is down is not a refusal: the parent's execution stops and resumes later.
      if (!isSluiceError(err) || err.code === 'SLUICE_STORE') throw err;
      return refused(`workflow ${JSON.stringify(call.workflow)}: ${err.message}`);
    }
    const secrets = await this.#o.connections.secretsOf(caller.workspace_id);
    const createdAt = new Date(this.#o.now()).toISOString();
    const admitted = admitRun({
      from: 'api',
      origin: 'parent',
      id,
      caller,
      stored,
      input: call.input,
      createdAt,
      secrets,
      seal: this.#o.seal,
    });
    const run = { ...admitted.run, parent_run_id: call.parentRunId, depth };
    try {
      await this.#o.store.runs.createServiceRun(run, caller);
    } catch (err) {
      // Another process started the same child first: that one is the child.
      const raced = await this.#o.store.runs.getRun(id);
      if (raced === undefined) throw err;
      return this.#state(raced);
    }
    this.#o.enqueue(id);
    return { status: 'running', runId: id, recheckAt: this.#recheckAt() };
  }

  async #state(run: RunRow): Promise<ChildState> {
    if (run.status === 'pending' || run.status === 'running') {
      return { status: 'running', runId: run.id, recheckAt: this.#recheckAt() };
    }
    if (run.status === 'succeeded')
      return { status: 'succeeded', runId: run.id, output: await this.#output(run) };
    const why = run.error?.message ?? run.status;
    const error: StepErrorRecord = {
      ...(run.error ?? { type: 'other' }),
      message: `child run ${run.id} (${run.workflow_name}) ${run.status}: ${why}`,
    };
    return { status: run.status, runId: run.id, error };
  }

  /** The output of the child's last step, unredacted when it was sealed (null when it was skipped). */
  async #output(run: RunRow): Promise<unknown> {
    const steps = await this.#o.store.runs.listSteps(run.id);
    const last = steps.at(-1);
    if (last === undefined || last.status !== 'succeeded') return null;
    if (last.sealed_output == null) return last.output;
    const where = { runId: run.id, column: 'run_steps.sealed_output', step: last.step_index } as const;
    return this.#o.seal.open(last.sealed_output, where);
  }

  #recheckAt(): number {
    return this.#o.now() + (this.#o.recheckMs ?? DEFAULT_CHILD_RECHECK_MS);
  }
}
