/**
 * The queries behind the `nodes` table (migration 0004) and what `sluice status` reads about leases:
 * each engine process registers a row, renews its heartbeat, and deletes it on close; rows of processes
 * that died are pruned by age. Times are canonical ISO text, which sorts as it compares.
 *
 * @internal
 * @module
 */
import type { Kysely, Selectable } from 'kysely';
import { toTime } from './codec.js';
import type { Database, NodesTable } from './database.js';
import type { LeaseRow, NodeKind, NodeRow, RunLeaseCount } from './service-store.js';

type Db = Kysely<Database>;

function time(value: string, column: string): string {
  return toTime(value, column) as string;
}

function rowToNode(row: Selectable<NodesTable>): NodeRow {
  return {
    id: row.id,
    kind: row.kind as NodeKind,
    host: row.host,
    pid: Number(row.pid),
    started_at: row.started_at,
    heartbeat_at: row.heartbeat_at,
    concurrency: Number(row.concurrency),
    executing: Number(row.executing),
    heartbeat_ms: Number(row.heartbeat_ms),
    version: row.version,
  };
}

/** Inserts the node, or replaces the row of the same id (a node registering again after a prune). */
export async function registerNode(db: Db, node: NodeRow): Promise<void> {
  const row: NodesTable = {
    ...node,
    started_at: time(node.started_at, 'nodes.started_at'),
    heartbeat_at: time(node.heartbeat_at, 'nodes.heartbeat_at'),
  };
  await db
    .insertInto('nodes')
    .values(row)
    .onConflict((oc) =>
      oc.column('id').doUpdateSet((eb) => ({
        kind: eb.ref('excluded.kind'),
        host: eb.ref('excluded.host'),
        pid: eb.ref('excluded.pid'),
        started_at: eb.ref('excluded.started_at'),
        heartbeat_at: eb.ref('excluded.heartbeat_at'),
        concurrency: eb.ref('excluded.concurrency'),
        executing: eb.ref('excluded.executing'),
        heartbeat_ms: eb.ref('excluded.heartbeat_ms'),
        version: eb.ref('excluded.version'),
      })),
    )
    .execute();
}

export async function heartbeatNode(db: Db, id: string, at: string, executing: number): Promise<boolean> {
  const result = await db
    .updateTable('nodes')
    .set({ heartbeat_at: time(at, 'nodes.heartbeat_at'), executing })
    .where('id', '=', id)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function removeNode(db: Db, id: string): Promise<void> {
  await db.deleteFrom('nodes').where('id', '=', id).execute();
}

export async function listNodes(db: Db): Promise<NodeRow[]> {
  const rows = await db.selectFrom('nodes').selectAll().orderBy('started_at').orderBy('id').execute();
  return rows.map(rowToNode);
}

export async function pruneNodes(db: Db, heartbeatBefore: string): Promise<number> {
  const result = await db
    .deleteFrom('nodes')
    .where('heartbeat_at', '<', time(heartbeatBefore, 'heartbeatBefore'))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

export async function listLeases(db: Db): Promise<LeaseRow[]> {
  return db
    .selectFrom('leases')
    .select(['name', 'owner', 'expires_at', 'acquired_at'])
    .orderBy('name')
    .execute();
}

export async function countRunLeases(db: Db, now: string): Promise<RunLeaseCount[]> {
  const at = time(now, 'now');
  const rows = await db
    .selectFrom('runs')
    .select((eb) => [
      'lease_owner',
      eb.fn.countAll<number | string | bigint>().as('runs'),
      eb.fn
        .sum<number | string | bigint | null>(
          eb.case().when('lease_expires_at', '<=', at).then(1).else(0).end(),
        )
        .as('expired'),
    ])
    .where('status', 'in', ['pending', 'running'])
    .where('lease_owner', 'is not', null)
    .groupBy('lease_owner')
    .orderBy('lease_owner')
    .execute();
  // PostgreSQL returns count(*) and sum() as strings (bigint, numeric).
  return rows.map((row) => ({
    owner: row.lease_owner as string,
    runs: Number(row.runs),
    expired: Number(row.expired ?? 0),
  }));
}
