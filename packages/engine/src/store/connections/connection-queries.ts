/**
 * The {@link ConnectionStore} over Kysely. Connection values arrive sealed (the vault seals them before
 * the store sees them), so nothing here handles a secret in clear.
 *
 * @internal
 * @module
 */
import type { Selectable } from 'kysely';
import { toTime } from '../codec.js';
import type { ConnectionsTable } from '../database.js';
import type { QueryContext } from '../query-context.js';
import type { ConnectionRow, ConnectionStore } from './connection-store.js';

function rowToConnection(row: Selectable<ConnectionsTable>): ConnectionRow {
  return { ...row };
}

/** The connections of one store. */
export class ConnectionQueries implements ConnectionStore {
  readonly #q: QueryContext;

  constructor(context: QueryContext) {
    this.#q = context;
  }

  /** Inserts or replaces in one transaction. */
  save(row: ConnectionRow): Promise<boolean> {
    return this.#q.run(`connections.save(${row.name})`, async (db) => {
      const updated_at = toTime(row.updated_at, 'connections.updated_at') as string;
      const created_at = toTime(row.created_at, 'connections.created_at') as string;
      return db.transaction().execute(async (trx) => {
        const changed = await trx
          .updateTable('connections')
          .set({
            connector: row.connector,
            sealed_values: row.sealed_values,
            user_id: row.user_id,
            updated_at,
          })
          .where('workspace_id', '=', row.workspace_id)
          .where('name', '=', row.name)
          .executeTakeFirst();
        if (changed.numUpdatedRows > 0n) return false;
        await trx
          .insertInto('connections')
          .values({ ...row, created_at, updated_at })
          .execute();
        return true;
      });
    });
  }

  get(workspaceId: string, name: string): Promise<ConnectionRow | undefined> {
    return this.#q.run(`connections.get(${name})`, async (db) => {
      const row = await db
        .selectFrom('connections')
        .selectAll()
        .where('workspace_id', '=', workspaceId)
        .where('name', '=', name)
        .executeTakeFirst();
      return row === undefined ? undefined : rowToConnection(row);
    });
  }

  list(workspaceId: string): Promise<ConnectionRow[]> {
    return this.#q.run('connections.list', async (db) => {
      const rows = await db
        .selectFrom('connections')
        .selectAll()
        .where('workspace_id', '=', workspaceId)
        .orderBy('name')
        .execute();
      return rows.map(rowToConnection);
    });
  }

  delete(workspaceId: string, name: string): Promise<boolean> {
    return this.#q.run(`connections.delete(${name})`, async (db) => {
      const result = await db
        .deleteFrom('connections')
        .where('workspace_id', '=', workspaceId)
        .where('name', '=', name)
        .executeTakeFirst();
      return result.numDeletedRows > 0n;
    });
  }
}
