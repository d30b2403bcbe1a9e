/**
 * Group commit: writes that callers make at about the same time are committed in one transaction
 * (issue 14). A commit is what a write costs on SQLite (the pages it touched go to the WAL), so when
 * many runs are in flight their step and run rows share commits. Each write's promise still resolves
 * only once its transaction committed: a run goes on only after its rows are durable, as before.
 *
 * A write is its statements, compiled already; a batch runs them all synchronously on the connection
 * (`sync-sql.ts`), one `BEGIN ... COMMIT`, with no promise per statement. A batch commits after the
 * event loop polled for I/O once more ({@link afterNextPoll}): the runs whose HTTP responses are arriving
 * then add their writes to it, and the commit is shared by more of them (about 0.26 commits a run
 * instead of 0.39 in `bench/service`). So a lone write waits two turns of the event loop, microseconds
 * when nothing else is going on. When a statement of a batch fails, the batch is rolled back and each
 * of its writes is made again alone, so only the failing ones fail. Only for a database with one
 * writer (SQLite): on PostgreSQL a batch would hold row locks for other runs' writes and could deadlock.
 *
 * @internal
 * @module
 */
import type { SqlStatement, SyncSql } from './sync-sql.js';

interface Job {
  /** Committed together, also when the job runs alone. */
  statements: readonly SqlStatement[];
  /** Resolves the rows each statement changed. */
  resolve(changes: number[]): void;
  reject(reason: unknown): void;
  /** The error the write fails with when a statement of it fails with `err`. */
  fail(err: unknown): unknown;
}

/** The writes of one store waiting for their commit. */
export class WriteBatch {
  readonly #sql: SyncSql;
  readonly #idle: () => Promise<void>;
  #pending: Job[] = [];
  #flushing: Promise<void> | undefined;

  /**
   * `idle` resolves once the connection is free of the transaction Kysely may have open on it (it
   * takes and releases Kysely's connection), for the rare batch that finds one open.
   */
  constructor(sql: SyncSql, idle: () => Promise<void>) {
    this.#sql = sql;
    this.#idle = idle;
  }

  /**
   * Commits `statements` in the next batch; resolves the rows each one changed, or rejects with what
   * `fail` makes of the error of the statement that failed.
   */
  add(statements: readonly SqlStatement[], fail: (err: unknown) => unknown): Promise<number[]> {
    return new Promise<number[]>((resolve, reject) => {
      this.#pending.push({ statements, resolve, reject, fail });
      this.#flushing ??= afterNextPoll().then(() => this.#flush());
    });
  }

  /** Resolves once every write added so far has committed or failed. */
  async drain(): Promise<void> {
    while (this.#flushing !== undefined) await this.#flushing;
  }

  async #flush(): Promise<void> {
    try {
      while (this.#pending.length > 0) {
        // Not in the middle of a transaction of Kysely's (a migration, a publish): wait for its end.
        while (this.#sql.inTransaction) await this.#idle();
        const jobs = this.#pending;
        this.#pending = [];
        this.#commit(jobs);
      }
    } finally {
      this.#flushing = undefined;
    }
  }

  /** Synchronous from start to end: nothing else can use the connection in between. */
  #commit(jobs: readonly Job[]): void {
    const sql = this.#sql;
    if (jobs.length > 1) {
      let results: number[][] | undefined;
      try {
        results = sql.transaction(() => jobs.map((job) => job.statements.map((s) => sql.run(s))));
      } catch {
        // Rolled back: each write again alone, below.
      }
      if (results !== undefined) {
        for (const [i, job] of jobs.entries()) job.resolve(results[i] as number[]);
        return;
      }
    }
    for (const job of jobs) {
      try {
        // A single statement is a transaction of its own.
        const [only] = job.statements;
        job.resolve(
          only !== undefined && job.statements.length === 1
            ? [sql.run(only)]
            : sql.transaction(() => job.statements.map((s) => sql.run(s))),
        );
      } catch (err) {
        job.reject(job.fail(err));
      }
    }
  }
}

/**
 * Resolves in the check phase of the next turn of the event loop: after the I/O callbacks of this turn's
 * poll and of the next one (which does not block, an immediate being due).
 */
function afterNextPoll(): Promise<void> {
  return new Promise<void>((done) => setImmediate(() => setImmediate(done)));
}
