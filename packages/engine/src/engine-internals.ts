/**
 * What the engine's own API and tests use of an engine that its users do not: the store, the event sink
 * of pushed triggers, the run-value sealer, sub-keys of the secret key, queueing runs a trigger committed,
 * and one tick of the trigger loop. Reached with {@link internalsOf} (`@sluice/engine/internal`), never
 * through the public `Engine` type.
 *
 * @internal
 * @module
 */
import type { Engine } from './engine-options.js';
import type { StepTestPorts } from './run/test-step.js';
import type { WorkspaceSettings } from './run/workspace-settings.js';
import type { RunValueSealer } from './secrets/run-values.js';
import type { ServiceStore } from './store/service-store.js';
import type { Store } from './store/store.js';
import type { DispatchedRun, EventSink } from './triggers/trigger-events.js';

/** The parts of an engine that only the engine's own modules (and its tests) use. */
export interface EngineInternals {
  /** The store the engine runs on (the API reads it too). */
  readonly store: ServiceStore;
  /** Where the events of pushed trigger kinds (a webhook delivery) become runs. */
  readonly events: EventSink;
  /**
   * Seals the unredacted copies of run values that redaction changed (`INPUT`, step and item outputs),
   * with sub-key `run-values` of the secret key, so a resumed run sees its secrets.
   */
  readonly runValues: RunValueSealer;
  /**
   * A 32-byte key for `purpose` derived from the engine's secret key (HKDF-SHA256): the same purpose
   * always gives the same key, different purposes independent ones. `vault`, `run-tokens`,
   * `run-values` and `webhooks` are taken.
   */
  deriveKey(purpose: string): Buffer;
  /**
   * Queues runs a trigger commit created (`pending` in the store). Once closing, does nothing: the runs
   * stay `pending` and the next start resumes them.
   */
  dispatch(runs: readonly DispatchedRun[]): void;
  /** Runs one tick of the trigger loop now (due triggers, if this process holds the lease). */
  tickTriggers(): Promise<void>;
  /** The workspaces' settings (`GET`/`PUT /v1/settings`), read by the runs too. */
  readonly settings: WorkspaceSettings;
  /**
   * Clears the attempts' HTTP exchanges past their workspace's retention now (on the engine's clock);
   * resolves how many step and item rows it cleared. The engine also does it every `attemptPruneMs`.
   */
  pruneAttempts(): Promise<number>;
  /**
   * `Engine.waitForRun`, resolving with run `id`'s rows as its execution in this process wrote them when
   * it ended here (read-only; `run/recorded-run.ts`), so `?wait=true` answers without reading them back;
   * `undefined` otherwise (it executed elsewhere, was cancelled or stopped, or the wait timed out).
   */
  waitForEndedRun(id: string, timeoutMs: number): Promise<Store | undefined>;
  /** What a step test (`POST /v1/workflows/{uid}/steps/{name}/test`) runs with: the parts runs get. */
  readonly stepTestPorts: StepTestPorts;
}

const INTERNALS = new WeakMap<Engine, EngineInternals>();

/** Records the internals of `engine` (by `createEngine`). */
export function bindInternals(engine: Engine, internals: EngineInternals): void {
  INTERNALS.set(engine, internals);
}

/**
 * The internals of an engine made by `createEngine`.
 * @throws {TypeError} for any other object.
 */
export function internalsOf(engine: Engine): EngineInternals {
  const internals = INTERNALS.get(engine);
  if (internals === undefined) throw new TypeError('internalsOf: not an engine made by createEngine()');
  return internals;
}
