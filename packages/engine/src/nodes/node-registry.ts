/**
 * The engine's row in `nodes` (issue 6): registered when the engine starts, renewed every
 * `heartbeatMs` with how many runs it is executing, deleted when it closes. `sluice status` lists the
 * rows; one whose heartbeat is more than {@link DEAD_AFTER_BEATS} beats old belongs to a process that
 * died without closing. Each node also prunes rows that have been dead for `pruneAfterMs`, so a crashed
 * node stays visible for a while and then goes away.
 *
 * A failed heartbeat (the database unreachable) is logged once, and its recovery once (both `warn`); it
 * never stops the engine: the row only informs operators, the run leases are what fence work.
 *
 * @internal
 * @module
 */
import { createRequire } from 'node:module';
import { hostname } from 'node:os';
import type { Logger } from '@sluice/sdk';
import type { NodeKind, NodeRow, NodeStore } from '../store/service-store.js';

/** A node whose last heartbeat is older than this many beats is dead. */
export const DEAD_AFTER_BEATS = 3;

/** The defaults of {@link NodeRegistryOptions}. */
export const NODE_DEFAULTS = Object.freeze({
  heartbeatMs: 5_000,
  /** An hour: long enough to see a crash in `sluice status`, short enough not to pile up. */
  pruneAfterMs: 3_600_000,
} as const);

/** Prune every this many beats (a minute at the default beat), not on each one. */
const PRUNE_EVERY_BEATS = 12;

/** The engine's package version, recorded in the row. */
export const ENGINE_VERSION: string = (
  createRequire(import.meta.url)('../../package.json') as { version: string }
).version;

/** Whether `node` heartbeat recently enough at `now` (ms) to count as alive. */
export function nodeIsAlive(node: Pick<NodeRow, 'heartbeat_at' | 'heartbeat_ms'>, now: number): boolean {
  return now - Date.parse(node.heartbeat_at) <= DEAD_AFTER_BEATS * node.heartbeat_ms;
}

/** Options of {@link NodeRegistry}. */
export interface NodeRegistryOptions {
  store: { readonly nodes: Pick<NodeStore, 'register' | 'heartbeat' | 'remove' | 'prune'> };
  /** The engine's lease owner name. */
  id: string;
  kind: NodeKind;
  /** Runs executed at once at most. */
  concurrency: number;
  /** Runs executing now. */
  executing: () => number;
  heartbeatMs: number;
  pruneAfterMs: number;
  now: () => number;
  logger: Logger;
}

/** Keeps this process's row in `nodes`. */
export class NodeRegistry {
  readonly #options: NodeRegistryOptions;
  readonly #startedAt: string;
  #timer: NodeJS.Timeout | undefined;
  #beat: Promise<void> | undefined;
  #beats = 0;
  #failing = false;
  #stopped = false;

  constructor(options: NodeRegistryOptions) {
    this.#options = options;
    this.#startedAt = new Date(options.now()).toISOString();
  }

  /** Writes the row (and prunes long-dead ones), then heartbeats on a timer. */
  async start(): Promise<void> {
    await this.#register();
    await this.#prune();
    if (this.#stopped || this.#timer !== undefined) return;
    this.#timer = setInterval(() => {
      this.#beat ??= this.#heartbeat().finally(() => {
        this.#beat = undefined;
      });
    }, this.#options.heartbeatMs);
    this.#timer.unref();
  }

  /** Stops the heartbeat and deletes the row; a failure is logged, not thrown (the row then dies). */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    clearInterval(this.#timer);
    await this.#beat;
    await this.#options.store.nodes
      .remove(this.#options.id)
      .catch((err: unknown) => this.#options.logger.warn({ err }, 'removing this node from nodes failed'));
  }

  #row(): NodeRow {
    const { id, kind, concurrency, heartbeatMs } = this.#options;
    return {
      id,
      kind,
      host: hostname(),
      pid: process.pid,
      started_at: this.#startedAt,
      heartbeat_at: this.#iso(),
      concurrency,
      executing: this.#options.executing(),
      heartbeat_ms: heartbeatMs,
      version: ENGINE_VERSION,
    };
  }

  #register(): Promise<void> {
    return this.#options.store.nodes.register(this.#row());
  }

  async #prune(): Promise<void> {
    const before = new Date(this.#options.now() - this.#options.pruneAfterMs).toISOString();
    await this.#options.store.nodes.prune(before);
  }

  async #heartbeat(): Promise<void> {
    if (this.#stopped) return;
    const { store, id, logger } = this.#options;
    try {
      const kept = await store.nodes.heartbeat(id, this.#iso(), this.#options.executing());
      // Pruned while this process was paused (or by hand): come back.
      if (!kept && !this.#stopped) await this.#register();
      if (++this.#beats % PRUNE_EVERY_BEATS === 0) await this.#prune();
      if (this.#failing) {
        this.#failing = false;
        // warn, like the failure, so it shows wherever the failure did.
        logger.warn({ node: id }, 'node heartbeat works again');
      }
    } catch (err) {
      if (!this.#failing) {
        this.#failing = true;
        logger.warn(
          { err, node: id },
          'node heartbeat failed (sluice status shows this node dead until it works again); retrying on each beat',
        );
      }
    }
  }

  #iso(): string {
    return new Date(this.#options.now()).toISOString();
  }
}
