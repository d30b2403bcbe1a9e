/**
 * The worker threads templates compile and render in (issue 12: a template may only ever fail its own
 * render). Each worker holds one minijinja-js instance whose WebAssembly memory is capped, and runs one
 * job at a time; jobs wait in a queue served fairly by tenant. A template that passes the deadline gets
 * its worker terminated; a worker whose instance broke (a trap, a stack overflow, its JavaScript heap
 * full) exits; either way the job's template fails with the limit it hit, a fresh worker takes the
 * slot, and the main thread's event loop never waits on a template.
 *
 * @internal
 * @module
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { FairQueue } from './fair-queue.js';
import {
  type Job,
  type JobReply,
  type JobRequest,
  PROGRESS_INDEX,
  PROGRESS_STARTED,
  type TemplateJobs,
  type TemplateLimit,
  type WorkerConfig,
} from './protocol.js';
import { Wasm, type WasmModule } from './wasm.js';
import { capWasmMemory, WASM_PAGE_BYTES } from './wasm-memory-cap.js';
import { templateWorkerUrl } from './worker-entry.js';

/** The settings of a pool (validated by the renderer). */
export interface PoolSettings {
  workers: number;
  fuel: number;
  cacheSize: number;
  deadlineMs: number;
  memoryMb: number;
  maxOutputChars: number;
}

interface Pending {
  request: JobRequest;
  resolve: (reply: JobReply) => void;
  reject: (error: Error) => void;
}

interface Slot {
  worker: Worker;
  progress: BigInt64Array;
  job?: Pending | undefined;
  timer?: NodeJS.Timeout | undefined;
  /** Set once the slot's worker is being replaced, so its late events are ignored. */
  retired: boolean;
}

const modules = new Map<number, WasmModule>();

/** minijinja-js compiled once per memory cap, shared by every worker (a Module is sent, not recompiled). */
function cappedModule(memoryMb: number): WasmModule {
  const pages = Math.ceil((memoryMb * 1024 * 1024) / WASM_PAGE_BYTES);
  let module = modules.get(pages);
  if (module === undefined) {
    const path = createRequire(import.meta.url).resolve('minijinja-js/dist/web/minijinja_js_bg.wasm');
    module = new Wasm.Module(capWasmMemory(readFileSync(path), pages));
    modules.set(pages, module);
  }
  return module;
}

/** Thrown by {@link TemplateWorkerPool.run} once the pool is closed. */
export class PoolClosedError extends Error {
  constructor() {
    super('the template renderer is closed');
    this.name = 'PoolClosedError';
  }
}

/** A fixed number of template workers, started on first use and replaced when one fails. */
export class TemplateWorkerPool implements TemplateJobs {
  readonly #settings: PoolSettings;
  readonly #slots: (Slot | undefined)[];
  readonly #queue = new FairQueue<Pending>();
  #nextId = 0;
  #closed = false;

  constructor(settings: PoolSettings) {
    this.#settings = settings;
    this.#slots = Array.from({ length: settings.workers }, () => undefined);
  }

  /**
   * Runs a job on the next free worker, `tenant`'s jobs taking turns with other tenants'. Resolves with
   * the worker's reply, or with a failure at the template that passed the deadline or broke its worker.
   *
   * @throws {PoolClosedError} when the pool is closed (before or while the job waits).
   */
  run(tenant: string, job: Job): Promise<JobReply> {
    if (this.#closed) return Promise.reject(new PoolClosedError());
    return new Promise((resolve, reject) => {
      this.#queue.push(tenant, { request: { ...job, id: ++this.#nextId } as JobRequest, resolve, reject });
      this.#dispatch();
    });
  }

  /** Stops every worker; jobs still waiting fail with {@link PoolClosedError}. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const pending of this.#queue.drain()) pending.reject(new PoolClosedError());
    await Promise.all(
      this.#slots.map(async (slot, i) => {
        if (slot === undefined) return;
        this.#slots[i] = undefined;
        slot.retired = true;
        clearTimeout(slot.timer);
        slot.job?.reject(new PoolClosedError());
        await slot.worker.terminate();
      }),
    );
  }

  #dispatch(): void {
    for (let i = 0; i < this.#slots.length && this.#queue.size > 0; i++) {
      const slot = this.#slots[i] ?? this.#start(i);
      if (slot.job !== undefined) continue;
      const pending = this.#queue.shift() as Pending;
      slot.job = pending;
      slot.worker.ref();
      slot.worker.postMessage(pending.request);
      this.#arm(slot, this.#settings.deadlineMs);
    }
  }

  #start(i: number): Slot {
    const settings = this.#settings;
    const shared = new SharedArrayBuffer(16);
    const config: WorkerConfig = {
      module: cappedModule(settings.memoryMb),
      progress: shared,
      fuel: settings.fuel,
      cacheSize: settings.cacheSize,
      maxOutputChars: settings.maxOutputChars,
      memoryBytes: settings.memoryMb * 1024 * 1024,
    };
    const worker = new Worker(templateWorkerUrl(), { workerData: config, ...options(settings.memoryMb) });
    const slot: Slot = { worker, progress: new BigInt64Array(shared), retired: false };
    worker.on('message', (reply: JobReply) => this.#settle(slot, reply));
    worker.on('error', (error: Error & { code?: string }) =>
      this.#fail(slot, error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'memory' : 'crash', error.message),
    );
    worker.on('exit', (code) => this.#fail(slot, 'crash', `the template worker exited with code ${code}`));
    // Idle until a job comes: after the listeners, as adding a 'message' listener refs the worker again
    // (an idle replacement would otherwise keep the process alive).
    worker.unref();
    this.#slots[i] = slot;
    return slot;
  }

  /** Checks the deadline of the template the slot's worker is on after `ms`, and again until the job ends. */
  #arm(slot: Slot, ms: number): void {
    slot.timer = setTimeout(() => {
      if (slot.retired || slot.job === undefined) return;
      const started = Number(Atomics.load(slot.progress, PROGRESS_STARTED));
      // Not started yet: the worker is still booting or reading the job.
      if (started === 0) return this.#arm(slot, this.#settings.deadlineMs);
      const elapsed = Date.now() - started;
      if (elapsed < this.#settings.deadlineMs) return this.#arm(slot, this.#settings.deadlineMs - elapsed);
      this.#fail(slot, 'deadline', `it ran longer than the deadline of ${this.#settings.deadlineMs} ms`);
    }, ms);
  }

  #settle(slot: Slot, reply: JobReply): void {
    if (slot.retired || slot.job === undefined || reply.id !== slot.job.request.id) return;
    const { resolve } = slot.job;
    clearTimeout(slot.timer);
    slot.job = undefined;
    if (reply.retire) this.#replace(slot);
    else slot.worker.unref();
    resolve(reply);
    this.#dispatch();
  }

  /** The slot's worker is gone or must go: its job fails at the template it was on. */
  #fail(slot: Slot, limit: TemplateLimit, detail: string): void {
    if (slot.retired) return;
    const job = slot.job;
    const index = Number(Atomics.load(slot.progress, PROGRESS_INDEX));
    clearTimeout(slot.timer);
    slot.job = undefined;
    this.#replace(slot);
    job?.resolve({
      id: job.request.id,
      results: [],
      failure: { index, failure: { kind: 'limit', limit, detail } },
    });
    this.#dispatch();
  }

  /** Stops the slot's worker and starts its successor at once, so the next job need not wait for a boot. */
  #replace(slot: Slot): void {
    slot.retired = true;
    // terminate() stops even a WebAssembly loop; its promise settles once the thread is gone.
    void slot.worker.terminate();
    const i = this.#slots.indexOf(slot);
    if (i < 0) return;
    this.#slots[i] = undefined;
    if (!this.#closed) this.#start(i);
  }
}

/**
 * Worker options: the heap caps, and no inherited `execArgv`: a parent started with loaders (`--import
 * tsx`, a test runner's) would load them again in every worker, several times its boot cost.
 */
function options(memoryMb: number): WorkerOptions {
  return {
    execArgv: [],
    resourceLimits: { maxOldGenerationSizeMb: memoryMb, maxYoungGenerationSizeMb: Math.min(32, memoryMb) },
  };
}
