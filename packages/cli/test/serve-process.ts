/**
 * `sluice serve` as a child process for the service tests: started from source on port 0, its output
 * collected, its base URL read from what it printed; plus a small API client for its routes.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { REPO_ROOT } from './run-cli.js';

/** A running `sluice serve`. */
export interface ServeProcess {
  child: ChildProcess;
  /** `http://127.0.0.1:<port>`. */
  base: string;
  /** What it printed so far, stdout and stderr together. */
  printed(): string;
  /** Resolves with the exit code (or `null` and the signal) once it exited. */
  exited: Promise<[number | null, NodeJS.Signals | null]>;
}

/** Every process started here, killed by {@link killAll}. */
const started: ChildProcess[] = [];

/** Starts `sluice serve --port 0 --data-dir <dataDir> <extra...>` and resolves once it listens. */
export async function startServe(dataDir: string, extra: readonly string[] = []): Promise<ServeProcess> {
  const child = spawn(
    process.execPath,
    [
      '--conditions=development',
      '--import',
      'tsx',
      'packages/cli/src/main.ts',
      'serve',
      '--port',
      '0',
      '--data-dir',
      dataDir,
      ...extra,
    ],
    { cwd: REPO_ROOT, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  started.push(child);
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  let printed = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    printed += String(chunk);
  });
  child.stdout?.on('data', (chunk: Buffer) => {
    printed += String(chunk);
  });
  while (!printed.includes('press Ctrl-C to stop')) {
    if (child.exitCode !== null) throw new Error(`sluice serve exited:\n${printed}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  const base = /^API {2}(http:\/\/\S+)\/v1$/m.exec(printed)?.[1] ?? '';
  return { child, base, printed: () => printed, exited };
}

/** Kills every process {@link startServe} started that is still running (test teardown). */
export function killAll(): void {
  for (const child of started.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

/** `kill -9`, resolved once the process is gone. */
export async function killHard(serve: ServeProcess): Promise<void> {
  serve.child.kill('SIGKILL');
  await serve.exited;
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
