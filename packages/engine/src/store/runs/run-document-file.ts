/**
 * The large documents of runs (their pinned workflow, input and sealed input, as JSON) in a SQLite
 * database of their own beside the store's (issue 14): `<store file>-documents`, WAL, 64 KB pages.
 *
 * Why a file of its own: a 5 MB input stored in the store's database is about 1,280 overflow pages of
 * 4 KB written to its WAL and checkpointed, six to eleven times what a whole small run costs; with
 * 64 KB pages it is about twenty pages and a few milliseconds. Larger pages would make every small
 * commit of the store dearer, so only documents above the store's `documentFileBytes` come here.
 *
 * Crash safety (see `run-queries.ts`): a document is committed here BEFORE its run row is committed in
 * the store, and deleted here AFTER its run row is deleted, so a crash (`kill -9`) at any point never
 * leaves a run row whose document is missing. It may leave a document without a run (an orphan):
 * {@link RunDocumentFile.storedBefore} lists the candidates and the store removes those whose run does
 * not exist when it opens.
 *
 * Checkpoints (copying the WAL into the file) run in a worker thread, not in the commit that fills the WAL
 * on the event loop: see `document-checkpoints.ts`.
 *
 * @internal
 * @module
 */
import { existsSync } from 'node:fs';
import type { Database as SqliteDatabase, Statement } from 'better-sqlite3';
import { describe } from '../../driver-errors.js';
import { EngineError } from '../../errors.js';
import type { RunDocumentsTable } from '../database.js';
import { type CheckpointCounts, DocumentCheckpoints } from './document-checkpoints.js';
import type { NewRunDocuments } from './run-codec.js';
import { Utf8Scratch } from './utf8-scratch.js';

/** The page size of a new document file: about 80 pages for a 5 MB document instead of 1,280. */
const PAGE_SIZE = 65_536;

/** Ids per statement: SQLite caps the bound parameters of one statement. */
const CHUNK = 500;

/** Document bytes written between two checkpoints of the worker: about three 5 MB inputs. */
const CHECKPOINT_EVERY_BYTES = 16 * 1024 * 1024;

/**
 * The WAL's bounds, in checkpoints' worth ({@link RunDocumentFileOptions.checkpointEveryBytes}): past four
 * (64 MB), writers wait for the worker to catch up so that the WAL starts over; past eight, the worker
 * truncates it; past sixteen, the main connection checkpoints it itself (SQLite's autocheckpoint, for a
 * worker that lags or failed). The WAL file left on disk is trimmed to four.
 */
const CATCH_UP_AFTER = 4;
const TRUNCATE_AFTER = 8;
const AUTOCHECKPOINT_AFTER = 16;

/** SQLite's own autocheckpoint, in pages, once the worker has failed: its default. */
const SQLITE_AUTOCHECKPOINT = 1000;

/** How a document file behaves; the store passes its own options. */
export interface RunDocumentFileOptions {
  /** How long a write waits for another process's write lock, in ms. */
  busyTimeoutMs: number;
  /** As the store's: `full` syncs the WAL on every commit. */
  synchronous: 'normal' | 'full';
  /** Document bytes (JSON characters) written between two checkpoints of the worker. @default 16 MB */
  checkpointEveryBytes?: number;
}

/** The document file of the store on `storeFile` (an absolute path). */
export function documentFileOf(storeFile: string): string {
  return `${storeFile}-documents`;
}

/**
 * The run documents kept in a database of their own. Every call is synchronous and commits alone. The
 * file is created by the first document stored; until then reads find nothing and create nothing.
 */
export class RunDocumentFile {
  /** The absolute path of the file. */
  readonly location: string;
  readonly #options: RunDocumentFileOptions;
  readonly #Sqlite: typeof import('better-sqlite3');
  #db: SqliteDatabase | undefined;
  readonly #statements = new Map<string, Statement>();
  readonly #checkpoints: DocumentCheckpoints;
  readonly #scratch = new Utf8Scratch();
  #closed = false;

  private constructor(
    location: string,
    options: RunDocumentFileOptions,
    Sqlite: typeof import('better-sqlite3'),
  ) {
    this.location = location;
    this.#options = options;
    this.#Sqlite = Sqlite;
    const everyBytes = options.checkpointEveryBytes ?? CHECKPOINT_EVERY_BYTES;
    this.#checkpoints = new DocumentCheckpoints({
      file: location,
      busyTimeoutMs: options.busyTimeoutMs,
      synchronous: options.synchronous,
      everyBytes,
      catchUpFrames: Math.ceil((CATCH_UP_AFTER * everyBytes) / PAGE_SIZE),
      truncateFrames: Math.ceil((TRUNCATE_AFTER * everyBytes) / PAGE_SIZE),
      onFailure: () => this.#db?.pragma(`wal_autocheckpoint = ${SQLITE_AUTOCHECKPOINT}`),
    });
  }

  /** The document file at `location` (an absolute path), opened when first used. */
  static async open(location: string, options: RunDocumentFileOptions): Promise<RunDocumentFile> {
    const { default: Sqlite } = await import('better-sqlite3');
    return new RunDocumentFile(location, options, Sqlite);
  }

  /**
   * Stores `row`, committed when it returns. Resolves `false`, storing nothing, when a document of the
   * same run is there already and `replace` is false.
   */
  put(row: NewRunDocuments, storedAt: string, replace = false): boolean {
    const verb = replace ? 'insert or replace' : 'insert or ignore';
    // Large texts go in as their UTF-8, cast back to text (`utf8-scratch.ts`): the same TEXT, fewer copies.
    const [workflow, input, sealedInput] = this.#scratch.bindable([
      row.workflow,
      row.input,
      row.sealed_input,
    ]);
    const { changes } = this.#prepared(
      `${verb} into run_documents (run_id, stored_at, workflow, input, sealed_input)
        values (?, ?, cast(? as text), cast(? as text), cast(? as text))`,
      true,
    ).run(row.run_id, storedAt, workflow, input, sealedInput);
    if (changes > 0) {
      this.#checkpoints.written(
        row.workflow.length + (row.input?.length ?? 0) + (row.sealed_input?.length ?? 0),
      );
    }
    return changes > 0;
  }

  /**
   * Stores the documents of runs about to be inserted, each committed when it resolves, and resolves the ids
   * of those it stored: the caller deletes these again if their runs are not committed. A document whose
   * id is taken is an existing run's (`runsThatExist` lists it: left alone, and inserting the run then
   * fails as a duplicate) or an orphan a crash left (replaced).
   */
  async putForNewRuns(
    rows: readonly NewRunDocuments[],
    runsThatExist: (ids: string[]) => Promise<ReadonlySet<string>>,
  ): Promise<string[]> {
    // The worker has fallen behind: let it catch up first (see `DocumentCheckpoints.room`).
    const room = this.#checkpoints.room();
    if (room !== undefined) await room;
    const storedAt = new Date().toISOString();
    const stored: string[] = [];
    const taken: NewRunDocuments[] = [];
    for (const row of rows) {
      if (this.put(row, storedAt)) stored.push(row.run_id);
      else taken.push(row);
    }
    if (taken.length === 0) return stored;
    const existing = await runsThatExist(taken.map((row) => row.run_id));
    for (const row of taken) {
      if (!existing.has(row.run_id) && this.put(row, storedAt, true)) stored.push(row.run_id);
    }
    return stored;
  }

  /**
   * Deletes the documents of `ids` whose runs were not committed, as {@link delete}; on an error they stay,
   * as orphans a store removes when it next opens.
   */
  deleteUncommitted(ids: readonly string[]): void {
    try {
      this.delete(ids);
    } catch {
      // Left as orphans.
    }
  }

  /** The documents of those of `ids` that have one, by run id. */
  get(ids: readonly string[]): Map<string, RunDocumentsTable> {
    const found = new Map<string, RunDocumentsTable>();
    for (let i = 0; i < ids.length; i += CHUNK) {
      const chunk = ids.slice(i, i + CHUNK);
      const select = this.#prepared(
        `select run_id, workflow, input, sealed_input from run_documents where run_id in (${marks(chunk.length)})`,
      );
      for (const row of (select?.all(...chunk) ?? []) as RunDocumentsTable[]) found.set(row.run_id, row);
    }
    return found;
  }

  /** Deletes the documents of `ids` (those without one are left alone); returns how many it deleted. */
  delete(ids: readonly string[]): number {
    let deleted = 0;
    for (let i = 0; i < ids.length; i += CHUNK) {
      const chunk = ids.slice(i, i + CHUNK);
      const remove = this.#prepared(`delete from run_documents where run_id in (${marks(chunk.length)})`);
      deleted += remove?.run(...chunk).changes ?? 0;
    }
    return deleted;
  }

  /** The run ids of the documents stored before `time` (ISO), oldest first. */
  storedBefore(time: string): string[] {
    const select = this.#prepared(
      'select run_id from run_documents where stored_at < ? order by stored_at, run_id',
    );
    return ((select?.all(time) ?? []) as { run_id: string }[]).map((row) => row.run_id);
  }

  /** What the checkpoints of the file did so far. @internal for tests */
  checkpointCounts(): CheckpointCounts {
    return this.#checkpoints.counts();
  }

  /** Resolves once no checkpoint of the file is in flight. @internal for tests */
  checkpointsSettled(): Promise<void> {
    return this.#checkpoints.settled();
  }

  /**
   * Ends the checkpoint worker, then closes the file (the last connection to it checkpoints the WAL and
   * removes it, as SQLite does). Idempotent.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#scratch.release();
    try {
      await this.#checkpoints.close();
    } finally {
      this.#db?.close();
    }
  }

  /** The statement of `text`; `undefined` when the file does not exist and `create` is false. */
  #prepared(text: string, create: true): Statement;
  #prepared(text: string, create?: boolean): Statement | undefined;
  #prepared(text: string, create = false): Statement | undefined {
    const db = this.#database(create);
    if (db === undefined) return undefined;
    let statement = this.#statements.get(text);
    if (statement === undefined) {
      statement = db.prepare(text);
      // Only the last chunk of a long list has another length: the texts stay few.
      if (this.#statements.size < 64) this.#statements.set(text, statement);
    }
    return statement;
  }

  #database(create: boolean): SqliteDatabase | undefined {
    if (this.#db !== undefined) return this.#db;
    if (this.#closed) throw new Error(`the run document file ${this.location} is closed`);
    if (!create && !existsSync(this.location)) return undefined;
    let db: SqliteDatabase | undefined;
    try {
      db = new this.#Sqlite(this.location, { timeout: this.#options.busyTimeoutMs });
      // Only a new, empty file takes the page size; it must come before WAL mode.
      db.pragma(`page_size = ${PAGE_SIZE}`);
      db.pragma('journal_mode = WAL');
      // The worker checkpoints; SQLite does only past a far larger WAL (a worker lagging or failed).
      const everyBytes = this.#options.checkpointEveryBytes ?? CHECKPOINT_EVERY_BYTES;
      const pageSize = Number(db.pragma('page_size', { simple: true }));
      db.pragma(`wal_autocheckpoint = ${Math.ceil((AUTOCHECKPOINT_AFTER * everyBytes) / pageSize)}`);
      db.pragma(`journal_size_limit = ${CATCH_UP_AFTER * everyBytes}`);
      db.pragma(`synchronous = ${this.#options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
      db.exec(`create table if not exists run_documents (
        run_id text primary key,
        stored_at text not null,
        workflow text not null,
        input text,
        sealed_input text
      )`);
      db.exec('create index if not exists run_documents_stored_at on run_documents (stored_at)');
    } catch (err) {
      db?.close();
      throw new EngineError(
        'SLUICE_STORE',
        `cannot open the run document file ${this.location}: ${describe(err)}`,
        {
          hint: 'check that the folder can be written and that the file is a SQLite database; it belongs with the store file beside it',
          cause: err,
        },
      );
    }
    this.#db = db;
    return db;
  }
}

function marks(count: number): string {
  return Array.from({ length: count }, () => '?').join(', ');
}
