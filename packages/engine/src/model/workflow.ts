/**
 * The workflow document (DESIGN §4) as the engine holds it after parsing and validation.
 *
 * Field names stay snake_case, as in YAML and urllib3 (STYLE §6, first option): the parsed model is the
 * document, so an error path like `steps[2].retry.total` is also the path in the file. Any value that
 * can hold templates is typed {@link Templated}: strings in it are Jinja templates rendered per step item.
 *
 * @module
 */
import type { RetryOptions } from '@sluice/sdk';

/** A JSON value that may contain template strings at any depth. */
export type Templated = unknown;

/** Who can see a workflow: its own workspace, or every workspace (read-only for non-admins). */
export type WorkflowScope = 'workspace' | 'global';

/** The retry settings of a step or a workflow: urllib3 `Retry` fields, snake_case. */
export type RetrySettings = RetryOptions;

/**
 * `rate_limit`: at most `requests` HTTP requests in any window of `per_seconds` seconds to the step's
 * host (an `action` step: its connector), shared by every step and workflow of the workspace with a
 * rate limit on that host, across all workers. Every attempt counts; waiting for a slot is not a failure.
 */
export interface RateLimit {
  /** A positive integer. */
  requests: number;
  /** Seconds, more than 0. */
  per_seconds: number;
}

/**
 * What every step has, whatever its kind. A step's kind adds its own fields (an HTTP call's `apispec`,
 * a connector action's `action` and `connection`): see `steps/`.
 */
export interface StepBase {
  /** Unique within the workflow; `STEPS.<name>.output` refers to it. */
  name: string;
  /**
   * Rendered before `input`: when the value is falsy (Jinja's truthiness: `false`, `null`, `0`, `''`, an
   * empty list or object), the step is skipped (status `skipped`, output `null`). Default: always runs.
   */
  when?: string | boolean;
  /**
   * `continue`: a failed call does not fail the step; its output is `null` and its error is listed in
   * `STEPS.<name>.errors`. Default `fail`: the first failed call fails the step and the run.
   */
  on_error?: 'fail' | 'continue';
  /** Rendered first; a list runs the step once per item. */
  input?: Templated;
  /** Rendered after the call; default: the kind's result (an HTTP response body, parsed when JSON). */
  output?: Templated;
  /** At most this many calls of this step at once. */
  concurrency?: number;
  /** Overrides `default_retry` field by field (the schema allows it where the kind retries). */
  retry?: RetrySettings;
  /** Requests per window to the step's host (or connector); replaces `default_rate_limit`. */
  rate_limit?: RateLimit;
}

/**
 * The step type of each step kind, by kind name. Each kind adds its own from its file under `steps/`
 * (declaration merging: `declare module '../model/workflow.js' { interface StepTypes { http: HttpStep } }`),
 * so the model names no kind.
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled by declaration merging, one member per step kind
export interface StepTypes {}

/** One named step: a union of the kinds' step types, told apart by the kind's key (`'apispec' in step`). */
export type WorkflowStep = StepTypes[keyof StepTypes];

/**
 * The configuration of each trigger kind, by its key under `trigger:`. Each kind adds its own from its
 * file under `triggers/kinds/` (declaration merging, as for {@link StepTypes}).
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled by declaration merging, one member per trigger kind
export interface TriggerTypes {}

/** What starts a workflow besides the API (always available): exactly one kind's key. */
export type WorkflowTrigger = { [K in keyof TriggerTypes]?: TriggerTypes[K] };

/** A workflow document. */
export interface Workflow {
  uid?: string;
  name: string;
  /** @default 'workspace' */
  scope: WorkflowScope;
  default_retry?: RetrySettings;
  /** The `rate_limit` of every step without one of its own. */
  default_rate_limit?: RateLimit;
  /** What starts runs besides the API. */
  trigger?: WorkflowTrigger;
  /** Starts this workflow (name or uid) once when a run fails for good (not when cancelled). */
  on_failure?: { workflow: string };
  steps: WorkflowStep[];
  /** Set by the store when published; never taken from a caller's body. */
  workspace_id?: string;
  /** The publisher's email. */
  user_id?: string;
  created?: string;
  updated?: string;
  deleted?: boolean;
  version?: number;
}
