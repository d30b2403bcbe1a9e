/**
 * The messages between the template worker pool (main thread) and a template worker. A job is a batch
 * of template sources: rendered in order against one context, or compiled to check their syntax.
 *
 * @internal
 * @module
 */
import type { JinjaErrorInfo } from '../jinja-error.js';
import type { WasmModule } from './wasm.js';

/** What a worker is started with (its `workerData`). */
export interface WorkerConfig {
  /** minijinja-js compiled with its memory capped, shared by every worker. */
  module: WasmModule;
  /**
   * Two 64-bit slots the worker writes before each template: the template's index in its job, and the
   * wall-clock time (`Date.now()`) it started; `0` when idle. The pool reads them to enforce the deadline.
   */
  progress: SharedArrayBuffer;
  fuel: number;
  cacheSize: number;
  maxOutputChars: number;
  /** The WebAssembly memory cap; a worker past half of it retires after its job. */
  memoryBytes: number;
}

/** Slot indexes in {@link WorkerConfig.progress}. */
export const PROGRESS_INDEX = 0;
export const PROGRESS_STARTED = 1;

/** A batch of templates to render against one context, or to compile for their syntax. */
export type Job =
  | { op: 'render'; sources: readonly string[]; context: object }
  | { op: 'check'; sources: readonly string[] };

/** Runs template jobs: in worker threads ({@link TemplateWorkerPool}), or in this thread (benchmarks). */
export interface TemplateJobs {
  /** Runs `job`; `tenant`'s jobs take turns with other tenants'. */
  run(tenant: string, job: Job): Promise<JobReply>;
  close(): Promise<void>;
}

export type JobRequest =
  | { id: number; op: 'render'; sources: readonly string[]; context: object }
  | { id: number; op: 'check'; sources: readonly string[] };

/** A limit a template broke; its worker is stopped or retires. */
export type TemplateLimit = 'deadline' | 'memory' | 'output' | 'stack' | 'crash';

/** Why one template of a job failed. Offsets are in the template's own source. */
export type TemplateFailure =
  | { kind: 'syntax'; info: JinjaErrorInfo }
  | { kind: 'filter'; message: string }
  | { kind: 'render'; info: JinjaErrorInfo }
  | { kind: 'limit'; limit: TemplateLimit; detail: string };

export interface JobReply {
  id: number;
  /**
   * For `render`: the value of each template rendered before the failure (or all). For `check`: each
   * template's syntax error, or `null` when it compiles.
   */
  results: unknown[];
  /** The template the job stopped at, and why. */
  failure?: { index: number; failure: TemplateFailure };
  /** The worker will exit after this reply (its instance is broken or too large); start another. */
  retire?: boolean;
}
