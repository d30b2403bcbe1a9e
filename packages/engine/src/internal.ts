/**
 * `@sluice/engine/internal`: pieces the engine's own tests and benchmarks need. Not for applications.
 *
 * @internal
 * @module
 */

/** The parts of an engine the public `Engine` type does not show (its store, one trigger tick, ...). */
export type { EngineInternals } from './engine-internals.js';
export { internalsOf } from './engine-internals.js';
/** Template jobs in the calling thread, unbounded: what `bench/engine-templates` compares the workers with. */
export { InlineJobs } from './template/sandbox/inline-jobs.js';
