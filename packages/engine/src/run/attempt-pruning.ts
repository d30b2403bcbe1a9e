/**
 * Retention of the attempts' HTTP exchanges (issue 15): every `intervalMs` (and once at start), the
 * exchanges of steps and items started longer ago than their workspace's `attempt_retention_days` are
 * cleared (`runs.pruneExchanges`: their `exchanges` columns set to `NULL`; the attempts stay). Each process of a
 * cluster prunes on its own: a pass is a few idempotent updates, one per workspace with settings of its
 * own plus one for every other workspace (the default, 7 days).
 *
 * @internal
 * @module
 */
import type { Logger } from '@sluice/sdk';
import type { ServiceRunStore, SettingsStore } from '../store/service-store.js';
import { WORKSPACE_SETTINGS_DEFAULTS } from './workspace-settings.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Options of {@link AttemptPruning}. */
export interface AttemptPruningOptions {
  store: { readonly runs: Pick<ServiceRunStore, 'pruneExchanges'>; readonly settings: SettingsStore };
  /** The clock, in ms since the epoch. */
  now: () => number;
  /** Time between passes, in ms. */
  intervalMs: number;
  logger: Logger;
}

/** Clears the exchanges past their workspace's retention, on a timer. */
export class AttemptPruning {
  readonly #o: AttemptPruningOptions;
  #timer: NodeJS.Timeout | undefined;
  #pass: Promise<number> | undefined;
  #stopped = false;

  constructor(options: AttemptPruningOptions) {
    this.#o = options;
  }

  /** Runs a first pass (a failure is logged, not thrown), then one every `intervalMs`. */
  async start(): Promise<void> {
    await this.#run();
    if (this.#stopped || this.#timer !== undefined) return;
    this.#timer = setInterval(() => void this.#run(), this.#o.intervalMs);
    this.#timer.unref();
  }

  /**
   * One pass now: resolves how many step and item rows it cleared.
   * @throws what the store throws.
   */
  async prune(): Promise<number> {
    const { runs, settings } = this.#o.store;
    const now = this.#o.now();
    const before = (days: number) => new Date(now - days * DAY_MS).toISOString();
    let cleared = 0;
    for (const row of await settings.list()) {
      const query = { before: before(row.attempt_retention_days), workspace_id: row.workspace_id };
      cleared += await runs.pruneExchanges(query);
    }
    const days = WORKSPACE_SETTINGS_DEFAULTS.attempt_retention_days;
    cleared += await runs.pruneExchanges({ before: before(days), workspace_id: null });
    return cleared;
  }

  /** Stops the timer and waits for a pass in progress. Idempotent. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#pass;
  }

  #run(): Promise<number> {
    if (this.#stopped) return Promise.resolve(0);
    // One pass at a time: a slow store skips a tick instead of piling passes up.
    this.#pass ??= this.prune()
      .then((cleared) => {
        if (cleared > 0) this.#o.logger.info({ cleared }, 'pruned attempt exchanges past retention');
        return cleared;
      })
      .catch((err: unknown) => {
        this.#o.logger.warn({ err }, 'pruning attempt exchanges failed; the next pass tries again');
        return 0;
      })
      .finally(() => {
        this.#pass = undefined;
      });
    return this.#pass;
  }
}
