/**
 * The `action` step kind: `action: <connector>.<action>` runs a connector action in-process through the
 * SDK's connector runtime, with the step's connection (`connection:`) and the item as its input. The
 * step's `output` renders with `CURRENT_STEP.response` = `{ body: <the action's output> }`. The item is
 * recorded like an HTTP item: one attempt, one history entry, the error class of the SDK error
 * (`status`, `connect`, `read`, `timeout`, `redirect`) or `other`. The connection's secret values
 * (`runtime.secrets()`) are masked in what is stored and logged.
 *
 * The action gets no `Idempotency-Key` (the SDK has no place for one): the item's key is recorded only.
 *
 * @module
 */
import { HttpTransportError, isSluiceError, MaxRetryError, RequestFailedError } from '@sluice/sdk';
import { createConnectorRuntime } from '@sluice/sdk/internal';
import { EngineError, TemplateError } from '../errors.js';
import { connectorRateKey, rateLimitedTransport } from '../limits/rate-limit-key.js';
import { isoTime } from '../model/iso-time.js';
import { type CurrentStep, type RunState, withCurrentStep } from '../model/run-state.js';
import type { StepBase, WorkflowStep } from '../model/workflow.js';
import type { Redactor } from '../secrets/redactor.js';
import type { AttemptEntry, StepErrorRecord } from '../store/store.js';
import type { OpenedActionConnection } from './action-source.js';
import { recordingTransport } from './http/exchange-record.js';
import { ERROR_BODY_BYTES } from './http/send-call.js';
import { itemRecorder } from './item-record.js';
import type { ItemContext, ItemResult, ItemTask, StepKind } from './step-kind.js';

/** A step that runs a connector action. */
export interface ActionStep extends StepBase {
  /** `<connector>.<action>`: a connector action run in-process through the SDK, with `input` as its input. */
  action: string;
  /** The stored connection (`POST /v1/connections`) the action runs with; required when the connector has connection fields. */
  connection?: string;
}

declare module '../model/workflow.js' {
  interface StepTypes {
    action: ActionStep;
  }
}

/**
 * A connector or action name: ASCII letters, digits, `_` and `-`, not starting with a digit or `-`.
 * Connectors registered from files take the file's base name, so `my-app.ts` is `my-app`.
 */
export const CONNECTOR_NAME_PATTERN = '^[A-Za-z_][A-Za-z0-9_-]*$';

/** `<connector>.<action>`, each a {@link CONNECTOR_NAME_PATTERN} name. */
export const ACTION_PATTERN = '^[A-Za-z_][A-Za-z0-9_-]*\\.[A-Za-z_][A-Za-z0-9_-]*$';

/** Whether `step` is an action step. */
export function isActionStep(step: WorkflowStep): step is ActionStep {
  return (step as Partial<ActionStep>).action !== undefined;
}

type OpenedValues = Pick<OpenedActionConnection, 'connector' | 'values' | 'onConnectionChange'>;

/** The `action` step kind. */
export const actionStep: StepKind<ActionStep> = {
  name: 'action',
  key: 'action',
  summary: 'a connector action',
  keyHint: 'a connector action, <connector>.<action>',
  properties: {
    action: {
      description:
        'A connector action, `<connector>.<action>` (as `GET /v1/connectors` lists them), run in-process ' +
        'with the rendered `input` as its input. Not together with `apispec`. Not a template.',
      type: 'string',
      pattern: ACTION_PATTERN,
      examples: ['my_app.get_customer_by_id'],
      errorMessage: 'must be <connector>.<action>, e.g. my_app.get_customer_by_id',
    },
    connection: {
      description:
        'The name of the stored connection (`POST /v1/connections`) the action runs with; only with ' +
        '`action`. Needed when the connector has connection fields. Not a template.',
      type: 'string',
      minLength: 1,
      examples: ['my_app_prod'],
      errorMessage: 'must be a non-empty string: the name of a stored connection',
    },
  },
  // A connection is for an action.
  dependencies: { connection: ['action'] },
  snippets: [
    {
      label: 'action step',
      description: 'a step that runs a connector action with a stored connection',
      body: { name: '$1', action: '$2', connection: '$3', input: {} },
    },
  ],
  templatedFields: [],
  runItem: runActionItem,
};

/**
 * Executes one action item. Never throws for a failure of the item itself (no connection, the action
 * throws, a template error in `output`): the row says `failed` with the error.
 *
 * @throws `signal.reason` when the run is aborted.
 */
async function runActionItem(ctx: ItemContext, task: ItemTask<ActionStep>): Promise<ItemResult> {
  const { step, itemIndex } = task;
  const { action } = step;
  const logger = ctx.logger.child({ step: step.name, index: itemIndex, action });
  const record = itemRecorder(ctx, task, logger);

  const dot = action.indexOf('.');
  const connectorName = action.slice(0, dot);
  const actionName = action.slice(dot + 1);
  let opened: OpenedValues;
  try {
    opened = await openConnection(ctx, step.connection, connectorName);
  } catch (err) {
    if (!isSluiceError(err)) throw err;
    return record.fail({ type: 'other', message: `${action}: ${err.message}` });
  }

  // With a rate limit, every HTTP request the connector sends takes a token of the connector's count.
  const { rateLimit } = task;
  const rateKey = connectorRateKey(ctx.workspaceId, connectorName);
  // Every HTTP request the connector sends is recorded for inspection (issue 15), redacted as it ends,
  // unless the run keeps no exchanges.
  const recording = ctx.recordsExchanges
    ? recordingTransport(ctx.transport, () => ctx.redactor(), ctx.now)
    : undefined;
  const sending = recording?.transport ?? ctx.transport;
  const runtime = createConnectorRuntime(opened.connector, {
    connection: opened.values,
    transport:
      rateLimit === undefined
        ? sending
        : rateLimitedTransport(sending, ctx.limits, rateLimit, () => rateKey, ctx.signal),
    signal: ctx.signal,
    logger,
    // Refreshed tokens outlive the call: the next step and the next run start from them.
    ...(opened.onConnectionChange === undefined ? {} : { onConnectionChange: opened.onConnectionChange }),
  });
  // Before anything is logged or stored: the connection's secrets join the run's redactor.
  ctx.addSecrets(runtime.secrets());
  const release = await task.slots?.acquire(ctx.signal);
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
    started_at: isoTime(callStarted),
    duration_ms: Math.max(0, ctx.now() - callStarted),
    wait_ms: 0,
  };
  // Redacted again with the tokens the call acquired (a refresh answers with the new token).
  if (recording !== undefined) entry.exchanges = ctx.redactor().value(recording.recorded());
  if (failed) {
    const error = errorRecord(action, failure, ctx.redactor());
    const history = [
      { ...entry, ...(error.status === undefined ? { error: error.type } : { status: error.status }) },
    ];
    return record.fail(error, history.length, history);
  }

  // `CURRENT_STEP.response` of an action step holds only `body`: there is no HTTP status or headers.
  const current: CurrentStep = {
    name: step.name,
    input: task.input,
    index: itemIndex,
    attempt: 1,
    response: { body: output } as CurrentStep['response'],
  };
  const state: RunState = withCurrentStep(ctx.state, current);
  let result = output;
  if (step.output !== undefined) {
    try {
      result = await ctx.renderer.render(step.output, state, { step: step.name, field: 'output' });
    } catch (err) {
      if (!(err instanceof TemplateError)) throw err;
      return record.fail({ type: 'template', message: err.message }, 1, [entry]);
    }
  }
  logger.debug({ durationMs: entry.duration_ms }, 'action finished');
  return record.succeed(result, 1, [entry]);
}

/** The step's connection (it must belong to the step's connector), or no connection values at all. */
async function openConnection(
  ctx: ItemContext,
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
