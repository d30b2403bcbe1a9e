/**
 * The leases domain: named leases (`leases`), for singletons such as the trigger loop: who holds one and
 * until when. A run's own lease lives on its row (`ServiceRunStore.claimRun`). `lease-queries.ts`
 * implements it.
 *
 * @module
 */

/** A named lease (the `triggers` lease: which process runs schedules and polls). */
export interface LeaseRow {
  name: string;
  owner: string;
  expires_at: string;
  acquired_at: string;
}

/** The `leases` table. */
export interface LeaseStore {
  /** Takes or renews the named lease for `owner` until `until` when it is free, expired at `now`, or `owner`'s. */
  acquire(name: string, owner: string, until: string, now: string): Promise<boolean>;
  /** Gives the named lease up when `owner` holds it. */
  release(name: string, owner: string): Promise<void>;
  /** The named lease's holder and expiry, if anyone took it. */
  get(name: string): Promise<{ owner: string; expires_at: string } | undefined>;
  /** Every named lease, by name, expired or not (`sluice status`). */
  list(): Promise<LeaseRow[]>;
}
