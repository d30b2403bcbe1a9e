/**
 * Run ids: UUIDs of version 7 (RFC 9562), whose first 48 bits are the creation time in milliseconds
 * and the rest random. Ids made later sort later, so a new run's rows (the `runs` primary key, the
 * `run_steps` and `run_step_items` keys that start with the run id) go at the end of their indexes
 * instead of on a random page of each: on SQLite that is about 40% of the cost of a run's writes
 * (issue 14). They are still unguessable enough to name a run (74 random bits); access to a run is
 * checked by workspace, never by knowing its id.
 *
 * @internal
 * @module
 */
import { v7 } from 'uuid';

/** A new run id: a time-ordered UUID (version 7). */
export function newRunId(): string {
  return v7();
}
