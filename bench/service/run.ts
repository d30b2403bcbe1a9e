/**
 * Service benchmark (issue 5): the overhead of durability and the API.
 *
 * 1. **Runs through the API**: `--runs` (200) runs of a 5-step workflow, started at once through
 *    `POST /v1/workflows/{uid}/runs?wait=true` on the real `sluice serve` (the built CLI, a child
 *    process, SQLite store), against an API that answers each step in `--delay` (20) ms. Prints runs per
 *    second and the p50/p99 latency of a run (request to answer), beside the same runs through the core
 *    engine in this process (`runWorkflow` on a SQLite file, all at once): the baseline.
 * 2. **Poll trigger**: `--records` (10,000) new records picked up by a poll trigger (`bench/service/
 *    connectors/records.ts`, 100 a poll): records per second from publishing the workflow to every
 *    record being a committed run, beside a hand-written undici loop that only reads the same pages.
 *
 * Usage: `npm run bench:service [-- --runs 200 --delay 20 --records 10000]`. See bench/README.md.
 *
 * @module
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createApiKey, openStore, parseWorkflow, runWorkflow, TemplateRenderer } from '@sluice/engine';
import { createUndiciTransport } from '@sluice/sdk/internal';
import { Agent, request } from 'undici';
import { startChildServer } from '../child-server.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const { values: flags } = parseArgs({
  options: {
    runs: { type: 'string', default: '200' },
    delay: { type: 'string', default: '20' },
    records: { type: 'string', default: '10000' },
  },
});
const RUNS = Number(flags.runs);
const DELAY = Number(flags.delay);
const RECORDS = Number(flags.records);
const STEPS = 5;

// The benchmark prints its figures (the console rule binds the packages, not bench scripts).
const say = (line: string): void => console.log(line);

const FIVE_STEPS = `
name: bench-five-steps
default_retry: { total: 0 }
steps:
${Array.from(
  { length: STEPS },
  (_, i) => `  - name: s${i}
    apispec:
      url: "{{ SYSTEM_APIS.slow }}/step/${i}"
      params: { run: "{{ INPUT.n }}" }
    output: "{{ CURRENT_STEP.response.body.step }}"`,
).join('\n')}
`;

const POLLED = (interval: number) => `
name: bench-poll
trigger:
  poll: { connector: records, trigger: new_record, connection: records, interval: ${interval} }
default_retry: { total: 0 }
steps:
  - name: fast
    apispec: { url: "{{ SYSTEM_APIS.slow }}/fast", method: post, json_body: { id: "{{ INPUT.id }}" } }
`;

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

function summary(label: string, latencies: number[], wallMs: number): string {
  const sorted = [...latencies].sort((a, b) => a - b);
  const rate = (latencies.length / wallMs) * 1000;
  return `${label.padEnd(28)} ${rate.toFixed(1).padStart(7)} runs/s   p50 ${percentile(sorted, 50).toFixed(0).padStart(5)} ms   p99 ${percentile(sorted, 99).toFixed(0).padStart(5)} ms`;
}

/** Starts the built `sluice serve` and resolves its base URL from its `API  .../v1` line. */
async function startService(dataDir: string, slowUrl: string): Promise<{ url: string; child: ChildProcess }> {
  // BENCH_CPU_PROF=<dir> writes a CPU profile of the service there (see bench/README.md).
  const profile = process.env.BENCH_CPU_PROF;
  const child = spawn(
    process.execPath,
    [
      ...(profile === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${profile}`]),
      join(REPO, 'packages/cli/bin/sluice.js'),
      'serve',
      '--port',
      '0',
      '--data-dir',
      dataDir,
      '--connectors',
      join(REPO, 'bench/service/connectors'),
      '--concurrency',
      String(RUNS),
      '--system-apis',
      JSON.stringify({ slow: slowUrl }),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`sluice serve exited with ${code}`)));
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      const match = /^API\s+(\S+)\/v1$/.exec(line);
      if (match !== null) resolve(match[1] as string);
    });
  });
  return { url, child };
}

const slow = await startChildServer(new URL('./slow-api.ts', import.meta.url), [
  String(DELAY),
  String(RECORDS),
]);
const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-service-'));
const agent = new Agent({ connections: RUNS + 10, keepAliveTimeout: 10_000 });
let service: ChildProcess | undefined;
try {
  const keyStore = await openStore({ file: join(dir, 'sluice.db') });
  const { key } = await createApiKey(keyStore, {
    workspace: 'bench',
    email: 'bench@example.com',
    role: 'admin',
  });
  await keyStore.close();
  const started = await startService(dir, slow.url);
  service = started.child;
  const call = async (method: 'GET' | 'POST', path: string, body?: unknown, type = 'application/json') => {
    const { statusCode, body: answer } = await request(`${started.url}${path}`, {
      method,
      dispatcher: agent,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': type }) },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await answer.text();
    if (statusCode >= 400) throw new Error(`${method} ${path}: ${statusCode} ${text}`);
    return JSON.parse(text) as Record<string, unknown>;
  };

  say(
    `service benchmark (Node ${process.version}): sluice serve at ${started.url}, API answering in ${DELAY} ms`,
  );

  // 1. Runs through the API, beside the core engine in this process.
  const published = await call('POST', '/v1/workflows', FIVE_STEPS, 'application/yaml');
  const uid = String(published.uid);
  const startRuns = async (count: number, offset: number) => {
    const begin = performance.now();
    const latencies = await Promise.all(
      Array.from({ length: count }, async (_, i) => {
        const sent = performance.now();
        const run = await call('POST', `/v1/workflows/${uid}/runs?wait=true`, { input: { n: offset + i } });
        if (run.status !== 'succeeded')
          throw new Error(`run ${run.id}: ${run.status} ${JSON.stringify(run.error)}`);
        return performance.now() - sent;
      }),
    );
    return { latencies, wallMs: performance.now() - begin };
  };
  await startRuns(Math.min(20, RUNS), 0);
  const api = await startRuns(RUNS, 1000);

  const core = await openStore({ file: join(dir, 'core.db') });
  const transport = createUndiciTransport();
  const workflow = await parseWorkflow(FIVE_STEPS, { file: 'bench.yaml' });
  const renderer = new TemplateRenderer();
  const runCore = async (count: number, offset: number) => {
    const begin = performance.now();
    const latencies = await Promise.all(
      Array.from({ length: count }, async (_, i) => {
        const sent = performance.now();
        const outcome = await runWorkflow(workflow, {
          store: core.runs,
          renderer,
          transport,
          input: { n: offset + i },
          systemApis: { slow: slow.url },
        });
        if (outcome.status !== 'succeeded') throw new Error(`core run: ${JSON.stringify(outcome.error)}`);
        return performance.now() - sent;
      }),
    );
    return { latencies, wallMs: performance.now() - begin };
  };
  await runCore(Math.min(20, RUNS), 0);
  const inProcess = await runCore(RUNS, 1000);
  await transport.close?.();
  await core.close();

  say(`${RUNS} runs of ${STEPS} steps started at once (ideal run: ${STEPS * DELAY} ms):`);
  say(`  ${summary('service (API + durable queue)', api.latencies, api.wallMs)}`);
  say(`  ${summary('core engine in-process', inProcess.latencies, inProcess.wallMs)}`);
  const overhead = (api.wallMs / inProcess.wallMs - 1) * 100;
  say(`  the service takes ${overhead.toFixed(0)}% longer for the batch than the core engine`);

  // 2. A poll trigger picking up new records.
  await call('POST', '/v1/connections', {
    name: 'records',
    connector: 'records',
    values: { base_url: slow.url },
  });
  const baselineStart = performance.now();
  let after = 0;
  for (;;) {
    const { body } = await request(`${slow.url}/records?after=${after}&limit=100`, { dispatcher: agent });
    const { records } = (await body.json()) as { records: { id: number }[] };
    if (records.length === 0) break;
    after = records.at(-1)?.id ?? after;
  }
  const baselineMs = performance.now() - baselineStart;

  const pollStart = performance.now();
  const poller = await call('POST', '/v1/workflows', POLLED(1), 'application/yaml');
  let seen = 0;
  while (seen < RECORDS) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const trigger = await call('GET', `/v1/workflows/${String(poller.uid)}/trigger`);
    seen = Number(trigger.events_seen ?? 0);
    if (performance.now() - pollStart > 300_000)
      throw new Error(`only ${seen} of ${RECORDS} records after 300 s`);
  }
  const pollMs = performance.now() - pollStart;
  say(`${RECORDS} new records through a poll trigger (100 a poll):`);
  say(
    `  poll trigger into committed runs   ${((RECORDS / pollMs) * 1000).toFixed(0).padStart(7)} records/s (${(pollMs / 1000).toFixed(2)} s)`,
  );
  say(
    `  undici loop reading the pages      ${((RECORDS / baselineMs) * 1000).toFixed(0).padStart(7)} records/s (${(baselineMs / 1000).toFixed(2)} s)`,
  );
} finally {
  if (service !== undefined && service.exitCode === null) {
    const exited = new Promise((resolve) => service?.once('exit', resolve));
    service.kill('SIGTERM');
    await exited;
  }
  await agent.close();
  await slow.stop();
  rmSync(dir, { recursive: true, force: true });
}
