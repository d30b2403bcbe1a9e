/**
 * The {@link SettingsStore} over Kysely.
 *
 * @internal
 * @module
 */
import { toTime } from '../codec.js';
import type { WorkspaceSettingsTable } from '../database.js';
import type { QueryContext } from '../query-context.js';
import type { SettingsStore, WorkspaceSettingsRow } from './settings-store.js';

function rowToSettings(row: WorkspaceSettingsTable): WorkspaceSettingsRow {
  return {
    workspace_id: row.workspace_id,
    attempt_retention_days: Number(row.attempt_retention_days),
    updated_at: row.updated_at,
    updated_by: row.updated_by,
  };
}

/** The workspace settings of one store. */
export class SettingsQueries implements SettingsStore {
  readonly #q: QueryContext;

  constructor(context: QueryContext) {
    this.#q = context;
  }

  get(workspaceId: string): Promise<WorkspaceSettingsRow | undefined> {
    return this.#q.run(`settings.get(${workspaceId})`, async (db) => {
      const row = await db
        .selectFrom('workspace_settings')
        .selectAll()
        .where('workspace_id', '=', workspaceId)
        .executeTakeFirst();
      return row === undefined ? undefined : rowToSettings(row);
    });
  }

  put(row: WorkspaceSettingsRow): Promise<void> {
    return this.#q.run(`settings.put(${row.workspace_id})`, async (db) => {
      const stored: WorkspaceSettingsTable = {
        ...row,
        updated_at: toTime(row.updated_at, 'workspace_settings.updated_at') as string,
      };
      await this.#q.dialect
        .upsert(db, 'workspace_settings', stored, {
          key: ['workspace_id'],
          replace: ['attempt_retention_days', 'updated_at', 'updated_by'],
        })
        .execute();
    });
  }

  list(): Promise<WorkspaceSettingsRow[]> {
    return this.#q.run('settings.list', async (db) => {
      const rows = await db.selectFrom('workspace_settings').selectAll().orderBy('workspace_id').execute();
      return rows.map(rowToSettings);
    });
  }
}
