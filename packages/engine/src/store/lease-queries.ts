/**
 * The queries behind run claims and named leases ({@link ServiceStore.claimRun}, `acquireLease`): each is
 * one conditional statement, so two processes racing for the same run or lease cannot both win, on
 * SQLite (one writer at a time) and on PostgreSQL (row locks of the `UPDATE` / `ON CONFLICT`). Times are
 * canonical ISO text, which sorts as it compares.
 *
 * @internal
 * @module
 */
import type { ExpressionBuilder, Kysely } from 'kysely';
import { rowToRun, toTime } from './codec.js';
import type { Database } from './database.js';
import type { RunRow } from './store.js';

type Db = Kysely<Database>;

function time(value: string, column: string): string {
  return toTime(value, column) as string;
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

export async function claimRun(
  db: Db,
  id: string,
  owner: string,
  until: string,
  now: string,
): Promise<boolean> {
  const at = time(now, 'now');
  const result = await db
    .updateTable('runs')
    .set({ lease_owner: owner, lease_expires_at: time(until, 'runs.lease_expires_at') })
    .where('id', '=', id)
    .where(claimable(at, owner))
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function listClaimableRuns(db: Db, now: string, limit: number): Promise<RunRow[]> {
  const at = time(now, 'now');
  const rows = await db
    .selectFrom('runs')
    .selectAll()
    .where(claimable(at))
    .orderBy('created_at')
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map(rowToRun);
}

export async function acquireLease(
  db: Db,
  name: string,
  owner: string,
  until: string,
  now: string,
): Promise<boolean> {
  const at = time(now, 'now');
  const row = await db
    .insertInto('leases')
    .values({ name, owner, expires_at: time(until, 'leases.expires_at'), acquired_at: at })
    .onConflict((oc) =>
      oc
        .column('name')
        .doUpdateSet((eb) => ({
          owner: eb.ref('excluded.owner'),
          expires_at: eb.ref('excluded.expires_at'),
          // A renewal keeps the time the lease was first taken.
          acquired_at: eb
            .case()
            .when('leases.owner', '=', eb.ref('excluded.owner'))
            .then(eb.ref('leases.acquired_at'))
            .else(eb.ref('excluded.acquired_at'))
            .end(),
        }))
        .where((eb) => eb.or([eb('leases.owner', '=', owner), eb('leases.expires_at', '<=', at)])),
    )
    .returning('name')
    .executeTakeFirst();
  return row !== undefined;
}

export async function releaseLease(db: Db, name: string, owner: string): Promise<void> {
  await db.deleteFrom('leases').where('name', '=', name).where('owner', '=', owner).execute();
}

export async function getLease(
  db: Db,
  name: string,
): Promise<{ owner: string; expires_at: string } | undefined> {
  return db.selectFrom('leases').select(['owner', 'expires_at']).where('name', '=', name).executeTakeFirst();
}

export async function releaseRunLease(db: Db, id: string, owner: string): Promise<boolean> {
  const result = await db
    .updateTable('runs')
    .set({ lease_owner: null, lease_expires_at: null })
    .where('id', '=', id)
    .where('lease_owner', '=', owner)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
