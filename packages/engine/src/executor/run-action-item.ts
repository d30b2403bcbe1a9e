/**
 * One item of an action step (`action: <connector>.<action>`): opens the step's connection, runs the
 * action in-process through the SDK's connector runtime with the item as its input (already rendered
 * and fanned out by `run-step.ts`), then renders the step's `output` with `CURRENT_STEP.response` =
 * `{ body: <the action's output> }`. The item is recorded like an HTTP item: one attempt, one history
 * entry, the error class of the SDK error (`status`, `connect`, `read`, `timeout`, `redirect`) or
 * `other`. The connection's secret values (`runtime.secrets()`) are masked in what is stored and logged.
 *
 * The action gets no `Idempotency-Key` (the SDK has no place for one): the item's key is recorded only.
 *
 * @module
 */
import { HttpTransportError, isSluiceError, MaxRetryError, RequestFailedError } from '@sluice/sdk';
import { createConnectorRuntime } from '@sluice/sdk/internal';
import { EngineError, TemplateError } from '../errors.js';
import {
  connectorRateKey,
  rateLimitedTransport,
  runWorkspace,
  stepRateLimit,
} from '../limits/rate-limit-key.js';
import type { CurrentStep, RunState } from '../run/run-state.js';
import type { Redactor } from '../secrets/redactor.js';
import type { AttemptEntry, StepErrorRecord, StepItemRow } from '../store/store.js';
import type { OpenedActionConnection } from './action-source.js';
import type { ExecutionContext } from './execution-context.js';
import { idempotencyKey } from './idempotency.js';
import type { ItemResult, ItemTask } from './run-item.js';
import { ERROR_BODY_BYTES } from './send-call.js';

// Declared in `action-source.ts` (the execution context needs them too); still importable from here.
export type { ActionSource, OpenedActionConnection } from './action-source.js';

type OpenedValues = Pick<OpenedActionConnection, 'connector' | 'values' | 'onConnectionChange'>;

/**
 * Executes one action item. Never throws for a failure of the item itself (no connection, the action
 * throws, a template error in `output`): the row says `failed` with the error.
 *
 * @throws `signal.reason` when the run is aborted.
 */
export async function runActionItem(ctx: ExecutionContext, task: ItemTask): Promise<ItemResult> {
  const { step, stepIndex, itemIndex } = task;
  const action = step.action ?? '';
  const startedAt = ctx.now();
  const logger = ctx.logger.child({ step: step.name, index: itemIndex, action });
  const row = (fields: Pick<StepItemRow, 'status' | 'output' | 'error' | 'attempts' | 'history'>) => {
    const redact = ctx.redactor();
    return {
      run_id: ctx.runId,
      step_index: stepIndex,
      item_index: itemIndex,
      input: redact.value(task.input),
      idempotency_key: idempotencyKey(ctx.runId, stepIndex, itemIndex),
      started_at: new Date(startedAt).toISOString(),
      finished_at: new Date(ctx.now()).toISOString(),
      ...fields,
      output: redact.value(fields.output),
      error: fields.error === null ? null : redact.value(fields.error),
    };
  };
  const fail = (error: StepErrorRecord, history: AttemptEntry[] = []): ItemResult => {
    logger.info({ error: error.type, status: error.status, attempts: history.length }, 'step item failed');
    const failed = row({ status: 'failed', output: null, error, attempts: history.length, history });
    return { row: failed, output: undefined };
  };

  const dot = action.indexOf('.');
  const connectorName = action.slice(0, dot);
  const actionName = action.slice(dot + 1);
  let opened: OpenedValues;
  try {
    opened = await openConnection(ctx, step.connection, connectorName);
  } catch (err) {
    if (!isSluiceError(err)) throw err;
    return fail({ type: 'other', message: `${action}: ${err.message}` });
  }

  // With a rate limit, every HTTP request the connector sends takes a token of the connector's count.
  const rateLimit = stepRateLimit(ctx.workflow, step);
  const rateKey = connectorRateKey(runWorkspace(ctx), connectorName);
  const runtime = createConnectorRuntime(opened.connector, {
    connection: opened.values,
    transport:
      rateLimit === undefined
        ? ctx.transport
        : rateLimitedTransport(ctx.transport, ctx.limits, rateLimit, () => rateKey, ctx.signal),
    signal: ctx.signal,
    logger,
    // Refreshed tokens outlive the call: the next step and the next run start from them.
    ...(opened.onConnectionChange === undefined ? {} : { onConnectionChange: opened.onConnectionChange }),
  });
  // Before anything is logged or stored: the connection's secrets join the run's redactor.
  ctx.addSecrets(runtime.secrets());
  const release = await task.concurrency.shared?.acquire(ctx.signal);
  const callStarted = ctx.now();
  let output: unknown;
  let failure: unknown;
  let failed = false;
  try {
    // A step without `input` runs its action with no input fields set (`{}`), not with `null`.
    output = await runtime.runAction(actionName, step.input === undefined ? {} : task.input);
  } catch (err) {
    if (ctx.signal?.aborted === true) throw ctx.signal.reason;
    failure = err;
    failed = true;
  } finally {
    release?.();
    // Authorization may have acquired or refreshed tokens during the call.
    ctx.addSecrets(runtime.secrets());
  }
  const entry: AttemptEntry = {
    started_at: new Date(callStarted).toISOString(),
    duration_ms: Math.max(0, ctx.now() - callStarted),
    wait_ms: 0,
  };
  if (failed) {
    const error = errorRecord(action, failure, ctx.redactor());
    return fail(error, [
      {
        ...entry,
        ...(error.status === undefined ? { error: error.type } : { status: error.status }),
      },
    ]);
  }

  // `CURRENT_STEP.response` of an action step holds only `body`: there is no HTTP status or headers.
  const current: CurrentStep = {
    name: step.name,
    input: task.input,
    index: itemIndex,
    attempt: 1,
    response: { body: output } as CurrentStep['response'],
  };
  const state: RunState = { ...ctx.state, CURRENT_STEP: current };
  let result = output;
  if (step.output !== undefined) {
    try {
      result = await ctx.renderer.render(step.output, state, { step: step.name, field: 'output' });
    } catch (err) {
      if (!(err instanceof TemplateError)) throw err;
      return fail({ type: 'template', message: err.message }, [entry]);
    }
  }
  logger.debug({ durationMs: entry.duration_ms }, 'action finished');
  return {
    row: row({ status: 'succeeded', output: result, error: null, attempts: 1, history: [entry] }),
    output: result,
  };
}

/** The step's connection (it must belong to the step's connector), or no connection values at all. */
async function openConnection(
  ctx: ExecutionContext,
  connection: string | undefined,
  connectorName: string,
): Promise<OpenedValues> {
  const source = ctx.actions;
  if (source === undefined) {
    throw new EngineError(
      'SLUICE_CONNECTION',
      'connector action steps run only in the engine service (sluice serve --connectors <dir>)',
    );
  }
  if (connection === undefined) {
    const connector = source.connector(connectorName);
    if (connector === undefined) {
      throw new EngineError(
        'SLUICE_CONNECTION',
        `connector ${JSON.stringify(connectorName)} is not registered`,
      );
    }
    return { connector, values: {} };
  }
  const opened = await source.open(connection);
  if (opened.connectorName !== connectorName) {
    throw new EngineError(
      'SLUICE_CONNECTION',
      `connection ${connection} is a connection of ${opened.connectorName}, not of ${connectorName}`,
    );
  }
  return opened;
}

/** The item's error from what the action threw: the SDK's error class where it has one. */
function errorRecord(action: string, err: unknown, redact: Redactor): StepErrorRecord {
  const message = `${action}: ${redact.text(err instanceof Error ? err.message : String(err))}`;
  if (err instanceof RequestFailedError) {
    // Redacted before it is cut, as HTTP items do: a cut first could keep the start of a secret.
    const body = typeof err.body === 'string' ? err.body : (JSON.stringify(err.body) ?? '');
    return { type: 'status', message, status: err.status, body: redact.excerpt(body, ERROR_BODY_BYTES) };
  }
  if (err instanceof MaxRetryError) {
    return {
      type: err.reason,
      message,
      ...(err.lastStatus === undefined ? {} : { status: err.lastStatus }),
    };
  }
  if (err instanceof HttpTransportError) {
    return { type: err.timedOut ? 'timeout' : err.kind, message };
  }
  if (isSluiceError(err, 'SLUICE_HTTP_REDIRECT')) return { type: 'redirect', message };
  return { type: 'other', message };
}
