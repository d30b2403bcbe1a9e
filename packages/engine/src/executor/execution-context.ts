/**
 * What the executor works with for one run, in two parts: what the run is ({@link RunScope}: its ids,
 * state, workflow and redaction) and what it may use ({@link Ports}: the store, the renderer, the
 * transport, the limits, the clock). Step kinds see only the parts of each they need
 * (`steps/step-kind.ts`: `StepScope`, `StepPorts`); the store and the events stay the executor's.
 * Built once per run by `run/create-context.ts`.
 *
 * @internal
 * @module
 */

import type { Workflow } from '../model/workflow.js';
import type { RunValueSealer } from '../secrets/run-values.js';
import type { StepPorts, StepScope } from '../steps/step-kind.js';
import type { StepKinds } from '../steps/step-kinds.js';
import type { AttemptEntry, Store } from '../store/store.js';
import type { RunEvent } from './run-events.js';

export type { StepRenderer } from '../steps/step-kind.js';

/** What a run is. */
export interface RunScope extends StepScope {
  readonly workflow: Workflow;
  /** The key of the workflow's concurrency limits: its uid, else its name. */
  readonly workflowKey: string;
  /**
   * The committed attempts of items that stopped at a stored wait, by `<step index>/<item index>`. Set by
   * `resumeRun`; each such item gets its own as `ItemTask.previousAttempts`.
   */
  readonly resumedAttempts?: ReadonlyMap<string, readonly AttemptEntry[]>;
  /** Secret key names (lower-case) whose values are redacted. */
  readonly secretNames: readonly string[];
  /**
   * The unredacted outputs of the items a resumed run had committed (opened from their sealed copies),
   * by `<step index>/<item index>`. Set by `resumeRun`.
   */
  readonly resumedOutputs?: ReadonlyMap<string, unknown>;
  /**
   * The progress (unredacted) of items committed unfinished, by `<step index>/<item index>`. Set by
   * `resumeRun`; each such item gets its own as `ItemTask.previousProgress`.
   */
  readonly resumedProgress?: ReadonlyMap<string, unknown>;
  /**
   * A failure of the run is to start its workflow's `on_failure` run: the end that fails it marks it
   * due (`on_failure_due`) in the same write. Set by the engine service (`resumeRun`).
   */
  readonly startsOnFailure?: boolean;
  /** Seals the unredacted copy of what redaction changed; without it, only redacted values are stored. */
  readonly seal?: RunValueSealer | undefined;
}

/** What a run may use. */
export interface Ports extends StepPorts {
  readonly store: Store;
  /** The kinds the run's steps are of. */
  readonly stepKinds: StepKinds;
  emit(event: RunEvent): void;
}

/** Shared by the phases of one run. */
export type ExecutionContext = RunScope & Ports;
