/**
 * `@sluice/engine/internal`: pieces the benchmarks need. Not for applications.
 *
 * @internal
 * @module
 */

/** Template jobs in the calling thread, unbounded: what `bench/engine-templates` compares the workers with. */
export { InlineJobs } from './template/sandbox/inline-jobs.js';
