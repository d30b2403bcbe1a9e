/**
 * Group commit: writes that callers make at about the same time are committed in one transaction
 * (issue 14). A commit is what a write costs on SQLite (the pages it touched go to the WAL), so when
 * many runs are in flight their step and run rows share commits. Each write's promise still resolves
 * only once its transaction committed: a run goes on only after its rows are durable, as before.
 *
 * Writes queue while a batch commits; the next batch starts once it did, so a lone write waits one
 * turn of the event loop at most. When a write of a batch fails, the batch is rolled back and each of
 * its writes is made again alone, so only the failing ones fail. Only for a database with one writer
 * (SQLite): on PostgreSQL a batch would hold row locks for other runs' writes and could deadlock.
 *
 * @internal
 * @module
 */
import type { Kysely } from 'kysely';
import type { Database } from './database.js';

interface Job {
  body: (db: Kysely<Database>) => Promise<unknown>;
  /** `several`: its statements must commit together, also when it runs alone. */
  statements: 'one' | 'several';
  resolve(value: unknown): void;
  reject(reason: unknown): void;
}

/** The writes of one store waiting for their commit. */
export class WriteBatch {
  readonly #db: Kysely<Database>;
  #pending: Job[] = [];
  #flushing: Promise<void> | undefined;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  /** Runs `body` (its statements only: no transaction of its own) in the next batch. */
  add<T>(body: (db: Kysely<Database>) => Promise<T>, statements: 'one' | 'several' = 'one'): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#pending.push({ body, statements, resolve: resolve as (value: unknown) => void, reject });
      this.#flushing ??= new Promise<void>((done) => setImmediate(done)).then(() => this.#flush());
    });
  }

  /** Resolves once every write added so far has committed or failed. */
  async drain(): Promise<void> {
    while (this.#flushing !== undefined) await this.#flushing;
  }

  async #flush(): Promise<void> {
    try {
      while (this.#pending.length > 0) {
        const jobs = this.#pending;
        this.#pending = [];
        await this.#commit(jobs);
      }
    } finally {
      this.#flushing = undefined;
    }
  }

  async #commit(jobs: readonly Job[]): Promise<void> {
    if (jobs.length > 1) {
      let results: unknown[] | undefined;
      try {
        results = await this.#db.transaction().execute(async (trx) => {
          const out: unknown[] = [];
          for (const job of jobs) out.push(await job.body(trx));
          return out;
        });
      } catch {
        // Rolled back: each write again alone, below.
      }
      if (results !== undefined) {
        for (const [i, job] of jobs.entries()) job.resolve(results[i]);
        return;
      }
    }
    for (const job of jobs) await alone(job, this.#db);
  }
}

/** Runs `job` in a transaction of its own, settling its promise (a body that throws at once rejects it). */
async function alone(job: Job, db: Kysely<Database>): Promise<void> {
  try {
    job.resolve(await (job.statements === 'one' ? job.body(db) : db.transaction().execute(job.body)));
  } catch (err) {
    job.reject(err);
  }
}
