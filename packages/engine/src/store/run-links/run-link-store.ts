/**
 * The links between runs (issue 15): the child runs a parent's `workflow:` step started, and the failed
 * runs whose `on_failure` run is still to be recorded. The columns live on `runs` (migration 0006);
 * `run-link-queries.ts` implements it.
 *
 * @module
 */

/** A failed run whose workflow's `on_failure` run is due: what starting it needs. */
export interface FailureDue {
  id: string;
  workspace_id: string | null;
}

/** Queries over the links between runs. */
export interface RunLinkStore {
  /** The unfinished child runs of `parentId` (`pending` or `running`), oldest first. */
  listUnfinishedChildren(parentId: string): Promise<string[]>;
  /**
   * Makes unfinished run `id` due at `now`: a parent whose child ended goes on at the next sweep. A run
   * waiting for later is due at once; a run executing keeps the wake in `resume_at` for
   * {@link suspend}, so a child that ends before its parent stored its wait is not missed. Resolves
   * whether it changed anything.
   */
  wake(id: string, now: string): Promise<boolean>;
  /**
   * Stores the wait of run `id`, which stopped at a stored wait: no lease, `resume_at` at `resumeAt`,
   * or earlier when a {@link wake} came meanwhile. Resolves the `resume_at` stored (`undefined` when
   * the run is gone).
   */
  suspend(id: string, resumeAt: string): Promise<string | undefined>;
  /** At most `limit` failed runs whose `on_failure` run is due, oldest first. */
  listFailuresDue(limit: number): Promise<FailureDue[]>;
  /** The failed run `id`'s `on_failure` run is recorded (or will never be): nothing is due any more. */
  clearFailureDue(id: string): Promise<void>;
}
