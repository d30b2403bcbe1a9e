/**
 * The BullMQ run queue on the machine's Redis and PostgreSQL (skipped without `SLUICE_TEST_PG_URL` and
 * `SLUICE_TEST_REDIS_URL`): runs pushed by an API node that executes nothing run on worker engines;
 * `waitForRun` and cancelling work from the API node; a duplicated job runs its run once; a job lost
 * with Redis's data is pushed again by the sweeper; Redis and PostgreSQL outages (a TCP proxy cut and
 * restored) are logged once, pause the work and lose no run.
 *
 * Each test has its own PostgreSQL schema and Redis key prefix, removed afterwards.
 */
import {
  type ApiCaller,
  type CreateEngineOptions,
  createEngine,
  type Engine,
  openStore,
  parseWorkflow,
  type ServiceStore,
  type SqlStore,
  type StoredWorkflow,
} from '@sluice/engine';
import { RUN_QUEUE_NAME } from '@sluice/engine/internal';
import { Queue } from 'bullmq';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DIALECTS, PG_URL, type TestDatabase } from '../store/dialects.js';
import {
  deleteKeys,
  recordingLogger,
  type StepApi,
  startStepApi,
  startTcpProxy,
  type TcpProxy,
  until,
} from './queue-fixtures.js';

const REDIS_URL = process.env.SLUICE_TEST_REDIS_URL;
const postgres = DIALECTS.find((dialect) => dialect.name === 'postgres');
const caller: ApiCaller = { id: 'a@acme.test', email: 'a@acme.test', workspace_id: 'acme', role: 'member' };

let db: TestDatabase;
let api: StepApi;
let prefix: string;
const engines: Engine[] = [];
const closers: (() => Promise<unknown>)[] = [];

/** An engine on `store` with short leases and sweeps, on the test's Redis prefix. */
function engineOn(store: ServiceStore, options: Partial<CreateEngineOptions> = {}): Engine {
  const engine = createEngine({
    store,
    queue: { redis: REDIS_URL as string, prefix },
    closeGraceMs: 0,
    leaseMs: 1000,
    heartbeatMs: 100,
    sweepMs: 100,
    waitPollMs: 20,
    maxConcurrentRuns: 2,
    ...options,
  });
  engines.push(engine);
  return engine;
}

async function publish(store: ServiceStore): Promise<StoredWorkflow> {
  const document = await parseWorkflow(
    JSON.stringify({ name: 'queued', steps: [{ name: 'call', apispec: { url: api.url } }] }),
  );
  return store.workflows.publish({
    uid: 'wf',
    workspace_id: 'acme',
    user_id: caller.email,
    document,
    at: new Date().toISOString(),
  });
}

async function status(store: ServiceStore, id: string): Promise<string | undefined> {
  return (await store.runs.getRun(id))?.status;
}

/** A store on the test's schema through `proxy` (closed in teardown). */
async function storeThrough(proxy: TcpProxy): Promise<SqlStore> {
  const url = new URL(PG_URL as string);
  url.host = `127.0.0.1:${proxy.port}`;
  const store = await openStore({ url: url.toString(), schema: db.where, connectTimeoutMs: 2000 });
  closers.push(() => store.close());
  return store;
}

/** A BullMQ queue handle on the test's prefix, for looking at (and adding) jobs directly. */
function rawQueue(): Queue {
  const queue = new Queue(RUN_QUEUE_NAME, { connection: { url: REDIS_URL }, prefix });
  closers.push(() => queue.close());
  return queue;
}

async function drained(queue: Queue): Promise<boolean> {
  const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
  return Object.values(counts).every((n) => n === 0);
}

describe.skipIf(postgres === undefined || postgres.skip || REDIS_URL === undefined)(
  'BullMQ run queue on PostgreSQL and Redis',
  () => {
    beforeEach(async () => {
      db = await (postgres as NonNullable<typeof postgres>).setup();
      api = await startStepApi();
      prefix = `sluice-test-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
    });
    afterEach(async () => {
      for (const engine of engines.splice(0).reverse()) await engine.close();
      for (const close of closers.splice(0).reverse()) await close();
      await api.close();
      await deleteKeys(REDIS_URL as string, prefix);
      await db.teardown();
    });

    it('executes runs an API node pushes on two worker engines, and waits for them on the store', async () => {
      const apiStore = await db.open();
      const stored = await publish(apiStore);
      const apiNode = engineOn(apiStore, { execute: false });
      const workers = [engineOn(await db.open()), engineOn(await db.open())];
      await apiNode.start();
      for (const worker of workers) await worker.start();

      // Four calls in flight at once: two slots on each worker, so both execute.
      api.hold();
      const held = await Promise.all([1, 2, 3, 4].map(() => apiNode.startRun(stored, {}, caller)));
      await until(() => api.inFlight === 4);
      expect(apiNode.queueDepth).toBe(0);
      expect((await apiNode.queueStats()).active).toBe(4);
      api.release();
      const more = await Promise.all([1, 2, 3, 4, 5, 6].map(() => apiNode.startRun(stored, {}, caller)));
      for (const id of [...held, ...more]) {
        await apiNode.waitForRun(id, 10_000);
        expect(await status(apiStore, id)).toBe('succeeded');
        expect(api.calls(id)).toBe(1);
      }
    });

    it('executes a run once when its job is duplicated', async () => {
      const apiStore = await db.open();
      const stored = await publish(apiStore);
      const apiNode = engineOn(apiStore, { execute: false });
      const workers = [engineOn(await db.open()), engineOn(await db.open())];
      await apiNode.start();
      for (const worker of workers) await worker.start();
      const queue = rawQueue();

      api.hold();
      const id = await apiNode.startRun(stored, {}, caller);
      // Other jobs pointing at the same run (a push raced, or a stalled job came back).
      for (const n of [1, 2, 3, 4]) await queue.add('continue', { runId: id }, { jobId: `dup-${n}` });
      await until(() => api.inFlight === 1);
      api.release();
      await apiNode.waitForRun(id, 10_000);
      await until(() => drained(queue));
      expect(await status(apiStore, id)).toBe('succeeded');
      expect(api.calls(id)).toBe(1);
    });

    it('cancels from the API node a run executing on a worker: its heartbeat fences it', async () => {
      const apiStore = await db.open();
      const stored = await publish(apiStore);
      const apiNode = engineOn(apiStore, { execute: false });
      const log = recordingLogger();
      const worker = engineOn(await db.open(), { logger: log });
      await apiNode.start();
      await worker.start();

      api.hold();
      const id = await apiNode.startRun(stored, {}, caller);
      await until(() => api.inFlight === 1);
      await apiNode.cancelRun(id);
      await until(
        () =>
          log.count('the run lease was lost (another process owns the run, or it ended); stopping here') ===
          1,
      );
      api.release();
      await until(async () => (await worker.queueStats()).local === 0);
      expect(await apiStore.runs.getRun(id)).toMatchObject({ status: 'cancelled', lease_owner: null });
      // The answer came after the fence: nothing of it was recorded.
      const items = await apiStore.runs.listStepItems(id);
      expect(items.filter((item) => item.status === 'succeeded')).toEqual([]);
    });

    it('pushes a run again once its job was lost with the Redis keys', async () => {
      const apiStore = await db.open();
      const stored = await publish(apiStore);
      // The API node sweeps rarely: the worker's sweeper is the one that finds the lost run.
      const apiNode = engineOn(apiStore, { execute: false, sweepMs: 600_000 });
      await apiNode.start();
      const queue = rawQueue();
      const id = await apiNode.startRun(stored, {}, caller);
      await until(async () => (await queue.getJobCounts('waiting')).waiting === 1);
      expect(await deleteKeys(REDIS_URL as string, prefix)).toBeGreaterThan(0);
      expect(await queue.getJob(id)).toBeUndefined();

      const worker = engineOn(await db.open());
      await worker.start();
      await apiNode.waitForRun(id, 10_000);
      expect(await status(apiStore, id)).toBe('succeeded');
      expect(api.calls(id)).toBe(1);
    });

    it('logs a Redis outage once, and re-pushes the runs whose jobs it lost when Redis is back', async () => {
      const redis = new URL(REDIS_URL as string);
      const proxy = await startTcpProxy(redis.hostname, Number(redis.port || 6379));
      closers.push(() => proxy.close());
      const apiStore = await db.open();
      const stored = await publish(apiStore);
      const apiNode = engineOn(apiStore, { execute: false, sweepMs: 600_000 });
      const log = recordingLogger();
      const through = new URL(REDIS_URL as string);
      through.host = `127.0.0.1:${proxy.port}`;
      const worker = engineOn(await db.open(), {
        logger: log,
        queue: { redis: through.toString(), prefix },
      });
      await apiNode.start();
      await worker.start();
      const first = await apiNode.startRun(stored, {}, caller);
      await apiNode.waitForRun(first, 10_000);
      expect(await status(apiStore, first)).toBe('succeeded');

      proxy.cut();
      await until(() =>
        log.lines.some((line) => line.message.startsWith('redis unreachable, queueing paused:')),
      );
      const lost = await apiNode.startRun(stored, {}, caller);
      await deleteKeys(REDIS_URL as string, prefix);
      proxy.restore();
      await apiNode.waitForRun(lost, 20_000);
      expect(await status(apiStore, lost)).toBe('succeeded');
      expect(api.calls(lost)).toBe(1);
      expect(log.lines.filter((line) => line.message.startsWith('redis unreachable')).length).toBe(1);
      expect(log.count('redis reachable again, re-pushing runs')).toBe(1);
    });

    it('pauses work while PostgreSQL is unreachable and resumes it, losing no run', async () => {
      const proxy = await startTcpProxy('127.0.0.1', Number(new URL(PG_URL as string).port || 5432));
      closers.push(() => proxy.close());
      const apiStore = await db.open();
      const stored = await publish(apiStore);
      const apiNode = engineOn(apiStore, { execute: false, sweepMs: 600_000 });
      const log = recordingLogger();
      const worker = engineOn(await storeThrough(proxy), { logger: log });
      await apiNode.start();
      await worker.start();

      // One run executes on the worker when the store goes away; more are started during the outage.
      api.hold();
      const inFlight = await apiNode.startRun(stored, {}, caller);
      await until(() => api.inFlight === 1);
      proxy.cut();
      const during = await Promise.all([1, 2, 3, 4, 5].map(() => apiNode.startRun(stored, {}, caller)));
      await until(() =>
        log.lines.some((line) => line.message.startsWith('store unreachable, pausing work:')),
      );
      // Past the lease without a renewal, the execution stops writing (another node may own the run).
      await until(
        () => log.count('the run lease could not be renewed for longer than the lease; stopping here') === 1,
      );
      api.release();
      proxy.restore();

      for (const id of [inFlight, ...during]) {
        await apiNode.waitForRun(id, 20_000);
        expect(await status(apiStore, id)).toBe('succeeded');
      }
      for (const id of during) expect(api.calls(id)).toBe(1);
      // The fenced item ran again after the outage, with the same Idempotency-Key.
      expect(api.calls(inFlight)).toBe(2);
      expect(log.lines.filter((line) => line.message.startsWith('store unreachable')).length).toBe(1);
      expect(log.count('store reachable again, resuming')).toBe(1);
    });
  },
);
