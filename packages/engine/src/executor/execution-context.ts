/**
 * What every phase of a run's execution shares: the run, its workflow, the store, the renderer, the
 * transport, the clock and the secrets known so far. Built once per run by `runWorkflow`.
 *
 * @internal
 * @module
 */
import type { Logger } from '@sluice/sdk';
import type { StepLimits } from '../limits/step-limits.js';
import type { RunEvent } from '../run/run-events.js';
import type { RunState } from '../run/run-state.js';
import type { Redactor } from '../secrets/redactor.js';
import type { RunValueSealer } from '../secrets/run-values.js';
import type { AttemptEntry, Store } from '../store/store.js';
import type { TemplateRenderer } from '../template/render.js';
import type { Workflow } from '../workflow/model.js';
import type { ActionSource } from './action-source.js';
import type { HttpTransport } from './sdk-parts.js';
import type { Sleep } from './waits.js';

/** The part of the template renderer the executor uses. */
export type StepRenderer = Pick<TemplateRenderer, 'render'>;

/** Shared by the phases of one run. */
export interface ExecutionContext {
  readonly runId: string;
  readonly workflow: Workflow;
  /** The key of the workflow's concurrency limits: its uid, else its name. */
  readonly workflowKey: string;
  readonly store: Store;
  readonly renderer: StepRenderer;
  readonly transport: HttpTransport;
  /** Bound to the run, redacting. */
  readonly logger: Logger;
  /** Step concurrency and rate limits shared with other runs (and, on Redis, other workers). */
  readonly limits: StepLimits;
  readonly sleep: Sleep;
  readonly now: () => number;
  readonly random: (() => number) | undefined;
  readonly longWaitMs: number | undefined;
  readonly signal: AbortSignal | undefined;
  /** The state so far (`STEPS` grows as steps finish). */
  readonly state: RunState;
  /** Secret key names (lower-case) whose values are redacted. */
  readonly secretNames: readonly string[];
  /** The redactor with every secret known so far. */
  redactor(): Redactor;
  /** Adds secret values found during the run (e.g. a token in a step's output). */
  addSecrets(values: readonly string[]): void;
  /**
   * The committed attempts of items that stopped at a stored wait, by `<step index>/<item index>`: they
   * resume with these counted against their retry budget. Set by `resumeRun`.
   */
  readonly resumedAttempts?: ReadonlyMap<string, readonly AttemptEntry[]>;
  /**
   * The unredacted outputs of the items a resumed run had committed (opened from their sealed copies),
   * by `<step index>/<item index>`. Set by `resumeRun`.
   */
  readonly resumedOutputs?: ReadonlyMap<string, unknown>;
  /** Seals the unredacted copy of what redaction changed; without it, only redacted values are stored. */
  readonly seal?: RunValueSealer | undefined;
  /** The connectors and connections of action steps; without it, action steps fail. */
  readonly actions?: ActionSource | undefined;
  /** Stores (or clears) the time a long wait ends, as the run's `resume_at`; may throw `RunSuspended`. */
  onLongWait(resumeAt: Date | undefined): Promise<void>;
  emit(event: RunEvent): void;
}
