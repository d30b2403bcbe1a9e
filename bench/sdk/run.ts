/**
 * SDK overhead benchmark: `get_customer_by_id` run N times in sequence through the connector runtime,
 * beside a hand-written undici loop doing the same request (same URL and query, body read and
 * JSON-parsed, envelope peeled), in the same process, against the example API in a child process.
 *
 * The main figure is the client CPU per call (`process.cpuUsage()` around the measured loop of each
 * round, so the API's CPU, in its own process, is not counted), SDK against undici, medians of
 * interleaved rounds. Wall time per request is printed beside it.
 *
 * Usage: `npm run bench:sdk [-- --requests 10000 --warmup 2000 --rounds 20 --in-process --only sdk]`.
 * See bench/README.md for what the figures mean.
 *
 * @module
 */
import { parseArgs } from 'node:util';
import connector from '@sluice/example-my-app/connector';
import { createConnectorRuntime, createUndiciTransport } from '@sluice/sdk/internal';
import { Agent, request } from 'undici';
import { startChildServer } from '../child-server.js';

/** The overhead the SDK may add over raw undici, in percent of the raw wall time per request. */
const TARGET_OVERHEAD_PERCENT = 15;
/** The client CPU an SDK call may cost, as a multiple of a raw undici call's. */
const TARGET_CPU_RATIO = 1.15;
const TOKEN = 'my-app-secret-token';
const SEED_COUNT = 1000;

const { values: flags } = parseArgs({
  options: {
    requests: { type: 'string', default: '10000' },
    warmup: { type: 'string', default: '2000' },
    rounds: { type: 'string', default: '20' },
    'in-process': { type: 'boolean', default: false },
    /** Runs one side alone (`sdk` or `undici`), e.g. under `--cpu-prof`; no ratios. */
    only: { type: 'string' },
    /**
     * The undici call of the baseline: `request` (undici's top-level `request(url, { dispatcher })`, the
     * default) or `dispatcher` (`agent.request({ origin, path })`, which the SDK's transport uses).
     */
    baseline: { type: 'string', default: 'request' },
  },
});
const REQUESTS = Number(flags.requests);
const WARMUP = Number(flags.warmup);
const ROUNDS = Number(flags.rounds);
if (flags.only !== undefined && flags.only !== 'sdk' && flags.only !== 'undici') {
  throw new Error(`--only takes sdk or undici, not ${flags.only}`);
}
if (flags.baseline !== 'request' && flags.baseline !== 'dispatcher') {
  throw new Error(`--baseline takes request or dispatcher, not ${flags.baseline}`);
}

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

type Side = 'sdk' | 'undici';
type Runner = (id: number) => Promise<Customer>;

/** Runs `count` sequential calls with ids cycling through the seed. */
async function measure(run: Runner, count: number): Promise<void> {
  for (let i = 0; i < count; i += 1) {
    const id = (i % SEED_COUNT) + 1;
    const customer = await run(id);
    if (customer.id !== id) throw new Error(`expected customer ${id}, got ${JSON.stringify(customer)}`);
  }
}

interface Sample {
  /** Wall time per request, µs. */
  wallUs: number;
  /** This process's CPU time (user + system) per request, µs. */
  cpuUs: number;
  /** Of which user time, µs. */
  userUs: number;
}

/** One round of one side: wall clock and this process's CPU time taken around the measured loop only. */
async function sample(run: Runner, count: number): Promise<Sample> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  await measure(run, count);
  const wallUs = ((performance.now() - started) * 1000) / count;
  const used = process.cpuUsage(cpu);
  return { wallUs, cpuUs: (used.user + used.system) / count, userUs: used.user / count };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** Where a module resolved, relative to the repository: shows that the SDK is the built `dist`. */
function whereResolved(specifier: string): string {
  const path = new URL(import.meta.resolve(specifier)).pathname;
  return path.startsWith(`${process.cwd()}/`) ? path.slice(process.cwd().length + 1) : path;
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
    const { statusCode, body } =
      flags.baseline === 'request'
        ? await request(url, { method: 'GET', dispatcher: agent })
        : await agent.request({ origin: url.origin, path: `${url.pathname}${url.search}`, method: 'GET' });
    const text = await body.text();
    if (statusCode >= 400) throw new Error(`${statusCode} from ${endpoint}: ${text}`);
    return (JSON.parse(text) as { customer: Customer }).customer;
  };
  const runners: Record<Side, Runner> = { sdk, undici };
  const sides: readonly Side[] = flags.only === undefined ? ['sdk', 'undici'] : [flags.only as Side];

  const same = JSON.stringify(await sdk(7)) === JSON.stringify(await undici(7));
  say(
    `SDK vs undici: ${REQUESTS} sequential get_customer_by_id each, in ${ROUNDS} alternating rounds (Node ${process.version})`,
  );
  say(
    `API ${flags['in-process'] ? 'in this process' : 'in a child process'} at ${api.url}; same output: ${same}`,
  );
  // Both sides run in this process under the same loader: the SDK from its built dist (plain JS, as a
  // connector's users run it), the undici loop and the example connector through tsx.
  say(
    `@sluice/sdk from ${whereResolved('@sluice/sdk/internal')}; undici ${whereResolved('undici')}; baseline undici call: ${
      flags.baseline === 'request' ? 'request(url, { dispatcher })' : 'agent.request({ origin, path })'
    }`,
  );
  if (whereResolved('@sluice/sdk/internal').includes('/src/')) {
    say('note: the SDK runs from its sources here; build it and run without --conditions=development');
  }
  if (flags['in-process']) say('note: with --in-process the client CPU figures include the API server');

  for (const side of sides) await measure(runners[side], WARMUP);
  // Short rounds alternating the order of the sides, so drift (JIT, CPU frequency, a noisy neighbour on
  // a VM) hits both alike; the median round of each side is the figure.
  const perRound = Math.max(1, Math.round(REQUESTS / ROUNDS));
  const rounds: Record<Side, Sample[]> = { sdk: [], undici: [] };
  for (let round = 0; round < ROUNDS; round += 1) {
    const order = round % 2 === 0 ? sides : [...sides].reverse();
    for (const side of order) rounds[side].push(await sample(runners[side], perRound));
  }

  const figures = (side: Side) => ({
    wallUs: median(rounds[side].map((r) => r.wallUs)),
    cpuUs: median(rounds[side].map((r) => r.cpuUs)),
    userUs: median(rounds[side].map((r) => r.userUs)),
  });
  for (const side of sides) {
    const label = side === 'sdk' ? 'sdk:   ' : 'undici:';
    say(`  rounds (µs/request)   ${label} ${rounds[side].map((r) => r.wallUs.toFixed(0)).join(' ')}`);
    say(`  rounds (CPU µs/call)  ${label} ${rounds[side].map((r) => r.cpuUs.toFixed(0)).join(' ')}`);
  }
  for (const side of sides) {
    const f = figures(side);
    const label = side === 'sdk' ? 'SDK   ' : 'undici';
    say(
      `${label}  ${(1e6 / f.wallUs).toFixed(0).padStart(7)} req/s  (${f.wallUs.toFixed(1)} µs/request, client CPU ${f.cpuUs.toFixed(1)} µs: user ${f.userUs.toFixed(1)}, system ${(f.cpuUs - f.userUs).toFixed(1)})`,
    );
  }
  if (sides.length === 2) {
    const s = figures('sdk');
    const u = figures('undici');
    const overhead = (s.wallUs / u.wallUs - 1) * 100;
    // The ratio round by round: round i of each side ran back to back, so a burst of load from a
    // neighbour hits both halves of a pair; the median of these ratios is the judged figure, the ratio
    // of the two sides' medians is printed beside it.
    const paired = median(rounds.sdk.map((r, i) => r.cpuUs / (rounds.undici[i]?.cpuUs ?? Number.NaN)));
    say(`ratio SDK/undici ${(u.wallUs / s.wallUs).toFixed(3)}`);
    say(
      `SDK overhead ${overhead.toFixed(1)}% of the undici time per request (target <= ${TARGET_OVERHEAD_PERCENT}%): ${
        overhead <= TARGET_OVERHEAD_PERCENT ? 'within target' : 'ABOVE TARGET'
      }; CPU the SDK adds per call: ${(s.cpuUs - u.cpuUs).toFixed(1)} µs`,
    );
    const verdict = flags['in-process']
      ? 'not judged (--in-process)'
      : paired <= TARGET_CPU_RATIO
        ? 'within target'
        : 'ABOVE TARGET';
    say(
      `client CPU per call SDK/undici ${paired.toFixed(2)}x, median of paired rounds (ratio of the medians ${(s.cpuUs / u.cpuUs).toFixed(2)}x; target <= ${TARGET_CPU_RATIO}x): ${verdict}`,
    );
  }
} finally {
  await sdkTransport.close?.();
  await agent.close();
  await api.stop();
}
