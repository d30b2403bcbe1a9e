/**
 * One step item, phase by phase: render the `apispec`, build the request, send it under the step's
 * retry policy (holding the step's shared concurrency permit), render the `output`. The result is a
 * finished item row, redacted, ready to commit; the raw output goes to `STEPS` for later templates.
 * An item that reaches a stored wait commits itself unfinished (its attempts so far) and throws
 * {@link RunSuspended}; when the run resumes, it continues from those attempts.
 *
 * @module
 */
import type { RetryPolicy } from '@sluice/sdk';
import { TemplateError } from '../errors.js';
import { hostRateKey, runWorkspace, stepRateLimit } from '../limits/rate-limit-key.js';
import type { CurrentStep, RunState } from '../run/run-state.js';
import type { StepErrorRecord, StepItemRow } from '../store/store.js';
import type { ApiSpec, WorkflowStep } from '../workflow/model.js';
import { ApiSpecShapeError, buildRequest, type RenderedApiSpec } from './build-request.js';
import type { StepConcurrency } from './concurrency.js';
import type { ExecutionContext } from './execution-context.js';
import { idempotencyKey } from './idempotency.js';
import { readResponse } from './read-response.js';
import { type CallFailed, ERROR_BODY_BYTES, sendCall } from './send-call.js';
import { createWaiter, RunSuspended } from './waits.js';

/** What a step item needs beyond the run's context. */
export interface ItemTask {
  step: WorkflowStep;
  stepIndex: number;
  itemIndex: number;
  /** The item (fan-out) or the whole rendered input. */
  input: unknown;
  policy: RetryPolicy;
  concurrency: StepConcurrency;
}

/** A finished item: its row (redacted) and its raw output. */
export interface ItemResult {
  row: StepItemRow;
  /** The output before redaction, for `STEPS.<name>.output`. */
  output: unknown;
}

const APISPEC_FIELDS = ['url', 'params', 'headers', 'data', 'json_body'] as const;

/**
 * Executes one step item. Never throws for a failure of the item itself (template error, bad
 * apispec, HTTP failure): the row says `failed` with the error.
 *
 * @throws `signal.reason` when the run is aborted; {@link RunSuspended} once the item's attempts so
 * far are committed, when a long wait suspends the run.
 */
export async function runItem(ctx: ExecutionContext, task: ItemTask): Promise<ItemResult> {
  const { step, stepIndex, itemIndex } = task;
  const key = idempotencyKey(ctx.runId, stepIndex, itemIndex);
  const previous = ctx.resumedAttempts?.get(`${stepIndex}/${itemIndex}`);
  const firstStarted = previous?.[0] === undefined ? Number.NaN : Date.parse(previous[0].started_at);
  const startedAt = Number.isNaN(firstStarted) ? ctx.now() : firstStarted;
  const current: CurrentStep = { name: step.name, input: task.input, index: itemIndex, attempt: 1 };
  const state: RunState = { ...ctx.state, CURRENT_STEP: current };
  const logger = ctx.logger.child({ step: step.name, index: itemIndex });
  const row = (fields: Pick<StepItemRow, 'status' | 'output' | 'error' | 'attempts' | 'history'>) => {
    const redact = ctx.redactor();
    return {
      run_id: ctx.runId,
      step_index: stepIndex,
      item_index: itemIndex,
      input: redact.value(task.input),
      idempotency_key: key,
      started_at: new Date(startedAt).toISOString(),
      finished_at: new Date(ctx.now()).toISOString(),
      ...fields,
      output: redact.value(fields.output),
      error: fields.error === null ? null : redact.value(fields.error),
    };
  };
  const fail = (error: StepErrorRecord, attempts = 0, history: StepItemRow['history'] = []): ItemResult => {
    logger.info({ error: error.type, status: error.status, attempts }, 'step item failed');
    return { row: row({ status: 'failed', output: null, error, attempts, history }), output: undefined };
  };

  const { apispec } = step;
  if (apispec === undefined) {
    return fail({ type: 'other', message: `steps.${step.name}: an action step has no apispec to call` });
  }
  let spec: RenderedApiSpec;
  try {
    spec = await renderApiSpec(ctx, step.name, apispec, state);
  } catch (err) {
    if (err instanceof TemplateError) return fail({ type: 'template', message: err.message });
    throw err;
  }
  let request: ReturnType<typeof buildRequest>;
  try {
    request = buildRequest(spec, key);
  } catch (err) {
    if (err instanceof ApiSpecShapeError)
      return fail({ type: 'other', message: `steps.${step.name}.${err.message}` });
    throw err;
  }

  const rateLimit = stepRateLimit(ctx.workflow, step);
  const release = await task.concurrency.shared?.acquire(ctx.signal);
  logger.debug({ method: request.method, url: request.url, headers: request.headers }, 'request');
  let outcome: Awaited<ReturnType<typeof sendCall>>;
  try {
    outcome = await sendCall(request, {
      transport: ctx.transport,
      policy: task.policy,
      timeout: apispec.timeout,
      signal: ctx.signal,
      wait: createWaiter({
        sleep: ctx.sleep,
        now: ctx.now,
        ...(ctx.longWaitMs === undefined ? {} : { longWaitMs: ctx.longWaitMs }),
        onLongWait: (resumeAt) => ctx.onLongWait(resumeAt),
      }),
      now: ctx.now,
      random: ctx.random,
      logger,
      previous,
      errorBody: (body) => ctx.redactor().excerpt(body, ERROR_BODY_BYTES),
      // Every attempt (retries and redirect hops too) takes a token of the host it goes to.
      beforeAttempt:
        rateLimit === undefined
          ? undefined
          : (attempt, signal) =>
              ctx.limits.take(hostRateKey(runWorkspace(ctx), attempt.url), rateLimit, signal),
    });
  } catch (err) {
    if (!(err instanceof RunSuspended)) throw err;
    // Committed unfinished: the run resumes this item from these attempts, after the stored wait.
    const history = [...err.attempts];
    await ctx.store.saveStepItem({
      ...row({ status: 'running', output: null, error: null, attempts: history.length, history }),
      finished_at: null,
    });
    logger.info({ resumeAt: err.resumeAt.toISOString(), attempts: history.length }, 'step item waits');
    throw err;
  } finally {
    release?.();
  }
  if (!outcome.ok) return fail(errorRecord(outcome), outcome.attempts, outcome.history);

  const response = readResponse(outcome.response, `${request.method} ${outcome.url}`);
  current.attempt = outcome.attempts;
  current.response = response;
  let output: unknown = response.body;
  if (step.output !== undefined) {
    try {
      output = await ctx.renderer.render(step.output, state, { step: step.name, field: 'output' });
    } catch (err) {
      if (!(err instanceof TemplateError)) throw err;
      return fail({ type: 'template', message: err.message }, outcome.attempts, outcome.history);
    }
  }
  logger.debug(
    {
      method: request.method,
      url: outcome.url,
      status: response.status,
      durationMs: ctx.now() - startedAt,
      attempts: outcome.attempts,
    },
    'response',
  );
  return {
    row: row({
      status: 'succeeded',
      output,
      error: null,
      attempts: outcome.attempts,
      history: outcome.history,
    }),
    output,
  };
}

async function renderApiSpec(
  ctx: ExecutionContext,
  step: string,
  apispec: ApiSpec,
  state: RunState,
): Promise<RenderedApiSpec> {
  // One render for every templated field: one trip to a template worker per call, not one per field.
  const fields: Record<string, unknown> = {};
  for (const field of APISPEC_FIELDS) {
    if (apispec[field] !== undefined) fields[field] = apispec[field];
  }
  const rendered = (await ctx.renderer.render(fields, state, {
    step,
    field: 'apispec',
  })) as Partial<RenderedApiSpec>;
  return { url: undefined, ...rendered, method: apispec.method };
}

function errorRecord(failure: CallFailed): StepErrorRecord {
  return {
    type: failure.errorClass,
    message: failure.message,
    ...(failure.status === undefined ? {} : { status: failure.status }),
    ...(failure.body === undefined ? {} : { body: failure.body }),
  };
}
