/**
 * The worker thread that checkpoints the document file (`document-checkpoints.ts`): its own
 * better-sqlite3 connection to the file, which runs `PRAGMA wal_checkpoint(<mode>)` when asked and answers
 * SQLite's counts. The policy (when, which mode) stays on the main side; this side only runs the pragma.
 *
 * The source is a short CommonJS script run with `eval: true` rather than a module file: better-sqlite3 is a
 * native addon, which a bundled worker (as the template worker is from the sources) cannot carry, and the
 * same text then runs from the sources, the built package and the CLI bundle. The addon's path comes in
 * `workerData`, resolved by the main side, so the script needs no module resolution of its own.
 *
 * @internal
 * @module
 */

/** What the worker is given when it starts. */
export interface CheckpointWorkerData {
  /** The resolved path of better-sqlite3's entry. */
  sqlite: string;
  /** The document file, which exists (the first document created it). */
  file: string;
  busyTimeoutMs: number;
  synchronous: 'NORMAL' | 'FULL';
}

/**
 * A request: a checkpoint in one of two modes, or `close`. `passive` copies what it can without waiting
 * for anyone; `truncate` waits for writers and readers (busy timeout), then empties the WAL file.
 */
export type CheckpointRequest = { checkpoint: 'passive' | 'truncate' } | 'close';

/** The answer to a checkpoint: SQLite's three counts (`log`, `checkpointed` in frames), or why it failed. */
export type CheckpointReply =
  | { mode: 'passive' | 'truncate'; busy: number; log: number; checkpointed: number; threadId: number }
  | { error: string };

/** The worker's script (CommonJS, run with `eval: true`). */
export const CHECKPOINT_WORKER_SOURCE = `'use strict';
const { parentPort, workerData, threadId } = require('node:worker_threads');
const MODES = { passive: 'PASSIVE', truncate: 'TRUNCATE' };
const failure = (err) => ({ error: String((err && err.message) || err) });
let db;
try {
  const Sqlite = require(workerData.sqlite);
  db = new Sqlite(workerData.file, { fileMustExist: true, timeout: workerData.busyTimeoutMs });
  db.pragma('synchronous = ' + (workerData.synchronous === 'FULL' ? 'FULL' : 'NORMAL'));
} catch (err) {
  parentPort.postMessage(failure(err));
}
parentPort.on('message', (request) => {
  if (request === 'close' || db === undefined) {
    if (db !== undefined) db.close();
    process.exit(0);
  }
  const mode = MODES[request.checkpoint];
  try {
    const [row] = db.pragma('wal_checkpoint(' + mode + ')');
    parentPort.postMessage({ mode: request.checkpoint, busy: row.busy, log: row.log, checkpointed: row.checkpointed, threadId });
  } catch (err) {
    parentPort.postMessage(failure(err));
  }
});
`;
