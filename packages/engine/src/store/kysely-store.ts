/**
 * The {@link Store} over Kysely: SQLite (better-sqlite3, WAL) as the embedded default, PostgreSQL (pg)
 * when a `postgres://` URL is given. Both dialects share the schema (`migrations/0001-init.ts`), the
 * row codecs (`codec.ts`) and every query; see `docs/store.md`.
 *
 * @module
 */
import type { Kysely } from 'kysely';
import { EngineError } from '../errors.js';
import {
  itemToRow,
  newRunToRow,
  rowToItem,
  rowToRun,
  rowToStep,
  runPatchToColumns,
  StoreValueError,
  stepToRow,
} from './codec.js';
import { CompiledWrite } from './compiled-write.js';
import { type Connection, describe } from './connect.js';
import * as connections from './connection-queries.js';
import type { Database, RunStepItemsTable, RunStepsTable, RunsTable } from './database.js';
import * as leases from './lease-queries.js';
import { countRunsByStatus } from './metrics-queries.js';
import { type MigrationTarget, migrateToLatest } from './migrations/migrate.js';
import * as nodes from './node-queries.js';
import { type OpenStoreOptions, openConnection, STORE_DEFAULTS } from './open-connection.js';
import * as service from './service-queries.js';
import type {
  ApiCaller,
  ApiKeyRow,
  ConnectionRow,
  LastRun,
  LeaseRow,
  ListRunsQuery,
  ListWorkflowsPage,
  NodeRow,
  PublishWorkflow,
  RunLeaseCount,
  ServiceStore,
  StoredWorkflow,
  TriggerCommit,
  TriggerStateRow,
} from './service-store.js';
import type { NewRun, RunPatch, RunRow, RunStatus, StepItemRow, StepRow } from './store.js';
import * as triggers from './trigger-queries.js';

export type { OpenStoreOptions } from './open-connection.js';
export { STORE_DEFAULTS } from './open-connection.js';

/** A {@link Store} on a SQL database, as {@link openStore} returns it. */
export interface SqlStore extends ServiceStore, AsyncDisposable {
  /** Which database this is. */
  readonly dialect: 'sqlite' | 'postgres';
  /** The absolute SQLite file (or `:memory:`), or the PostgreSQL URL with its password masked. */
  readonly location: string;
  /** Deletes a run with its steps and items; resolves whether it existed. */
  deleteRun(id: string): Promise<boolean>;
  /** Same as {@link Store.close}. */
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Opens the store: a SQLite file (WAL, `busy_timeout`, foreign keys on), or a PostgreSQL pool when
 * `url` is given. Applies pending migrations unless `migrate: false`.
 *
 * @example
 * ```ts
 * await using store = await openStore({ file: '.sluice/sluice.db' });
 * await store.createRun({ id, workflow_name: wf.name, workflow: wf, input: {}, created_at: new Date().toISOString() });
 * ```
 * @throws {EngineError} `SLUICE_STORE` when the options clash, or the database cannot be opened,
 *   reached or migrated; the message names the file, or the URL with its password masked.
 */
export async function openStore(options: OpenStoreOptions = {}): Promise<SqlStore> {
  const connection = await openConnection(options);
  const store = new KyselyStore(connection);
  if (options.migrate ?? STORE_DEFAULTS.migrate) {
    try {
      await store.migrate();
    } catch (err) {
      await store.close();
      throw err;
    }
  }
  return store;
}

/** The store behind {@link openStore}. Each method is one statement, so one transaction. */
class KyselyStore implements SqlStore {
  readonly dialect: 'sqlite' | 'postgres';
  readonly location: string;
  readonly #db: Kysely<Database>;
  readonly #target: MigrationTarget;
  #closing: Promise<void> | undefined;
  readonly #insertRun = new CompiledWrite<RunsTable>((row) => this.#db.insertInto('runs').values(row));
  readonly #upsertStep = new CompiledWrite<RunStepsTable>((row) =>
    this.#db
      .insertInto('run_steps')
      .values(row)
      .onConflict((oc) =>
        oc.columns(['run_id', 'step_index']).doUpdateSet((eb) => ({
          name: eb.ref('excluded.name'),
          status: eb.ref('excluded.status'),
          fanned_out: eb.ref('excluded.fanned_out'),
          input: eb.ref('excluded.input'),
          output: eb.ref('excluded.output'),
          error: eb.ref('excluded.error'),
          attempts: eb.ref('excluded.attempts'),
          started_at: eb.ref('excluded.started_at'),
          finished_at: eb.ref('excluded.finished_at'),
          sealed_output: eb.ref('excluded.sealed_output'),
        })),
      ),
  );
  readonly #upsertItem = new CompiledWrite<RunStepItemsTable>((row) =>
    this.#db
      .insertInto('run_step_items')
      .values(row)
      .onConflict((oc) =>
        oc.columns(['run_id', 'step_index', 'item_index']).doUpdateSet((eb) => ({
          status: eb.ref('excluded.status'),
          input: eb.ref('excluded.input'),
          output: eb.ref('excluded.output'),
          error: eb.ref('excluded.error'),
          attempts: eb.ref('excluded.attempts'),
          history: eb.ref('excluded.history'),
          idempotency_key: eb.ref('excluded.idempotency_key'),
          started_at: eb.ref('excluded.started_at'),
          finished_at: eb.ref('excluded.finished_at'),
          sealed_output: eb.ref('excluded.sealed_output'),
        })),
      ),
  );

  constructor(connection: Connection) {
    this.#db = connection.db;
    this.dialect = connection.dialect;
    this.location = connection.location;
    this.#target =
      connection.dialect === 'sqlite'
        ? { dialect: 'sqlite', busyTimeoutMs: connection.busyTimeoutMs ?? STORE_DEFAULTS.busyTimeoutMs }
        : { dialect: 'postgres', schema: connection.schema ?? STORE_DEFAULTS.schema };
  }

  async migrate(): Promise<void> {
    await this.#run('migrate', (db) => migrateToLatest(db, this.#target));
  }

  async createRun(run: NewRun): Promise<void> {
    await this.#run(`createRun(${run.id})`, (db) => this.#insertRun.execute(db, newRunToRow(run)));
  }

  async updateRun(id: string, patch: RunPatch): Promise<void> {
    await this.#run(`updateRun(${id})`, async (db) => {
      const columns = runPatchToColumns(patch);
      // A run that ended keeps its end: only a retry (back to `pending`) moves it again. So a run
      // cancelled through one process is not overwritten by the execution another process finishes.
      const guarded = patch.status !== undefined && patch.status !== 'pending';
      let update = db.updateTable('runs').set(columns).where('id', '=', id);
      if (guarded) update = update.where('status', 'in', ['pending', 'running']);
      const query =
        Object.keys(columns).length === 0
          ? db.selectFrom('runs').select('id').where('id', '=', id)
          : update.returning('id');
      if ((await query.executeTakeFirst()) !== undefined) return;
      const exists = await db.selectFrom('runs').select('id').where('id', '=', id).executeTakeFirst();
      if (!guarded || exists === undefined) throw new StoreValueError(`run ${id} does not exist`);
    });
  }

  async getRun(id: string): Promise<RunRow | undefined> {
    return this.#run(`getRun(${id})`, async (db) => {
      const row = await db.selectFrom('runs').selectAll().where('id', '=', id).executeTakeFirst();
      return row === undefined ? undefined : rowToRun(row);
    });
  }

  async deleteRun(id: string): Promise<boolean> {
    return this.#run(`deleteRun(${id})`, async (db) => {
      const result = await db.deleteFrom('runs').where('id', '=', id).executeTakeFirst();
      return result.numDeletedRows > 0n;
    });
  }

  async saveStep(step: StepRow): Promise<void> {
    await this.#run(`saveStep(${step.run_id}, ${step.step_index})`, (db) =>
      this.#upsertStep.execute(db, stepToRow(step)),
    );
  }

  async saveStepItem(item: StepItemRow): Promise<void> {
    await this.#run(`saveStepItem(${item.run_id}, ${item.step_index}, ${item.item_index})`, (db) =>
      this.#upsertItem.execute(db, itemToRow(item)),
    );
  }

  async listSteps(runId: string): Promise<StepRow[]> {
    return this.#run(`listSteps(${runId})`, async (db) => {
      const rows = await db
        .selectFrom('run_steps')
        .selectAll()
        .where('run_id', '=', runId)
        .orderBy('step_index')
        .execute();
      return rows.map(rowToStep);
    });
  }

  async listStepItems(runId: string): Promise<StepItemRow[]> {
    return this.#run(`listStepItems(${runId})`, async (db) => {
      const rows = await db
        .selectFrom('run_step_items')
        .selectAll()
        .where('run_id', '=', runId)
        .orderBy('step_index')
        .orderBy('item_index')
        .execute();
      return rows.map(rowToItem);
    });
  }

  publishWorkflow(publish: PublishWorkflow): Promise<StoredWorkflow> {
    return this.#run(`publishWorkflow(${publish.uid})`, (db) => service.publishWorkflow(db, publish));
  }

  getWorkflow(uid: string, version?: number): Promise<StoredWorkflow | undefined> {
    return this.#run(`getWorkflow(${uid})`, (db) => service.getWorkflow(db, uid, version));
  }

  listWorkflows(workspaceId: string, page?: ListWorkflowsPage): Promise<StoredWorkflow[]> {
    return this.#run(`listWorkflows(${workspaceId})`, (db) => service.listWorkflows(db, workspaceId, page));
  }

  listWorkflowVersions(uid: string): Promise<StoredWorkflow[]> {
    return this.#run(`listWorkflowVersions(${uid})`, (db) => service.listWorkflowVersions(db, uid));
  }

  lastRuns(workspaceId: string, uids: readonly string[]): Promise<Map<string, LastRun>> {
    return this.#run(`lastRuns(${workspaceId})`, (db) => service.lastRuns(db, workspaceId, uids));
  }

  deleteWorkflow(uid: string, at: string): Promise<boolean> {
    return this.#run(`deleteWorkflow(${uid})`, (db) => service.deleteWorkflow(db, uid, at));
  }

  createApiKey(key: ApiKeyRow): Promise<void> {
    return this.#run(`createApiKey(${key.id})`, (db) => service.createApiKey(db, key));
  }

  findApiKey(keyHash: string): Promise<ApiKeyRow | undefined> {
    return this.#run('findApiKey', (db) => service.findApiKey(db, keyHash));
  }

  createServiceRun(run: NewRun, caller: ApiCaller): Promise<void> {
    return this.#run(`createRun(${run.id})`, (db) => service.createServiceRun(db, run, caller));
  }

  getRunStatuses(ids: readonly string[]): Promise<Map<string, RunStatus>> {
    return this.#run('getRunStatuses', (db) => service.getRunStatuses(db, ids));
  }

  getRunAndCaller(id: string): Promise<{ run: RunRow; caller: ApiCaller | undefined } | undefined> {
    return this.#run(`getRunAndCaller(${id})`, (db) => service.getRunAndCaller(db, id));
  }

  getRunCaller(id: string): Promise<ApiCaller | undefined> {
    return this.#run(`getRunCaller(${id})`, (db) => service.getRunCaller(db, id));
  }

  listRuns(query: ListRunsQuery): Promise<RunRow[]> {
    return this.#run('listRuns', (db) => service.listRuns(db, query));
  }

  listUnfinishedRuns(): Promise<RunRow[]> {
    return this.#run('listUnfinishedRuns', (db) => service.listUnfinishedRuns(db));
  }

  countRunsByStatus(): Promise<Record<RunStatus, number>> {
    return this.#run('countRunsByStatus', (db) => countRunsByStatus(db));
  }

  claimRun(id: string, owner: string, until: string, now: string): Promise<boolean> {
    return this.#run(`claimRun(${id})`, (db) => leases.claimRun(db, id, owner, until, now));
  }

  listClaimableRuns(now: string, limit: number): Promise<RunRow[]> {
    return this.#run('listClaimableRuns', (db) => leases.listClaimableRuns(db, now, limit));
  }

  acquireLease(name: string, owner: string, until: string, now: string): Promise<boolean> {
    return this.#run(`acquireLease(${name})`, (db) => leases.acquireLease(db, name, owner, until, now));
  }

  releaseLease(name: string, owner: string): Promise<void> {
    return this.#run(`releaseLease(${name})`, (db) => leases.releaseLease(db, name, owner));
  }

  getLease(name: string): Promise<{ owner: string; expires_at: string } | undefined> {
    return this.#run(`getLease(${name})`, (db) => leases.getLease(db, name));
  }

  releaseRunLease(id: string, owner: string): Promise<boolean> {
    return this.#run(`releaseRunLease(${id})`, (db) => leases.releaseRunLease(db, id, owner));
  }

  listApiKeys(workspaceId?: string): Promise<ApiKeyRow[]> {
    return this.#run('listApiKeys', (db) => connections.listApiKeys(db, workspaceId));
  }

  revokeApiKey(id: string, at: string): Promise<boolean> {
    return this.#run(`revokeApiKey(${id})`, (db) => connections.revokeApiKey(db, id, at));
  }

  saveConnection(row: ConnectionRow): Promise<boolean> {
    return this.#run(`saveConnection(${row.name})`, (db) => connections.saveConnection(db, row));
  }

  getConnection(workspaceId: string, name: string): Promise<ConnectionRow | undefined> {
    return this.#run(`getConnection(${name})`, (db) => connections.getConnection(db, workspaceId, name));
  }

  listConnections(workspaceId: string): Promise<ConnectionRow[]> {
    return this.#run('listConnections', (db) => connections.listConnections(db, workspaceId));
  }

  deleteConnection(workspaceId: string, name: string): Promise<boolean> {
    return this.#run(`deleteConnection(${name})`, (db) =>
      connections.deleteConnection(db, workspaceId, name),
    );
  }

  getTriggerState(workflowUid: string): Promise<TriggerStateRow | undefined> {
    return this.#run(`getTriggerState(${workflowUid})`, (db) => triggers.getTriggerState(db, workflowUid));
  }

  listTriggerStates(workspaceId?: string): Promise<TriggerStateRow[]> {
    return this.#run('listTriggerStates', (db) => triggers.listTriggerStates(db, workspaceId));
  }

  putTriggerState(
    row: Pick<
      TriggerStateRow,
      'workflow_uid' | 'workspace_id' | 'kind' | 'enabled' | 'next_at' | 'updated_at'
    >,
    resetState: boolean,
  ): Promise<TriggerStateRow> {
    return this.#run(`putTriggerState(${row.workflow_uid})`, (db) =>
      triggers.putTriggerState(db, row, resetState),
    );
  }

  deleteTriggerState(workflowUid: string): Promise<void> {
    return this.#run(`deleteTriggerState(${workflowUid})`, (db) =>
      triggers.deleteTriggerState(db, workflowUid),
    );
  }

  commitTrigger(commit: TriggerCommit): Promise<boolean> {
    return this.#run(`commitTrigger(${commit.workflow_uid})`, (db) => triggers.commitTrigger(db, commit));
  }

  registerNode(node: NodeRow): Promise<void> {
    return this.#run(`registerNode(${node.id})`, (db) => nodes.registerNode(db, node));
  }

  heartbeatNode(id: string, at: string, executing: number): Promise<boolean> {
    return this.#run(`heartbeatNode(${id})`, (db) => nodes.heartbeatNode(db, id, at, executing));
  }

  removeNode(id: string): Promise<void> {
    return this.#run(`removeNode(${id})`, (db) => nodes.removeNode(db, id));
  }

  listNodes(): Promise<NodeRow[]> {
    return this.#run('listNodes', (db) => nodes.listNodes(db));
  }

  pruneNodes(heartbeatBefore: string): Promise<number> {
    return this.#run('pruneNodes', (db) => nodes.pruneNodes(db, heartbeatBefore));
  }

  listLeases(): Promise<LeaseRow[]> {
    return this.#run('listLeases', (db) => nodes.listLeases(db));
  }

  countRunLeases(now: string): Promise<RunLeaseCount[]> {
    return this.#run('countRunLeases', (db) => nodes.countRunLeases(db, now));
  }

  close(): Promise<void> {
    this.#closing ??= this.#db.destroy();
    return this.#closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** Runs one operation, turning any failure into `SLUICE_STORE` naming the database and the call. */
  async #run<T>(operation: string, body: (db: Kysely<Database>) => Promise<T>): Promise<T> {
    if (this.#closing !== undefined) {
      throw new EngineError('SLUICE_STORE', `${this.location}: ${operation}: the store is closed`, {
        hint: 'open a new store; close() ends it for good',
      });
    }
    try {
      return await body(this.#db);
    } catch (err) {
      if (err instanceof EngineError) throw err;
      throw new EngineError('SLUICE_STORE', `${this.location}: ${operation} failed: ${describe(err)}`, {
        hint: hintFor(err),
        cause: err,
      });
    }
  }
}

function hintFor(err: unknown): string {
  if (err instanceof StoreValueError) return 'the executor passed a value the store cannot hold';
  const text = describe(err);
  if (/FOREIGN KEY|foreign key/.test(text)) return 'create the run before its steps and items';
  if (/corrupted migrations/.test(text)) {
    return 'the database was migrated by a newer Sluice; upgrade, or use another database';
  }
  if (/SQLITE_BUSY|database is locked/.test(text)) {
    return 'another process holds the write lock; raise busyTimeoutMs or stop the other writer';
  }
  return 'check that the database is reachable and writable';
}
