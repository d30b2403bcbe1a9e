/**
 * The {@link TriggerStore} over Kysely. {@link TriggerQueries.commit} is the heart of "a crash neither
 * loses nor duplicates an event" (DESIGN §4, Triggers): the poller's new state (cursor and dedup ledger)
 * and the runs for its new events are written in one transaction, guarded by the revision the cycle
 * read, so a cycle that crashed before its commit leaves no trace and a cycle racing another one cannot
 * commit twice.
 *
 * The large documents of those runs go to the store's document file, if it has one, as an API run's do
 * (`run-queries.ts`): committed there before the transaction, and deleted again when it does not commit,
 * so a crash between the two leaves a document without a run, never a run without its document.
 *
 * @internal
 * @module
 */
import type { Kysely, Selectable, Updateable } from 'kysely';
import { toJson, toTime } from '../codec.js';
import type { Database, RunDocumentsTable, RunsTable, TriggerStatesTable } from '../database.js';
import type { QueryContext } from '../query-context.js';
import {
  DOCUMENTS_IN_FILE,
  documentsLength,
  documentsRow,
  type NewRunDocuments,
  newRunToRow,
  splitDocuments,
} from '../runs/run-codec.js';
import { type DocumentFileUse, runsThatExist } from '../runs/run-queries.js';
import type { TriggerCommit, TriggerStateRow, TriggerStore } from './trigger-store.js';

/** Runs inserted per statement: SQLite caps the bound parameters of one statement. */
const RUNS_CHUNK = 50;

function rowToTriggerState(row: Selectable<TriggerStatesTable>): TriggerStateRow {
  return {
    workflow_uid: row.workflow_uid,
    workspace_id: row.workspace_id,
    kind: row.kind,
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

/** The trigger states of one store. */
export class TriggerQueries implements TriggerStore {
  readonly #q: QueryContext;
  readonly #documents: DocumentFileUse | undefined;

  /** `documents`: where large documents go, if the store has a document file (`run-document-file.ts`). */
  constructor(context: QueryContext, documents?: DocumentFileUse) {
    this.#q = context;
    this.#documents = documents;
  }

  get(workflowUid: string): Promise<TriggerStateRow | undefined> {
    return this.#q.run(`triggers.get(${workflowUid})`, async (db) => {
      const row = await db
        .selectFrom('trigger_states')
        .selectAll()
        .where('workflow_uid', '=', workflowUid)
        .executeTakeFirst();
      return row === undefined ? undefined : rowToTriggerState(row);
    });
  }

  list(workspaceId?: string): Promise<TriggerStateRow[]> {
    return this.#q.run('triggers.list', async (db) => {
      let query = db.selectFrom('trigger_states').selectAll();
      if (workspaceId !== undefined) query = query.where('workspace_id', '=', workspaceId);
      const rows = await query.orderBy('workflow_uid').execute();
      return rows.map(rowToTriggerState);
    });
  }

  /**
   * Served by `trigger_states_next_at`. Only enabled triggers of pulled kinds have a `next_at`: pushed
   * kinds (webhooks) are never due.
   */
  listDue(now: string, limit?: number): Promise<TriggerStateRow[]> {
    return this.#q.run('triggers.listDue', async (db) => {
      let query = db
        .selectFrom('trigger_states')
        .selectAll()
        .where('next_at', '<=', toTime(now, 'now') as string)
        .where('enabled', '=', 1)
        .orderBy('workflow_uid');
      if (limit !== undefined) query = query.limit(limit);
      const rows = await query.execute();
      return rows.map(rowToTriggerState);
    });
  }

  put(
    row: Pick<
      TriggerStateRow,
      'workflow_uid' | 'workspace_id' | 'kind' | 'enabled' | 'next_at' | 'updated_at'
    >,
    resetState: boolean,
  ): Promise<TriggerStateRow> {
    return this.#q.run(`triggers.put(${row.workflow_uid})`, async (db) => {
      const values = {
        workflow_uid: row.workflow_uid,
        workspace_id: row.workspace_id,
        kind: row.kind,
        enabled: row.enabled ? 1 : 0,
        next_at: toTime(row.next_at, 'trigger_states.next_at'),
        updated_at: toTime(row.updated_at, 'trigger_states.updated_at') as string,
        state: null,
      };
      const written = await this.#q.dialect
        .upsert(db, 'trigger_states', values, {
          key: ['workflow_uid'],
          replace: ['workspace_id', 'kind', 'enabled', 'next_at', 'updated_at'],
          set: ({ eb, existing }) => ({
            // Any cycle still in flight read the old revision: it cannot commit over the new configuration.
            revision: eb(existing('revision'), '+', 1),
            ...(resetState ? { state: eb.val(null), last_error: eb.val(null) } : {}),
          }),
        })
        .executeReturningRow();
      if (written === undefined) throw new Error(`trigger_states row ${row.workflow_uid} was not written`);
      return rowToTriggerState(written);
    });
  }

  delete(workflowUid: string): Promise<void> {
    return this.#q.run(`triggers.delete(${workflowUid})`, async (db) => {
      await db.deleteFrom('trigger_states').where('workflow_uid', '=', workflowUid).execute();
    });
  }

  commit(commit: TriggerCommit): Promise<boolean> {
    return this.#q.run(`triggers.commit(${commit.workflow_uid})`, async (db) => {
      const { patch } = commit;
      const set: Updateable<TriggerStatesTable> = {
        updated_at: toTime(commit.at, 'trigger_states.updated_at') as string,
      };
      if ('state' in patch) set.state = toJson(patch.state ?? null, 'trigger_states.state');
      if ('next_at' in patch) set.next_at = toTime(patch.next_at, 'trigger_states.next_at');
      if ('last_polled_at' in patch)
        set.last_polled_at = toTime(patch.last_polled_at, 'trigger_states.last_polled_at');
      if ('last_error' in patch) set.last_error = patch.last_error ?? null;
      const split = commit.runs.map(({ run, caller }) => {
        const { key_id: _key, ...user } = caller;
        return splitDocuments({ ...newRunToRow(run), started_by: toJson(user, 'runs.started_by') });
      });
      const { rows, documents, inFile } = this.#placeDocuments(split);
      const stored =
        inFile.length === 0 || this.#documents === undefined
          ? []
          : await this.#documents.file.putForNewRuns(inFile, (ids) => runsThatExist(db, ids));
      let committed = false;
      try {
        committed = await this.#commitRows(db, commit, set, rows, documents);
        return committed;
      } finally {
        // A lost race or a failed transaction committed no run: their documents go again.
        if (!committed && stored.length > 0) this.#documents?.file.deleteUncommitted(stored);
      }
    });
  }

  /**
   * The run rows to insert, the documents rows that go with them into `run_documents`, and those that go
   * to the document file first (their run rows then say so).
   */
  #placeDocuments(split: readonly { run: RunsTable; documents: NewRunDocuments | undefined }[]) {
    const use = this.#documents;
    const rows: RunsTable[] = [];
    const documents: RunDocumentsTable[] = [];
    const inFile: NewRunDocuments[] = [];
    for (const { run, documents: apart } of split) {
      if (apart === undefined) rows.push(run);
      else if (use !== undefined && documentsLength(apart) > use.minLength) {
        rows.push({ ...run, documents_apart: DOCUMENTS_IN_FILE });
        inFile.push(apart);
      } else {
        rows.push(run);
        documents.push(documentsRow(apart));
      }
    }
    return { rows, documents, inFile };
  }

  /** The transaction of {@link commit}: the guarded state update, then the runs; `false` when the guard failed. */
  #commitRows(
    db: Kysely<Database>,
    commit: TriggerCommit,
    set: Updateable<TriggerStatesTable>,
    rows: readonly RunsTable[],
    documents: readonly RunDocumentsTable[],
  ): Promise<boolean> {
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
      for (let i = 0; i < rows.length; i += RUNS_CHUNK) {
        await trx
          .insertInto('runs')
          .values(rows.slice(i, i + RUNS_CHUNK))
          .execute();
      }
      // The large inputs a poll can bring are kept apart from their run rows (migration 0005).
      for (const row of documents) await trx.insertInto('run_documents').values(row).execute();
      return true;
    });
  }
}
