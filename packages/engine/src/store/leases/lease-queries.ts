/**
 * The {@link LeaseStore} over Kysely. Taking a lease is one statement, an upsert that updates only a
 * free, expired or own lease, so two processes racing for it cannot both win: on SQLite (one writer at
 * a time) and on PostgreSQL (the row lock of `ON CONFLICT`). Times are canonical ISO text, which sorts
 * as it compares.
 *
 * @internal
 * @module
 */
import { toTime } from '../codec.js';
import type { QueryContext } from '../query-context.js';
import type { LeaseRow, LeaseStore } from './lease-store.js';

function time(value: string, column: string): string {
  return toTime(value, column) as string;
}

/** The named leases of one store. */
export class LeaseQueries implements LeaseStore {
  readonly #q: QueryContext;

  constructor(context: QueryContext) {
    this.#q = context;
  }

  acquire(name: string, owner: string, until: string, now: string): Promise<boolean> {
    return this.#q.run(`leases.acquire(${name})`, async (db) => {
      const at = time(now, 'now');
      const row = { name, owner, expires_at: time(until, 'leases.expires_at'), acquired_at: at };
      const written = await this.#q.dialect
        .upsert(db, 'leases', row, {
          key: ['name'],
          replace: ['owner', 'expires_at'],
          // A renewal keeps the time the lease was first taken.
          set: ({ eb, inserted, existing }) => ({
            acquired_at: eb
              .case()
              .when(existing('owner'), '=', inserted('owner'))
              .then(existing('acquired_at'))
              .else(inserted('acquired_at'))
              .end(),
          }),
          where: ({ eb, existing }) =>
            eb.or([eb(existing('owner'), '=', owner), eb(existing('expires_at'), '<=', at)]),
        })
        .executeReturningRow();
      return written !== undefined;
    });
  }

  release(name: string, owner: string): Promise<void> {
    return this.#q.run(`leases.release(${name})`, async (db) => {
      await db.deleteFrom('leases').where('name', '=', name).where('owner', '=', owner).execute();
    });
  }

  get(name: string): Promise<{ owner: string; expires_at: string } | undefined> {
    return this.#q.run(`leases.get(${name})`, (db) =>
      db.selectFrom('leases').select(['owner', 'expires_at']).where('name', '=', name).executeTakeFirst(),
    );
  }

  list(): Promise<LeaseRow[]> {
    return this.#q.run('leases.list', (db) =>
      db
        .selectFrom('leases')
        .select(['name', 'owner', 'expires_at', 'acquired_at'])
        .orderBy('name')
        .execute(),
    );
  }
}
