/**
 * `--metrics-token` of `sluice serve` and `sluice worker`: the bearer token that opens `GET /metrics`
 * (else `SLUICE_METRICS_TOKEN`); without one `/metrics` answers 404.
 *
 * @module
 */
import { Option } from 'commander';
import { CliError } from '../errors.js';

/** `--metrics-token <token>`. */
export function metricsTokenOption(): Option {
  return new Option(
    '--metrics-token <token>',
    'serve GET /metrics to this bearer token (or SLUICE_METRICS_TOKEN)',
  );
}

/**
 * The metrics token: `--metrics-token`, else `SLUICE_METRICS_TOKEN` (`env`); at least 16 printable
 * characters.
 *
 * @throws {CliError} `SLUICE_CLI_OPTION` naming where the bad token came from.
 */
export function metricsTokenOf(flag: string | undefined, env: string | undefined): string | undefined {
  const token = flag ?? (env === '' ? undefined : env);
  if (token !== undefined && !/^[\x21-\x7e]{16,}$/.test(token)) {
    const from = flag === undefined ? 'SLUICE_METRICS_TOKEN' : '--metrics-token';
    throw new CliError('SLUICE_CLI_OPTION', `${from} must be 16 or more printable characters, no spaces`, {
      hint: 'for example: openssl rand -hex 24',
    });
  }
  return token;
}
