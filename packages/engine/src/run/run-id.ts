/**
 * Run ids: UUIDs of version 7 (RFC 9562), whose first 48 bits are the creation time in milliseconds
 * and the rest random. Ids made in a later millisecond sort later, so a new run's rows (the `runs`
 * primary key, the `run_steps` and `run_step_items` keys that start with the run id) go at the end of
 * their indexes instead of on a random page of each: on SQLite that is about 40% of the cost of a run's
 * writes (issue 14). They are still unguessable enough to name a run (74 random bits); access to a run
 * is checked by workspace, never by knowing its id.
 *
 * Built from `randomUUID()` (a version 4 UUID from Node's pooled random bytes) with its first 48 bits
 * replaced by the time and its version digit by 7: about 0.5 µs, where the `uuid` package's `v7()` took
 * 5 to 7 µs here. Ids of the same millisecond are not ordered among themselves (RFC 9562 allows it).
 *
 * @internal
 * @module
 */
import { randomUUID } from 'node:crypto';

/** The millisecond of the last id, and the start of an id made in it (`xxxxxxxx-xxxx-7`). */
let lastMs = -1;
let lastPrefix = '';

/** A new run id: a time-ordered UUID (version 7). `now`: the time, in ms since the epoch. */
export function newRunId(now: number = Date.now()): string {
  const ms = Math.trunc(now);
  if (ms !== lastMs) {
    const time = ms.toString(16).padStart(12, '0').slice(-12);
    lastMs = ms;
    lastPrefix = `${time.slice(0, 8)}-${time.slice(8)}-7`;
  }
  // xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx: the time in the first 12 hex digits, version 7, variant kept.
  return lastPrefix + randomUUID().slice(15);
}
