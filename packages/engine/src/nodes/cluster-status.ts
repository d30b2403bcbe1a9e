/**
 * What `sluice status` shows about a deployment, read from the shared store and, when given, Redis:
 * the nodes (alive or dead by their heartbeat), runs by status, the run leases per owner, the named
 * leases (`triggers`: who runs schedules and polls, until when), and the BullMQ job counts of the run
 * queue. Read-only apart from the migrations `openStore` applies.
 *
 * @module
 */
import { describe, maskUrl } from '../driver-errors.js';
import { EngineError } from '../errors.js';
import { RUN_QUEUE_NAME } from '../queue/bullmq-queue.js';
import type {
  LeaseRow,
  LeaseStore,
  NodeRow,
  NodeStore,
  RunLeaseCount,
  ServiceRunStore,
} from '../store/service-store.js';
import type { RunStatus } from '../store/store.js';
import { nodeIsAlive } from './node-registry.js';

/** The Redis key prefix when none is given (the same as the queue's). */
export const DEFAULT_REDIS_PREFIX = 'sluice';

/** How long reading the queue waits for Redis, in ms. */
const REDIS_TIMEOUT_MS = 5_000;

/** The BullMQ job counts of the run queue (`<prefix>:runs:*`). */
export interface QueueCounts {
  /** Jobs ready for a worker. */
  waiting: number;
  /** Jobs a worker holds now (one per run executing). */
  active: number;
  /** Jobs scheduled for later. */
  delayed: number;
  prioritized: number;
  /** Jobs held while the queue is paused. */
  paused: number;
}

/** A deployment's state, as {@link readClusterStatus} reads it. */
export interface ClusterStatus {
  /** When it was read (ISO). */
  at: string;
  /** Every registered node, oldest first; `alive` when it heartbeat within three beats. */
  nodes: (NodeRow & { alive: boolean })[];
  runs: Record<RunStatus, number>;
  /** Unfinished runs with a lease, per owner; `node` when the owner is a registered node. */
  run_leases: (RunLeaseCount & { node: boolean })[];
  /** Named leases; `expired` when nobody renewed it in time (its holder died or stopped). */
  leases: (LeaseRow & { expired: boolean })[];
  /** The shared queue's job counts, when Redis was given; `null` otherwise. */
  queue: (QueueCounts & { redis: string; prefix: string }) | null;
}

/** Options of {@link readClusterStatus}. */
export interface ReadClusterStatusOptions {
  /** The deployment's Redis, for the queue counts. */
  redis?: { url: string; prefix?: string | undefined } | undefined;
  /** The clock. @default Date.now */
  now?: () => number;
}

/**
 * Reads the deployment's state from `store` (and Redis).
 *
 * @throws {EngineError} `SLUICE_STORE` when the store fails, `SLUICE_QUEUE` when Redis does not answer.
 */
export async function readClusterStatus(
  store: {
    readonly nodes: Pick<NodeStore, 'list'>;
    readonly runs: Pick<ServiceRunStore, 'countRunsByStatus' | 'countRunLeases'>;
    readonly leases: Pick<LeaseStore, 'list'>;
  },
  options: ReadClusterStatusOptions = {},
): Promise<ClusterStatus> {
  const now = (options.now ?? Date.now)();
  const at = new Date(now).toISOString();
  const [nodes, runs, runLeases, leases, queue] = await Promise.all([
    store.nodes.list(),
    store.runs.countRunsByStatus(),
    store.runs.countRunLeases(at),
    store.leases.list(),
    options.redis === undefined ? null : readQueueCounts(options.redis.url, options.redis.prefix),
  ]);
  const ids = new Set(nodes.map((n) => n.id));
  return {
    at,
    nodes: nodes.map((n) => ({ ...n, alive: nodeIsAlive(n, now) })),
    runs,
    run_leases: runLeases.map((l) => ({ ...l, node: ids.has(l.owner) })),
    leases: leases.map((l) => ({ ...l, expired: Date.parse(l.expires_at) <= now })),
    queue,
  };
}

/**
 * The job counts of the run queue in Redis at `url` under `prefix`.
 *
 * @throws {EngineError} `SLUICE_QUEUE` when Redis does not answer within 5 s.
 */
export async function readQueueCounts(
  url: string,
  prefix: string = DEFAULT_REDIS_PREFIX,
): Promise<QueueCounts & { redis: string; prefix: string }> {
  if (!/^rediss?:\/\//i.test(url)) {
    throw new EngineError('SLUICE_QUEUE', 'the Redis URL must start with redis:// or rediss://', {
      hint: 'for example --redis redis://127.0.0.1:6379',
    });
  }
  // Loaded here: only `sluice status --redis` reads the queue.
  const [{ Queue }, { Redis }] = await Promise.all([import('bullmq'), import('ioredis')]);
  // One try, no reconnects: a status read should fail fast and say so, not hang.
  const connection = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: REDIS_TIMEOUT_MS,
    retryStrategy: () => null,
  });
  // ioredis reports the cause (ECONNREFUSED...) as an error event; connect() only says it closed.
  let cause: unknown;
  connection.on('error', (err: unknown) => {
    cause ??= err;
  });
  try {
    await connection.connect();
  } catch (err) {
    connection.disconnect();
    throw new EngineError(
      'SLUICE_QUEUE',
      `cannot connect to Redis at ${maskUrl(url)}: ${describe(cause ?? err)}`,
      {
        hint: 'check the --redis URL and that Redis runs and accepts connections',
        cause: err,
      },
    );
  }
  const queue = new Queue(RUN_QUEUE_NAME, { connection, prefix });
  try {
    const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'paused');
    return {
      redis: maskUrl(url),
      prefix,
      waiting: counts.waiting ?? 0,
      active: counts.active ?? 0,
      delayed: counts.delayed ?? 0,
      prioritized: counts.prioritized ?? 0,
      paused: counts.paused ?? 0,
    };
  } catch (err) {
    throw new EngineError(
      'SLUICE_QUEUE',
      `reading the run queue at ${maskUrl(url)} failed: ${describe(err)}`,
      {
        hint: 'check that the Redis URL and --redis-prefix are the ones the workers use',
        cause: err,
      },
    );
  } finally {
    await queue.close().catch(() => undefined);
    connection.disconnect();
  }
}
