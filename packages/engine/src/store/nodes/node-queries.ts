/**
 * The {@link NodeStore} over Kysely. Times are canonical ISO text, which sorts as it compares.
 *
 * @internal
 * @module
 */
import type { Selectable } from 'kysely';
import { toTime } from '../codec.js';
import type { NodesTable } from '../database.js';
import type { QueryContext } from '../query-context.js';
import type { NodeKind, NodeRow, NodeStore } from './node-store.js';

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

/** The nodes of one store. */
export class NodeQueries implements NodeStore {
  readonly #q: QueryContext;

  constructor(context: QueryContext) {
    this.#q = context;
  }

  /** Inserts the node, or replaces the row of the same id (a node registering again after a prune). */
  register(node: NodeRow): Promise<void> {
    return this.#q.run(`nodes.register(${node.id})`, async (db) => {
      const row: NodesTable = {
        ...node,
        started_at: time(node.started_at, 'nodes.started_at'),
        heartbeat_at: time(node.heartbeat_at, 'nodes.heartbeat_at'),
      };
      await this.#q.dialect
        .upsert(db, 'nodes', row, {
          key: ['id'],
          replace: [
            'kind',
            'host',
            'pid',
            'started_at',
            'heartbeat_at',
            'concurrency',
            'executing',
            'heartbeat_ms',
            'version',
          ],
        })
        .execute();
    });
  }

  heartbeat(id: string, at: string, executing: number): Promise<boolean> {
    return this.#q.run(`nodes.heartbeat(${id})`, async (db) => {
      const result = await db
        .updateTable('nodes')
        .set({ heartbeat_at: time(at, 'nodes.heartbeat_at'), executing })
        .where('id', '=', id)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    });
  }

  remove(id: string): Promise<void> {
    return this.#q.run(`nodes.remove(${id})`, async (db) => {
      await db.deleteFrom('nodes').where('id', '=', id).execute();
    });
  }

  list(): Promise<NodeRow[]> {
    return this.#q.run('nodes.list', async (db) => {
      const rows = await db.selectFrom('nodes').selectAll().orderBy('started_at').orderBy('id').execute();
      return rows.map(rowToNode);
    });
  }

  prune(heartbeatBefore: string): Promise<number> {
    return this.#q.run('nodes.prune', async (db) => {
      const result = await db
        .deleteFrom('nodes')
        .where('heartbeat_at', '<', time(heartbeatBefore, 'heartbeatBefore'))
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    });
  }
}
