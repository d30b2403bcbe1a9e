/**
 * The queries behind trigger states. {@link commitTrigger} is the heart of "a crash neither loses nor
 * duplicates an event" (DESIGN §4, Triggers): the poller's new state (cursor and dedup ledger) and the
 * runs for its new events are written in one transaction, guarded by the revision the cycle read, so a
 * cycle that crashed before its commit leaves no trace and a cycle racing another one cannot commit twice.
 *
 * @internal
 * @module
 */
import type { Kysely, Selectable, Updateable } from 'kysely';
import { newRunToRow, toJson, toTime } from './codec.js';
import type { Database, TriggerStatesTable } from './database.js';
import type { TriggerCommit, TriggerStateRow } from './service-store.js';

type Db = Kysely<Database>;

function rowToTriggerState(row: Selectable<TriggerStatesTable>): TriggerStateRow {
  return {
    workflow_uid: row.workflow_uid,
    workspace_id: row.workspace_id,
    kind: row.kind as TriggerStateRow['kind'],
    enabled: row.enabled === 1,
    state: row.state === null ? null : JSON.parse(row.state),
    revision: row.revision,
    next_at: row.next_at,
    last_polled_at: row.last_polled_at,
    last_error: row.last_error,
    events_seen: row.events_seen,
    updated_at: row.updated_at,
  };
}

export async function getTriggerState(db: Db, workflowUid: string): Promise<TriggerStateRow | undefined> {
  const row = await db
    .selectFrom('trigger_states')
    .selectAll()
    .where('workflow_uid', '=', workflowUid)
    .executeTakeFirst();
  return row === undefined ? undefined : rowToTriggerState(row);
}

export async function listTriggerStates(db: Db, workspaceId?: string): Promise<TriggerStateRow[]> {
  let query = db.selectFrom('trigger_states').selectAll();
  if (workspaceId !== undefined) query = query.where('workspace_id', '=', workspaceId);
  const rows = await query.orderBy('workflow_uid').execute();
  return rows.map(rowToTriggerState);
}

export async function putTriggerState(
  db: Db,
  row: Pick<TriggerStateRow, 'workflow_uid' | 'workspace_id' | 'kind' | 'enabled' | 'next_at' | 'updated_at'>,
  resetState: boolean,
): Promise<TriggerStateRow> {
  const values = {
    workflow_uid: row.workflow_uid,
    workspace_id: row.workspace_id,
    kind: row.kind,
    enabled: row.enabled ? 1 : 0,
    next_at: toTime(row.next_at, 'trigger_states.next_at'),
    updated_at: toTime(row.updated_at, 'trigger_states.updated_at') as string,
    state: null,
  };
  const written = await db
    .insertInto('trigger_states')
    .values(values)
    .onConflict((oc) =>
      oc.column('workflow_uid').doUpdateSet((eb) => ({
        workspace_id: eb.ref('excluded.workspace_id'),
        kind: eb.ref('excluded.kind'),
        enabled: eb.ref('excluded.enabled'),
        next_at: eb.ref('excluded.next_at'),
        updated_at: eb.ref('excluded.updated_at'),
        // Any cycle still in flight read the old revision: it cannot commit over the new configuration.
        revision: eb(eb.ref('trigger_states.revision'), '+', 1),
        ...(resetState ? { state: null, last_error: null } : {}),
      })),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
  return rowToTriggerState(written);
}

export async function deleteTriggerState(db: Db, workflowUid: string): Promise<void> {
  await db.deleteFrom('trigger_states').where('workflow_uid', '=', workflowUid).execute();
}

export async function commitTrigger(db: Db, commit: TriggerCommit): Promise<boolean> {
  const { patch } = commit;
  const set: Updateable<TriggerStatesTable> = {
    updated_at: toTime(commit.at, 'trigger_states.updated_at') as string,
  };
  if ('state' in patch) set.state = toJson(patch.state ?? null, 'trigger_states.state');
  if ('next_at' in patch) set.next_at = toTime(patch.next_at, 'trigger_states.next_at');
  if ('last_polled_at' in patch)
    set.last_polled_at = toTime(patch.last_polled_at, 'trigger_states.last_polled_at');
  if ('last_error' in patch) set.last_error = patch.last_error ?? null;
  const rows = commit.runs.map(({ run, caller }) => {
    const { key_id: _key, ...user } = caller;
    return { ...newRunToRow(run), started_by: toJson(user, 'runs.started_by') };
  });
  return db.transaction().execute(async (trx) => {
    const updated = await trx
      .updateTable('trigger_states')
      .set((eb) => ({
        ...set,
        revision: eb(eb.ref('revision'), '+', 1),
        events_seen: eb(eb.ref('events_seen'), '+', rows.length),
      }))
      .where('workflow_uid', '=', commit.workflow_uid)
      .$if(commit.expectedRevision !== undefined, (q) =>
        q.where('revision', '=', commit.expectedRevision as number),
      )
      .executeTakeFirst();
    if (updated.numUpdatedRows === 0n) return false;
    // Inserted in chunks: SQLite caps the bound parameters of one statement.
    for (let i = 0; i < rows.length; i += 50) {
      await trx
        .insertInto('runs')
        .values(rows.slice(i, i + 50))
        .execute();
    }
    return true;
  });
}
