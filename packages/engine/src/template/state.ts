/**
 * The run state templates see, and the limits a template renders under (DESIGN §4).
 *
 * @module
 */

/**
 * The state a template is rendered against. Every field is optional; a template that names a missing
 * one fails with `undefined value`. Values are JSON-like (objects, arrays, strings, numbers, booleans,
 * `null`).
 */
export interface TemplateState {
  /** Base URLs of the engine's own APIs and configured services, by name. */
  SYSTEM_APIS?: Record<string, unknown>;
  /** The caller: `id`, `email`, `workspace_id`, `role`, `token` (a run-scoped token). */
  USER?: Record<string, unknown>;
  /** The run's input or trigger event. */
  INPUT?: unknown;
  /** Finished steps by name; `STEPS.<name>.output` is a step's output. */
  STEPS?: Record<string, { output: unknown }>;
  /** The step being run: `name`, `input`, `index`, `attempt`, and after the call `response` (`status`, `headers`, `body`). */
  CURRENT_STEP?: Record<string, unknown>;
  /** The workflow document's own fields (`uid`, `name`, ...). */
  WORKFLOW?: Record<string, unknown>;
  /** The run (`id`, ...). */
  RUN?: Record<string, unknown>;
}

/**
 * Limits a template renders (and is checked) under. Templates run in worker threads: a template that
 * breaks a limit fails its own render, with an error naming the template and the limit, and the worker
 * it ran in is replaced; nothing else waits on it.
 */
export interface TemplateLimits {
  /**
   * How many template instructions one render may execute before it fails with `SLUICE_TEMPLATE_FUEL`.
   * A loop that prints each of 100,000 items uses about 600,000. Filters such as `sort` or `map` count as one
   * instruction each, however large their input: the deadline and the memory cap bound those.
   *
   * @default 1_000_000
   */
  fuel?: number;
  /**
   * Wall-clock milliseconds one template may take to compile or render before its worker is stopped and
   * the render fails with `SLUICE_TEMPLATE_DEADLINE`. Counted from the moment the worker starts on that
   * template, so time spent queued behind others does not count.
   *
   * @default 1_000
   */
  deadlineMs?: number;
  /**
   * Megabytes of memory a worker may use: the cap of its WebAssembly memory, and of its JavaScript heap
   * (where the added filters run). A template that needs more fails with `SLUICE_TEMPLATE_MEMORY`.
   *
   * @default 128
   */
  memoryMb?: number;
  /**
   * The largest result of one template, in characters (a typed result is measured as the characters of
   * its strings plus 8 per other value). A larger one fails with `SLUICE_TEMPLATE_OUTPUT`.
   *
   * @default 16_777_216 (16 Mi)
   */
  maxOutputChars?: number;
  /**
   * How many worker threads render templates. Renders are queued fairly by workspace
   * (`USER.workspace_id`), so a workspace whose templates hit the deadline delays others by at most one
   * deadline while the remaining workers go on.
   *
   * @default 2
   */
  workers?: number;
  /**
   * How many compiled templates each worker keeps (least recently used ones are dropped).
   *
   * @default 2_000
   */
  cacheSize?: number;
}

/** The limits used when none are given. */
export const DEFAULT_TEMPLATE_LIMITS = {
  fuel: 1_000_000,
  deadlineMs: 1_000,
  memoryMb: 128,
  maxOutputChars: 16 * 1024 * 1024,
  workers: 2,
  cacheSize: 2_000,
} as const satisfies Required<TemplateLimits>;
