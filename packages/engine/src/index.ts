/**
 * `@sluice/engine`: run workflows of HTTP calls with urllib3-compatible retries, Jinja templates over a
 * run state, and every step recorded in the store.
 *
 * @module
 */

export { isSluiceError } from '@sluice/sdk';
export type { NewApiKey } from './api/auth.js';
export { createApiKey, findApiKey } from './api/auth.js';
export type { CreateApiOptions } from './api/create-api.js';
export { API_DEFAULTS, createApi } from './api/create-api.js';
export type { ApiErrorBody } from './api/errors.js';
export { API_STATUS_BY_CODE } from './api/errors.js';
export { createOpsServer, type OpsServerOptions } from './api/ops-server.js';
export type {
  ConnectionService,
  ConnectionServiceOptions,
  ConnectionView,
  OpenedConnection,
} from './connections/connection-service.js';
export { CONNECTION_DEFAULTS, ConnectionMissingError } from './connections/connection-service.js';
export type {
  ActionDescription,
  ConnectorDescription,
  ConnectorProblem,
  FieldListDescription,
  TriggerDescription,
} from './connectors/catalog.js';
export { createEngine } from './create-engine.js';
/** A URL with its password masked (`postgres://u:***@h/db`, `redis://:***@h:6379`), for start-up lines. */
export { maskUrl } from './driver-errors.js';
export type {
  CreateEngineOptions,
  Engine,
  EngineLimitsOptions,
  EngineQueueOptions,
} from './engine-options.js';
export { ENGINE_DEFAULTS } from './engine-options.js';
export type { EngineErrorCode, StepErrorClass, TemplateErrorCode, WorkflowProblem } from './errors.js';
export {
  ENGINE_ERROR_CODES,
  EngineError,
  StepFailedError,
  TemplateError,
  WorkflowParseError,
} from './errors.js';
export type { RunEvent } from './executor/run-events.js';
export type { StepConcurrency } from './limits/concurrency-limits.js';
export { ConcurrencyLimits } from './limits/concurrency-limits.js';
export type { RedisLimitsOptions } from './limits/redis-limits.js';
export { RedisLimits } from './limits/redis-limits.js';
export type { RateLimitSettings, SharedSlots, StepLimits } from './limits/step-limits.js';
export type { EngineMetrics, EngineMetricsSource, MetricsScrape } from './metrics/engine-metrics.js';
export type { CurrentStep, RunState } from './model/run-state.js';
export type {
  RetrySettings,
  StepBase,
  StepTypes,
  Templated,
  TriggerTypes,
  Workflow,
  WorkflowScope,
  WorkflowStep,
  WorkflowTrigger,
} from './model/workflow.js';
export type { ClusterStatus, QueueCounts, ReadClusterStatusOptions } from './nodes/cluster-status.js';
export { DEFAULT_REDIS_PREFIX, readClusterStatus } from './nodes/cluster-status.js';
export { NODE_DEFAULTS } from './nodes/node-registry.js';
export type { QueueStats } from './queue/run-queue.js';
export type { InputNeeds } from './run/input-rules.js';
export { checkRunInput, inputNeeds } from './run/input-rules.js';
export type { ResumeRunOptions } from './run/resume-run.js';
export { resumeRun } from './run/resume-run.js';
export type { RunRecord, StepItemRecord, StepRecord } from './run/run-record.js';
export { getRunRecord } from './run/run-record.js';
export type { RunOutcome, RunWorkflowOptions } from './run/run-workflow.js';
export { runWorkflow } from './run/run-workflow.js';
export type { StepTestItem, StepTestResult, StepTestState, TestStepOptions } from './run/test-step.js';
export { assertTestableStep, testStep } from './run/test-step.js';
export type { Redactor, RedactorOptions } from './secrets/redactor.js';
export { createRedactor, REDACTED } from './secrets/redactor.js';
export type { RunCaller, RunTokens } from './secrets/run-token.js';
export { RUN_TOKEN_TTL_MS } from './secrets/run-token.js';
export type { RunValueSealer, SealedPlace } from './secrets/run-values.js';
export type { LoadedSecretKey, LoadSecretKeyOptions, SecretKeySource } from './secrets/secret-key.js';
export { loadSecretKey, SECRET_KEY_ENV, SECRET_KEY_FILE } from './secrets/secret-key.js';
export { DEFAULT_SECRET_NAMES } from './secrets/secret-names.js';
export type { ActionStep } from './steps/action.js';
export { isActionStep } from './steps/action.js';
export type { ApiSpec, HttpStep } from './steps/http.js';
export { isHttpStep } from './steps/http.js';
export { IDEMPOTENCY_HEADER, idempotencyKey } from './steps/idempotency.js';
export type { ItemOutcome, ItemRecorder } from './steps/item-record.js';
export { itemRecorder } from './steps/item-record.js';
export type {
  ItemContext,
  ItemResult,
  ItemTask,
  StepCheck,
  StepKind,
  StepPorts,
  StepProblem,
  StepScope,
} from './steps/step-kind.js';
export { STEP_KINDS, StepKinds } from './steps/step-kinds.js';
export type { WaitStep } from './steps/wait.js';
export { MAX_WAIT_SECONDS } from './steps/wait.js';
export type { Sleep } from './steps/waits.js';
export { RunSuspended } from './steps/waits.js';
export { MemoryRunStore } from './store/memory/memory-run-store.js';
export type { OpenStoreOptions, SqlStore } from './store/open-store.js';
export { openStore, STORE_DEFAULTS } from './store/open-store.js';
export type {
  ApiCaller,
  ApiKeyRow,
  ApiKeyStore,
  ApiRole,
  ConnectionRow,
  ConnectionStore,
  LastRun,
  LeaseRow,
  LeaseStore,
  ListRunsQuery,
  ListWorkflowsPage,
  NodeKind,
  NodeRow,
  NodeStore,
  PublishWorkflow,
  RunCursor,
  RunLeaseCount,
  ServiceRunStore,
  ServiceStore,
  StoredWorkflow,
  TriggerCommit,
  TriggeredRun,
  TriggerStateRow,
  TriggerStore,
  WorkflowCursor,
  WorkflowStore,
} from './store/service-store.js';
export type { StatementTotals } from './store/statement-counts.js';
export type {
  AttemptEntry,
  NewRun,
  RunPatch,
  RunRow,
  RunStatus,
  RunStore,
  StepErrorRecord,
  StepItemRow,
  StepRow,
  StepStatus,
  Store,
} from './store/store.js';
export type { TemplateProblem } from './template/check.js';
export { checkTemplates } from './template/check.js';
export type { TemplateLocation } from './template/render.js';
export { TemplateRenderer } from './template/render.js';
export type { TemplateLimits, TemplateState } from './template/state.js';
export { DEFAULT_TEMPLATE_LIMITS } from './template/state.js';
export type { ConnectorWebhookTrigger } from './triggers/kinds/connector-webhook.js';
export type { PollTrigger } from './triggers/kinds/poll.js';
export type { ScheduleTrigger } from './triggers/kinds/schedule.js';
export type { WebhookTrigger } from './triggers/kinds/webhook.js';
export type { OpenedTriggerConnection, TriggerConnections } from './triggers/trigger-connections.js';
export type {
  DueContext,
  DueReason,
  Firing,
  TriggerCheck,
  TriggerContext,
  TriggerExtras,
  TriggerKind,
  TriggerProblem,
} from './triggers/trigger-kind.js';
export { TRIGGER_KINDS, TriggerKinds } from './triggers/trigger-kinds.js';
export type { ParseWorkflowOptions } from './workflow/parse.js';
export { loadWorkflowFile, parseWorkflow } from './workflow/parse.js';
export type { WorkflowFormat } from './workflow/read-document.js';
export type { CheckedStepTestState, StepTestProblem } from './workflow/step-test-state.js';
export { checkStepTestState, findStep } from './workflow/step-test-state.js';
export type { ValidateWorkflowOptions, WorkflowValidation } from './workflow/validate.js';
export { validateWorkflow } from './workflow/validate.js';
export {
  ACTION_PATTERN,
  CONNECTOR_NAME_PATTERN,
  WORKFLOW_DEFAULTS,
  workflowJsonSchema,
} from './workflow/workflow-schema.js';
