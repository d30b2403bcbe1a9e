/**
 * Engine throughput benchmark: N runs of a 3-step workflow run back to back by the engine in this
 * process (templates, retry loop, SQLite store in a temporary file), beside a hand-written undici loop
 * making the same 3 requests per run, against the example my-app API in a child process. Then the
 * time of one `sluice run` of a one-step workflow from process start to exit (the built CLI).
 *
 * Usage: `npm run bench:engine [-- --runs 1000 --warmup 100 --cli-runs 5]` (run `npm run build`
 * first for the CLI figure). See bench/README.md.
 *
 * @module
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { openStore, parseWorkflow, runWorkflow, TemplateRenderer } from '@sluice/engine';
import { createUndiciTransport } from '@sluice/sdk/internal';
import { Agent, request } from 'undici';
import { startChildServer } from '../child-server.js';
import { THREE_STEP_WORKFLOW as WORKFLOW } from '../three-step-workflow.js';

/** The engine's throughput must be at least this share of the hand-written loop's. */
const TARGET_RATIO = 0.5;
/** One `sluice run` of a one-step workflow, process start to exit, in ms. */
const TARGET_CLI_MS = 400;
const TOKEN = 'my-app-secret-token';
const SEED_COUNT = 1000;
const REPO = fileURLToPath(new URL('../../', import.meta.url));

const { values: flags } = parseArgs({
  options: {
    runs: { type: 'string', default: '1000' },
    warmup: { type: 'string', default: '100' },
    'cli-runs': { type: 'string', default: '5' },
  },
});
const RUNS = Number(flags.runs);
const WARMUP = Number(flags.warmup);
const CLI_RUNS = Number(flags['cli-runs']);

// The benchmark prints its figures (the console rule binds the packages, not bench scripts).
const say = (line: string): void => console.log(line);

async function startApi(): Promise<{ url: string; stop: () => Promise<void> }> {
  return startChildServer(new URL('../sdk/api-server.ts', import.meta.url), [String(SEED_COUNT)]);
}

/** Runs `count` runs back to back; returns runs per second. */
async function measure(run: (i: number) => Promise<void>, count: number, offset: number): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < count; i++) await run(offset + i);
  return (count / (performance.now() - started)) * 1000;
}

const api = await startApi();
const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-'));
const store = await openStore({ file: join(dir, 'runs.db') });
const transport = createUndiciTransport();
const agent = new Agent({ keepAliveTimeout: 4000 });
try {
  const workflow = await parseWorkflow(WORKFLOW, { file: 'bench.yaml' });
  const renderer = new TemplateRenderer();
  const memory = await openStore({ file: ':memory:' });
  const runEngine =
    (on: typeof store) =>
    async (i: number): Promise<void> => {
      const outcome = await runWorkflow(workflow, {
        store: on.runs,
        renderer,
        transport,
        input: { id: (i % SEED_COUNT) + 1 },
        systemApis: { my_app: api.url },
        user: { token: TOKEN },
      });
      if (outcome.status !== 'succeeded')
        throw new Error(`run ${i} failed: ${JSON.stringify(outcome.error)}`);
    };
  const engine = runEngine(store);

  const endpoint = `${api.url}/v1/customers.json`;
  const get = async (params: Record<string, string>): Promise<unknown> => {
    const url = new URL(endpoint);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    const { statusCode, body } = await request(url, { method: 'GET', dispatcher: agent });
    const text = await body.text();
    if (statusCode >= 400) throw new Error(`${statusCode} from ${endpoint}: ${text}`);
    return JSON.parse(text);
  };
  const undici = async (i: number): Promise<void> => {
    const { customer } = (await get({ api_token: TOKEN, id: String((i % SEED_COUNT) + 1) })) as {
      customer: { id: number; created_at: string };
    };
    const recent = (await get({ api_token: TOKEN, limit: '3', created_since: customer.created_at })) as {
      customers: unknown[];
    };
    if (!Array.isArray(recent.customers)) throw new Error('no customers');
    const again = (await get({ api_token: TOKEN, id: String(customer.id) })) as {
      customer: { email: string };
    };
    if (typeof again.customer.email !== 'string') throw new Error('no email');
  };

  say(
    `engine vs undici: ${RUNS} runs of a 3-step workflow each, twice, order ABBA (Node ${process.version})`,
  );
  say(`API in a child process at ${api.url}; SQLite store ${join(dir, 'runs.db')}`);
  await measure(engine, WARMUP, 0);
  await measure(undici, WARMUP, 0);
  const rates = { engine: [] as number[], undici: [] as number[] };
  let offset = WARMUP;
  for (const side of ['engine', 'undici', 'undici', 'engine'] as const) {
    const rate = await measure(side === 'engine' ? engine : undici, RUNS, offset);
    offset += RUNS;
    rates[side].push(rate);
    say(`  ${side.padEnd(6)} ${rate.toFixed(0).padStart(6)} runs/s`);
  }
  const perRunMs = (list: number[]) => list.reduce((sum, rate) => sum + 1000 / rate, 0) / list.length;
  const engineMs = perRunMs(rates.engine);
  const undiciMs = perRunMs(rates.undici);
  const ratio = undiciMs / engineMs;
  say(
    `engine  ${(1000 / engineMs).toFixed(0).padStart(6)} runs/s  (${engineMs.toFixed(2)} ms/run, 3 requests)`,
  );
  say(
    `undici  ${(1000 / undiciMs).toFixed(0).padStart(6)} runs/s  (${undiciMs.toFixed(2)} ms/run, 3 requests)`,
  );
  say(
    `ratio engine/undici ${(ratio * 100).toFixed(1)}% (target >= ${TARGET_RATIO * 100}%): ${
      ratio >= TARGET_RATIO ? 'within target' : 'BELOW TARGET'
    }`,
  );
  // For the breakdown: the same engine on an in-memory SQLite store (no file, no WAL, no checkpoints).
  await measure(runEngine(memory), WARMUP, 0);
  const inMemory = await measure(runEngine(memory), RUNS, 0);
  await memory.close();
  say(
    `  engine on an in-memory SQLite store: ${inMemory.toFixed(0)} runs/s (${(1000 / inMemory).toFixed(2)} ms/run; the file store costs ${(engineMs - 1000 / inMemory).toFixed(2)} ms/run more)`,
  );

  await cliStartup(api.url);
} finally {
  await transport.close?.();
  await agent.close();
  await store.close();
  await api.stop();
  rmSync(dir, { recursive: true, force: true });
}

/** Times `node packages/cli/bin/sluice.js run <one step>` from spawn to exit. */
async function cliStartup(apiUrl: string): Promise<void> {
  const bin = join(REPO, 'packages/cli/bin/sluice.js');
  if (!existsSync(join(REPO, 'packages/cli/dist/main.js'))) {
    say('sluice run: skipped, the CLI is not built (run `npm run build` first)');
    return;
  }
  const file = join(dir, 'one-step.yaml');
  writeFileSync(
    file,
    `name: one\nsteps:\n  - name: customer\n    apispec:\n      url: "{{ SYSTEM_APIS.my_app }}/v1/customers.json"\n      method: get\n      params: { api_token: "{{ USER.token }}", id: 1 }\n`,
  );
  const args = [
    bin,
    'run',
    file,
    '--system-apis',
    JSON.stringify({ my_app: apiUrl }),
    '--user',
    JSON.stringify({ token: TOKEN }),
  ];
  const times: number[] = [];
  for (let i = 0; i < CLI_RUNS + 1; i++) {
    const started = performance.now();
    await new Promise<void>((resolve, reject) => {
      execFile(process.execPath, args, { cwd: dir }, (error) => (error === null ? resolve() : reject(error)));
    });
    if (i > 0) times.push(performance.now() - started); // the first run warms the OS file cache
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)] ?? Number.NaN;
  say(
    `sluice run (one step, built CLI, process start to exit): median ${median.toFixed(0)} ms, best ${(times[0] ?? 0).toFixed(0)} ms over ${times.length} runs (target < ${TARGET_CLI_MS} ms): ${
      median < TARGET_CLI_MS ? 'within target' : 'ABOVE TARGET'
    }`,
  );
  const bare = performance.now();
  await new Promise<void>((resolve) => execFile(process.execPath, ['-e', '0'], () => resolve()));
  say(`  (node -e 0 on this machine: ${(performance.now() - bare).toFixed(0)} ms)`);
}
