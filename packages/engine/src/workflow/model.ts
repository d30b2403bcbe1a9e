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
 * (declaration merging: `declare module '../workflow/model.js' { interface StepTypes { http: HttpStep } }`),
 * so the model names no kind.
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled by declaration merging, one member per step kind
export interface StepTypes {}

/** One named step: a union of the kinds' step types, told apart by the kind's key (`'apispec' in step`). */
export type WorkflowStep = StepTypes[keyof StepTypes];

/** `trigger.schedule`: start a run at each cron time. */
export interface ScheduleTrigger {
  /** A cron expression (5 or 6 fields, croner syntax). */
  cron: string;
  /** An IANA time zone. @default 'UTC' */
  timezone?: string;
  /** `INPUT` of each scheduled run. @default {} */
  input?: unknown;
}

/** `trigger.webhook`: `POST /v1/hooks/{uid}/{secret}` starts a run with the body as `INPUT`. */
export interface WebhookTrigger {
  /**
   * When set, the request must carry this header with the HMAC-SHA256 of the raw body, keyed with the
   * workflow's hook secret, as hex (optionally prefixed `sha256=`).
   */
  hmac_header?: string;
}

/** `trigger.poll`: a connector's polling trigger; each new record starts one run with it as `INPUT`. */
export interface PollTrigger {
  /** The connector's name, as `GET /v1/connectors` lists it. */
  connector: string;
  /** The trigger's name in the connector. */
  trigger: string;
  /** The stored connection to poll with. */
  connection?: string;
  /** The trigger's input. @default {} */
  input?: unknown;
  /** Seconds between poll cycles. @default 60 */
  interval?: number;
}

/** What starts a workflow besides the API (always available): exactly one of these keys. */
export interface WorkflowTrigger {
  schedule?: ScheduleTrigger;
  webhook?: WebhookTrigger;
  poll?: PollTrigger;
}

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
