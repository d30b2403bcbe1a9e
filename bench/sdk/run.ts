/**
 * SDK overhead benchmark: `get_customer_by_id` run N times in sequence through the connector runtime,
 * beside a hand-written undici loop doing the same request (same URL and query, body read and
 * JSON-parsed, envelope peeled), in the same process, against the example API in a child process.
 *
 * Usage: `npm run bench:sdk [-- --requests 10000 --warmup 1000 --in-process]`.
 * See bench/README.md for what the figures mean.
 *
 * @module
 */
import { parseArgs } from 'node:util';
import connector from '@sluice/example-my-app/connector';
import { createConnectorRuntime, createUndiciTransport } from '@sluice/sdk/internal';
import { Agent, request } from 'undici';
import { startChildServer } from '../child-server.js';

/** The overhead the SDK may add over raw undici, in percent of the raw time per request. */
const TARGET_OVERHEAD_PERCENT = 15;
const TOKEN = 'my-app-secret-token';
const SEED_COUNT = 1000;

const { values: flags } = parseArgs({
  options: {
    requests: { type: 'string', default: '10000' },
    warmup: { type: 'string', default: '2000' },
    rounds: { type: 'string', default: '20' },
    'in-process': { type: 'boolean', default: false },
  },
});
const REQUESTS = Number(flags.requests);
const WARMUP = Number(flags.warmup);
const ROUNDS = Number(flags.rounds);

// The benchmark prints its figures (the console rule binds the packages, not bench scripts).
const say = (line: string): void => console.log(line);

/** Starts the API in a child process (or in this one with --in-process); resolves its URL and a stop function. */
async function startApi(): Promise<{ url: string; stop: () => Promise<void> }> {
  if (flags['in-process']) {
    const { startMyAppApi } = await import('@sluice/example-my-app/api');
    const api = await startMyAppApi({ seedCount: SEED_COUNT });
    return { url: api.url, stop: () => api.close() };
  }
  return startChildServer(new URL('./api-server.ts', import.meta.url), [String(SEED_COUNT)]);
}

interface Customer {
  id: number;
  name: string;
}

type Runner = (id: number) => Promise<Customer>;

/** Runs `count` sequential calls with ids cycling through the seed; returns requests per second. */
async function measure(run: Runner, count: number): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < count; i += 1) {
    const id = (i % SEED_COUNT) + 1;
    const customer = await run(id);
    if (customer.id !== id) throw new Error(`expected customer ${id}, got ${JSON.stringify(customer)}`);
  }
  return (count / (performance.now() - started)) * 1000;
}

interface Sample {
  /** Wall time per request, µs. */
  wallUs: number;
  /** This process's CPU time (user + system) per request, µs. */
  cpuUs: number;
}

async function sample(run: Runner, count: number): Promise<Sample> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  await measure(run, count);
  const wallUs = ((performance.now() - started) * 1000) / count;
  const used = process.cpuUsage(cpu);
  return { wallUs, cpuUs: (used.user + used.system) / count };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

const api = await startApi();
const sdkTransport = createUndiciTransport();
const agent = new Agent({ keepAliveTimeout: 4000 });
try {
  const runtime = createConnectorRuntime(connector, {
    connection: { api_token: TOKEN, base_url: api.url },
    transport: sdkTransport,
  });
  const sdk: Runner = async (id) => (await runtime.runAction('get_customer_by_id', { id })) as Customer;

  const endpoint = `${api.url}/v1/customers.json`;
  const undici: Runner = async (id) => {
    const url = new URL(endpoint);
    url.searchParams.set('id', String(id));
    url.searchParams.set('api_token', TOKEN);
    const { statusCode, body } = await request(url, { method: 'GET', dispatcher: agent });
    const text = await body.text();
    if (statusCode >= 400) throw new Error(`${statusCode} from ${endpoint}: ${text}`);
    return (JSON.parse(text) as { customer: Customer }).customer;
  };

  const same = JSON.stringify(await sdk(7)) === JSON.stringify(await undici(7));
  say(
    `SDK vs undici: ${REQUESTS} sequential get_customer_by_id each, in ${ROUNDS} alternating rounds (Node ${process.version})`,
  );
  say(
    `API ${flags['in-process'] ? 'in this process' : 'in a child process'} at ${api.url}; same output: ${same}`,
  );

  await measure(sdk, WARMUP);
  await measure(undici, WARMUP);
  // Short alternating rounds, so drift (JIT, CPU frequency, a noisy neighbour on a VM) hits both sides alike;
  // the median round of each side is the figure, and the client's CPU time per request is shown beside it.
  const perRound = Math.max(1, Math.round(REQUESTS / ROUNDS));
  const rounds = { sdk: [] as Sample[], undici: [] as Sample[] };
  for (let round = 0; round < ROUNDS; round += 1) {
    const order = round % 2 === 0 ? (['sdk', 'undici'] as const) : (['undici', 'sdk'] as const);
    for (const side of order) rounds[side].push(await sample(side === 'sdk' ? sdk : undici, perRound));
  }
  const sdkUs = median(rounds.sdk.map((r) => r.wallUs));
  const undiciUs = median(rounds.undici.map((r) => r.wallUs));
  const sdkCpu = median(rounds.sdk.map((r) => r.cpuUs));
  const undiciCpu = median(rounds.undici.map((r) => r.cpuUs));
  const overhead = (sdkUs / undiciUs - 1) * 100;
  say(`  rounds (µs/request) sdk:    ${rounds.sdk.map((r) => r.wallUs.toFixed(0)).join(' ')}`);
  say(`  rounds (µs/request) undici: ${rounds.undici.map((r) => r.wallUs.toFixed(0)).join(' ')}`);
  say(
    `SDK     ${(1e6 / sdkUs).toFixed(0).padStart(7)} req/s  (${sdkUs.toFixed(1)} µs/request, client CPU ${sdkCpu.toFixed(1)} µs)`,
  );
  say(
    `undici  ${(1e6 / undiciUs).toFixed(0).padStart(7)} req/s  (${undiciUs.toFixed(1)} µs/request, client CPU ${undiciCpu.toFixed(1)} µs)`,
  );
  say(`ratio SDK/undici ${(undiciUs / sdkUs).toFixed(3)}`);
  say(
    `SDK overhead ${overhead.toFixed(1)}% of the undici time per request (target <= ${TARGET_OVERHEAD_PERCENT}%): ${
      overhead <= TARGET_OVERHEAD_PERCENT ? 'within target' : 'ABOVE TARGET'
    }; CPU the SDK adds per call: ${(sdkCpu - undiciCpu).toFixed(1)} µs`,
  );
} finally {
  await sdkTransport.close?.();
  await agent.close();
  await api.stop();
}
