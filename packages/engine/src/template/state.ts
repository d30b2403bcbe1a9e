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

/** Limits a template renders under. */
export interface TemplateLimits {
  /**
   * How many template instructions one render may execute before it fails with `SLUICE_TEMPLATE_FUEL`.
   * A loop that prints each of 100,000 items uses about 600,000. Filters such as `sort` or `map` count as one
   * instruction each, however large their input.
   *
   * @default 1_000_000
   */
  fuel?: number;
  /**
   * How many compiled templates a renderer keeps (least recently used ones are dropped).
   *
   * @default 2_000
   */
  cacheSize?: number;
}

/** The limits used when none are given. */
export const DEFAULT_TEMPLATE_LIMITS = {
  fuel: 1_000_000,
  cacheSize: 2_000,
} as const satisfies Required<TemplateLimits>;
