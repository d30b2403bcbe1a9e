/**
 * The shapes of the API's answers the console reads (docs/service.md). They mirror the JSON, not the
 * engine's TypeScript types: the browser bundle imports nothing from Node code.
 */

export type Role = 'admin' | 'member';
export type RunStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'cancelled';
export type StepStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped' | 'cancelled';
export const RUN_STATUSES: readonly RunStatus[] = ['pending', 'running', 'succeeded', 'failed', 'cancelled'];

/** `GET /v1/me`. */
export interface Me {
  workspace_id: string;
  email: string;
  role: Role;
  kind: 'key' | 'run_token';
}

export interface Retry {
  total?: number | null | false;
  backoff_factor?: number;
  backoff_max?: number;
  status_forcelist?: number[];
  allowed_methods?: string[] | false | null;
  respect_retry_after_header?: boolean;
  [key: string]: unknown;
}

export interface RateLimit {
  requests: number;
  per_seconds: number;
}

export interface Step {
  name: string;
  apispec?: { url: string; method?: string; timeout?: number; [key: string]: unknown };
  action?: string;
  connection?: string;
  input?: unknown;
  output?: unknown;
  concurrency?: number;
  retry?: Retry;
  rate_limit?: RateLimit;
}

export interface Trigger {
  schedule?: { cron: string; timezone?: string; input?: unknown };
  webhook?: { hmac_header?: string };
  poll?: { connector: string; trigger: string; connection?: string; interval?: number; input?: unknown };
}

/** A workflow document as it is written (and as `validate` answers it). */
export interface WorkflowDocument {
  uid?: string;
  name: string;
  scope?: 'workspace' | 'global';
  default_retry?: Retry;
  default_rate_limit?: RateLimit;
  trigger?: Trigger;
  steps: Step[];
}

export interface LastRun {
  id: string;
  status: RunStatus;
  created_at: string;
  finished_at: string | null;
}

/** A stored workflow: the document plus its stored fields. */
export interface StoredWorkflow extends WorkflowDocument {
  uid: string;
  version: number;
  scope: 'workspace' | 'global';
  workspace_id: string;
  user_id: string;
  created: string;
  updated: string;
  deleted: boolean;
  last_run?: LastRun | null;
}

export interface WorkflowVersion {
  version: number;
  name: string;
  user_id: string;
  updated: string;
  steps: number;
}

export interface RunSummary {
  id: string;
  status: RunStatus;
  workflow: string;
  workflow_uid: string | null;
  version: number | null;
  error: StepError | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

export interface StepError {
  type: string;
  message: string;
  status?: number;
  body?: string;
}

/** One attempt of a call: when it started, how long it took, the wait before it, what came back. */
export interface Attempt {
  started_at: string;
  duration_ms: number;
  wait_ms: number;
  status?: number;
  error?: string;
}

export interface ItemRecord {
  index: number;
  status: StepStatus;
  attempts: number;
  input: unknown;
  output: unknown;
  error: StepError | null;
  idempotency_key: string;
  started_at: string | null;
  finished_at: string | null;
  duration_ms: number | null;
  history: Attempt[];
}

export interface StepRecord {
  name: string;
  status: StepStatus;
  attempts: number;
  output: unknown;
  error: StepError | null;
  items: ItemRecord[];
  input: unknown;
  started_at: string | null;
  finished_at: string | null;
  duration_ms: number | null;
  idempotency_key: string | null;
  history: Attempt[];
}

export interface RunView {
  id: string;
  status: RunStatus;
  steps: StepRecord[];
  workflow: string;
  workflow_uid: string | null;
  version: number | null;
  workspace_id: string | null;
  input: unknown;
  error: StepError | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  duration_ms: number | null;
  resume_at: string | null;
}

export interface Connection {
  name: string;
  connector: string;
  fields: string[];
  created_at: string;
  updated_at: string;
  user_id: string;
}

/** A field in the SDK's schema notation. */
export interface Field {
  name: string;
  label?: string;
  type?: string;
  optional?: boolean;
  hint?: string;
  default?: unknown;
  controlType?: string;
  pickList?: unknown;
}

export interface FieldList {
  dynamic: boolean;
  fields?: Field[];
}

export interface Connector {
  name: string;
  title: string;
  description?: string;
  connection: { fields: FieldList; authorization: string; test: boolean };
  actions: { name: string; title: string }[];
  triggers: { name: string; title: string; type: string }[];
}

export interface TriggerState {
  workflow_uid: string;
  workflow_name?: string;
  kind: 'schedule' | 'webhook' | 'poll';
  enabled: boolean;
  next_at: string | null;
  last_polled_at: string | null;
  last_error: string | null;
  events_seen: number;
  updated_at: string | null;
  hook_path?: string;
}

/** A problem in a workflow document, with where it is. */
export interface Problem {
  path: string;
  message: string;
  line?: number;
  column?: number;
}
