/**
 * The {@link ApiKeyStore} over Kysely.
 *
 * @internal
 * @module
 */
import { toTime } from '../codec.js';
import type { ApiKeysTable } from '../database.js';
import type { QueryContext } from '../query-context.js';
import type { ApiKeyRow, ApiKeyStore, ApiRole } from './api-key-store.js';

function rowToKey(row: ApiKeysTable): ApiKeyRow {
  return { ...row, role: row.role as ApiRole };
}

/** The API keys of one store. */
export class ApiKeyQueries implements ApiKeyStore {
  readonly #q: QueryContext;

  constructor(context: QueryContext) {
    this.#q = context;
  }

  create(key: ApiKeyRow): Promise<void> {
    return this.#q.run(`apiKeys.create(${key.id})`, async (db) => {
      await db
        .insertInto('api_keys')
        .values({ ...key, created_at: toTime(key.created_at, 'api_keys.created_at') as string })
        .execute();
    });
  }

  find(keyHash: string): Promise<ApiKeyRow | undefined> {
    return this.#q.run('apiKeys.find', async (db) => {
      const row = await db
        .selectFrom('api_keys')
        .selectAll()
        .where('key_hash', '=', keyHash)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return row === undefined ? undefined : rowToKey(row);
    });
  }

  list(workspaceId?: string): Promise<ApiKeyRow[]> {
    return this.#q.run('apiKeys.list', async (db) => {
      let query = db.selectFrom('api_keys').selectAll();
      if (workspaceId !== undefined) query = query.where('workspace_id', '=', workspaceId);
      const rows = await query.orderBy('created_at').orderBy('id').execute();
      return rows.map(rowToKey);
    });
  }

  revoke(id: string, at: string): Promise<boolean> {
    return this.#q.run(`apiKeys.revoke(${id})`, async (db) => {
      const result = await db
        .updateTable('api_keys')
        .set({ revoked_at: toTime(at, 'api_keys.revoked_at') })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    });
  }
}
