/**
 * Checkpoints of the document file off the event loop (issue 14). With SQLite's own autocheckpoint, the
 * commit that filled the WAL copied it into the file and synced it, on the event loop: 64 MB of WAL (1000
 * pages of 64 KB) stalled every other run of the process for 80 to 740 ms, one large run in about twelve.
 * Here the main connection checkpoints only past a far larger bound (SQLite's, as a fallback), and a worker
 * thread with its own connection (`document-checkpoint-worker.ts`) runs a passive checkpoint each time
 * {@link DocumentCheckpointsOptions.everyBytes} of documents were written: passive waits for nobody and
 * blocks no writer, and document writes are rare, so it usually finds the WAL idle. Once it has copied
 * every frame, the next commit starts the WAL over from its beginning.
 *
 * The worker starts with the first checkpoint, so a process that writes less (`sluice run` with one large
 * input) never pays for a thread. Checkpoints change nothing a crash could lose: a commit is in the WAL
 * before it returns, and a checkpoint cut short by `kill -9` is taken up again by the next connection.
 *
 * @internal
 * @module
 */
import { createRequire } from 'node:module';
import type { Worker } from 'node:worker_threads';
import {
  CHECKPOINT_WORKER_SOURCE,
  type CheckpointReply,
  type CheckpointRequest,
  type CheckpointWorkerData,
} from './document-checkpoint-worker.js';

/** Passive checkpoints in a row while documents keep landing during each (another process's: ours wait). */
const CATCH_UP_PASSES = 4;

/** How the checkpoints of one document file behave. */
export interface DocumentCheckpointsOptions {
  /** The document file (absolute path), which exists when the first checkpoint is asked for. */
  file: string;
  busyTimeoutMs: number;
  synchronous: 'normal' | 'full';
  /** Document bytes written (as JSON characters) after which the worker checkpoints. */
  everyBytes: number;
  /**
   * WAL frames past which a checkpoint that documents landed during is followed at once by another, which
   * writers await ({@link DocumentCheckpoints.room}): documents landing during every checkpoint keep the
   * WAL from starting over, and this lets it.
   */
  catchUpFrames: number;
  /** WAL frames past which the worker truncates the WAL (waiting for the writers of the moment): a last resort. */
  truncateFrames: number;
  /** Called once if the worker fails: the file goes back to SQLite's own checkpoints. */
  onFailure(): void;
}

/** What the checkpoints did so far (for tests and diagnostics). */
export interface CheckpointCounts {
  /** `none` until the first checkpoint starts the worker. */
  worker: 'none' | 'running' | 'ended' | 'failed';
  /** Checkpoints the worker ran, by mode. */
  passive: number;
  truncate: number;
  /** WAL frames the worker's checkpoints reported copied into the file, summed. */
  frames: number;
  /** Times a writer waited for the worker to catch up ({@link DocumentCheckpoints.room}). */
  waits: number;
  /** The thread the last checkpoint ran on (`worker_threads.threadId`; the main thread is 0). */
  threadId: number | undefined;
  /** Why the worker failed, once it did. */
  error: string | undefined;
}

/** The checkpoints of one document file. */
export class DocumentCheckpoints {
  readonly #options: DocumentCheckpointsOptions;
  #worker: Worker | undefined;
  /** Resolves when the worker thread has exited. */
  #exited: Promise<void> = Promise.resolve();
  #closing = false;
  #pending = 0;
  #inFlight = false;
  #passes = 0;
  /** The checkpoint in flight copies what was written during the one before: writers wait for it. */
  #catchingUp = false;
  #idle: (() => void)[] = [];
  readonly #counts: CheckpointCounts = {
    worker: 'none',
    passive: 0,
    truncate: 0,
    frames: 0,
    waits: 0,
    threadId: undefined,
    error: undefined,
  };

  constructor(options: DocumentCheckpointsOptions) {
    this.#options = options;
  }

  /** Notes `bytes` of documents committed; asks for a checkpoint once enough were. */
  written(bytes: number): void {
    this.#pending += bytes;
    if (this.#pending >= this.#options.everyBytes && !this.#inFlight) this.#request('passive');
  }

  /**
   * A promise to await before writing more documents when the worker falls behind: it is catching up (see
   * {@link DocumentCheckpointsOptions.catchUpFrames}), or another {@link DocumentCheckpointsOptions.everyBytes}
   * were written since the checkpoint in flight was asked for. Waiting keeps the event loop free: only the
   * writer of a large document is delayed. `undefined` when there is room.
   */
  room(): Promise<void> | undefined {
    if (!this.#inFlight || (!this.#catchingUp && this.#pending < this.#options.everyBytes)) return undefined;
    this.#counts.waits++;
    return this.settled();
  }

  /** A copy of the counts so far. */
  counts(): CheckpointCounts {
    return { ...this.#counts };
  }

  /** Resolves once no checkpoint is in flight. */
  settled(): Promise<void> {
    if (!this.#inFlight) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /** Ends the worker (after the checkpoint it is running, if any). Idempotent. */
  close(): Promise<void> {
    if (this.#closing) return this.#exited;
    this.#closing = true;
    if (this.#counts.worker !== 'failed') this.#counts.worker = 'ended';
    const worker = this.#worker;
    if (worker !== undefined) {
      // Held until it exits: a process awaiting `close()` must not end in the middle of it.
      worker.ref();
      worker.postMessage('close' satisfies CheckpointRequest);
    }
    this.#inFlight = false;
    this.#settle();
    return this.#exited;
  }

  #request(mode: 'passive' | 'truncate'): void {
    if (this.#counts.worker === 'failed' || this.#closing) return;
    const worker = this.#worker ?? this.#start();
    this.#pending = 0;
    this.#inFlight = true;
    // Held while it checkpoints (a process ending meanwhile waits for this one), let go when idle.
    worker.ref();
    worker.postMessage({ checkpoint: mode } satisfies CheckpointRequest);
  }

  #start(): Worker {
    const require = createRequire(import.meta.url);
    const data: CheckpointWorkerData = {
      sqlite: require.resolve('better-sqlite3'),
      file: this.#options.file,
      busyTimeoutMs: this.#options.busyTimeoutMs,
      synchronous: this.#options.synchronous === 'full' ? 'FULL' : 'NORMAL',
    };
    // Loaded here, not with the module: a process that never checkpoints (`sluice run`) does not pay for it.
    const { Worker } = require('node:worker_threads') as typeof import('node:worker_threads');
    // No exec arguments: the process's loaders (tsx in development) have nothing to do in this script.
    const worker = new Worker(CHECKPOINT_WORKER_SOURCE, { eval: true, workerData: data, execArgv: [] });
    this.#exited = new Promise((resolve) => worker.once('exit', () => resolve()));
    worker.on('message', (reply: CheckpointReply) => this.#answered(reply));
    worker.on('error', (err) => this.#fail(err.message));
    worker.on('exit', (code) => this.#fail(`the checkpoint worker exited with code ${code}`));
    // Let go while idle; after the listeners, as adding a 'message' listener refs the worker's port again.
    worker.unref();
    this.#worker = worker;
    this.#counts.worker = 'running';
    return worker;
  }

  #answered(reply: CheckpointReply): void {
    if (this.#closing) return;
    this.#inFlight = false;
    if ('error' in reply) {
      this.#fail(reply.error);
      return;
    }
    const counts = this.#counts;
    counts[reply.mode]++;
    counts.threadId = reply.threadId;
    if (reply.checkpointed > 0) counts.frames += reply.checkpointed;
    const next = this.#next(reply);
    if (next === undefined) {
      this.#passes = 0;
      this.#catchingUp = false;
      this.#worker?.unref();
      this.#settle();
      return;
    }
    this.#request(next === 'truncate' ? 'truncate' : 'passive');
    this.#catchingUp = next === 'catch up';
  }

  /** What follows a checkpoint: another one, and why, or nothing. */
  #next(reply: Extract<CheckpointReply, { mode: string }>): 'truncate' | 'catch up' | 'due' | undefined {
    if (reply.busy !== 0 || reply.log < 0) {
      // Another connection is checkpointing: try again after the next document.
      this.#pending = Math.max(this.#pending, this.#options.everyBytes);
      return undefined;
    }
    if (reply.mode === 'passive' && reply.log > this.#options.truncateFrames) return 'truncate';
    // Documents were written during the checkpoint (after the WAL it saw), so the WAL will not start over;
    // past a bound, copy them too with writers waiting (`room`), so that the next commit starts it over.
    const long = this.#catchingUp || reply.log >= this.#options.catchUpFrames;
    if (reply.mode === 'passive' && this.#pending > 0 && long && ++this.#passes < CATCH_UP_PASSES) {
      return 'catch up';
    }
    this.#passes = 0;
    return this.#pending >= this.#options.everyBytes ? 'due' : undefined;
  }

  #fail(error: string): void {
    if (this.#counts.worker === 'failed' || this.#closing) return;
    this.#counts.worker = 'failed';
    this.#counts.error = error;
    this.#inFlight = false;
    void this.#worker?.terminate();
    this.#options.onFailure();
    this.#settle();
  }

  #settle(): void {
    for (const resolve of this.#idle.splice(0)) resolve();
  }
}
