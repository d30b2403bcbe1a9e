/**
 * Durability of the engine service (DESIGN §4): a long retry wait is a stored wait (the run is
 * committed `running` with `resume_at`, its lease let go, and the sweeper resumes it when due with the
 * item's remaining retry budget and the same Idempotency-Key), and a run whose lease expired is taken
 * over by another engine on the same store, while the engine that lost it is fenced.
 *
 * Time is a shared fake clock that the tests move; sweeps and heartbeats run on short real timers,
 * and the tests wait for them by counting the store calls they make, never by measuring time.
 */
import {
  type ApiCaller,
  type CreateEngineOptions,
  createEngine,
  type Engine,
  getRunRecord,
  idempotencyKey,
  parseWorkflow,
  type ServiceStore,
  type StoredWorkflow,
} from '@sluice/engine';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FlakyServer, startFlakyServer } from '../helpers/flaky-server.js';
import { DIALECTS, type TestDatabase } from '../store/dialects.js';

const caller: ApiCaller = { id: 'a@acme.test', email: 'a@acme.test', workspace_id: 'acme', role: 'member' };
const T0 = Date.parse('2026-01-01T00:00:00Z');

let db: TestDatabase;
let server: FlakyServer;
const engines: Engine[] = [];

/** A store of its own on the test's database, with a count of the sweeps made through it. */
async function countingStore(): Promise<{ store: ServiceStore; sweeps: () => number }> {
  const raw = await db.open();
  let sweeps = 0;
  const runs = new Proxy(raw.runs, {
    get(target, property) {
      if (property === 'listClaimableRuns') {
        return (now: string, limit: number) => {
          sweeps += 1;
          return target.listClaimableRuns(now, limit);
        };
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { store: { ...raw, runs }, sweeps: () => sweeps };
}

function engineOn(store: ServiceStore, options: Partial<CreateEngineOptions>): Engine {
  const engine = createEngine({ store, closeGraceMs: 0, sweepMs: 5, heartbeatMs: 5, ...options });
  engines.push(engine);
  return engine;
}

async function publish(store: ServiceStore, steps: object[], extra: object = {}): Promise<StoredWorkflow> {
  const document = await parseWorkflow(JSON.stringify({ name: 'durable', steps, ...extra }));
  return store.workflows.publish({
    uid: 'wf',
    workspace_id: 'acme',
    user_id: caller.email,
    document,
    at: new Date(T0).toISOString(),
  });
}

async function until(check: () => Promise<boolean> | boolean): Promise<void> {
  while (!(await check())) await new Promise((r) => setTimeout(r, 5));
}

/** Waits until `sweeps` has moved on by `n` passes (so the sweeper has looked at the store since). */
async function sweepsPass(sweeps: () => number, n = 3): Promise<void> {
  const from = sweeps();
  await until(() => sweeps() >= from + n);
}

// Once per dialect: SQLite always, PostgreSQL when SLUICE_TEST_PG_URL is set (a schema per test).
for (const dialect of DIALECTS) {
  describe.skipIf(dialect.skip)(`on ${dialect.name}`, () => {
    beforeEach(async () => {
      db = await dialect.setup();
      server = await startFlakyServer();
    });
    afterEach(async () => {
      for (const engine of engines.splice(0).reverse()) await engine.close();
      await server.close();
      await db.teardown();
    });
    storedWaits();
    leases();
  });
}

function storedWaits(): void {
  describe('stored waits', () => {
    it("stores a wait step as the run's resume_at, holds no lease meanwhile, and goes on when it is due", async () => {
      const { store, sweeps } = await countingStore();
      let clock = T0;
      const stored = await publish(store, [
        { name: 'first', apispec: { url: server.url('/first') } },
        { name: 'pause', wait: { seconds: 30 } },
        { name: 'then', apispec: { url: server.url('/then') } },
      ]);
      server.script('/first', [{ status: 200, body: { ok: true } }]);
      server.script('/then', [{ status: 200, body: { ok: true } }]);
      const engine = engineOn(store, { now: () => clock, owner: 'p1' });
      await engine.start();
      const id = await engine.startRun(stored, {}, caller);
      await until(async () => (await store.runs.getRun(id))?.resume_at != null);
      expect(await store.runs.getRun(id)).toMatchObject({
        status: 'running',
        resume_at: new Date(T0 + 30_000).toISOString(),
        lease_owner: null,
        lease_expires_at: null,
      });
      const waiting = (await store.runs.listStepItems(id)).find((row) => row.step_index === 1);
      expect(waiting).toMatchObject({ status: 'running', finished_at: null });
      expect(waiting?.history).toEqual([
        { started_at: new Date(T0).toISOString(), duration_ms: 0, wait_ms: 30_000 },
      ]);

      // Sweeps before the time do not resume it; a sweep 10 s in leaves the end where it was.
      await sweepsPass(sweeps);
      clock += 10_000;
      await sweepsPass(sweeps);
      expect(server.count('/then')).toBe(0);
      expect((await store.runs.getRun(id))?.resume_at).toBe(new Date(T0 + 30_000).toISOString());

      clock += 20_000;
      await until(async () => (await store.runs.getRun(id))?.status === 'succeeded');
      const record = await getRunRecord(store.runs, id);
      expect(record.steps.map((step) => [step.name, step.status])).toEqual([
        ['first', 'succeeded'],
        ['pause', 'succeeded'],
        ['then', 'succeeded'],
      ]);
      expect(record.steps[1]?.output).toEqual({ until: new Date(T0 + 30_000).toISOString() });
      expect([server.count('/first'), server.count('/then')]).toEqual([1, 1]);
    });

    it('commits a long Retry-After wait, lets the run go, and resumes it when due with the rest of its retry budget', async () => {
      const { store, sweeps } = await countingStore();
      let clock = T0;
      const stored = await publish(store, [
        { name: 'first', apispec: { url: server.url('/first') } },
        {
          name: 'limited',
          apispec: { url: server.url('/limited') },
          retry: { total: 2, status_forcelist: [503] },
        },
      ]);
      server.script('/first', [{ status: 200, body: { ok: true } }]);
      server.script('/limited', [{ status: 503, headers: { 'retry-after': '30' } }]);
      const engine = engineOn(store, { now: () => clock, owner: 'p1' });
      await engine.start();
      const id = await engine.startRun(stored, {}, caller);
      await until(async () => (await store.runs.getRun(id))?.resume_at !== null);

      const waiting = await store.runs.getRun(id);
      expect(waiting).toMatchObject({
        status: 'running',
        resume_at: new Date(T0 + 30_000).toISOString(),
        lease_owner: null,
        lease_expires_at: null,
      });
      const item = (await store.runs.listStepItems(id)).find((row) => row.step_index === 1);
      expect(item).toMatchObject({ status: 'running', attempts: 1, finished_at: null });
      expect(item?.history.map((entry) => entry.status)).toEqual([503]);
      expect((await getRunRecord(store.runs, id)).resume_at).toBe(new Date(T0 + 30_000).toISOString());

      // Sweeps before the time do not resume it.
      await sweepsPass(sweeps);
      expect(server.count('/limited')).toBe(1);

      clock += 30_000;
      await until(() => server.count('/limited') === 2);
      await until(
        async () => (await store.runs.getRun(id))?.resume_at === new Date(T0 + 60_000).toISOString(),
      );
      clock += 30_000;
      await until(async () => (await store.runs.getRun(id))?.status === 'failed');

      // total: 2 allows 3 attempts in all, over the two stored waits (not 3 per resumption).
      expect(server.count('/limited')).toBe(3);
      expect(server.count('/first')).toBe(1);
      const keys = server.requests('/limited').map((request) => request.headers['idempotency-key']);
      expect(keys).toEqual(Array(3).fill(idempotencyKey(id, 1, 0)));
      const record = await getRunRecord(store.runs, id);
      expect(record.steps[1]).toMatchObject({
        status: 'failed',
        attempts: 3,
        error: { type: 'status', status: 503 },
      });
      expect(record.steps[1]?.history.map((entry) => entry.wait_ms)).toEqual([0, 30_000, 30_000]);
      expect(record.resume_at).toBeNull();
    });

    it('succeeds after a stored wait, keeping the attempts from before it', async () => {
      const { store } = await countingStore();
      let clock = T0;
      const stored = await publish(store, [{ name: 'call', apispec: { url: server.url('/call') } }], {
        default_retry: { total: 3, backoff_factor: 10 },
      });
      // Two connection resets: the second retry backs off 10 * 2^1 = 20 s, a stored wait.
      server.script('/call', [{ reset: true }, { reset: true }, { status: 200, body: { done: 1 } }]);
      const engine = engineOn(store, { now: () => clock });
      await engine.start();
      const id = await engine.startRun(stored, {}, caller);
      await until(async () => (await store.runs.getRun(id))?.resume_at !== null);
      expect((await store.runs.getRun(id))?.resume_at).toBe(new Date(T0 + 20_000).toISOString());
      clock += 20_000;
      await engine.waitForRun(id, 10_000);
      await until(async () => (await store.runs.getRun(id))?.status === 'succeeded');

      const record = await getRunRecord(store.runs, id);
      expect(record.steps[0]).toMatchObject({ status: 'succeeded', attempts: 3, output: { done: 1 } });
      expect(record.steps[0]?.history.map((entry) => entry.error ?? entry.status)).toEqual([
        'read',
        'read',
        200,
      ]);
      expect(server.count('/call')).toBe(3);
    });

    it('resumes a fanned-out step after the latest of the waits its items in flight stored', async () => {
      const { store, sweeps } = await countingStore();
      let clock = T0;
      const stored = await publish(
        store,
        [
          {
            name: 'fan',
            input: '{{ [1, 2] }}',
            concurrency: 2,
            apispec: { url: `${server.url('/fan')}{{ CURRENT_STEP.input }}` },
          },
        ],
        { default_retry: { total: 2, status_forcelist: [503] } },
      );
      server.script('/fan1', [
        { status: 503, headers: { 'retry-after': '30' } },
        { status: 200, body: { n: 1 } },
      ]);
      server.script('/fan2', [
        { status: 503, headers: { 'retry-after': '60' }, delayMs: 20 },
        { status: 200, body: { n: 2 } },
      ]);
      const engine = engineOn(store, { now: () => clock });
      await engine.start();
      const id = await engine.startRun(stored, {}, caller);
      await until(async () => (await store.runs.getRun(id))?.resume_at !== null);
      expect((await store.runs.getRun(id))?.resume_at).toBe(new Date(T0 + 60_000).toISOString());
      const items = await store.runs.listStepItems(id);
      expect(items.map((item) => [item.status, item.attempts])).toEqual([
        ['running', 1],
        ['running', 1],
      ]);

      clock += 30_000;
      await sweepsPass(sweeps);
      expect(server.count('/fan1') + server.count('/fan2')).toBe(2);
      clock += 30_000;
      await until(async () => (await store.runs.getRun(id))?.status === 'succeeded');
      const record = await getRunRecord(store.runs, id);
      expect(record.steps[0]?.output).toEqual([{ n: 1 }, { n: 2 }]);
      expect(record.steps[0]?.items.map((item) => item.attempts)).toEqual([2, 2]);
    });

    it('keeps sleeping through waits shorter than longWaitMs', async () => {
      const { store } = await countingStore();
      const stored = await publish(store, [{ name: 'call', apispec: { url: server.url('/short') } }], {
        default_retry: { total: 1, status_forcelist: [503] },
      });
      server.script('/short', [{ status: 503, headers: { 'retry-after': '1' } }, { status: 200 }]);
      const engine = engineOn(store, { longWaitMs: 60_000 });
      await engine.start();
      const id = await engine.startRun(stored, {}, caller);
      await engine.waitForRun(id, 10_000);
      expect(await store.runs.getRun(id)).toMatchObject({ status: 'succeeded', resume_at: null });
      expect(server.count('/short')).toBe(2);
    });
  });
}

function leases(): void {
  describe('leases', () => {
    it('leaves a run with a live lease alone, takes it over once the lease expired, and fences the engine that lost it', async () => {
      const a = await countingStore();
      const b = await countingStore();
      let clock = T0;
      const frozen = T0; // engine A's clock stops: its heartbeats no longer push its lease forward
      const stored = await publish(
        a.store,
        [
          { name: 'first', apispec: { url: server.url('/first') } },
          { name: 'second', apispec: { url: server.url('/second') } },
        ],
        { default_retry: { total: 0 } },
      );
      server.script('/first', [{ status: 200, body: { ok: 1 } }]);
      server.script('/second', [{ hang: true }]);
      const engineA = engineOn(a.store, { owner: 'A', now: () => frozen, leaseMs: 1000 });
      await engineA.start();
      const id = await engineA.startRun(stored, {}, caller);
      await until(() => server.count('/second') === 1);
      const firstKey = server.requests('/second')[0]?.headers['idempotency-key'];
      expect(await a.store.runs.getRun(id)).toMatchObject({
        lease_owner: 'A',
        lease_expires_at: new Date(T0 + 1000).toISOString(),
      });

      const engineB = engineOn(b.store, { owner: 'B', now: () => clock, leaseMs: 1000 });
      expect(await engineB.start()).toBe(0);
      await sweepsPass(b.sweeps);
      expect(server.count('/second')).toBe(1);
      expect((await b.store.runs.getRun(id))?.lease_owner).toBe('A');

      server.script('/second', [{ status: 200, body: { ok: 2 } }]);
      clock = T0 + 1000;
      await until(async () => (await b.store.runs.getRun(id))?.status === 'succeeded');
      // A's next heartbeat finds the run taken (and ended): A stops without recording anything.
      await until(() => engineA.queueDepth === 0);
      const record = await getRunRecord(b.store.runs, id);
      expect(record.status).toBe('succeeded');
      expect(record.steps.map((step) => step.status)).toEqual(['succeeded', 'succeeded']);
      expect(server.count('/first')).toBe(1);
      expect(server.requests('/second')[0]?.headers['idempotency-key']).toBe(firstKey);
      expect((await b.store.runs.getRun(id))?.lease_owner).toBeNull();
    });

    it('claims a queued run only when it gets a slot, so another engine can take it meanwhile', async () => {
      const a = await countingStore();
      const b = await countingStore();
      const stored = await publish(a.store, [{ name: 'call', apispec: { url: server.url('/one') } }], {
        default_retry: { total: 0 },
      });
      server.script('/one', [{ hang: true }]);
      const engineA = engineOn(a.store, { owner: 'A', maxConcurrentRuns: 1, sweepMs: 60_000 });
      await engineA.start();
      const running = await engineA.startRun(stored, {}, caller);
      await until(() => server.count('/one') === 1);
      const queued = await engineA.startRun(stored, {}, caller);
      expect(engineA.queueDepth).toBe(2);
      expect(await a.store.runs.getRun(queued)).toMatchObject({ status: 'pending', lease_owner: null });

      server.script('/one', [{ status: 200 }]);
      const engineB = engineOn(b.store, { owner: 'B', sweepMs: 60_000 });
      expect(await engineB.start()).toBe(1);
      await engineB.waitForRun(queued, 10_000);
      expect((await b.store.runs.getRun(queued))?.status).toBe('succeeded');
      expect((await b.store.runs.getRun(running))?.lease_owner).toBe('A');
      // A's slot frees up once its run is cancelled; the queued run is B's by then, so A skips it.
      await engineA.cancelRun(running);
      await until(() => engineA.queueDepth === 0);
      expect(server.count('/one')).toBe(1);
    });

    it('keeps a cancel recorded through another engine when the execution here finishes first', async () => {
      const a = await countingStore();
      const b = await countingStore();
      const stored = await publish(a.store, [{ name: 'slow', apispec: { url: server.url('/slow') } }], {
        default_retry: { total: 0 },
      });
      server.script('/slow', [{ status: 200, body: { ok: true }, delayMs: 300 }]);
      // No heartbeat before the call ends: the execution here does not learn of the cancel in time.
      const engineA = engineOn(a.store, { owner: 'A', sweepMs: 60_000, heartbeatMs: 60_000 });
      const engineB = engineOn(b.store, { owner: 'B', sweepMs: 60_000, heartbeatMs: 60_000 });
      await engineA.start();
      await engineB.start();
      const id = await engineA.startRun(stored, {}, caller);
      await until(() => server.count('/slow') === 1);
      await engineB.cancelRun(id);
      await engineA.waitForRun(id, 5_000);
      expect(await a.store.runs.getRun(id)).toMatchObject({ status: 'cancelled', error: { type: 'other' } });
    });

    it('lets a checkpointed run go on close, so another engine resumes it at once', async () => {
      const a = await countingStore();
      const b = await countingStore();
      const stored = await publish(a.store, [{ name: 'slow', apispec: { url: server.url('/slow') } }], {
        default_retry: { total: 0 },
      });
      server.script('/slow', [{ hang: true }]);
      const engineA = engineOn(a.store, { owner: 'A', sweepMs: 60_000 });
      await engineA.start();
      const id = await engineA.startRun(stored, {}, caller);
      await until(() => server.count('/slow') === 1);
      await engineA.close();
      expect(await a.store.runs.getRun(id)).toMatchObject({ status: 'running', lease_owner: 'A' });

      server.script('/slow', [{ status: 200 }]);
      const engineB = engineOn(b.store, { owner: 'B', sweepMs: 60_000 });
      expect(await engineB.start()).toBe(1);
      await engineB.waitForRun(id, 10_000);
      expect((await b.store.runs.getRun(id))?.status).toBe('succeeded');
    });
  });
}
