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

/** The HTTP call of a step. Every field but `method` and `timeout` may hold templates. */
export interface ApiSpec {
  /** Absolute URL after rendering. */
  url: string;
  /** Any HTTP verb, upper-cased by the parser. @default 'GET' */
  method: string;
  /** Query parameters. */
  params?: Templated;
  headers?: Templated;
  /** Form-encoded when an object, sent raw when a string. Not together with `json_body`. */
  data?: Templated;
  /** Sent as JSON. Not together with `data`. */
  json_body?: Templated;
  /** Seconds, for the connect and for the read. */
  timeout?: number;
}

/** The retry settings of a step or a workflow: urllib3 `Retry` fields, snake_case. */
export type RetrySettings = RetryOptions;

/** One named step. */
export interface WorkflowStep {
  /** Unique within the workflow; `STEPS.<name>.output` refers to it. */
  name: string;
  apispec: ApiSpec;
  /** Rendered first; a list runs the step once per item. */
  input?: Templated;
  /** Rendered after the call; default: the response body (parsed when JSON). */
  output?: Templated;
  /** At most this many calls of this step at once. */
  concurrency?: number;
  /** Overrides `default_retry` field by field. */
  retry?: RetrySettings;
}

/** A workflow document. */
export interface Workflow {
  uid?: string;
  name: string;
  /** @default 'workspace' */
  scope: WorkflowScope;
  default_retry?: RetrySettings;
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
