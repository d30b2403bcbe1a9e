/**
 * Leases of a dead predecessor on this host. A lease owner is named `<host>:<pid>:<random>`; when the
 * service restarts after `kill -9` on the same machine, the leases of the process that died would hold
 * its runs and its trigger loop until they expire (30 s and 10 s by default). An owner on this host whose
 * process no longer exists, or whose pid is ours (a container restarts as pid 1 again), is certainly
 * dead, so its leases are let go at once. Owners on other hosts are left to expire: their liveness
 * cannot be seen from here.
 *
 * @internal
 * @module
 */
import { hostname } from 'node:os';
import type { LeaseStore, ServiceRunStore } from '../store/service-store.js';

/** The lease owner name of a process: `<host>:<pid>:<random>`. */
export function ownerName(random: string): string {
  return `${hostname()}:${process.pid}:${random}`;
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, under another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether `owner` is a process of this host that has died (never `self`). */
export function isDeadLocalOwner(owner: string, self: string): boolean {
  if (owner === self) return false;
  const parts = owner.split(':');
  if (parts.length < 3) return false;
  const pid = Number(parts.at(-2));
  const host = parts.slice(0, -2).join(':');
  if (host !== hostname() || !Number.isInteger(pid) || pid <= 0) return false;
  return pid === process.pid || !processExists(pid);
}

/**
 * Lets go the run leases and the named leases (`names`) held by dead owners of this host; resolves how
 * many run leases it freed.
 */
export async function releaseDeadLocalLeases(
  store: {
    readonly runs: Pick<ServiceRunStore, 'listUnfinishedRuns' | 'releaseRunLease'>;
    readonly leases: Pick<LeaseStore, 'get' | 'release'>;
  },
  self: string,
  names: readonly string[],
): Promise<number> {
  let freed = 0;
  for (const run of await store.runs.listUnfinishedRuns()) {
    const owner = run.lease_owner;
    if (
      owner !== null &&
      isDeadLocalOwner(owner, self) &&
      (await store.runs.releaseRunLease(run.id, owner))
    ) {
      freed++;
    }
  }
  for (const name of names) {
    const lease = await store.leases.get(name);
    if (lease !== undefined && isDeadLocalOwner(lease.owner, self))
      await store.leases.release(name, lease.owner);
  }
  return freed;
}
