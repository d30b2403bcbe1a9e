/**
 * Builds the execution context of a run from its options: the state templates see, the redactor with
 * every secret known at the start, the redacting logger and the injected clock, sleep and transport.
 *
 * @internal
 * @module
 */
import { setMaxListeners } from 'node:events';
import { silentLogger } from '@sluice/sdk';
import { defaultTransport } from '@sluice/sdk/internal';
import type { ExecutionContext } from '../executor/execution-context.js';
import type { RunEvent } from '../executor/run-events.js';
import { saveItemProgress } from '../executor/run-step.js';
import { processLimits } from '../limits/concurrency-limits.js';
import { runWorkspace } from '../limits/rate-limit-key.js';
import type { RunState } from '../model/run-state.js';
import type { Workflow } from '../model/workflow.js';
import { redactingLogger } from '../secrets/redacting-logger.js';
import { createRedactor, type Redactor, secretValuesIn } from '../secrets/redactor.js';
import { DEFAULT_SECRET_NAMES } from '../secrets/secret-names.js';
import { STEP_KINDS } from '../steps/step-kinds.js';
import { defaultSleep } from '../steps/waits.js';
import type { RunWorkflowOptions } from './run-options.js';

/** The default secret names, lower-cased, frozen (so `secretValuesIn` prepares them once). */
const DEFAULT_NAMES: readonly string[] = Object.freeze(DEFAULT_SECRET_NAMES.map((n) => n.toLowerCase()));

/** The secret names of runs given `extra`, by list: every run of a service passes the same one. */
const NAMES_WITH = new WeakMap<readonly string[], readonly string[]>();

function secretNamesOf(extra: readonly string[] | undefined): readonly string[] {
  if (extra === undefined || extra.length === 0) return DEFAULT_NAMES;
  let names = NAMES_WITH.get(extra);
  if (names === undefined) {
    names = Object.freeze([...DEFAULT_NAMES, ...extra.map((n) => n.toLowerCase())]);
    // A frozen list cannot change under its entry; another one is read afresh for each run.
    if (Object.isFrozen(extra)) NAMES_WITH.set(extra, names);
  }
  return names;
}

/** A run's redactor as it starts, and whether its input holds nothing that redactor hides. */
export interface RunRedaction {
  redactor: Redactor;
  /**
   * `redactor.holdsNoSecret(input)`: the input adds no secret values and is stored as it is (the run row
   * needs no second walk of it, `stored-run-values.ts`).
   */
  inputHoldsNoSecret: boolean;
}

/**
 * The redactor of a run starting with `input`: it hides `USER.token`, the strings under secret keys in
 * `USER`, `SYSTEM_APIS` and `input`, and `options.secrets`. An input is walked once when it holds no
 * secret (most inputs, and the large ones): its values are not collected, as there are none.
 */
export function runRedaction(
  input: unknown,
  options: Pick<RunWorkflowOptions, 'user' | 'systemApis' | 'secretNames' | 'secrets'>,
): RunRedaction {
  const user = options.user ?? {};
  const systemApis = options.systemApis ?? {};
  const names = secretNamesOf(options.secretNames);
  const token = typeof user.token === 'string' ? [user.token] : [];
  const secrets = options.secrets ?? [];
  const known = createRedactor({
    names,
    values: [...token, ...secretValuesIn({ user, systemApis }, names), ...secrets],
  });
  // Checked inside `{ input }`, as `secretValuesIn` reads it: a secret name `input` counts too.
  if (known.holdsNoSecret({ input })) return { redactor: known, inputHoldsNoSecret: true };
  return { redactor: known.with(secretValuesIn({ input }, names)), inputHoldsNoSecret: false };
}

/**
 * A copy of `user` whose `token` is made by `issue` when first read, then kept (`minted` is told it once).
 * Enumerable, so `USER` whole (`{{ USER | tojson }}`) holds it as before; the redaction walk of `USER` reads
 * `user`, the copy's source, so it mints nothing.
 */
function withTokenOnRead(
  user: Record<string, unknown>,
  issue: () => string,
  minted: (token: string) => void,
): Record<string, unknown> {
  const copy = { ...user };
  let token: string | undefined;
  Object.defineProperty(copy, 'token', {
    enumerable: true,
    configurable: true,
    get: () => {
      if (token === undefined) {
        token = issue();
        minted(token);
      }
      return token;
    },
  });
  return copy;
}

/** What a resumed run (or a step test) sets of its context beyond what its options say. */
export type ContextOverrides = Partial<
  Pick<
    ExecutionContext,
    'resumedAttempts' | 'resumedOutputs' | 'resumedProgress' | 'startsOnFailure' | 'onLongWait'
  >
>;

/**
 * The context of run `runId`, started (or first started) at `startedAt`; its redactor is `redaction`'s
 * when given (built from the same `input` and `options`). `overrides` are set in the same literal (a
 * copy of the context with them spread in cost more than building it).
 */
export function createExecutionContext(
  workflow: Workflow,
  runId: string,
  input: unknown,
  startedAt: string,
  options: RunWorkflowOptions,
  redaction: RunRedaction = runRedaction(input, options),
  overrides: ContextOverrides = {},
): ExecutionContext {
  const { store } = options;
  // Each call in flight listens to the run's signal (undici, waits): a step fanned out over more than ten
  // items at once is not a leak, so Node's warning past ten listeners would only alarm the operator.
  if (options.signal !== undefined) setMaxListeners(0, options.signal);
  const systemApis = options.systemApis ?? {};
  const user = options.user ?? {};
  const secretNames = secretNamesOf(options.secretNames);
  let { redactor } = redaction;
  // Without a logger nothing is logged, so nothing needs redacting.
  const logger =
    options.logger === undefined
      ? silentLogger
      : redactingLogger(options.logger.child({ runId, workflow: workflow.name }), () => redactor);
  const state: RunState = {
    SYSTEM_APIS: systemApis,
    USER:
      options.userToken === undefined || Object.hasOwn(user, 'token')
        ? user
        : withTokenOnRead(user, options.userToken, (token) => {
            redactor = redactor.with([token]);
          }),
    INPUT: input,
    STEPS: {},
    WORKFLOW: {
      uid: workflow.uid ?? null,
      name: workflow.name,
      scope: workflow.scope,
      version: workflow.version ?? null,
    },
    RUN: { id: runId, started_at: startedAt },
  };
  const ctx: ExecutionContext = {
    runId,
    workspaceId: runWorkspace(user, workflow),
    workflow,
    workflowKey: workflow.uid ?? workflow.name,
    store,
    stepKinds: options.stepKinds ?? STEP_KINDS,
    renderer: options.renderer,
    transport: options.transport ?? defaultTransport,
    logger,
    limits: options.limits ?? processLimits,
    sleep: options.sleep ?? defaultSleep,
    now: options.now ?? Date.now,
    random: options.random,
    longWaitMs: options.longWaitMs,
    signal: options.signal,
    state,
    secretNames,
    redactor: () => redactor,
    addSecrets: (values) => {
      if (values.length > 0) redactor = redactor.with(values);
    },
    recordsExchanges: options.recordExchanges ?? true,
    actions: options.actions,
    children: options.children,
    seal: options.seal,
    resumedAttempts: overrides.resumedAttempts,
    resumedOutputs: overrides.resumedOutputs,
    resumedProgress: overrides.resumedProgress,
    startsOnFailure: overrides.startsOnFailure,
    onLongWait:
      overrides.onLongWait ??
      (async (resumeAt) => {
        const until = resumeAt?.toISOString() ?? null;
        await store.updateRun(runId, { resume_at: until });
        options.onEvent?.({ type: 'run-waiting', runId, until });
      }),
    saveProgress: (task, progress, history) => saveItemProgress(ctx, task, progress, history),
    emit: (event: RunEvent) => options.onEvent?.(event),
  };
  return ctx;
}
