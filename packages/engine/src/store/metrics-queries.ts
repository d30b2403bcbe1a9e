/**
 * The query behind `sluice_runs{status}` of `GET /metrics`: how many runs the store holds in each
 * status, counted when Prometheus scrapes (the store is the source of truth across processes).
 *
 * @internal
 * @module
 */
import type { Kysely } from 'kysely';
import type { Database } from './database.js';
import type { RunStatus } from './store.js';

/** Every run status, each counted even when no run has it. */
export const RUN_STATUSES: readonly RunStatus[] = ['pending', 'running', 'succeeded', 'failed', 'cancelled'];

/** The number of runs in each status, over every workspace. */
export async function countRunsByStatus(db: Kysely<Database>): Promise<Record<RunStatus, number>> {
  const rows = await db
    .selectFrom('runs')
    .select((eb) => ['status', eb.fn.countAll<number | string | bigint>().as('count')])
    .groupBy('status')
    .execute();
  const counts = Object.fromEntries(RUN_STATUSES.map((status) => [status, 0])) as Record<RunStatus, number>;
  // PostgreSQL returns count(*) as a string (bigint).
  for (const row of rows) counts[row.status] = Number(row.count);
  return counts;
}
