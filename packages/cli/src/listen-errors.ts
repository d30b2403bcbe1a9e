/**
 * What `sluice serve` and `sluice worker` say when they cannot listen: the host and port, why, and what to
 * do, instead of Node's bare `listen EADDRINUSE`.
 *
 * @module
 */
import { CliError } from './errors.js';

/**
 * Runs `listen`; a failure to listen on `host`:`port` becomes `SLUICE_CLI_LISTEN` naming `portOption`.
 *
 * @throws {CliError} `SLUICE_CLI_LISTEN` when the port is in use, needs privileges or the host is not ours.
 */
export async function listenOrExplain<T>(
  listen: () => Promise<T>,
  where: { host: string; port: number; portOption: string; hostOption: string },
): Promise<T> {
  try {
    return await listen();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const at = `${where.host}:${where.port}`;
    if (code === 'EADDRINUSE') {
      throw new CliError('SLUICE_CLI_LISTEN', `cannot listen on ${at}: another process is listening there`, {
        cause: err,
        hint: `stop it, or pick another port with ${where.portOption} (0 picks a free one)`,
      });
    }
    if (code === 'EACCES') {
      throw new CliError('SLUICE_CLI_LISTEN', `cannot listen on ${at}: permission denied`, {
        cause: err,
        hint: `ports below 1024 need privileges: pick another with ${where.portOption}`,
      });
    }
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
      throw new CliError('SLUICE_CLI_LISTEN', `cannot listen on ${at}: the address is not this machine's`, {
        cause: err,
        hint: `give ${where.hostOption} an address of this machine (127.0.0.1, 0.0.0.0)`,
      });
    }
    throw err;
  }
}
