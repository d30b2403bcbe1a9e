/**
 * Server benchmark: autocannon against `POST /hello/v1/execute` (a small JSON body, validated by the
 * route's schema.json) on three servers, each in its own child process, all started in the same run:
 * the service `sluice new service` generates, served by `@sluice/server` with its shipped
 * `app_config.yaml`; bare Fastify configured the same way (logger, CORS); plain Fastify (no logger, no
 * CORS). Rounds are interleaved (the order of the sides rotates each round) and each side's figure is the
 * median of its rounds, so drift over time hits every side alike. The server's CPU time per request is
 * measured in the server process (`process.cpuUsage()` around each round, over IPC).
 *
 * Usage: `npm run bench:server [-- --rounds 7 --duration 5 --connections 50 --warmup 3 --cors '*']`.
 * See bench/README.md for what the figures mean.
 *
 * @module
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';

/** The router's throughput, as a fraction of each Fastify baseline's, that the target asks for. */
const TARGET = 0.85;

const { values: flags } = parseArgs({
  options: {
    rounds: { type: 'string', default: '7' },
    duration: { type: 'string', default: '5' },
    connections: { type: 'string', default: '50' },
    warmup: { type: 'string', default: '3' },
    cors: { type: 'string', default: '' },
    'log-dir': { type: 'string' },
  },
});
const ROUNDS = Number(flags.rounds);
const DURATION = Number(flags.duration);
const CONNECTIONS = Number(flags.connections);
const WARMUP = Number(flags.warmup);
const BODY = JSON.stringify({ data: { name: 'Ada' }, credentials: { connection_data: { value: {} } } });

// The benchmark prints its figures (the console rule binds the packages, not bench scripts).
const say = (line: string): void => console.log(line);

const SIDES = ['router', 'fastify', 'plain'] as const;
type Side = (typeof SIDES)[number];
const LABELS: Record<Side, string> = {
  router: '@sluice/server',
  fastify: 'Fastify, same config',
  plain: 'plain Fastify',
};

interface Server {
  readonly url: string;
  /** The server process's CPU time so far (user + system), in µs. */
  cpu(): Promise<number>;
  stop(): Promise<void>;
}

/** Starts `serve.ts <side>` with an IPC channel; its stdout (the log) goes to `--log-dir` or /dev/null. */
async function startServer(side: Side): Promise<Server> {
  const logDir = flags['log-dir'];
  if (logDir !== undefined) mkdirSync(logDir, { recursive: true });
  const stdout = logDir === undefined ? 'ignore' : openSync(join(logDir, `${side}.log`), 'w');
  const child: ChildProcess = spawn(
    process.execPath,
    [...process.execArgv, new URL('./serve.ts', import.meta.url).pathname, side, flags.cors],
    { stdio: ['ignore', stdout, 'inherit', 'ipc'] },
  );
  // One listener for the whole run: each question waits for the next message that answers it.
  let waiting: { pick: (m: Record<string, unknown>) => boolean; fail: (err: Error) => void } | undefined;
  child.on('message', (message) => {
    if (typeof message === 'object' && message !== null && waiting?.pick(message as Record<string, unknown>))
      waiting = undefined;
  });
  child.once('exit', (code) => waiting?.fail(new Error(`the ${side} server exited (code ${code})`)));
  const next = <T>(read: (message: Record<string, unknown>) => T | undefined): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      waiting = {
        pick: (message) => {
          const value = read(message);
          if (value === undefined) return false;
          resolve(value);
          return true;
        },
        fail: reject,
      };
    });
  const url = await next((m) => (typeof m.url === 'string' ? m.url : undefined));
  return {
    url,
    cpu: async () => {
      const answer = next((m) => m.cpu as NodeJS.CpuUsage | undefined);
      child.send('cpu');
      const { user, system } = await answer;
      return user + system;
    },
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function check(side: Side, url: string): Promise<void> {
  const post = (body: string) =>
    fetch(`${url}/hello/v1/execute`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
  const res = await post(BODY);
  const body = await res.text();
  if (res.status !== 200 || body !== '{"data":{"message":"Hello, Ada!"}}')
    throw new Error(`${side}: unexpected answer ${res.status} ${body}`);
  const bad = await post('{"data":{"name":1}}');
  if (bad.status !== 400) throw new Error(`${side}: schema not validated: ${bad.status}`);
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

interface Round {
  rps: number;
  p99: number;
  /** Server CPU µs per response. */
  cpu: number;
  errors: number;
}

async function measure(server: Server): Promise<Round> {
  const before = await server.cpu();
  const result = await cannon(server.url, DURATION);
  const used = (await server.cpu()) - before;
  const responses = result['2xx'] + result.non2xx;
  return {
    rps: responses / result.duration,
    p99: result.latency.p99,
    cpu: used / Math.max(responses, 1),
    errors: result.errors + result.timeouts + result.non2xx,
  };
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};
const num = (value: number, width: number, digits = 0) => value.toFixed(digits).padStart(width);

const servers = {} as Record<Side, Server>;
try {
  for (const side of SIDES) servers[side] = await startServer(side);
  for (const side of SIDES) await check(side, servers[side].url);
  say(
    `POST /hello/v1/execute, ${CONNECTIONS} connections; ${ROUNDS} interleaved rounds of ${DURATION} s per side ` +
      `(after ${WARMUP} s warm-up each)${flags.cors === '' ? '' : `; cors_origins ${flags.cors}`}`,
  );
  for (const side of SIDES) if (WARMUP > 0) await cannon(servers[side].url, WARMUP);

  const rounds: Record<Side, Round[]> = { router: [], fastify: [], plain: [] };
  for (let r = 0; r < ROUNDS; r += 1) {
    const order = SIDES.map((_, i) => SIDES[(i + r) % SIDES.length] as Side);
    const cells: string[] = [];
    for (const side of order) rounds[side].push(await measure(servers[side]));
    for (const side of SIDES) {
      const last = rounds[side][rounds[side].length - 1] as Round;
      cells.push(`${side} ${num(last.rps, 6)} req/s ${num(last.cpu, 4)} µs`);
    }
    say(`  round ${r + 1}: ${cells.join('  |  ')}`);
  }

  const summary = (side: Side) => ({
    rps: median(rounds[side].map((r) => r.rps)),
    p99: median(rounds[side].map((r) => r.p99)),
    cpu: median(rounds[side].map((r) => r.cpu)),
  });
  const figures = Object.fromEntries(SIDES.map((side) => [side, summary(side)])) as Record<
    Side,
    ReturnType<typeof summary>
  >;
  say('');
  say(`${''.padEnd(22)}  req/s (median)   p99 ms   server CPU per request`);
  for (const side of SIDES) {
    const f = figures[side];
    say(`${LABELS[side].padEnd(22)}  ${num(f.rps, 14)}   ${num(f.p99, 6)}   ${num(f.cpu, 6, 1)} µs`);
  }
  say('');
  for (const base of ['fastify', 'plain'] as const) {
    const ratio = figures.router.rps / figures[base].rps;
    const cpu = figures.router.cpu / figures[base].cpu;
    say(
      `router / ${LABELS[base].padEnd(20)} ${ratio.toFixed(2)}x req/s (target >= ${TARGET}x: ${ratio >= TARGET ? 'met' : 'NOT met'}), ${cpu.toFixed(2)}x CPU per request`,
    );
  }
  if (SIDES.some((side) => rounds[side].some((r) => r.errors > 0)))
    say('warning: some requests failed or answered non-2xx');
} finally {
  await Promise.all(Object.values(servers).map((server) => server.stop()));
}
