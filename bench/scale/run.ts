/**
 * Scale-out benchmark (issue 6): `--runs` (2,000) runs of a 3-step workflow against a local API that
 * answers each call in `--delay` (50) ms, executed by 1, 2 and 4 `sluice worker` processes (the built
 * CLI, each with the same `--concurrency`, 10) behind one `sluice serve --no-worker` API node, on
 * PostgreSQL and Redis, one pass per worker count in the same run (a fresh schema and Redis prefix each).
 *
 * Each pass first starts every run through the API node (`POST /v1/workflows/{uid}/runs`, 32 at a time)
 * while no worker runs, so the runs wait in the queue; then it starts the workers and waits until every
 * run succeeded. It prints the workers' runs per second (from the first run a worker began to the last
 * one finished, read from the runs' `started_at` and `finished_at`, so worker start-up is not counted),
 * the speed-up over one worker, and the p50/p99 of `GET /v1/runs/{id}` on the API node, sampled every
 * ~20 ms on random run ids while the workers execute; and, apart, how fast the API node took the runs
 * and the p99 of the reads meanwhile. Targets: at least 1.6x from 1 to 2 workers, and p99 under 50 ms
 * while executing; it says whether they were met.
 *
 * Needs PostgreSQL and Redis: `SLUICE_BENCH_PG_URL` (default postgres://postgres@127.0.0.1:5432/test) and
 * `SLUICE_BENCH_REDIS_URL` (default redis://127.0.0.1:6379).
 *
 * Usage: `npm run bench:scale [-- --runs 2000 --delay 50 --concurrency 10 --workers 1,2,4]`. See bench/README.md.
 *
 * @module
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { availableParallelism, loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createApiKey, openStore, type SqlStore } from '@sluice/engine';
import pg from 'pg';
import { Agent, request } from 'undici';
import { startChildServer } from '../child-server.js';
import { stepsOverSlowApi } from '../three-step-workflow.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const CLI = `${REPO}packages/cli/bin/sluice.js`;
const { values: flags } = parseArgs({
  options: {
    runs: { type: 'string', default: '2000' },
    delay: { type: 'string', default: '50' },
    concurrency: { type: 'string', default: '10' },
    workers: { type: 'string', default: '1,2,4' },
    'sample-ms': { type: 'string', default: '20' },
  },
});
const RUNS = Number(flags.runs);
const DELAY = Number(flags.delay);
const CONCURRENCY = Number(flags.concurrency);
const WORKER_COUNTS = String(flags.workers).split(',').map(Number);
const SAMPLE_MS = Number(flags['sample-ms']);
const PG_URL = process.env.SLUICE_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.SLUICE_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** How many `POST .../runs` are in flight at once while the runs are started. */
const STARTERS = 32;
const TARGET_SPEEDUP = 1.6;
const TARGET_P99_MS = 50;

// The benchmark prints its figures (the console rule binds the packages, not bench scripts).
const say = (line: string): void => console.log(line);

const THREE_STEPS = stepsOverSlowApi('bench-scale', 'slow', 3);

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/** One `sluice` child process, its output kept for the error message should it exit early. */
interface Child {
  process: ChildProcess;
  output: string[];
}

/** Starts `sluice <args>` (the built CLI) and resolves once a line of its stdout matches `ready`. */
async function startSluice(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  ready: RegExp,
): Promise<[Child, RegExpExecArray]> {
  const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', (line) => output.push(line));
  const match = await new Promise<RegExpExecArray>((resolve, reject) => {
    child.once('exit', (code) =>
      reject(new Error(`sluice ${args[0]} exited with ${code}:\n${output.slice(-20).join('\n')}`)),
    );
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      output.push(line);
      const found = ready.exec(line);
      if (found !== null) resolve(found);
    });
  });
  return [{ process: child, output }, match];
}

async function stop(child: Child): Promise<void> {
  if (child.process.exitCode !== null || child.process.signalCode !== null) return;
  const exited = new Promise((resolve) => child.process.once('exit', resolve));
  child.process.kill('SIGTERM');
  await exited;
}

async function until(check: () => Promise<boolean>, what: string, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** What one pass measured. */
interface Pass {
  workers: number;
  runsPerSecond: number;
  startedPerSecond: number;
  p50: number;
  p99: number;
  samples: number;
  /** p99 of the reads while the runs were being started (the API node busy creating them). */
  startingP99: number;
}

const slow = await startChildServer(new URL('../service/slow-api.ts', import.meta.url), [String(DELAY)]);
const agent = new Agent({ connections: STARTERS + 8, keepAliveTimeout: 10_000 });
const admin = new pg.Pool({ connectionString: PG_URL, max: 2 });
const secretKey = randomBytes(32).toString('base64');
const tag = `${process.pid}_${Date.now().toString(36)}`;

/** One pass: a fresh schema and prefix, an API node and `workers` workers; stopped and dropped after. */
async function pass(workers: number, index: number): Promise<Pass> {
  const schema = `bench_scale_${tag}_${index}`;
  const prefix = `bench-scale-${tag}-${index}`;
  const children: Child[] = [];
  let store: SqlStore | undefined;
  try {
    store = await openStore({ url: PG_URL, schema });
    const { key } = await createApiKey(store, {
      workspace: 'bench',
      email: 'bench@example.com',
      role: 'admin',
    });
    const env = { ...process.env, SLUICE_SECRET_KEY: secretKey, NO_COLOR: '1' };
    const shared = [
      '--database',
      PG_URL,
      '--database-schema',
      schema,
      '--redis',
      REDIS_URL,
      '--redis-prefix',
      prefix,
    ];
    const apis = ['--system-apis', JSON.stringify({ slow: slow.url })];
    const [api, address] = await startSluice(
      ['serve', '--port', '0', '--no-worker', ...shared, ...apis],
      env,
      /^API\s+(\S+)\/v1$/,
    );
    children.push(api);
    const base = address[1] as string;
    const call = async (method: 'GET' | 'POST', path: string, body?: unknown, type = 'application/json') => {
      const { statusCode, body: answer } = await request(`${base}${path}`, {
        method,
        dispatcher: agent,
        headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': type }) },
        ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      });
      const text = await answer.text();
      if (statusCode >= 400) throw new Error(`${method} ${path}: ${statusCode} ${text}`);
      return JSON.parse(text) as Record<string, unknown>;
    };
    const uid = String((await call('POST', '/v1/workflows', THREE_STEPS, 'application/yaml')).uid);

    // The sampler reads random runs on the API node; its latencies are kept per phase.
    const ids: string[] = [];
    const phases: Record<'starting' | 'executing', number[]> = { starting: [], executing: [] };
    let phase: keyof typeof phases | undefined = 'starting';
    const sampler = (async () => {
      while (phase !== undefined) {
        const id = ids[Math.floor(Math.random() * ids.length)];
        if (id !== undefined) {
          const during = phase;
          const sent = performance.now();
          await call('GET', `/v1/runs/${id}`);
          phases[during].push(performance.now() - sent);
        }
        await new Promise((resolve) => setTimeout(resolve, SAMPLE_MS));
      }
    })();

    // 1. Every run is started through the API before a worker exists: they wait in the queue, so the
    //    workers' throughput is measured apart from how fast the API node takes runs.
    const begin = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: STARTERS }, async () => {
        while (next < RUNS) {
          const n = next++;
          ids.push(String((await call('POST', `/v1/workflows/${uid}/runs`, { input: { n } })).id));
        }
      }),
    );
    const startedPerSecond = (RUNS / (performance.now() - begin)) * 1000;

    // 2. The workers start and drain the queue.
    phase = 'executing';
    const workerArgs = ['worker', ...shared, ...apis, '--concurrency', String(CONCURRENCY)];
    const started = await Promise.all(
      Array.from({ length: workers }, () => startSluice(workerArgs, env, /^sluice worker:/)),
    );
    children.push(...started.map(([child]) => child));
    const opened = store;
    await until(
      async () => {
        const counts = await opened.runs.countRunsByStatus();
        if (counts.failed + counts.cancelled > 0) throw new Error(`runs failed: ${JSON.stringify(counts)}`);
        return counts.succeeded === RUNS;
      },
      `${RUNS} runs to finish`,
      600_000,
    );
    phase = undefined;
    await sampler;
    // From the first run a worker began to the last one it finished: worker start-up is not counted.
    const { rows } = await admin.query<{ first: string; last: string }>(
      `select min(started_at) as first, max(finished_at) as last from "${schema}".runs`,
    );
    const windowMs = Date.parse(rows[0]?.last ?? '') - Date.parse(rows[0]?.first ?? '');
    const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
    const executing = sorted(phases.executing);
    const starting = sorted(phases.starting);
    return {
      workers,
      runsPerSecond: (RUNS / windowMs) * 1000,
      startedPerSecond,
      p50: percentile(executing, 50),
      p99: percentile(executing, 99),
      samples: executing.length,
      startingP99: percentile(starting, 99),
    };
  } finally {
    // Workers first, so none is left executing against a dropped schema.
    for (const child of children.slice(1)) await stop(child);
    if (children[0] !== undefined) await stop(children[0]);
    await store?.close();
    await admin.query(`drop schema if exists "${schema}" cascade`);
    await dropRedisKeys(prefix);
  }
}

/** Deletes the pass's Redis keys (`<prefix>:*`). */
async function dropRedisKeys(prefix: string): Promise<void> {
  const { Redis } = await import('ioredis');
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [nextCursor, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      cursor = nextCursor;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

try {
  say(
    `scale benchmark (Node ${process.version}): ${RUNS} runs of 3 steps, API answering in ${DELAY} ms, ` +
      `--concurrency ${CONCURRENCY} per worker, one --no-worker API node, PostgreSQL + Redis; ` +
      `${availableParallelism()} CPUs, load ${loadavg()[0]?.toFixed(2)}`,
  );
  const passes: Pass[] = [];
  for (const [index, workers] of WORKER_COUNTS.entries()) {
    const result = await pass(workers, index);
    passes.push(result);
    const base = passes[0] as Pass;
    say(
      `  ${String(workers).padStart(2)} worker${workers === 1 ? ' ' : 's'}  ${result.runsPerSecond.toFixed(1).padStart(7)} runs/s` +
        `  x${(result.runsPerSecond / base.runsPerSecond).toFixed(2)}` +
        `   GET /v1/runs/{id} while executing: p50 ${result.p50.toFixed(1)} ms, p99 ${result.p99.toFixed(1)} ms (${result.samples} samples)` +
        `   | runs started through the API at ${result.startedPerSecond.toFixed(0)}/s, reads meanwhile p99 ${result.startingP99.toFixed(1)} ms`,
    );
  }
  const one = passes.find((p) => p.workers === 1);
  const two = passes.find((p) => p.workers === 2);
  if (one !== undefined && two !== undefined) {
    const speedup = two.runsPerSecond / one.runsPerSecond;
    say(
      `target: >= ${TARGET_SPEEDUP}x from 1 to 2 workers: x${speedup.toFixed(2)}, ${speedup >= TARGET_SPEEDUP ? 'met' : 'NOT met'}`,
    );
  }
  const worst = Math.max(...passes.map((p) => p.p99));
  say(
    `target: p99 of GET /v1/runs/{id} < ${TARGET_P99_MS} ms: worst ${worst.toFixed(1)} ms, ${worst < TARGET_P99_MS ? 'met' : 'NOT met'}`,
  );
} finally {
  await agent.close();
  await admin.end();
  await slow.stop();
}
