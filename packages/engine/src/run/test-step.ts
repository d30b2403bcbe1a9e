/**
 * Testing one step (issue 15): runs step `name` of a workflow against a given state (`INPUT` and the
 * `STEPS` before it) as a run would, and answers with its status, output and attempts. Nothing is
 * recorded: the step runs in a throwaway `MemoryRunStore`, so no run row is written and no trigger
 * fires. Everything else is a real run's: the templates, `when`, fan-out, `on_error: continue`, the
 * retry policy, the concurrency and rate limits, the connections of an action step, the redaction of
 * secrets in the answer.
 *
 * Two kinds of wait are not waited: a `wait` step answers at once, `succeeded`, with `wait_until` (when
 * it would end, as `wait.ts` computes it); a retry wait long enough to be a stored wait in the service
 * (a long Retry-After) ends the test there, status `waiting`, with `wait_until` and the attempts so far.
 * Only the kinds known here (`http`, `action`, `wait`) are tested; another kind is refused.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '@sluice/sdk';
import type { HttpTransport } from '@sluice/sdk/internal';
import { EngineError } from '../errors.js';
import type { StepRenderer } from '../executor/execution-context.js';
import { runStep, type StepCallError, storedCallErrors } from '../executor/run-step.js';
import type { StepLimits } from '../limits/step-limits.js';
import type { RunState } from '../model/run-state.js';
import type { Workflow } from '../model/workflow.js';
import { secretValuesIn } from '../secrets/redactor.js';
import { actionStep } from '../steps/action.js';
import { httpStep } from '../steps/http.js';
import type { StepKind } from '../steps/step-kind.js';
import { STEP_KINDS, type StepKinds } from '../steps/step-kinds.js';
import { waitStep } from '../steps/wait.js';
import { RunSuspended } from '../steps/waits.js';
import { MemoryRunStore } from '../store/memory/memory-run-store.js';
import type { AttemptEntry, StepErrorRecord, StepItemRow, StepStatus } from '../store/store.js';
import { admitRun } from './admit-run.js';
import { createExecutionContext } from './create-context.js';
import type { RunWorkflowOptions } from './run-options.js';

/** The state a step is tested against: what templates see of `INPUT` and of the earlier steps. */
export interface StepTestState {
  /** `INPUT`. */
  INPUT: unknown;
  /** `STEPS.<name>.output` (and `.errors`, `[]` when absent) of the steps before the tested one. */
  STEPS: Record<string, { output: unknown; errors?: RunState['STEPS'][string]['errors'] }>;
}

/** One item of a tested step (the step's one call when it did not fan out). */
export interface StepTestItem {
  index: number;
  status: StepStatus;
  /** The item's input (the whole rendered input when the step did not fan out), secrets redacted. */
  input: unknown;
  output: unknown;
  error: StepErrorRecord | null;
  /** Requests sent for the item, redirect hops included. */
  attempts: number;
  /** Every attempt of the item, as a run record lists them. */
  history: AttemptEntry[];
}

/** What testing a step answers (`POST /v1/workflows/{uid}/steps/{name}/test`, `sluice run --step`). */
export interface StepTestResult {
  step: string;
  /**
   * `succeeded`, `failed`, `skipped` (a falsy `when`), or `waiting`: a retry wait long enough to be
   * stored in the service ended the test (see `wait_until`).
   */
  status: Exclude<StepStatus, 'pending' | 'running'> | 'waiting';
  /** The rendered `input`, secrets redacted; `null` when the step has none or ended before it. */
  input: unknown;
  /** The step's output (a list in item order when it fanned out), secrets redacted. */
  output: unknown;
  error: StepErrorRecord | null;
  /** The calls that failed without failing the step (`on_error: continue`): `STEPS.<name>.errors`. */
  errors: StepCallError[];
  fanned_out: boolean;
  /** Requests sent for the step, over all its items. */
  attempts: number;
  items: StepTestItem[];
  /**
   * A `wait` step: when it would end (it answers without waiting). Status `waiting`: when the next
   * attempt would be sent. `null` otherwise.
   */
  wait_until: string | null;
}

/** Options of {@link testStep}: those of a run, without what a test does not record. */
export interface TestStepOptions extends Omit<RunWorkflowOptions, 'store' | 'input' | 'seal' | 'sleep'> {
  /** `INPUT` and `STEPS`, checked (`checkStepTestState`). Entries of the tested step and later ones are left out, as in a run. */
  state: StepTestState;
}

/** What the engine service tests steps with: the parts its runs execute with. */
export interface StepTestPorts {
  readonly renderer: StepRenderer;
  readonly stepKinds: StepKinds;
  readonly limits: StepLimits;
  readonly transport: HttpTransport | undefined;
  /** The engine's run logger as given (`undefined`: nothing is logged). */
  readonly logger: Logger | undefined;
  readonly longWaitMs: number;
  readonly now: () => number;
  /** `SYSTEM_APIS` of the runs (known once the engine started). */
  systemApis(): Record<string, string>;
}

/** The step kinds a test knows how to run without side effects beyond the step's own call. */
const TESTABLE_KINDS: ReadonlySet<StepKind> = new Set<StepKind>([
  httpStep as unknown as StepKind,
  actionStep as unknown as StepKind,
  waitStep as unknown as StepKind,
]);

/** A wait that does not wait: a `wait` step's test answers at once. */
const noSleep = async (_ms: number, signal?: AbortSignal) => signal?.throwIfAborted();

/**
 * Checks that step `stepIndex` of `workflow` is of a kind a test runs.
 *
 * @throws {EngineError} `SLUICE_STEP_TEST_UNSUPPORTED` for any other kind.
 */
export function assertTestableStep(workflow: Workflow, stepIndex: number, kinds = STEP_KINDS): void {
  const step = workflow.steps[stepIndex];
  if (step === undefined) throw new RangeError(`assertTestableStep: no step ${stepIndex}`);
  const kind = kinds.of(step);
  if (kind !== undefined && TESTABLE_KINDS.has(kind)) return;
  const what = kind === undefined ? 'of no known kind' : `a ${kind.key} step (${kind.summary})`;
  throw new EngineError(
    'SLUICE_STEP_TEST_UNSUPPORTED',
    `steps.${step.name}: cannot be tested on its own: it is ${what}; a test runs apispec, action and wait steps`,
    { hint: 'start a run of the workflow to see what this step does' },
  );
}

/**
 * Runs step `stepName` of `workflow` once against `options.state` and answers what it did. No run is
 * recorded and no trigger fires; a failed step is an answer, not a rejection.
 *
 * @throws {EngineError} `SLUICE_STEP_TEST_UNSUPPORTED` for a step of a kind a test does not run.
 * @throws {RangeError} when the workflow has no step of that name (check it first).
 * @throws `signal.reason` when aborted.
 *
 * @example
 * const result = await testStep(workflow, 'customers', {
 *   renderer, state: { INPUT: { limit: 2 }, STEPS: {} }, systemApis: { my_app: 'http://127.0.0.1:4010' },
 * });
 */
export async function testStep(
  workflow: Workflow,
  stepName: string,
  options: TestStepOptions,
): Promise<StepTestResult> {
  const stepIndex = workflow.steps.findIndex((step) => step.name === stepName);
  if (stepIndex < 0) throw new RangeError(`testStep: no step ${stepName} in ${workflow.name}`);
  const kinds = options.stepKinds ?? STEP_KINDS;
  assertTestableStep(workflow, stepIndex, kinds);
  const isWait = kinds.of(workflow.steps[stepIndex] as Workflow['steps'][number]) === waitStep;
  const store = new MemoryRunStore();
  try {
    const runId = options.runId ?? randomUUID();
    const { INPUT: input, STEPS: steps } = options.state;
    const startedAt = new Date((options.now ?? Date.now)()).toISOString();
    let waitUntil: string | null = null;
    const contextOptions = { ...options, store, input, ...(isWait ? { sleep: noSleep } : {}) };
    const ctx = createExecutionContext(workflow, runId, input, startedAt, contextOptions, undefined, {
      // A wait step's end is its output; a long retry wait ends the test where the service would store it.
      onLongWait: async (resumeAt: Date | undefined) => {
        if (isWait || resumeAt === undefined) return;
        waitUntil = resumeAt.toISOString();
        throw new RunSuspended(resumeAt);
      },
    });
    const earlier = new Set(workflow.steps.slice(0, stepIndex).map((step) => step.name));
    for (const [name, entry] of Object.entries(steps)) {
      if (!earlier.has(name)) continue;
      ctx.state.STEPS[name] = { output: entry.output, errors: entry.errors ?? [] };
    }
    ctx.addSecrets(secretValuesIn(ctx.state.STEPS, ctx.secretNames));
    const redactor = ctx.redactor();
    await store.createRun(
      admitRun({ from: 'local', id: runId, workflow, input, createdAt: startedAt, redactor }).run,
    );
    let suspended = false;
    try {
      await runStep(ctx, stepIndex);
    } catch (err) {
      if (!(err instanceof RunSuspended)) throw err;
      suspended = true;
    }
    const [row] = await store.listSteps(runId);
    const rows = await store.listStepItems(runId);
    const items = rows.map(itemOf);
    const status = suspended ? 'waiting' : (row?.status ?? 'failed');
    if (isWait) waitUntil = latestUntil(items);
    return {
      step: stepName,
      status: status === 'pending' || status === 'running' ? 'waiting' : status,
      input: row?.input ?? null,
      output: suspended ? null : (row?.output ?? null),
      error: row?.error ?? null,
      errors: row === undefined ? [] : storedCallErrors(row, rows),
      fanned_out: row?.fanned_out ?? false,
      attempts: items.reduce((sum, item) => sum + item.attempts, 0),
      items,
      wait_until: waitUntil,
    };
  } finally {
    await store.close();
  }
}

function itemOf(row: StepItemRow): StepTestItem {
  return {
    index: row.item_index,
    status: row.status,
    input: row.input,
    output: row.output,
    error: row.error,
    attempts: row.attempts,
    history: row.history,
  };
}

/** The latest `until` among the outputs of a wait step's items. */
function latestUntil(items: readonly StepTestItem[]): string | null {
  let latest: string | null = null;
  for (const item of items) {
    const until = (item.output as { until?: unknown } | null)?.until;
    if (typeof until === 'string' && (latest === null || Date.parse(until) > Date.parse(latest)))
      latest = until;
  }
  return latest;
}
