/**
 * The options of `runWorkflow` and `resumeRun`, and what a run ends with.
 *
 * @module
 */
import type { Logger } from '@sluice/sdk';
import type { HttpTransport } from '@sluice/sdk/internal';
import type { StepRenderer } from '../executor/execution-context.js';
import type { RunEvent } from '../executor/run-events.js';
import type { StepLimits } from '../limits/step-limits.js';
import type { RunValueSealer } from '../secrets/run-values.js';
import type { ActionSource } from '../steps/action-source.js';
import type { ChildRuns } from '../steps/child-runs.js';
import type { StepKinds } from '../steps/step-kinds.js';
import type { Sleep } from '../steps/waits.js';
import type { RunStatus, StepErrorRecord, Store } from '../store/store.js';

/** Options of `runWorkflow` (and `resumeRun`). */
export interface RunWorkflowOptions {
  /** Where the run and its steps are recorded. */
  store: Store;
  /** Renders the templates (`new TemplateRenderer()`). */
  renderer: StepRenderer;
  /** `INPUT`. @default null */
  input?: unknown;
  /** `SYSTEM_APIS`: base URLs of services templates may call. @default {} */
  systemApis?: Record<string, unknown>;
  /** `USER`: `id`, `email`, `workspace_id`, `role`, `token`. Its `token` is always redacted. @default {} */
  user?: Record<string, unknown>;
  /**
   * Makes `USER.token` when the run first reads it (a template naming `USER.token`, or `USER` whole), once
   * per execution: a run that never reads it costs no signature. The engine service passes its run tokens'
   * `issue`. Ignored when `user` has a `token` of its own. @default none: `USER.token` is what `user` says
   */
  userToken?: () => string;
  /** The run's id. @default a new time-ordered UUID (`run-id.ts`) */
  runId?: string;
  /** Aborting cancels the run: it is recorded as `cancelled` and `runWorkflow` rejects with the reason. */
  signal?: AbortSignal;
  /** Receives redacted, structured lines bound to `runId`, `workflow`, `step`, `index`. @default silent */
  logger?: Logger;
  /** Sends each HTTP attempt. @default the SDK's shared undici transport */
  transport?: HttpTransport;
  /**
   * Step concurrency caps and request rate limits shared with other runs (`ConcurrencyLimits`), or with
   * other processes too (`RedisLimits`). @default one set per process
   */
  limits?: StepLimits;
  /** Waits between attempts. @default setTimeout from node:timers/promises */
  sleep?: Sleep;
  /** The clock, in milliseconds since the epoch. @default Date.now */
  now?: () => number;
  /** Random numbers in [0, 1) for `backoff_jitter`. @default Math.random */
  random?: () => number;
  /** Waits of at least this many milliseconds are stored as the run's `resume_at`. @default 5000 */
  longWaitMs?: number;
  /** More secret values to redact (connection values, tokens). @default [] */
  secrets?: readonly string[];
  /** More key names whose values are secret, beyond `DEFAULT_SECRET_NAMES`. @default [] */
  secretNames?: readonly string[];
  /**
   * Whether the steps record the HTTP requests and responses of their attempts (`exchanges`, issue 15).
   * The engine service passes `false` for a workspace whose `attempt_retention_days` is 0: nothing is
   * built that would be dropped before it is stored. @default true
   */
  recordExchanges?: boolean;
  /**
   * The connectors and stored connections action steps run with (the engine binds it to the run's
   * workspace). @default none: an action step fails, saying it needs the engine service
   */
  actions?: ActionSource;
  /** Where `workflow:` steps start child runs (the engine service's); without it, they fail. */
  children?: ChildRuns;
  /** The kinds steps may be of. @default the built-in ones (`STEP_KINDS`) */
  stepKinds?: StepKinds;
  /** Told about each step and item as the run progresses (values redacted). */
  onEvent?: (event: RunEvent) => void;
  /**
   * Seals the unredacted copy of the input and of each step and item output where redaction changed
   * it (stored beside the redacted one, as `sealed_input` / `sealed_output`), and opens those copies
   * when the run resumes, so a resumed run sees its secrets. The engine service passes one on its
   * secret key.
   * @default none: only the redacted values are stored, and a resumed run sees `[redacted]` there
   */
  seal?: RunValueSealer;
}

/** How a run ended. The full record: `getRunRecord`. */
export interface RunOutcome {
  id: string;
  /** `cancelled` only from `resumeRun` of a run that was cancelled before. */
  status: Extract<RunStatus, 'succeeded' | 'failed' | 'cancelled'>;
  /** Why the run failed: the failed step's error, message prefixed with `steps.<name>: `. */
  error: StepErrorRecord | null;
}
