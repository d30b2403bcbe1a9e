/**
 * `@sluice/engine`: run workflows of HTTP calls with urllib3-compatible retries, Jinja templates over a
 * run state, and every step recorded in the store.
 *
 * @module
 */

export { isSluiceError } from '@sluice/sdk';
export type { EngineErrorCode, StepErrorClass, WorkflowProblem } from './errors.js';
export {
  ENGINE_ERROR_CODES,
  EngineError,
  formatWorkflowProblem,
  StepFailedError,
  TemplateError,
  WorkflowParseError,
} from './errors.js';
export type {
  AttemptEntry,
  NewRun,
  RunPatch,
  RunRow,
  RunStatus,
  StepErrorRecord,
  StepItemRow,
  StepRow,
  StepStatus,
  Store,
} from './store/store.js';
export type {
  ApiSpec,
  RetrySettings,
  Templated,
  Workflow,
  WorkflowScope,
  WorkflowStep,
} from './workflow/model.js';
