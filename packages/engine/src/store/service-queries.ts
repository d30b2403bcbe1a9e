/**
 * The queries behind {@link ServiceStore} (workflows, API keys, run listings), one function per method,
 * over either dialect. `kysely-store.ts` calls them inside its error wrapper.
 *
 * @internal
 * @module
 */
import type { Kysely, Selectable } from 'kysely';
import { EngineError } from '../errors.js';
import type { Workflow, WorkflowScope } from '../workflow/model.js';
import { newRunToRow, rowToRun, toJson, toTime } from './codec.js';
import type { ApiKeysTable, Database, WorkflowsTable } from './database.js';
import { sql } from './kysely-runtime.js';
import type {
  ApiCaller,
  ApiKeyRow,
  ApiRole,
  LastRun,
  ListRunsQuery,
  ListWorkflowsPage,
  PublishWorkflow,
  StoredWorkflow,
} from './service-store.js';
import type { NewRun, RunRow, RunStatus } from './store.js';

type Db = Kysely<Database>;

function rowToWorkflow(row: Selectable<WorkflowsTable>): StoredWorkflow {
  return {
    uid: row.uid,
    version: row.version,
    workspace_id: row.workspace_id,
    scope: row.scope as WorkflowScope,
    user_id: row.user_id,
    name: row.name,
    document: JSON.parse(row.document) as Workflow,
    created: row.created,
    updated: row.updated,
    deleted: row.deleted === 1,
  };
}

function conflict(message: string): EngineError {
  return new EngineError('SLUICE_WORKFLOW_CONFLICT', message, {
    hint: 'GET the workflow for its latest version, then publish on top of it (If-Match or "version")',
  });
}

/** Publishes the next version in one transaction; a lost race on the primary key is a conflict. */
export async function publishWorkflow(db: Db, publish: PublishWorkflow): Promise<StoredWorkflow> {
  const at = toTime(publish.at, 'workflows.updated') as string;
  try {
    return await db.transaction().execute(async (trx) => {
      const latest = await trx
        .selectFrom('workflows')
        .select(['version', 'created', 'deleted'])
        .where('uid', '=', publish.uid)
        .orderBy('version', 'desc')
        .limit(1)
        .executeTakeFirst();
      const current = latest?.version ?? 0;
      if (publish.expectedVersion === 0 && latest !== undefined) {
        throw conflict(`workflow ${publish.uid} already exists`);
      }
      if (publish.expectedVersion !== undefined && publish.expectedVersion !== current) {
        throw conflict(`workflow ${publish.uid} is at version ${current}, not ${publish.expectedVersion}`);
      }
      const row: Selectable<WorkflowsTable> = {
        uid: publish.uid,
        version: current + 1,
        workspace_id: publish.workspace_id,
        scope: publish.document.scope,
        user_id: publish.user_id,
        name: publish.document.name,
        document: toJson(publish.document, 'workflows.document') ?? 'null',
        created: latest?.created ?? at,
        updated: at,
        deleted: 0,
      };
      await trx.insertInto('workflows').values(row).execute();
      return rowToWorkflow(row);
    });
  } catch (err) {
    if (/UNIQUE|duplicate key|PRIMARY KEY/i.test(String((err as Error).message))) {
      throw conflict(`workflow ${publish.uid}: another version was published at the same time`);
    }
    throw err;
  }
}

export async function getWorkflow(
  db: Db,
  uid: string,
  version?: number,
): Promise<StoredWorkflow | undefined> {
  let query = db.selectFrom('workflows').selectAll().where('uid', '=', uid);
  query =
    version === undefined ? query.orderBy('version', 'desc').limit(1) : query.where('version', '=', version);
  const row = await query.executeTakeFirst();
  return row === undefined ? undefined : rowToWorkflow(row);
}

export async function listWorkflows(
  db: Db,
  workspaceId: string,
  page?: ListWorkflowsPage,
): Promise<StoredWorkflow[]> {
  let select = db
    .selectFrom('workflows as w')
    .selectAll()
    .where('w.deleted', '=', 0)
    .where((eb) => eb.or([eb('w.workspace_id', '=', workspaceId), eb('w.scope', '=', 'global')]))
    .where('w.version', '=', sql<number>`(select max(l.version) from workflows l where l.uid = w.uid)`);
  const after = page?.after;
  if (after !== undefined) {
    select = select.where((eb) =>
      eb.or([
        eb('w.name', '>', after.name),
        eb.and([eb('w.name', '=', after.name), eb('w.uid', '>', after.uid)]),
      ]),
    );
  }
  let ordered = select.orderBy('w.name').orderBy('w.uid');
  if (page !== undefined) ordered = ordered.limit(page.limit);
  const rows = await ordered.execute();
  return rows.map(rowToWorkflow);
}

export async function listWorkflowVersions(db: Db, uid: string): Promise<StoredWorkflow[]> {
  const rows = await db
    .selectFrom('workflows')
    .selectAll()
    .where('uid', '=', uid)
    .orderBy('version', 'desc')
    .execute();
  return rows.map(rowToWorkflow);
}

/** Uids per statement of {@link lastRuns}: SQLite caps the bound parameters of one statement. */
const LAST_RUNS_CHUNK = 500;

/**
 * One backward index scan per uid (`runs_workflow_created`), stopping at the first run of the workspace,
 * rather than a window over every run of the workflows: a list page stays cheap however many runs they
 * have. `workspace_id || ''` keeps SQLite (which has no statistics here) off `runs_workspace_created`, where
 * a rarely run workflow would cost a scan of the whole workspace. `(values ...)` names its column
 * `column1` on both dialects.
 */
export async function lastRuns(
  db: Db,
  workspaceId: string,
  uids: readonly string[],
): Promise<Map<string, LastRun>> {
  const runs = new Map<string, LastRun>();
  const unique = [...new Set(uids)];
  for (let i = 0; i < unique.length; i += LAST_RUNS_CHUNK) {
    const wanted = sql.join(unique.slice(i, i + LAST_RUNS_CHUNK).map((uid) => sql`(${uid})`));
    const newest = sql<string>`(select (select x.id from runs x
        where x.workflow_uid = u.column1 and (x.workspace_id || '') = ${workspaceId}
        order by x.created_at desc, x.id desc limit 1)
      from (values ${wanted}) u)`;
    const rows = await db
      .selectFrom('runs')
      .select(['id', 'workflow_uid', 'status', 'created_at', 'finished_at'])
      .where('id', 'in', newest)
      .execute();
    for (const { workflow_uid, ...run } of rows) if (workflow_uid !== null) runs.set(workflow_uid, run);
  }
  return runs;
}

export async function deleteWorkflow(db: Db, uid: string, at: string): Promise<boolean> {
  const result = await db
    .updateTable('workflows')
    .set({ deleted: 1, updated: toTime(at, 'workflows.updated') as string })
    .where('uid', '=', uid)
    .where('deleted', '=', 0)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function createApiKey(db: Db, key: ApiKeyRow): Promise<void> {
  await db
    .insertInto('api_keys')
    .values({ ...key, created_at: toTime(key.created_at, 'api_keys.created_at') as string })
    .execute();
}

export async function findApiKey(db: Db, keyHash: string): Promise<ApiKeyRow | undefined> {
  const row: ApiKeysTable | undefined = await db
    .selectFrom('api_keys')
    .selectAll()
    .where('key_hash', '=', keyHash)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return row === undefined ? undefined : { ...row, role: row.role as ApiRole };
}

export async function createServiceRun(db: Db, run: NewRun, caller: ApiCaller): Promise<void> {
  const { key_id: _key, ...user } = caller;
  await db
    .insertInto('runs')
    .values({ ...newRunToRow(run), started_by: toJson(user, 'runs.started_by') })
    .execute();
}

export async function getRunCaller(db: Db, id: string): Promise<ApiCaller | undefined> {
  const row = await db.selectFrom('runs').select('started_by').where('id', '=', id).executeTakeFirst();
  return row?.started_by == null ? undefined : (JSON.parse(row.started_by) as ApiCaller);
}

export async function getRunStatuses(db: Db, ids: readonly string[]): Promise<Map<string, RunStatus>> {
  const statuses = new Map<string, RunStatus>();
  // In chunks: SQLite caps the bound parameters of one statement.
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await db
      .selectFrom('runs')
      .select(['id', 'status'])
      .where('id', 'in', ids.slice(i, i + 500))
      .execute();
    for (const row of rows) statuses.set(row.id, row.status);
  }
  return statuses;
}

export async function getRunAndCaller(
  db: Db,
  id: string,
): Promise<{ run: RunRow; caller: ApiCaller | undefined } | undefined> {
  const row = await db.selectFrom('runs').selectAll().where('id', '=', id).executeTakeFirst();
  if (row === undefined) return undefined;
  const caller = row.started_by == null ? undefined : (JSON.parse(row.started_by) as ApiCaller);
  return { run: rowToRun(row), caller };
}

export async function listRuns(db: Db, query: ListRunsQuery): Promise<RunRow[]> {
  let select = db.selectFrom('runs').selectAll().where('workspace_id', '=', query.workspace_id);
  if (query.workflow_uid !== undefined) select = select.where('workflow_uid', '=', query.workflow_uid);
  if (query.status !== undefined) select = select.where('status', '=', query.status);
  const after = query.after;
  if (after !== undefined) {
    select = select.where((eb) =>
      eb.or([
        eb('created_at', '<', after.created_at),
        eb.and([eb('created_at', '=', after.created_at), eb('id', '<', after.id)]),
      ]),
    );
  }
  const rows = await select.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(query.limit).execute();
  return rows.map(rowToRun);
}

export async function listUnfinishedRuns(db: Db): Promise<RunRow[]> {
  const rows = await db
    .selectFrom('runs')
    .selectAll()
    .where('status', 'in', ['pending', 'running'])
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map(rowToRun);
}
