/**
 * The queries behind stored connections and API key listings. Connection values arrive sealed (the
 * vault seals them before the store sees them), so nothing here handles a secret in clear.
 *
 * @internal
 * @module
 */
import type { Kysely, Selectable } from 'kysely';
import { toTime } from './codec.js';
import type { ApiKeysTable, ConnectionsTable, Database } from './database.js';
import type { ApiKeyRow, ApiRole, ConnectionRow } from './service-store.js';

type Db = Kysely<Database>;

function rowToConnection(row: Selectable<ConnectionsTable>): ConnectionRow {
  return { ...row };
}

/** Inserts or replaces in one transaction; resolves whether the connection is new. */
export async function saveConnection(db: Db, row: ConnectionRow): Promise<boolean> {
  const updated_at = toTime(row.updated_at, 'connections.updated_at') as string;
  const created_at = toTime(row.created_at, 'connections.created_at') as string;
  return db.transaction().execute(async (trx) => {
    const changed = await trx
      .updateTable('connections')
      .set({ connector: row.connector, sealed_values: row.sealed_values, user_id: row.user_id, updated_at })
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
}

export async function getConnection(
  db: Db,
  workspaceId: string,
  name: string,
): Promise<ConnectionRow | undefined> {
  const row = await db
    .selectFrom('connections')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('name', '=', name)
    .executeTakeFirst();
  return row === undefined ? undefined : rowToConnection(row);
}

export async function listConnections(db: Db, workspaceId: string): Promise<ConnectionRow[]> {
  const rows = await db
    .selectFrom('connections')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .orderBy('name')
    .execute();
  return rows.map(rowToConnection);
}

export async function deleteConnection(db: Db, workspaceId: string, name: string): Promise<boolean> {
  const result = await db
    .deleteFrom('connections')
    .where('workspace_id', '=', workspaceId)
    .where('name', '=', name)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}

export async function listApiKeys(db: Db, workspaceId?: string): Promise<ApiKeyRow[]> {
  let query = db.selectFrom('api_keys').selectAll();
  if (workspaceId !== undefined) query = query.where('workspace_id', '=', workspaceId);
  const rows: ApiKeysTable[] = await query.orderBy('created_at').orderBy('id').execute();
  return rows.map((row) => ({ ...row, role: row.role as ApiRole }));
}

export async function revokeApiKey(db: Db, id: string, at: string): Promise<boolean> {
  const result = await db
    .updateTable('api_keys')
    .set({ revoked_at: toTime(at, 'api_keys.revoked_at') })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
