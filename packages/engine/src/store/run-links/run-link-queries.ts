/**
 * The {@link RunLinkStore} over Kysely: each method one statement on `runs`.
 *
 * @internal
 * @module
 */
import { toTime } from '../codec.js';
import type { QueryContext } from '../query-context.js';
import type { FailureDue, RunLinkStore } from './run-link-store.js';

/** The links between the runs of one store. */
export class RunLinkQueries implements RunLinkStore {
  readonly #q: QueryContext;

  constructor(context: QueryContext) {
    this.#q = context;
  }

  listUnfinishedChildren(parentId: string): Promise<string[]> {
    return this.#q.run(`runLinks.listUnfinishedChildren(${parentId})`, async (db) => {
      const rows = await db
        .selectFrom('runs')
        .select('id')
        .where('parent_run_id', '=', parentId)
        .where('status', 'in', ['pending', 'running'])
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map((row) => row.id);
    });
  }

  wake(id: string, now: string): Promise<boolean> {
    return this.#q.run(`runLinks.wake(${id})`, async (db) => {
      const at = toTime(now, 'now') as string;
      const result = await db
        .updateTable('runs')
        .set({ resume_at: at })
        .where('id', '=', id)
        .where('status', 'in', ['pending', 'running'])
        .where((eb) => eb.or([eb('resume_at', 'is', null), eb('resume_at', '>', at)]))
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    });
  }

  suspend(id: string, resumeAt: string): Promise<string | undefined> {
    return this.#q.run(`runLinks.suspend(${id})`, async (db) => {
      const at = toTime(resumeAt, 'runs.resume_at') as string;
      const row = await db
        .updateTable('runs')
        .set((eb) => ({
          lease_owner: null,
          lease_expires_at: null,
          resume_at: eb
            .case()
            .when(eb.and([eb('resume_at', 'is not', null), eb('resume_at', '<', at)]))
            .then(eb.ref('resume_at'))
            .else(at)
            .end(),
        }))
        .where('id', '=', id)
        .returning('resume_at')
        .executeTakeFirst();
      return row?.resume_at ?? undefined;
    });
  }

  listFailuresDue(limit: number): Promise<FailureDue[]> {
    return this.#q.run('runLinks.listFailuresDue', (db) =>
      db
        .selectFrom('runs')
        .select(['id', 'workspace_id'])
        .where('on_failure_due', '=', 1)
        .orderBy('finished_at')
        .orderBy('id')
        .limit(limit)
        .execute(),
    );
  }

  clearFailureDue(id: string): Promise<void> {
    return this.#q.run(`runLinks.clearFailureDue(${id})`, async (db) => {
      await db.updateTable('runs').set({ on_failure_due: 0 }).where('id', '=', id).execute();
    });
  }
}
