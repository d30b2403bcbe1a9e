/**
 * The run state that templates see (DESIGN §4 "Run state and templates").
 *
 * @module
 */

/** `CURRENT_STEP`: the step item being executed. */
export type CurrentStep = {
  name: string;
  /** The item (fan-out) or the whole rendered input; absent while `input` itself renders. */
  input?: unknown;
  /** The item's index (0 when the step is not fanned out); absent while `input` renders. */
  index?: number;
  /** 1 before the call; in `output`, the number of HTTP attempts the call took. */
  attempt?: number;
  /** Set after the call, for `output` (and for `paginate.next` and `paginate.items`). */
  response?: { status: number; headers: Record<string, string | string[]>; body: unknown };
  /**
   * A step with `paginate`: the page being fetched. `index` counts pages from 0; `next` is what
   * `paginate.next` rendered on the previous page (null on the first).
   */
  page?: { index: number; next: unknown };
};

/** The whole state of a run, as templates address it. */
export interface RunState {
  /** Base URLs of the engine's own APIs and configured services. */
  SYSTEM_APIS: Record<string, unknown>;
  /** The caller: `id`, `email`, `workspace_id`, `role`, `token`. */
  USER: Record<string, unknown>;
  /** The run's input (or trigger event). */
  INPUT: unknown;
  /**
   * The steps that have finished: `STEPS.<name>.output`, and `STEPS.<name>.errors`, the calls that failed
   * without failing the step (`on_error: continue`), each `{index, error}` (empty otherwise).
   */
  STEPS: Record<string, { output: unknown; errors: readonly { index: number; error: unknown }[] }>;
  CURRENT_STEP?: CurrentStep;
  /** `uid`, `name`, `scope`, `version` of the workflow. */
  WORKFLOW: Record<string, unknown>;
  /** `id` and `started_at` of the run. */
  RUN: Record<string, unknown>;
}

/**
 * `state` with `current` as its `CURRENT_STEP`, for one step or item: written member by member, as a
 * spread of the state into a new literal cost more than the rest of a step's setup (issue 14).
 */
export function withCurrentStep(state: RunState, current: CurrentStep): RunState {
  return {
    SYSTEM_APIS: state.SYSTEM_APIS,
    USER: state.USER,
    INPUT: state.INPUT,
    STEPS: state.STEPS,
    WORKFLOW: state.WORKFLOW,
    RUN: state.RUN,
    CURRENT_STEP: current,
  };
}
