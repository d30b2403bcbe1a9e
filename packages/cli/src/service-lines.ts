/**
 * What `sluice serve` and `sluice worker` print as they start (the registered connectors, the secret key's
 * source, the queue), and the warnings logger of the processes started without `--log-level`.
 *
 * @module
 */
import { type LoadedSecretKey, maskUrl } from '@sluice/engine';
import type { Logger } from '@sluice/sdk';
import type { CommandIo } from './command-io.js';
import type { LoadedConnector } from './load-connectors.js';
import type { RedisQueue } from './options/queue.js';
import { createStderrLogger } from './stderr-logger.js';

/** `connectors: my-app (connectors/my-app.ts), crm (connectors/crm/connector.ts)`, or `connectors: none`. */
export function registeredLine(registered: readonly LoadedConnector[]): string {
  const list = registered.map((entry) => `${entry.name} (${entry.file})`).join(', ');
  return `connectors: ${list === '' ? 'none (register them with --connectors <dir>)' : list}\n`;
}

/** `secret key: SLUICE_SECRET_KEY`, or the key file (and whether it was just created); never the key. */
export function secretKeyLine({ source }: LoadedSecretKey): string {
  if (source.kind === 'env') return `secret key: ${source.variable}\n`;
  const created = source.created ? ' (created; back it up: connections do not open without it)' : '';
  return `secret key: ${source.path}${created}\n`;
}

/** `queue: redis://host:6379 (prefix sluice), ...`: where runs go and whether this process executes them. */
export function queueLine(queue: RedisQueue, executes: boolean): string {
  const where = `${maskUrl(queue.redis)} (prefix ${queue.prefix ?? 'sluice'})`;
  const who = executes
    ? 'runs execute here and on every sluice worker'
    : 'runs execute on sluice worker processes';
  return `queue: ${where}; ${who}\n`;
}

/**
 * The engine's warnings and errors (store or Redis unreachable and back, runs that stopped) as plain
 * lines on stderr, for processes started without --log-level.
 */
export function warningLogger(io: CommandIo): Logger {
  const quiet = (): void => {};
  const lines = createStderrLogger({ write: (line) => io.stderr(line), secrets: () => [] });
  const filtered = (logger: Logger): Logger => ({
    debug: quiet,
    info: quiet,
    warn: logger.warn,
    error: logger.error,
    child: (bindings) => filtered(logger.child(bindings)),
    isLevelEnabled: (level) => level === 'warn' || level === 'error',
  });
  return filtered(lines);
}
