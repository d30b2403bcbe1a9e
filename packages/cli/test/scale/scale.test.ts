/**
 * Scale-out on real processes (issue 6): one API node (`sluice serve --no-worker`) and three
 * `sluice worker` child processes on one PostgreSQL schema and one Redis prefix, 500 runs of a 3-step
 * workflow whose middle step has `concurrency: 2`, one worker killed with `-9` in the middle. Checks:
 * every run succeeded; no item committed before the kill was called again, and the items called twice
 * are items of the killed worker's runs that were in flight at the kill, called again with the same
 * Idempotency-Key; the `concurrency: 2` step never had more than 2 calls in flight at the test API
 * across all workers; and `sluice status` shows the nodes, the queue and the leases meanwhile.
 *
 * Skipped unless SLUICE_TEST_PG_URL and SLUICE_TEST_REDIS_URL are set. Leases are short (hidden
 * flags) so the killed worker's runs are taken over within seconds.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ClusterStatus, idempotencyKey } from '@sluice/engine';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../run-cli.js';
import { apiCall } from '../serve-process.js';
import { type Cluster, createCluster, PG_URL, printed, REDIS_URL } from './cluster.js';

const RUNS = 500;
const WORKERS = 3;
const PER_WORKER = 16;
const STEPS = ['s1', 's2', 's3'];
const TIMINGS = ['--lease-ms', '2000', '--heartbeat-ms', '400', '--sweep-ms', '300', '--grace', '0'];

/** One call the test API received, in arrival order. */
interface Call {
  run: string;
  step: string;
  key: string;
}

/** The API the workflow calls: `/<step>?run=<id>`; it counts calls and the calls in flight per step. */
let api: Server;
let origin = '';
const calls: Call[] = [];
const inFlight = new Map<string, number>();
const maxInFlight = new Map<string, number>();

beforeAll(async () => {
  api = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://api');
    const step = url.pathname.slice(1);
    calls.push({ run: url.searchParams.get('run') ?? '', step, key: String(req.headers['idempotency-key']) });
    const now = (inFlight.get(step) ?? 0) + 1;
    inFlight.set(step, now);
    maxInFlight.set(step, Math.max(maxInFlight.get(step) ?? 0, now));
    let done = false;
    // Once per call: answered, or cut off when the worker that sent it was killed.
    const finish = (): void => {
      if (done) return;
      done = true;
      inFlight.set(step, (inFlight.get(step) ?? 1) - 1);
    };
    res.once('close', finish);
    const delay = step === 's2' ? 20 : 10 + Math.floor(Math.random() * 20);
    setTimeout(() => {
      if (res.destroyed) return;
      finish();
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ step }));
    }, delay);
  });
  api.listen(0, '127.0.0.1');
  await new Promise((r) => api.once('listening', r));
  origin = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
});
afterAll(async () => {
  api.closeAllConnections();
  await new Promise((r) => api.close(r));
});

let cluster: Cluster;
beforeEach(async () => {
  calls.length = 0;
  inFlight.clear();
  maxInFlight.clear();
  cluster = await createCluster();
});
afterEach(async () => {
  await cluster.teardown();
});

/** Waits for `check`; past `ms`, fails with what the processes printed and the run counts. */
async function until(what: string, check: () => boolean | Promise<boolean>, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) {
      const counts = await cluster.store.runs.countRunsByStatus();
      const steps = STEPS.map((s) => `${s}: ${calls.filter((c) => c.step === s).length}`).join(', ');
      throw new Error(
        `timed out waiting for ${what}; runs ${JSON.stringify(counts)}; calls ${steps}\n${cluster.output()}`,
      );
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe.skipIf(PG_URL === undefined || REDIS_URL === undefined)(
  'scale-out: one API node, three workers',
  () => {
    it('finishes 500 runs with a worker killed -9 midway; no committed item runs twice; concurrency 2 holds across workers', async () => {
      const apiNode = cluster.start(['serve', '--port', '0', '--no-worker', ...TIMINGS]);
      const workers = Array.from({ length: WORKERS }, () =>
        cluster.start(['worker', '--concurrency', String(PER_WORKER), ...TIMINGS]),
      );
      await cluster.registered('api', 1);
      await cluster.registered('worker', WORKERS);
      const base = (await printed(apiNode, /^API {2}(http:\/\/\S+)\/v1$/m))[1] as string;

      const published = await apiCall(base, cluster.key, 'POST', '/v1/workflows', {
        name: 'scale',
        default_retry: { total: 0 },
        steps: STEPS.map((step) => ({
          name: step,
          ...(step === 's2' ? { concurrency: 2 } : {}),
          apispec: { url: `${origin}/${step}`, params: { run: '{{ RUN.id }}' }, timeout: 60 },
        })),
      });
      expect(published.status).toBe(201);
      const ids: string[] = [];
      let next = 0;
      // Started in the background, so that the kill lands while runs are still being started and run.
      const starting = Promise.all(
        Array.from({ length: 8 }, async () => {
          while (next < RUNS) {
            next++;
            const uid = String(published.body.uid);
            const started = await apiCall(base, cluster.key, 'POST', `/v1/workflows/${uid}/runs`, {
              input: {},
            });
            expect(started.status).toBe(202);
            ids.push(started.body.id as string);
          }
        }),
      );
      // `sluice status` while everything runs: four live nodes, the queue, the run leases.
      const statusRun = runCli(['status', '--json', ...cluster.flags]);

      // Kill a worker while it holds runs, once a good part of the runs is through.
      const victim = workers[0] as (typeof workers)[number];
      const victimId = (await cluster.store.nodes.list()).find((n) => n.pid === victim.child.pid)
        ?.id as string;
      expect(victimId).toBeDefined();
      await until('the victim to hold runs midway', async () => {
        if (calls.filter((c) => c.step === 's3').length < RUNS / 4) return false;
        const leases = await cluster.store.runs.countRunLeases(new Date().toISOString());
        return (leases.find((l) => l.owner === victimId)?.runs ?? 0) > 0;
      });
      victim.child.kill('SIGKILL');
      await victim.exited;
      const killedAt = calls.length;
      // Its runs keep its lease until it expires, so this read sees what the dead worker left.
      const victimRuns = new Set<string>();
      const committedAtKill = new Set<string>();
      for (const run of await cluster.store.runs.listUnfinishedRuns()) {
        if (run.lease_owner !== victimId) continue;
        victimRuns.add(run.id);
        for (const item of await cluster.store.runs.listStepItems(run.id)) {
          if (item.status === 'succeeded') committedAtKill.add(item.idempotency_key);
        }
      }
      expect(victimRuns.size).toBeGreaterThan(0);
      await starting;
      const status = await statusRun;
      expect(status.stderr).toBe('');
      const seen = JSON.parse(status.stdout) as ClusterStatus;
      expect(
        seen.nodes
          .filter((n) => n.alive)
          .map((n) => n.kind)
          .sort(),
      ).toEqual(['api', 'worker', 'worker', 'worker']);
      expect(seen.nodes.find((n) => n.kind === 'api')?.concurrency).toBe(0);
      expect(seen.queue).toMatchObject({ prefix: cluster.prefix });
      expect(seen.run_leases.length).toBeGreaterThan(0);
      expect(calls.filter((c) => c.step === 's3').length).toBeLessThan(RUNS);

      // The dead worker's runs come back once their leases expire and BullMQ gives their jobs back.
      await until(
        'every run to finish',
        async () => {
          const counts = await cluster.store.runs.countRunsByStatus();
          return counts.succeeded + counts.failed + counts.cancelled === RUNS;
        },
        60_000,
      );
      expect(await cluster.store.runs.countRunsByStatus()).toMatchObject({ succeeded: RUNS, failed: 0 });

      const byKey = new Map<string, number[]>();
      calls.forEach((call, index) => {
        byKey.set(call.key, [...(byKey.get(call.key) ?? []), index]);
      });
      const twice: string[] = [];
      for (const id of ids) {
        STEPS.forEach((step, stepIndex) => {
          const key = idempotencyKey(id, stepIndex, 0);
          const made = byKey.get(key) ?? [];
          expect(made.length, `${id} ${step}`).toBeGreaterThanOrEqual(1);
          expect(made.length, `${id} ${step}`).toBeLessThanOrEqual(2);
          expect(calls[made[0] as number]).toMatchObject({ run: id, step });
          if (made.length === 2) {
            // In flight at the kill: sent by the dead worker, not committed, sent again after the kill.
            expect(victimRuns.has(id), `${id} ${step} ran twice`).toBe(true);
            expect(committedAtKill.has(key), `${id} ${step} ran again after it was committed`).toBe(false);
            expect(made[0] as number).toBeLessThan(killedAt);
            expect(made[1] as number).toBeGreaterThanOrEqual(killedAt);
            twice.push(key);
          }
        });
      }
      // At most one item per run of the dead worker was in flight.
      expect(twice.length).toBeLessThanOrEqual(victimRuns.size);
      expect(maxInFlight.get('s2')).toBeLessThanOrEqual(2);
      expect(maxInFlight.get('s2')).toBeGreaterThanOrEqual(1);
    }, 100_000);

    it('keeps wait steps across kill -9 of every worker: a new worker goes on when they are due, each call made once', async () => {
      const apiNode = cluster.start(['serve', '--port', '0', '--no-worker', ...TIMINGS]);
      const workers = [cluster.start(['worker', '--concurrency', '4', ...TIMINGS])];
      await cluster.registered('api', 1);
      await cluster.registered('worker', 1);
      const base = (await printed(apiNode, /^API {2}(http:\/\/\S+)\/v1$/m))[1] as string;
      const published = await apiCall(base, cluster.key, 'POST', '/v1/workflows', {
        name: 'paused',
        default_retry: { total: 0 },
        steps: [
          { name: 's1', apispec: { url: `${origin}/s1`, params: { run: '{{ RUN.id }}' } } },
          { name: 'pause', wait: { seconds: 6 } },
          { name: 's3', apispec: { url: `${origin}/s3`, params: { run: '{{ RUN.id }}' } } },
        ],
      });
      expect(published.status).toBe(201);
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const started = await apiCall(base, cluster.key, 'POST', `/v1/workflows/${published.body.uid}/runs`, {
          input: {},
        });
        ids.push(started.body.id as string);
      }
      const waiting = async () =>
        (await Promise.all(ids.map((id) => cluster.store.runs.getRun(id)))).filter(
          (run) => run?.resume_at != null,
        );
      await until('every run to store its wait', async () => (await waiting()).length === ids.length);
      const dueAt = new Map((await waiting()).map((run) => [run?.id, run?.resume_at]));
      for (const worker of workers) {
        worker.child.kill('SIGKILL');
        await worker.exited;
      }
      expect(calls.filter((c) => c.step === 's3')).toHaveLength(0);

      cluster.start(['worker', '--concurrency', '4', ...TIMINGS]);
      await until('every run to finish', async () => {
        const counts = await cluster.store.runs.countRunsByStatus();
        return counts.succeeded + counts.failed === ids.length;
      });
      expect(await cluster.store.runs.countRunsByStatus()).toMatchObject({
        succeeded: ids.length,
        failed: 0,
      });
      for (const id of ids) {
        expect(calls.filter((c) => c.run === id).map((c) => c.step)).toEqual(['s1', 's3']);
        const steps = await cluster.store.runs.listSteps(id);
        // Each wait ended at its stored time, not 6 s after the new worker started.
        expect(steps[1]?.output).toEqual({ until: dueAt.get(id) });
      }
    }, 100_000);
  },
);
