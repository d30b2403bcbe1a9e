/**
 * `@sluice/engine/api-types`: the JSON shapes the engine's HTTP API answers (`docs/service.md`), for
 * clients written in TypeScript such as the web console (`packages/console`). The types are declared with
 * the engine's code (the views of the answers in `views.ts`, run records, the store's rows, the workflow
 * model, the step kinds); this module only re-exports them.
 *
 * Type-only: it exports no value and its compiled file is empty, so a browser bundle that imports it
 * (with `import type`) pulls in no engine or Node code. Keep every line an `export type`.
 *
 * @module
 */

export type { Field } from '@sluice/sdk';
export type { ConnectionView } from '../connections/connection-service.js';
export type {
  ActionDescription,
  ConnectorDescription,
  FieldListDescription,
  TriggerDescription,
} from '../connectors/catalog.js';
export type { WorkflowProblem } from '../errors.js';
export type {
  RateLimit,
  RetrySettings,
  StepBase,
  Workflow,
  WorkflowScope,
  WorkflowStep,
  WorkflowTrigger,
} from '../model/workflow.js';
export type { StepItemRecord, StepRecord } from '../run/run-record.js';
export type { StepTestItem, StepTestResult } from '../run/test-step.js';
export type { WorkspaceSettingsView } from '../run/workspace-settings.js';
// Each step kind's type, which also puts the kind's member of `StepTypes` (the `WorkflowStep` union) in
// a client's program: list every built-in kind of `steps/step-kinds.ts` here.
export type { ActionStep } from '../steps/action.js';
export type { ApiSpec, HttpStep } from '../steps/http.js';
export type {
  HttpExchange,
  RecordedBody,
  RecordedRequest,
  RecordedResponse,
} from '../store/runs/http-exchange.js';
export type { ApiRole, LastRun } from '../store/service-store.js';
export type { AttemptEntry, RunStatus, StepErrorRecord, StepStatus } from '../store/store.js';
// The same for each trigger kind of `triggers/trigger-kinds.ts` (`TriggerTypes`, the `WorkflowTrigger` keys).
export type { PollTrigger } from '../triggers/kinds/poll.js';
export type { ScheduleTrigger } from '../triggers/kinds/schedule.js';
export type { WebhookTrigger } from '../triggers/kinds/webhook.js';
export type { AttemptsView, AttemptView } from './attempt-views.js';
export type { ApiErrorBody } from './errors.js';
export type {
  MeView,
  RunSummaryView,
  RunView,
  TemplateReferenceView,
  TriggerListView,
  TriggerView,
  VersionView,
  WorkflowListView,
  WorkflowView,
} from './views.js';
