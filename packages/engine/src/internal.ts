/**
 * `@sluice/engine/internal`: pieces the engine's own tests and benchmarks need. Not for applications.
 *
 * @internal
 * @module
 */

// What the engine's own modules share with its tests (and `sluice keys`' tests), not part of the API.
export { authenticate, hashApiKey } from './api/auth.js';
export { errorReply } from './api/errors.js';
export {
  checkWorkflowConnectors,
  connectorProblems,
  describeConnector,
  describeConnectors,
} from './connectors/catalog.js';
/** The parts of an engine the public `Engine` type does not show (its store, one trigger tick, ...). */
export type { EngineInternals } from './engine-internals.js';
export { internalsOf } from './engine-internals.js';
export { formatWorkflowProblem } from './errors.js';
export { mergeRetrySettings } from './executor/retry-settings.js';
export { REDIS_LIMITS_DEFAULTS } from './limits/redis-limits.js';
export { SlidingLog } from './limits/sliding-log.js';
export { readQueueCounts } from './nodes/cluster-status.js';
export { DEAD_AFTER_BEATS, ENGINE_VERSION, nodeIsAlive } from './nodes/node-registry.js';
export { RUN_QUEUE_NAME } from './queue/bullmq-queue.js';
/** How a step that did not fan out keeps its one call in its step row (migration 0005). */
export { needsItemRows, stepCall, withStepCalls } from './store/runs/step-calls.js';
/** Template jobs in the calling thread, unbounded: what `bench/engine-templates` compares the workers with. */
export { InlineJobs } from './template/sandbox/inline-jobs.js';
