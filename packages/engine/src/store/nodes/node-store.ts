/**
 * The nodes domain (`nodes`, migration 0004, issue 6): one row per running engine process, for
 * `sluice status`. Each process registers its row, renews its heartbeat, and deletes it on close; rows
 * of processes that died are pruned by age. `node-queries.ts` implements it.
 *
 * @module
 */

/** What an engine process does: serve the API, execute runs, or both (issue 6). */
export type NodeKind = 'api' | 'worker' | 'api+worker';

/** A running engine process, as it registered itself (`nodes`, migration 0004). */
export interface NodeRow {
  /** The engine's lease owner name (`<host>:<pid>:<random>`), so run leases and named leases name it. */
  id: string;
  kind: NodeKind;
  host: string;
  pid: number;
  started_at: string;
  /** The last heartbeat; a node whose heartbeat is old died without closing. */
  heartbeat_at: string;
  /** Runs it executes at once at most (0 for an API node without a worker). */
  concurrency: number;
  /** Runs it was executing at its last heartbeat. */
  executing: number;
  /** How often it renews `heartbeat_at`, in ms: it counts as dead after three beats missed. */
  heartbeat_ms: number;
  /** The engine's package version. */
  version: string;
}

/** The `nodes` table: the engine processes sharing this database. */
export interface NodeStore {
  /** Inserts the node's row, or replaces the row with its id. */
  register(node: NodeRow): Promise<void>;
  /** Sets the node's `heartbeat_at` and `executing`; resolves `false` when its row is gone (pruned). */
  heartbeat(id: string, at: string, executing: number): Promise<boolean>;
  /** Deletes the node's row (on close). */
  remove(id: string): Promise<void>;
  /** Every registered node, alive or not, oldest first. */
  list(): Promise<NodeRow[]>;
  /** Deletes the nodes whose last heartbeat is before `heartbeatBefore`; resolves how many. */
  prune(heartbeatBefore: string): Promise<number>;
}
