/**
 * Where `workflow:` steps start their child runs. Type-only: the run's execution context carries a
 * `ChildRuns` (the engine service's starts real runs, durable; `sluice run` has none), and
 * `workflow-call.ts` uses it.
 *
 * @internal
 * @module
 */
import type { StepErrorRecord } from '../store/store.js';

/** One child run a step item asks for. */
export interface ChildCall {
  /** The run whose step calls. */
  parentRunId: string;
  /** The calling step's name, for messages. */
  step: string;
  /** The item's idempotency key: the child's id derives from it, so asking again finds the same child. */
  key: string;
  /** The workflow to run, by name or uid, as the step names it. */
  workflow: string;
  /** The child's `INPUT`: the item (fan-out) or the whole rendered input. */
  input: unknown;
}

/** Where the child of a {@link ChildCall} is. */
export type ChildState =
  /** Started (now or before) and not finished: ask again at `recheckAt` (epoch ms) at the latest. */
  | { status: 'running'; runId: string; recheckAt: number }
  /** Finished: its output is the output of its last step. */
  | { status: 'succeeded'; runId: string; output: unknown }
  | { status: 'failed' | 'cancelled'; runId: string; error: StepErrorRecord }
  /** Never started: the workflow is unknown or not visible, the depth limit is reached, its input is refused. */
  | { status: 'refused'; error: StepErrorRecord };

/** Starts child runs and tells where they are. */
export interface ChildRuns {
  /** Starts the child of `call` unless it exists, and says where it is. */
  call(call: ChildCall): Promise<ChildState>;
}
