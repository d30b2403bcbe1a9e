/**
 * The judged part of `bench/service` (issue 14, target 1): how many 3-step runs per second `sluice
 * serve` answers with `?wait=true`, its CPU and SQL statements per run, against a minimal Node server
 * making the same 3 undici calls per request (`baseline-server.ts`); the same clients, the same
 * concurrency, interleaved rounds, medians. Also the memory of the service (idle, after 1,000 and after
 * 10,000 runs) and what a 5 MB input costs beside a tiny one.
 *
 * Figures come from outside the processes: CPU (user + system, every thread) and RSS from
 * `/proc/<pid>`, statements from the service's own `sluice_store_statements_total` on `GET /metrics`.
 *
 * @module
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';
import { stepsOverSlowApi } from '../three-step-workflow.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

/** Linux's clock ticks per second, the unit of `/proc/<pid>/stat` times. */
const CLOCK_TICKS = 100;

/** A 3-step workflow over the benchmark API, each step's output a value of its answer. */
export const THREE_FAST_STEPS = stepsOverSlowApi('bench-three-fast-steps', 'fast', 3);

/** CPU milliseconds a process (or one thread of it) has used so far, user and system apart. */
export interface CpuTimes {
  user: number;
  system: number;
}

/** The user and system times of `/proc/<pid>/stat` or `/proc/<pid>/task/<tid>/stat`, in ms. */
function statTimes(path: string): CpuTimes {
  const stat = readFileSync(path, 'utf8');
  // Fields after the command (which may hold spaces) start after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return {
    user: (Number(fields[11]) / CLOCK_TICKS) * 1000,
    system: (Number(fields[12]) / CLOCK_TICKS) * 1000,
  };
}

/** CPU milliseconds (user + system, all threads) process `pid` has used so far. */
export function cpuMs(pid: number): number {
  const { user, system } = statTimes(`/proc/${pid}/stat`);
  return user + system;
}

/** The CPU times of process `pid` (all threads) and of its main thread (the event loop) alone. */
export function cpuSplit(pid: number): { all: CpuTimes; main: CpuTimes } {
  return { all: statTimes(`/proc/${pid}/stat`), main: statTimes(`/proc/${pid}/task/${pid}/stat`) };
}

/** Resident memory of process `pid`, in MB. */
export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  return kb / 1024;
}

/** A running `sluice serve` of the benchmark. */
export interface Service {
  url: string;
  pid: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts the built `sluice serve` with `args` and resolves once it prints its API line. */
export async function startService(args: readonly string[]): Promise<Service> {
  // BENCH_CPU_PROF=<dir> writes a CPU profile of the service there (see bench/README.md).
  const profile = process.env.BENCH_CPU_PROF;
  // BENCH_SERVE_NODE_ARGS: Node options for the service alone (`--max-semi-space-size=32`, say).
  const nodeArgs = process.env.BENCH_SERVE_NODE_ARGS?.split(' ').filter((arg) => arg !== '') ?? [];
  // BENCH_SERVE_ARGS: more options of `sluice serve` itself (`--log-level info`, say).
  const serveArgs = process.env.BENCH_SERVE_ARGS?.split(' ').filter((arg) => arg !== '') ?? [];
  const child = spawn(
    process.execPath,
    [
      ...nodeArgs,
      ...(profile === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${profile}`]),
      join(REPO, 'packages/cli/bin/sluice.js'),
      'serve',
      '--port',
      '0',
      ...args,
      ...serveArgs,
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
  return {
    url,
    pid: child.pid as number,
    child,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** What one side answers: `POST <path>` with `{"input": ...}`, a finished run as JSON. */
export interface Side {
  name: string;
  pid: number;
  /** Starts one run and resolves when it has ended (rejects unless it succeeded). */
  run(input: unknown): Promise<void>;
  /** SQL statements sent so far, when the side has a store. */
  statements?(): Promise<Statements>;
}

/** Statements by kind, as `sluice_store_statements_total` counts them. */
export interface Statements {
  read: number;
  write: number;
  transaction: number;
  /** Transactions committed (`sluice_store_commits_total`): how many commits the writes shared. */
  commit: number;
  /**
   * From the same scrape: ms the service's main thread spent in garbage-collection pauses so far
   * (`nodejs_gc_duration_seconds_sum`, every kind). Steadier than CPU time on a noisy machine: it moves
   * with what a run allocates and keeps alive.
   */
  gcMs: number;
}

/** One round of one side: `runs` runs by `clients` clients, each starting its next run when one ends. */
export interface RoundFigures {
  runsPerSecond: number;
  cpuMsPerRun: number;
  /** Of `cpuMsPerRun`: user and system time, and the main thread's (the event loop's) share. */
  cpuSplitPerRun: { user: number; system: number; mainThread: number };
  statementsPerRun?: Statements;
}

/** A client of both sides: one undici agent, JSON in and out. */
export class Client {
  readonly #agent: Agent;

  constructor(connections: number) {
    this.#agent = new Agent({ connections, keepAliveTimeout: 10_000 });
  }

  async post(url: string, body: string, headers: Record<string, string>): Promise<string> {
    const answer = await request(url, {
      method: 'POST',
      dispatcher: this.#agent,
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });
    const text = await answer.body.text();
    if (answer.statusCode >= 400) throw new Error(`POST ${url}: ${answer.statusCode} ${text.slice(0, 300)}`);
    return text;
  }

  async get(url: string, headers: Record<string, string>): Promise<string> {
    const answer = await request(url, { dispatcher: this.#agent, headers });
    const text = await answer.body.text();
    if (answer.statusCode >= 400) throw new Error(`GET ${url}: ${answer.statusCode} ${text.slice(0, 300)}`);
    return text;
  }

  close(): Promise<void> {
    return this.#agent.close();
  }
}

/** The `sluice serve` side: runs of workflow `uid` through `?wait=true`, statements from `/metrics`. */
export function serviceSide(
  name: string,
  service: Service,
  client: Client,
  uid: string,
  key: string,
  metricsToken: string,
): Side {
  const auth = { authorization: `Bearer ${key}` };
  return {
    name,
    pid: service.pid,
    async run(input) {
      const text = await client.post(
        `${service.url}/v1/workflows/${uid}/runs?wait=true`,
        JSON.stringify({ input }),
        auth,
      );
      const run = JSON.parse(text) as { status: string; error?: unknown };
      if (run.status !== 'succeeded')
        throw new Error(`${name}: run ${run.status} ${JSON.stringify(run.error)}`);
    },
    async statements() {
      const text = await client.get(`${service.url}/metrics`, { authorization: `Bearer ${metricsToken}` });
      const of = (kind: string) =>
        Number(
          new RegExp(`^sluice_store_statements_total\\{kind="${kind}"\\} (\\S+)$`, 'm').exec(text)?.[1] ?? 0,
        );
      const commits = Number(/^sluice_store_commits_total (\S+)$/m.exec(text)?.[1] ?? 0);
      let gcSeconds = 0;
      for (const [, sum] of text.matchAll(/^nodejs_gc_duration_seconds_sum\{[^}]*\} (\S+)$/gm))
        gcSeconds += Number(sum);
      return {
        read: of('read'),
        write: of('write'),
        transaction: of('transaction'),
        commit: commits,
        gcMs: gcSeconds * 1000,
      };
    },
  };
}

/** The baseline side: `POST /runs` on `baseline-server.ts`. */
export function baselineSide(url: string, pid: number, client: Client): Side {
  return {
    name: 'node + undici (baseline)',
    pid,
    async run(input) {
      await client.post(`${url}/runs`, JSON.stringify({ input }), {});
    },
  };
}

/** Runs `runs` runs on `side` with `clients` concurrent clients; inputs `{n: offset + i}`. */
export async function round(
  side: Side,
  runs: number,
  clients: number,
  offset: number,
): Promise<RoundFigures> {
  const before = await side.statements?.();
  const cpuBefore = cpuSplit(side.pid);
  let next = 0;
  const begin = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < runs) {
        const n = offset + next++;
        await side.run({ n });
      }
    }),
  );
  const wallMs = performance.now() - begin;
  const cpuAfter = cpuSplit(side.pid);
  const after = await side.statements?.();
  const user = cpuAfter.all.user - cpuBefore.all.user;
  const system = cpuAfter.all.system - cpuBefore.all.system;
  const mainThread = cpuAfter.main.user + cpuAfter.main.system - cpuBefore.main.user - cpuBefore.main.system;
  const figures: RoundFigures = {
    runsPerSecond: (runs / wallMs) * 1000,
    cpuMsPerRun: (user + system) / runs,
    cpuSplitPerRun: { user: user / runs, system: system / runs, mainThread: mainThread / runs },
  };
  if (before !== undefined && after !== undefined) {
    // The scrape itself sends no SQL but `sluice_runs`' count: one read, taken off.
    figures.statementsPerRun = {
      read: (after.read - before.read - 1) / runs,
      write: (after.write - before.write) / runs,
      transaction: (after.transaction - before.transaction) / runs,
      commit: (after.commit - before.commit) / runs,
      gcMs: (after.gcMs - before.gcMs) / runs,
    };
  }
  return figures;
}

/** The median of `values`. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
