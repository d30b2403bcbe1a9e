/**
 * Server benchmark: autocannon against `POST /hello/v1/execute` (a small JSON body, validated by the
 * route's schema.json) on examples/hello-service served by `@sluice/server`, and on a bare Fastify app
 * with the same handler and body schema, each in its own child process, started in the same run.
 * Runs are interleaved (router, fastify, fastify, router) so drift hits both sides alike.
 *
 * Usage: `npm run bench:server [-- --duration 5 --connections 50 --warmup 2]`.
 * See bench/README.md for what the figures mean.
 *
 * @module
 */
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { startChildServer } from '../child-server.js';

/** bare Fastify's throughput the router must reach, in percent. */
const TARGET_PERCENT = 85;

const { values: flags } = parseArgs({
  options: {
    duration: { type: 'string', default: '5' },
    connections: { type: 'string', default: '50' },
    warmup: { type: 'string', default: '2' },
  },
});
const DURATION = Number(flags.duration);
const CONNECTIONS = Number(flags.connections);
const WARMUP = Number(flags.warmup);
const BODY = JSON.stringify({ data: { name: 'Ada' }, credentials: { connection_data: { value: {} } } });

// The benchmark prints its figures (the console rule binds the packages, not bench scripts).
const say = (line: string): void => console.log(line);

type Kind = 'router' | 'fastify';

async function startServer(kind: Kind): Promise<{ url: string; stop: () => Promise<void> }> {
  return startChildServer(new URL('./serve.ts', import.meta.url), [kind]);
}

async function check(url: string): Promise<void> {
  const res = await fetch(`${url}/hello/v1/execute`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: BODY,
  });
  const body = await res.text();
  if (res.status !== 200 || body !== '{"data":{"message":"Hello, Ada!"}}')
    throw new Error(`unexpected answer ${res.status} ${body}`);
  const bad = await fetch(`${url}/hello/v1/execute`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"data":{"name":1}}',
  });
  if (bad.status !== 400) throw new Error(`schema not validated: ${bad.status}`);
}

function cannon(url: string, duration: number): Promise<autocannon.Result> {
  return autocannon({
    url: `${url}/hello/v1/execute`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: BODY,
    connections: CONNECTIONS,
    duration,
  });
}

async function measure(kind: Kind): Promise<{ rps: number; p99: number; errors: number }> {
  const server = await startServer(kind);
  try {
    await check(server.url);
    if (WARMUP > 0) await cannon(server.url, WARMUP);
    const result = await cannon(server.url, DURATION);
    const errors = result.errors + result.timeouts + result.non2xx;
    say(
      `  ${kind.padEnd(8)} ${result.requests.average.toFixed(0).padStart(7)} req/s   p99 ${String(result.latency.p99).padStart(3)} ms   errors ${errors}`,
    );
    return { rps: result.requests.average, p99: result.latency.p99, errors };
  } finally {
    await server.stop();
  }
}

say(`POST /hello/v1/execute, ${CONNECTIONS} connections, ${DURATION} s per run (after ${WARMUP} s warm-up)`);
const runs: Record<Kind, { rps: number; p99: number; errors: number }[]> = { router: [], fastify: [] };
for (const kind of ['router', 'fastify', 'fastify', 'router'] as const) runs[kind].push(await measure(kind));

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
const side = (kind: Kind) => ({
  rps: mean(runs[kind].map((r) => r.rps)),
  p99: Math.max(...runs[kind].map((r) => r.p99)),
});
const router = side('router');
const fastify = side('fastify');
const ratio = (router.rps / fastify.rps) * 100;
say('');
say(`@sluice/server   ${router.rps.toFixed(0).padStart(7)} req/s   p99 ${router.p99} ms`);
say(`bare Fastify     ${fastify.rps.toFixed(0).padStart(7)} req/s   p99 ${fastify.p99} ms`);
say(
  `ratio            ${ratio.toFixed(1)}% of bare Fastify's throughput (target >= ${TARGET_PERCENT}%): ${ratio >= TARGET_PERCENT ? 'met' : 'NOT met'}`,
);
if ([...runs.router, ...runs.fastify].some((r) => r.errors > 0))
  say('warning: some requests failed; see the per-run error counts');
