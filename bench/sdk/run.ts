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
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import connector from '@sluice/example-my-app/connector';
import { createConnectorRuntime, createUndiciTransport } from '@sluice/sdk/internal';
import { Agent, request } from 'undici';

/** The overhead the SDK may add over raw undici, in percent of the raw time per request. */
const TARGET_OVERHEAD_PERCENT = 15;
const TOKEN = 'my-app-secret-token';
const SEED_COUNT = 1000;

const { values: flags } = parseArgs({
  options: {
    requests: { type: 'string', default: '10000' },
    warmup: { type: 'string', default: '1000' },
    'in-process': { type: 'boolean', default: false },
  },
});
const REQUESTS = Number(flags.requests);
const WARMUP = Number(flags.warmup);

// The benchmark prints its figures (the console rule binds the packages, not bench scripts).
const say = (line: string): void => console.log(line);

/** Starts the API in a child process (or in this one with --in-process); resolves its URL and a stop function. */
async function startApi(): Promise<{ url: string; stop: () => Promise<void> }> {
  if (flags['in-process']) {
    const { startMyAppApi } = await import('@sluice/example-my-app/api');
    const api = await startMyAppApi({ seedCount: SEED_COUNT });
    return { url: api.url, stop: () => api.close() };
  }
  const script = fileURLToPath(new URL('./api-server.ts', import.meta.url));
  const child = spawn(process.execPath, [...process.execArgv, script, String(SEED_COUNT)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let buffered = '';
  for await (const chunk of child.stdout) {
    buffered += String(chunk);
    if (buffered.includes('\n')) break;
  }
  const { url } = JSON.parse(buffered.split('\n')[0] ?? '') as { url: string };
  return {
    url,
    stop: async () => {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
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
    `SDK vs undici: ${REQUESTS} sequential get_customer_by_id each, twice, order ABBA (Node ${process.version})`,
  );
  say(
    `API ${flags['in-process'] ? 'in this process' : 'in a child process'} at ${api.url}; same output: ${same}`,
  );

  await measure(sdk, WARMUP);
  await measure(undici, WARMUP);
  const rates = { sdk: [] as number[], undici: [] as number[] };
  for (const side of ['sdk', 'undici', 'undici', 'sdk'] as const) {
    const rate = await measure(side === 'sdk' ? sdk : undici, REQUESTS);
    rates[side].push(rate);
    say(`  ${side.padEnd(6)} ${rate.toFixed(0).padStart(7)} req/s`);
  }

  // Mean time per request over both runs of each side, so one noisy run weighs by its duration.
  const perRequestMs = (list: number[]) => list.reduce((sum, rate) => sum + 1000 / rate, 0) / list.length;
  const sdkMs = perRequestMs(rates.sdk);
  const undiciMs = perRequestMs(rates.undici);
  const overhead = (sdkMs / undiciMs - 1) * 100;
  say(`SDK     ${(1000 / sdkMs).toFixed(0).padStart(7)} req/s  (${(sdkMs * 1000).toFixed(1)} µs/request)`);
  say(
    `undici  ${(1000 / undiciMs).toFixed(0).padStart(7)} req/s  (${(undiciMs * 1000).toFixed(1)} µs/request)`,
  );
  say(`ratio SDK/undici ${(undiciMs / sdkMs).toFixed(3)}`);
  say(
    `SDK overhead ${overhead.toFixed(1)}% of the undici time per request (target <= ${TARGET_OVERHEAD_PERCENT}%): ${
      overhead <= TARGET_OVERHEAD_PERCENT ? 'within target' : 'ABOVE TARGET'
    }`,
  );
} finally {
  await sdkTransport.close?.();
  await agent.close();
  await api.stop();
}
