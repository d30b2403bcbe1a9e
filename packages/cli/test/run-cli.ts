import { execFile } from 'node:child_process';
import { run } from '../src/program.js';
import { CLI_NODE_ARGS, REPO_ROOT } from './cli-node-args.js';

export { CLI_NODE_ARGS, REPO_ROOT } from './cli-node-args.js';

/** What one CLI run printed, and its exit code. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * At most this many `sluice` processes of one test file at once: a test that starts ten together waits
 * for its turns instead of starving them all on a loaded 2-core machine.
 */
const MAX_PROCESSES = 2;
let running = 0;
const queue: (() => void)[] = [];

async function turn<T>(work: () => Promise<T>): Promise<T> {
  if (running >= MAX_PROCESSES) await new Promise<void>((resolve) => queue.push(resolve));
  running += 1;
  try {
    return await work();
  } finally {
    running -= 1;
    queue.shift()?.();
  }
}

/**
 * Runs `sluice <args>` ({@link CLI_NODE_ARGS}: from source unless `SLUICE_TEST_CLI=bin`) with the
 * repository root as the working directory. Never rejects: a failing run is a result.
 */
export function runCli(args: readonly string[], options: { cwd?: string } = {}): Promise<CliResult> {
  return turn(() => spawnCli(args, options));
}

function spawnCli(args: readonly string[], options: { cwd?: string }): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [...CLI_NODE_ARGS, ...args],
      { cwd: options.cwd ?? REPO_ROOT, env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/**
 * Runs `sluice <args>` in this process, the output captured (no child process: cheaper on a loaded
 * machine). `tty` says whether stdout is a terminal. Never rejects for a failing command: that is a result.
 */
export async function runCliInProcess(
  args: readonly string[],
  options: { tty?: boolean } = {},
): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await run(args, {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    isTty: options.tty ?? false,
  });
  return { code, stdout, stderr };
}
