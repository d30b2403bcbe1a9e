/**
 * The {@link ServiceRunStore} over Kysely. The hot writes (`createRun`, `saveStep`, `saveStepItem`) are
 * built once and reuse their compiled SQL (`compiled-write.ts`). Claims are one conditional statement
 * each, so two processes racing for a run cannot both win, on SQLite (one writer at a time) and on
 * PostgreSQL (row locks of the `UPDATE`). Times are canonical ISO text, which sorts as it compares.
 *
 * @internal
 * @module
 */
import type { ExpressionBuilder, Kysely } from 'kysely';
import type { ApiCaller } from '../api-keys/api-key-store.js';
import { StoreValueError, toJson, toTime } from '../codec.js';
import { CompiledWrite } from '../compiled-write.js';
import type {
  Database,
  RunDocumentsTable,
  RunStepItemsTable,
  RunStepsTable,
  RunsTable,
} from '../database.js';
import { sql } from '../kysely-runtime.js';
import type { QueryContext } from '../query-context.js';
import { QueryShapes } from '../query-shapes.js';
import type { SqlStatement } from '../sync-sql.js';
import {
  DOCUMENTS_IN_FILE,
  documentsLength,
  documentsRow,
  itemToRow,
  joinDocuments,
  type NewRunDocuments,
  type NewRunRows,
  newRunToRow,
  rowToItem,
  rowToRun,
  rowToStep,
  runPatchToColumns,
  splitDocuments,
  stepToRow,
} from './run-codec.js';
import type { RunDocumentFile } from './run-document-file.js';
import type {
  LastRun,
  ListItemsOptions,
  ListRunsQuery,
  NewRun,
  PruneExchangesQuery,
  RunLeaseCount,
  RunPatch,
  RunRow,
  RunStatus,
  ServiceRunStore,
  StepItemRow,
  StepRow,
} from './run-store.js';
import { withStepCalls } from './step-calls.js';

/** Resolves nothing: what a write's caller gets back when it does not count the rows changed. */
function nothing(): void {}

/** Every run status, each counted even when no run has it. */
const RUN_STATUSES: readonly RunStatus[] = ['pending', 'running', 'succeeded', 'failed', 'cancelled'];

/** Ids or uids per statement: SQLite caps the bound parameters of one statement. */
const CHUNK = 500;

/** What a saved step replaces in an existing step row: everything but the key. */
const STEP_COLUMNS = [
  'name',
  'status',
  'fanned_out',
  'input',
  'output',
  'error',
  'attempts',
  'started_at',
  'finished_at',
  'sealed_output',
  'history',
  'idempotency_key',
  'exchanges',
] as const;

/** What a saved item replaces in an existing item row: everything but the key. */
const ITEM_COLUMNS = [
  'status',
  'input',
  'output',
  'error',
  'attempts',
  'history',
  'idempotency_key',
  'started_at',
  'finished_at',
  'sealed_output',
  'exchanges',
] as const;

/** The columns of a step row a read takes unless asked for exchanges: all but `exchanges` (migration 0007). */
const STEP_READ = ['run_id', 'step_index', ...STEP_COLUMNS.filter((c) => c !== 'exchanges')] as const;

/** The same for item rows. */
const ITEM_READ = [
  'run_id',
  'step_index',
  'item_index',
  ...ITEM_COLUMNS.filter((c) => c !== 'exchanges'),
] as const;

function time(value: string, column: string): string {
  return toTime(value, column) as string;
}

function callerOf(startedBy: string | null | undefined): ApiCaller | undefined {
  return startedBy == null ? undefined : (JSON.parse(startedBy) as ApiCaller);
}

/**
 * The condition of a run that may be claimed at `at`: unfinished, not in a stored wait past `at`, and
 * its lease free or expired (or `owner`'s, for a renewal). `claimRun` and `listClaimableRuns` share it,
 * so the sweeper lists exactly the runs a claim can take.
 */
function claimable(at: string, owner?: string) {
  return (eb: ExpressionBuilder<Database, 'runs'>) =>
    eb.and([
      eb('status', 'in', ['pending', 'running']),
      eb.or([eb('resume_at', 'is', null), eb('resume_at', '<=', at)]),
      eb.or([
        eb('lease_owner', 'is', null),
        eb('lease_expires_at', 'is', null),
        eb('lease_expires_at', '<=', at),
        ...(owner === undefined ? [] : [eb('lease_owner', '=', owner)]),
      ]),
    ]);
}

/** Those of `ids` (a few) that are ids of stored runs. */
export async function runsThatExist(db: Kysely<Database>, ids: string[]): Promise<ReadonlySet<string>> {
  const rows = await db.selectFrom('runs').select('id').where('id', 'in', ids).execute();
  return new Set(rows.map((row) => row.id));
}

/** The document file of a store and the length of JSON above which a run's documents go there. */
export interface DocumentFileUse {
  readonly file: RunDocumentFile;
  readonly minLength: number;
}

/** The runs of one store. */
export class RunQueries implements ServiceRunStore {
  readonly #q: QueryContext;
  readonly #documents: DocumentFileUse | undefined;
  readonly #insertRun: CompiledWrite<RunsTable>;
  readonly #insertServiceRun: CompiledWrite<RunsTable>;
  readonly #upsertStep: CompiledWrite<RunStepsTable>;
  readonly #upsertItem: CompiledWrite<RunStepItemsTable>;
  readonly #shapes = new QueryShapes();

  /** `documents`: where large documents go, if the store has a document file (`run-document-file.ts`). */
  constructor(context: QueryContext, documents?: DocumentFileUse) {
    this.#q = context;
    this.#documents = documents;
    const { db, dialect } = context;
    this.#insertRun = new CompiledWrite((row) => db.insertInto('runs').values(row));
    this.#insertServiceRun = new CompiledWrite((row) => db.insertInto('runs').values(row));
    this.#upsertStep = new CompiledWrite((row) =>
      dialect.upsert(db, 'run_steps', row, { key: ['run_id', 'step_index'], replace: STEP_COLUMNS }),
    );
    this.#upsertItem = new CompiledWrite((row) =>
      dialect.upsert(db, 'run_step_items', row, {
        key: ['run_id', 'step_index', 'item_index'],
        replace: ITEM_COLUMNS,
      }),
    );
  }

  createRun(run: NewRun): Promise<void> {
    return this.#create(`runs.createRun(${run.id})`, this.#insertRun, () => splitDocuments(newRunToRow(run)));
  }

  /**
   * Inserts a run's rows: one statement, or two in one transaction when its documents are apart in
   * `run_documents`. Documents for the document file are committed there first, then the run row: a
   * crash in between leaves a document without a run (removed when a store opens), never a run
   * without its document; when the run row fails, its document is deleted again.
   */
  #create(operation: string, insert: CompiledWrite<RunsTable>, make: () => NewRunRows): Promise<void> {
    let rows: NewRunRows;
    try {
      rows = make();
    } catch (err) {
      // A value the store cannot hold fails as the call, as a failed statement would.
      return this.#q.run(operation, () => Promise.reject(err));
    }
    const { run, documents } = rows;
    if (documents === undefined) return this.#write(operation, () => [insert.statement(run)]).then(nothing);
    const use = this.#documents;
    if (use !== undefined && documentsLength(documents) > use.minLength) {
      return this.#q.run(operation, () => this.#createWithFile(operation, use.file, insert, run, documents));
    }
    const document = this.#q.db.insertInto('run_documents').values(documentsRow(documents)).compile();
    return this.#write(operation, () => [insert.statement(run), document]).then(nothing);
  }

  /**
   * {@link QueryContext.write} of the statements `make` builds; a value the store cannot hold (`make`
   * throws) fails as the call, as a failed statement would.
   */
  #write(operation: string, make: () => readonly SqlStatement[]): Promise<number[]> {
    let statements: readonly SqlStatement[];
    try {
      statements = make();
    } catch (err) {
      return this.#q.run(operation, () => Promise.reject(err));
    }
    return this.#q.write(operation, statements);
  }

  async #createWithFile(
    operation: string,
    file: RunDocumentFile,
    insert: CompiledWrite<RunsTable>,
    run: RunsTable,
    documents: NewRunDocuments,
  ): Promise<void> {
    const stored = await file.putForNewRuns([documents], (ids) => runsThatExist(this.#q.db, ids));
    try {
      await this.#write(operation, () => [insert.statement({ ...run, documents_apart: DOCUMENTS_IN_FILE })]);
    } catch (err) {
      file.deleteUncommitted(stored);
      throw err;
    }
  }

  /** `rows` with the documents of those kept apart read back into them (one read for them all). */
  async #withDocuments(db: Kysely<Database>, rows: RunsTable[]): Promise<RunsTable[]> {
    const apart = rows.filter((row) => row.documents_apart === 1).map((row) => row.id);
    const inFile = rows.filter((row) => row.documents_apart === DOCUMENTS_IN_FILE).map((row) => row.id);
    if (apart.length === 0 && inFile.length === 0) return rows;
    const documents = this.#documents?.file.get(inFile) ?? new Map<string, RunDocumentsTable>();
    for (let i = 0; i < apart.length; i += CHUNK) {
      const found = await db
        .selectFrom('run_documents')
        .selectAll()
        .where('run_id', 'in', apart.slice(i, i + CHUNK))
        .execute();
      for (const row of found) documents.set(row.run_id, row);
    }
    return rows.map((row) => joinDocuments(row, documents.get(row.id)));
  }

  async updateRun(id: string, patch: RunPatch): Promise<void> {
    const operation = `runs.updateRun(${id})`;
    // A run that ended keeps its end: only a retry (back to `pending`) moves it again. So a run
    // cancelled through one process is not overwritten by the execution another process finishes.
    const guarded = patch.status !== undefined && patch.status !== 'pending';
    let columnCount = 0;
    const [changed] = await this.#write(operation, () => {
      const columns = runPatchToColumns(patch);
      columnCount = Object.keys(columns).length;
      if (columnCount === 0) return [];
      const unfinished = ['pending', 'running'] as const;
      const parameters = [...Object.values(columns), id, ...(guarded ? unfinished : [])];
      const shape = `updateRun:${guarded}:${Object.keys(columns).join()}`;
      return [
        this.#shapes.statement(shape, parameters, () => {
          const set = this.#q.db.updateTable('runs').set(columns).where('id', '=', id);
          return guarded ? set.where('status', 'in', unfinished) : set;
        }),
      ];
    });
    if (changed !== undefined && changed !== 0) return;
    // Nothing changed: fine for a run that ended (the guard), an error for a run that is not there.
    await this.#q.run(operation, async (db) => {
      const exists = await db.selectFrom('runs').select('id').where('id', '=', id).executeTakeFirst();
      if (exists === undefined || (columnCount > 0 && !guarded)) {
        throw new StoreValueError(`run ${id} does not exist`);
      }
    });
  }

  getRun(id: string): Promise<RunRow | undefined> {
    return this.#q.run(`runs.getRun(${id})`, async (db) => {
      const { rows } = await this.#shapes.execute(db, 'getRun', [id], () =>
        db.selectFrom('runs').selectAll().where('id', '=', id),
      );
      const [row] = await this.#withDocuments(db, rows);
      return row === undefined ? undefined : rowToRun(row);
    });
  }

  saveStep(step: StepRow): Promise<void> {
    return this.#write(`runs.saveStep(${step.run_id}, ${step.step_index})`, () => [
      this.#upsertStep.statement(stepToRow(step)),
    ]).then(nothing);
  }

  saveStepItem(item: StepItemRow): Promise<void> {
    return this.#write(`runs.saveStepItem(${item.run_id}, ${item.step_index}, ${item.item_index})`, () => [
      this.#upsertItem.statement(itemToRow(item)),
    ]).then(nothing);
  }

  listSteps(runId: string): Promise<StepRow[]> {
    return this.#q.run(`runs.listSteps(${runId})`, async (db) => {
      const { rows } = await this.#shapes.execute(db, 'listSteps', [runId], () =>
        db.selectFrom('run_steps').select(STEP_READ).where('run_id', '=', runId).orderBy('step_index'),
      );
      return rows.map(rowToStep);
    });
  }

  listStepItems(runId: string, options: ListItemsOptions = {}): Promise<StepItemRow[]> {
    const exchanges = options.exchanges === true;
    return this.#q.run(`runs.listStepItems(${runId})`, async (db) => {
      const rows = await db
        .selectFrom('run_step_items')
        .select(exchanges ? [...ITEM_READ, 'exchanges'] : ITEM_READ)
        .where('run_id', '=', runId)
        .orderBy('step_index')
        .orderBy('item_index')
        .execute();
      // The calls of steps that did not fan out are in their step rows (migration 0005).
      const calls = await db
        .selectFrom('run_steps')
        .select(exchanges ? [...STEP_READ, 'exchanges'] : STEP_READ)
        .where('run_id', '=', runId)
        .where('idempotency_key', 'is not', null)
        .where('fanned_out', '=', 0)
        .orderBy('step_index')
        .execute();
      return withStepCalls(calls.map(rowToStep), rows.map(rowToItem));
    });
  }

  createServiceRun(run: NewRun, caller: ApiCaller): Promise<void> {
    const { key_id: _key, ...user } = caller;
    return this.#create(`runs.createServiceRun(${run.id})`, this.#insertServiceRun, () =>
      splitDocuments(newRunToRow(run, toJson(user, 'runs.started_by'))),
    );
  }

  getRunCaller(id: string): Promise<ApiCaller | undefined> {
    return this.#q.run(`runs.getRunCaller(${id})`, async (db) => {
      const row = await db.selectFrom('runs').select('started_by').where('id', '=', id).executeTakeFirst();
      return callerOf(row?.started_by);
    });
  }

  getRunAndCaller(id: string): Promise<{ run: RunRow; caller: ApiCaller | undefined } | undefined> {
    return this.#q.run(`runs.getRunAndCaller(${id})`, async (db) => {
      const [row] = await this.#withDocuments(
        db,
        await db.selectFrom('runs').selectAll().where('id', '=', id).execute(),
      );
      return row === undefined ? undefined : { run: rowToRun(row), caller: callerOf(row.started_by) };
    });
  }

  getRunStatuses(ids: readonly string[]): Promise<Map<string, RunStatus>> {
    return this.#q.run('runs.getRunStatuses', async (db) => {
      const statuses = new Map<string, RunStatus>();
      for (let i = 0; i < ids.length; i += CHUNK) {
        const rows = await db
          .selectFrom('runs')
          .select(['id', 'status'])
          .where('id', 'in', ids.slice(i, i + CHUNK))
          .execute();
        for (const row of rows) statuses.set(row.id, row.status);
      }
      return statuses;
    });
  }

  listRuns(query: ListRunsQuery): Promise<RunRow[]> {
    return this.#q.run('runs.listRuns', async (db) => {
      let select = db.selectFrom('runs').selectAll().where('workspace_id', '=', query.workspace_id);
      if (query.workflow_uid !== undefined) select = select.where('workflow_uid', '=', query.workflow_uid);
      if (query.status !== undefined) select = select.where('status', '=', query.status);
      if (query.parent_run_id !== undefined) select = select.where('parent_run_id', '=', query.parent_run_id);
      if (query.id !== undefined) select = select.where('id', '=', query.id);
      if (query.origin !== undefined) select = select.where('origin', '=', query.origin);
      if (query.since !== undefined) select = select.where('created_at', '>=', query.since);
      if (query.until !== undefined) select = select.where('created_at', '<', query.until);
      const after = query.after;
      if (after !== undefined) {
        select = select.where((eb) =>
          eb.or([
            eb('created_at', '<', after.created_at),
            eb.and([eb('created_at', '=', after.created_at), eb('id', '<', after.id)]),
          ]),
        );
      }
      const rows = await select
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(query.limit)
        .execute();
      return (await this.#withDocuments(db, rows)).map(rowToRun);
    });
  }

  listUnfinishedRuns(): Promise<RunRow[]> {
    return this.#q.run('runs.listUnfinishedRuns', async (db) => {
      const rows = await db
        .selectFrom('runs')
        .selectAll()
        .where('status', 'in', ['pending', 'running'])
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return (await this.#withDocuments(db, rows)).map(rowToRun);
    });
  }

  /**
   * One backward index scan per uid (`runs_workspace_workflow_created`), stopping at the first run,
   * rather than a window over every run of the workflows: a list page stays cheap however many runs
   * they have.
   */
  lastRuns(workspaceId: string, uids: readonly string[]): Promise<Map<string, LastRun>> {
    const { dialect } = this.#q;
    return this.#q.run(`runs.lastRuns(${workspaceId})`, async (db) => {
      const runs = new Map<string, LastRun>();
      const unique = [...new Set(uids)];
      for (let i = 0; i < unique.length; i += CHUNK) {
        const wanted = dialect.valueList(unique.slice(i, i + CHUNK), 'u');
        const newest = sql<string>`(select (select x.id from runs x
            where x.workspace_id = ${workspaceId} and x.workflow_uid = ${wanted.column}
            order by x.created_at desc, x.id desc limit 1)
          from ${wanted.table})`;
        const rows = await db
          .selectFrom('runs')
          .select(['id', 'workflow_uid', 'status', 'created_at', 'finished_at'])
          .where('id', 'in', newest)
          .execute();
        for (const { workflow_uid, ...run } of rows) if (workflow_uid !== null) runs.set(workflow_uid, run);
      }
      return runs;
    });
  }

  countRunsByStatus(): Promise<Record<RunStatus, number>> {
    return this.#q.run('runs.countRunsByStatus', async (db) => {
      const rows = await db
        .selectFrom('runs')
        .select((eb) => ['status', eb.fn.countAll<number | string | bigint>().as('count')])
        .groupBy('status')
        .execute();
      const counts = Object.fromEntries(RUN_STATUSES.map((status) => [status, 0])) as Record<
        RunStatus,
        number
      >;
      for (const row of rows) counts[row.status] = this.#q.dialect.readCount(row.count);
      return counts;
    });
  }

  deleteRun(id: string): Promise<boolean> {
    return this.#q.run(`runs.deleteRun(${id})`, async (db) => {
      const result = await db.deleteFrom('runs').where('id', '=', id).executeTakeFirst();
      // After the run row: a crash in between leaves a document without a run, removed at the next open.
      this.#documents?.file.delete([id]);
      return result.numDeletedRows > 0n;
    });
  }

  /**
   * Deletes the documents of the document file stored before `beforeMs` (epoch ms) whose run does not
   * exist (a crash between storing a document and committing its run, or between deleting a run and
   * its document); resolves how many it deleted. The store calls it when it opens.
   */
  sweepDocuments(beforeMs: number): Promise<number> {
    const use = this.#documents;
    if (use === undefined) return Promise.resolve(0);
    return this.#q.run('runs.sweepDocuments', async (db) => {
      const candidates = use.file.storedBefore(new Date(beforeMs).toISOString());
      let deleted = 0;
      for (let i = 0; i < candidates.length; i += CHUNK) {
        const chunk = candidates.slice(i, i + CHUNK);
        const found = await db.selectFrom('runs').select('id').where('id', 'in', chunk).execute();
        const existing = new Set(found.map((row) => row.id));
        deleted += use.file.delete(chunk.filter((id) => !existing.has(id)));
      }
      return deleted;
    });
  }

  pruneExchanges(query: PruneExchangesQuery): Promise<number> {
    const where = query.workspace_id ?? 'workspaces without settings';
    return this.#q.run(`runs.pruneExchanges(${where})`, async (db) => {
      const before = time(query.before, 'before');
      const workspace = query.workspace_id;
      // The rows still holding exchanges, oldest first (`run_steps_exchanges_started`, partial), each
      // checked against its run's workspace: a pass reads only what is left to clear, not every old run.
      const ofWorkspace =
        (table: 'run_steps' | 'run_step_items') => (eb: ExpressionBuilder<Database, typeof table>) =>
          eb.exists(
            eb
              .selectFrom('runs')
              .select('runs.id')
              .whereRef('runs.id', '=', `${table}.run_id`)
              .where((inner) =>
                workspace === null
                  ? inner.or([
                      inner('runs.workspace_id', 'is', null),
                      inner(
                        'runs.workspace_id',
                        'not in',
                        inner.selectFrom('workspace_settings').select('workspace_settings.workspace_id'),
                      ),
                    ])
                  : inner('runs.workspace_id', '=', workspace),
              ),
          );
      let cleared = 0n;
      for (const table of ['run_steps', 'run_step_items'] as const) {
        const result = await db
          .updateTable(table)
          .set({ exchanges: null })
          .where('exchanges', 'is not', null)
          .where('started_at', '<', before)
          .where(ofWorkspace(table))
          .executeTakeFirst();
        cleared += result.numUpdatedRows;
      }
      return Number(cleared);
    });
  }

  claimRun(id: string, owner: string, until: string, now: string): Promise<boolean> {
    return this.#q.run(`runs.claimRun(${id})`, async (db) => {
      const at = time(now, 'now');
      const result = await db
        .updateTable('runs')
        .set({ lease_owner: owner, lease_expires_at: time(until, 'runs.lease_expires_at') })
        .where('id', '=', id)
        .where(claimable(at, owner))
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    });
  }

  listClaimableRuns(now: string, limit: number): Promise<RunRow[]> {
    return this.#q.run('runs.listClaimableRuns', async (db) => {
      const rows = await db
        .selectFrom('runs')
        .selectAll()
        .where(claimable(time(now, 'now')))
        .orderBy('created_at')
        .orderBy('id')
        .limit(limit)
        .execute();
      return (await this.#withDocuments(db, rows)).map(rowToRun);
    });
  }

  releaseRunLease(id: string, owner: string): Promise<boolean> {
    return this.#q.run(`runs.releaseRunLease(${id})`, async (db) => {
      const result = await db
        .updateTable('runs')
        .set({ lease_owner: null, lease_expires_at: null })
        .where('id', '=', id)
        .where('lease_owner', '=', owner)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    });
  }

  countRunLeases(now: string): Promise<RunLeaseCount[]> {
    const { dialect } = this.#q;
    return this.#q.run('runs.countRunLeases', async (db) => {
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
      return rows.map((row) => ({
        owner: row.lease_owner as string,
        runs: dialect.readCount(row.runs),
        expired: dialect.readCount(row.expired),
      }));
    });
  }
}
