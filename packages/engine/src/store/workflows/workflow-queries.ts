/**
 * The {@link WorkflowStore} over Kysely.
 *
 * @internal
 * @module
 */
import type { Selectable } from 'kysely';
import { EngineError } from '../../errors.js';
import type { Workflow, WorkflowScope } from '../../model/workflow.js';
import { toJson, toTime } from '../codec.js';
import type { WorkflowsTable } from '../database.js';
import { freezeDocument } from '../frozen-documents.js';
import type { QueryContext } from '../query-context.js';
import { QueryShapes } from '../query-shapes.js';
import type { ListWorkflowsPage, PublishWorkflow, StoredWorkflow, WorkflowStore } from './workflow-store.js';

/** The columns of a version but its document. */
const META_COLUMNS = [
  'uid',
  'version',
  'workspace_id',
  'scope',
  'user_id',
  'name',
  'created',
  'updated',
  'deleted',
] as const;

type WorkflowMeta = Omit<Selectable<WorkflowsTable>, 'document'>;

function rowToWorkflow(row: Selectable<WorkflowsTable>): StoredWorkflow {
  return metaToWorkflow(row, JSON.parse(row.document) as Workflow);
}

function metaToWorkflow(row: WorkflowMeta, document: Workflow): StoredWorkflow {
  return {
    uid: row.uid,
    version: row.version,
    workspace_id: row.workspace_id,
    scope: row.scope as WorkflowScope,
    user_id: row.user_id,
    name: row.name,
    document,
    created: row.created,
    updated: row.updated,
    deleted: row.deleted === 1,
  };
}

/** How many parsed documents a store keeps (the oldest dropped first). */
const DOCUMENTS_KEPT = 512;

function conflict(message: string): EngineError {
  return new EngineError('SLUICE_WORKFLOW_CONFLICT', message, {
    hint: 'GET the workflow for its latest version, then publish on top of it (If-Match or "version")',
  });
}

/** The workflows of one store. */
export class WorkflowQueries implements WorkflowStore {
  readonly #q: QueryContext;
  readonly #shapes = new QueryShapes();
  /**
   * Parsed documents by `uid@version`. A version's document never changes once published (a delete
   * only marks the rows), so every run through the API reads the small columns of the latest version
   * and parses its document once per process, not once per run (issue 14).
   */
  readonly #documents = new Map<string, Workflow>();
  /**
   * The latest version's row by uid, on SQLite, for as long as no other connection wrote to the
   * database (`PRAGMA data_version`, `sync-sql.ts`): this store's own publishes and
   * deletes drop their uid. So a run started through the API reads no row of its workflow at all while
   * the process is the only writer, and another process's publish is seen at the next call.
   */
  readonly #latest = new Map<string, WorkflowMeta>();
  #latestAsOf: number | undefined;
  /** Counts this store's writes to the table: a read that a write overtook is not kept. */
  #writes = 0;

  constructor(context: QueryContext) {
    this.#q = context;
  }

  /** The latest row of `uid` kept from an earlier read, if it is still known to be the latest. */
  #keptLatest(uid: string): WorkflowMeta | undefined {
    const sync = this.#q.sync;
    if (sync === undefined) return undefined;
    const asOf = sync.dataVersion();
    if (asOf !== this.#latestAsOf) {
      this.#latest.clear();
      this.#latestAsOf = asOf;
      return undefined;
    }
    return this.#latest.get(uid);
  }

  #keepLatest(row: WorkflowMeta, asOf: number | undefined, writes: number): void {
    if (asOf === undefined || asOf !== this.#latestAsOf || writes !== this.#writes) return;
    if (this.#latest.size >= DOCUMENTS_KEPT) this.#latest.delete(this.#latest.keys().next().value as string);
    this.#latest.set(row.uid, row);
  }

  /**
   * Runs a write to `uid`'s rows, then forgets what is kept of it; a read in flight meanwhile keeps
   * nothing (`#writes` moved on), so a version the write overtook is not kept either.
   */
  async #writing<T>(uid: string, write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } finally {
      this.#writes += 1;
      this.#latest.delete(uid);
    }
  }

  /** The next version in one transaction; a lost race on the primary key is a conflict. */
  publish(publish: PublishWorkflow): Promise<StoredWorkflow> {
    return this.#writing(publish.uid, () => this.#publish(publish));
  }

  #publish(publish: PublishWorkflow): Promise<StoredWorkflow> {
    return this.#q.run(`workflows.publish(${publish.uid})`, async (db) => {
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
            throw conflict(
              `workflow ${publish.uid} is at version ${current}, not ${publish.expectedVersion}`,
            );
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
        if (this.#q.dialect.isUniqueViolation(err)) {
          throw conflict(`workflow ${publish.uid}: another version was published at the same time`);
        }
        throw err;
      }
    });
  }

  get(uid: string, version?: number): Promise<StoredWorkflow | undefined> {
    return this.#q.run(`workflows.get(${uid})`, async (db) => {
      const kept = version === undefined ? this.#keptLatest(uid) : undefined;
      const asOf = this.#latestAsOf;
      const writes = this.#writes;
      let row = kept;
      if (row === undefined) {
        // Every run through the API reads the latest version: the SQL of each form is built once.
        const query = db.selectFrom('workflows').select(META_COLUMNS).where('uid', '=', uid);
        const { rows } =
          version === undefined
            ? await this.#shapes.execute(db, 'get:latest', [uid, 1], () =>
                query.orderBy('version', 'desc').limit(1),
              )
            : await this.#shapes.execute(db, 'get:version', [uid, version], () =>
                query.where('version', '=', version),
              );
        row = rows[0];
        if (row === undefined) return undefined;
        if (version === undefined) this.#keepLatest(row, asOf, writes);
      }
      const key = `${row.uid}@${row.version}`;
      let document = this.#documents.get(key);
      if (document === undefined) {
        const found = await this.#shapes.execute(db, 'get:document', [row.uid, row.version], () =>
          db
            .selectFrom('workflows')
            .select('document')
            .where('uid', '=', row.uid)
            .where('version', '=', row.version),
        );
        // Deleted between the two reads is impossible (a delete only marks rows); absent means gone.
        const text = found.rows[0]?.document;
        if (text === undefined) return undefined;
        document = freezeDocument(JSON.parse(text) as Workflow);
        if (this.#documents.size >= DOCUMENTS_KEPT) {
          this.#documents.delete(this.#documents.keys().next().value as string);
        }
        this.#documents.set(key, document);
      }
      return metaToWorkflow(row, document);
    });
  }

  list(workspaceId: string, page?: ListWorkflowsPage): Promise<StoredWorkflow[]> {
    return this.#q.run(`workflows.list(${workspaceId})`, async (db) => {
      let select = db
        .selectFrom('workflows as w')
        .selectAll()
        .where('w.deleted', '=', 0)
        .where((eb) => eb.or([eb('w.workspace_id', '=', workspaceId), eb('w.scope', '=', 'global')]))
        .where('w.version', '=', (eb) =>
          eb
            .selectFrom('workflows as l')
            .select((l) => l.fn.max('l.version').as('latest'))
            .whereRef('l.uid', '=', 'w.uid'),
        );
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
    });
  }

  listVersions(uid: string): Promise<StoredWorkflow[]> {
    return this.#q.run(`workflows.listVersions(${uid})`, async (db) => {
      const rows = await db
        .selectFrom('workflows')
        .selectAll()
        .where('uid', '=', uid)
        .orderBy('version', 'desc')
        .execute();
      return rows.map(rowToWorkflow);
    });
  }

  delete(uid: string, at: string): Promise<boolean> {
    return this.#writing(uid, () => this.#delete(uid, at));
  }

  #delete(uid: string, at: string): Promise<boolean> {
    return this.#q.run(`workflows.delete(${uid})`, async (db) => {
      const result = await db
        .updateTable('workflows')
        .set({ deleted: 1, updated: toTime(at, 'workflows.updated') as string })
        .where('uid', '=', uid)
        .where('deleted', '=', 0)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    });
  }
}
