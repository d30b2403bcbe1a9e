/**
 * `sluice dev`: runs the connector service in the current folder (`main.ts`) and restarts it when a file
 * changes. The service's pino log lines are printed readably (the routes it mounted, the files it skipped
 * and why, the address, each request); anything else it prints is passed through.
 *
 * @module
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, type FSWatcher, watch } from 'node:fs';
import { relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import type { CommandIo } from '../command-io.js';
import { CliError } from '../errors.js';
import { type DebugOptions, debugOption } from '../options/debug.js';

/** The options of `sluice dev`. */
export interface DevOptions extends DebugOptions {
  /** The entry file. @default main.ts (or main.js) */
  entry?: string;
}

const DEV_HELP = `
Runs main.ts with tsx (ENVIRONMENT=dev unless set), prints the routes it mounted and the route files
it skipped (with the reason), the address and each request, and restarts it when a file in the folder
changes (node_modules, .git and dist excepted). Stops on Ctrl-C.

Example:
  $ cd acme-service && sluice dev`;

/** Registers `sluice dev` on `program`. */
export function registerDev(program: Command, io: CommandIo): void {
  program
    .command('dev')
    .description('run the connector service in this folder, restarting it when a file changes')
    .option('--entry <file>', 'the entry file (default: main.ts)')
    .addOption(debugOption())
    .addHelpText('after', DEV_HELP)
    .action((options: DevOptions) => devCommand(options, io));
}

/** Folders whose changes never restart the service. */
const IGNORED = new Set(['node_modules', '.git', 'dist', 'coverage', 'test-output', '.sluice']);
/** How long to wait for more changes before restarting. */
const DEBOUNCE_MS = 150;

/**
 * Runs the service until SIGINT or SIGTERM (or `signal`), restarting it on every change.
 *
 * @throws {CliError} `SLUICE_CLI_FILE_READ` when there is no entry file.
 */
export async function devCommand(options: DevOptions, io: CommandIo, signal?: AbortSignal): Promise<void> {
  const cwd = process.cwd();
  const entry =
    options.entry ?? ['main.ts', 'main.js', 'main.mts', 'main.mjs'].find((f) => existsSync(f)) ?? 'main.ts';
  if (!existsSync(resolve(cwd, entry))) {
    throw new CliError('SLUICE_CLI_FILE_READ', `no ${entry} in ${cwd}`, {
      hint: 'run sluice dev in the service folder (sluice new service <dir> creates one), or name the file with --entry',
    });
  }
  // The server package loads on use, as every command's dependencies do: `sluice --help` does not pay for it.
  const { loadConfig } = await import('@sluice/server');
  const env: NodeJS.ProcessEnv = { ...process.env, ENVIRONMENT: process.env.ENVIRONMENT ?? 'dev' };
  // Dev prints a line per request, and a service logs those at `debug`: unless the level is chosen here
  // (SLUICE_LOG_LEVEL) or is already that verbose, the service runs at `debug`.
  try {
    const level = loadConfig({ cwd }).settings.log_level;
    if (process.env.SLUICE_LOG_LEVEL === undefined && level !== 'debug' && level !== 'trace') {
      env.SLUICE_LOG_LEVEL = 'debug';
    }
  } catch {
    // A bad config is reported by the service itself when it starts.
  }
  const tsx = fileURLToPath(import.meta.resolve('tsx'));
  const conditions = process.execArgv.filter((arg) => arg.startsWith('--conditions'));
  const printer = createLogPrinter(io);

  let child: ChildProcess | undefined;
  const start = () => {
    const current = spawn(process.execPath, [...conditions, '--import', tsx, entry], {
      cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = current;
    let pending = '';
    current.stdout?.on('data', (chunk: Buffer) => {
      pending += String(chunk);
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) printer(line);
    });
    current.stderr?.on('data', (chunk: Buffer) => io.stderr(String(chunk)));
    current.on('exit', (code, byKill) => {
      if (pending !== '') printer(pending);
      if (child === current && byKill === null) {
        io.stdout(`service stopped (exit code ${code}); waiting for a change to restart\n`);
      }
    });
  };
  const stop = async () => {
    const current = child;
    child = undefined;
    if (current === undefined || current.exitCode !== null || current.signalCode !== null) return;
    const exited = once(current, 'exit');
    current.kill('SIGTERM');
    await exited;
  };

  let timer: NodeJS.Timeout | undefined;
  let restarting = Promise.resolve();
  const changed = new Set<string>();
  const watcher: FSWatcher = watch(cwd, { recursive: true }, (_event, name) => {
    if (name === null) return;
    const path = String(name);
    if (path.split(sep).some((part) => IGNORED.has(part)) || /(~|\.swp|\.tmp)$/.test(path)) return;
    changed.add(path);
    clearTimeout(timer);
    timer = setTimeout(() => {
      const files = [...changed].map((file) => relative(cwd, resolve(cwd, file)));
      changed.clear();
      restarting = restarting.then(async () => {
        io.stdout(`restarting: ${files.join(', ')} changed\n`);
        await stop();
        start();
      });
    }, DEBOUNCE_MS);
  });

  io.stdout(`sluice dev: running ${entry}, restarting on changes (Ctrl-C to stop)\n`);
  start();
  await new Promise<void>((done) => {
    const finish = () => done();
    process.once('SIGINT', finish);
    process.once('SIGTERM', finish);
    signal?.addEventListener('abort', finish, { once: true });
  });
  clearTimeout(timer);
  watcher.close();
  await restarting;
  await stop();
}

/** Prints one line of the service's output: pino JSON lines readably, anything else as it is. */
export function createLogPrinter(io: CommandIo): (line: string) => void {
  const requests = new Map<string, { method: string; url: string }>();
  return (line) => {
    if (line.trim() === '') return;
    let entry: Record<string, unknown>;
    try {
      entry = JSON.parse(line) as Record<string, unknown>;
      if (typeof entry !== 'object' || entry === null || typeof entry.level !== 'number')
        throw new Error('not pino');
    } catch {
      io.stdout(`${line}\n`);
      return;
    }
    const message = String(entry.msg ?? '');
    const level = LEVELS[entry.level as number] ?? 'log';
    const req = entry.req as { method?: string; url?: string } | undefined;
    const res = entry.res as { statusCode?: number } | undefined;
    const reqId = String(entry.reqId ?? '');
    if (message === 'route discovery rules' && Array.isArray(entry.rules)) {
      io.stdout(`route discovery:\n${entry.rules.map((rule) => `  - ${rule}`).join('\n')}\n`);
    } else if (message === 'route mounted') {
      io.stdout(`  ${String(entry.method).padEnd(6)} ${entry.url}  (${entry.file})\n`);
    } else if (message === 'route file skipped') {
      io.stdout(`  skipped ${entry.file}: ${entry.reason}\n`);
    } else if (message.startsWith('Server listening at ')) {
      io.stdout(`listening at ${message.slice('Server listening at '.length)}\n`);
    } else if (message === 'incoming request' && req !== undefined) {
      requests.set(reqId, { method: req.method ?? '?', url: req.url ?? '?' });
    } else if (message === 'request completed' && res !== undefined) {
      const seen = requests.get(reqId);
      requests.delete(reqId);
      const time = typeof entry.responseTime === 'number' ? ` ${entry.responseTime.toFixed(1)} ms` : '';
      io.stdout(`${seen?.method ?? ''} ${seen?.url ?? ''} ${res.statusCode}${time}\n`);
    } else {
      const err = entry.err as { message?: string; stack?: string } | undefined;
      const detail = err?.message === undefined ? '' : `: ${err.message}`;
      const text = `${level} ${message}${detail}\n`;
      if ((entry.level as number) >= 50)
        io.stderr(`${text}${err?.stack === undefined ? '' : `${err.stack}\n`}`);
      else io.stdout(text);
    }
  };
}

const LEVELS: Readonly<Record<number, string>> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};
