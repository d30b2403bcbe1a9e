/**
 * `sluice` as a child process for the service tests: started from source (`packages/cli/src/main.ts`
 * through tsx, `development` condition; the built bin with `SLUICE_TEST_CLI=bin`) in the repository
 * root, its output collected, `serve` on port 0 with its base URL read from what it printed; every
 * process started here killed by {@link killAll}; plus a small API client for the service's routes.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CLI_NODE_ARGS, REPO_ROOT, runCliInProcess } from './run-cli.js';

/** A running (or finished) `sluice <command>`. */
export interface SluiceProcess {
  child: ChildProcess;
  /** What it printed so far, stdout and stderr together. */
  printed(): string;
  /** What it printed on stdout so far. */
  stdout(): string;
  /** What it printed on stderr so far. */
  stderr(): string;
  /** Resolves with the exit code (or `null` and the signal) once it exited. */
  exited: Promise<[number | null, NodeJS.Signals | null]>;
}

/** A running `sluice serve`. */
export interface ServeProcess extends SluiceProcess {
  /** `http://127.0.0.1:<port>`. */
  base: string;
}

/** The environment of a child: the test's own, with `NO_COLOR=1`. */
export interface SluiceOptions {
  /** Variables set on top of it. */
  env?: Readonly<Record<string, string>>;
  /** Variables of the test's environment not passed on (such as `SLUICE_SECRET_KEY`); `env` still sets them. */
  unset?: readonly string[];
}

/** Every process started here, killed by {@link killAll}. */
const started: ChildProcess[] = [];

/** Spawns `sluice <args...>` and collects its output; does not wait for anything. */
export function spawnSluice(args: readonly string[], options: SluiceOptions = {}): SluiceProcess {
  const inherited: NodeJS.ProcessEnv = { ...process.env };
  for (const name of options.unset ?? []) delete inherited[name];
  const env = { ...inherited, NO_COLOR: '1', ...options.env };
  const child = spawn(process.execPath, [...CLI_NODE_ARGS, ...args], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  let printed = '';
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    printed += String(chunk);
    stdout += String(chunk);
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    printed += String(chunk);
    stderr += String(chunk);
  });
  return { child, printed: () => printed, stdout: () => stdout, stderr: () => stderr, exited };
}

/** Resolves `true` once `sluice` printed "press Ctrl-C to stop" on stdout, `false` if it exited first. */
export async function untilReady(sluice: SluiceProcess): Promise<boolean> {
  const { child } = sluice;
  while (!sluice.stdout().includes('press Ctrl-C to stop')) {
    if (child.exitCode !== null || child.signalCode !== null) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

/** Starts `sluice <args...>` and resolves once it is ready; rejects with its output if it exits first. */
export async function startSluice(
  args: readonly string[],
  options: SluiceOptions = {},
): Promise<SluiceProcess> {
  const sluice = spawnSluice(args, options);
  if (!(await untilReady(sluice))) throw new Error(`sluice ${args[0]} exited:\n${sluice.printed()}`);
  return sluice;
}

/** `http://127.0.0.1:<port>` from the `API  <url>/v1` line a `sluice serve` printed. */
export function apiBase(serve: SluiceProcess): string {
  return /^API {2}(http:\/\/\S+)\/v1$/m.exec(serve.stdout())?.[1] ?? '';
}

/** Starts `sluice serve --port 0 --data-dir <dataDir> <extra...>` and resolves once it listens. */
export async function startServe(
  dataDir: string,
  extra: readonly string[] = [],
  options: SluiceOptions = {},
): Promise<ServeProcess> {
  const serve = await startSluice(['serve', '--port', '0', '--data-dir', dataDir, ...extra], options);
  return { ...serve, base: apiBase(serve) };
}

/** Starts `sluice worker <flags...>` and resolves once it is ready. */
export function startWorker(flags: readonly string[], options: SluiceOptions = {}): Promise<SluiceProcess> {
  return startSluice(['worker', ...flags], options);
}

/** Runs `sluice <args...>` to its end; resolves its exit code and what it printed. */
export async function runSluice(
  args: readonly string[],
  options: SluiceOptions = {},
): Promise<{ code: number | null; printed: string; stdout: string; stderr: string }> {
  const sluice = spawnSluice(args, options);
  const [code] = await sluice.exited;
  return { code, printed: sluice.printed(), stdout: sluice.stdout(), stderr: sluice.stderr() };
}

/** Kills every process started here that is still running (test teardown). */
export function killAll(): void {
  for (const child of started.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

/** `kill -9`, resolved once the process is gone. */
export async function killHard(sluice: SluiceProcess): Promise<void> {
  sluice.child.kill('SIGKILL');
  await sluice.exited;
}

/** Calls the service's API with `key`; JSON in, JSON out. */
export async function apiCall(
  base: string,
  key: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** A loopback API the workflows of a test call. */
export interface StepApi {
  /** `http://127.0.0.1:<port>`. */
  origin: string;
  /** Drops open connections (a killed service's hanging calls) and stops listening. */
  close(): Promise<void>;
}

/** Starts `handler` on 127.0.0.1 on a free port. */
export async function startStepApi(handler: RequestListener): Promise<StepApi> {
  const server = createServer(handler);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/**
 * `sluice keys create` for ann@acme.test (workspace acme) in `dataDir`; resolves the key. A fixture, so
 * it runs in this process (`keys.test.ts` tests the command in its own process): one process start less
 * per test on a loaded machine.
 */
export async function createKey(dataDir: string, extra: readonly string[] = []): Promise<string> {
  const created = await runCliInProcess([
    'keys',
    'create',
    '--workspace',
    'acme',
    '--email',
    'ann@acme.test',
    '--data-dir',
    dataDir,
    ...extra,
  ]);
  if (created.code !== 0) throw new Error(`sluice keys create failed:\n${created.stderr}`);
  return created.stdout.trim();
}
