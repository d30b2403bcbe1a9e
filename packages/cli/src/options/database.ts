/**
 * The database flags of the commands that open the service's store (`serve`, `worker`, `status`, `keys`):
 * `--data-dir` (the SQLite file `<dir>/sluice.db`, and the `secret.key`), `--database` (PostgreSQL instead)
 * and `--database-schema`, and how they open the store. Each command may word a flag's help for its use of
 * it; the flag, its default and its meaning are the same everywhere.
 *
 * @module
 */
import { join } from 'node:path';
import type { SqlStore } from '@sluice/engine';
import { Option } from 'commander';
import { CliError } from '../errors.js';

/** Where the service keeps its data: `--data-dir`, `--database` and `--database-schema`. */
export interface DataOptions {
  /** The folder of the SQLite store (`sluice.db`) and of the secret key file. @default .sluice */
  dataDir?: string;
  /** A PostgreSQL URL; the store lives there instead of in the data dir. */
  database?: string;
  /** The PostgreSQL schema of the tables (`--database` only). @default public */
  databaseSchema?: string;
}

/** The default data folder. */
export const DEFAULT_DATA_DIR = '.sluice';

/** `--data-dir <dir>` (default `.sluice`). */
export function dataDirOption(description = 'the data folder of sluice serve'): Option {
  return new Option('--data-dir <dir>', description).default(DEFAULT_DATA_DIR);
}

/** `--database <url>`. */
export function databaseOption(description = 'the PostgreSQL URL sluice serve uses'): Option {
  return new Option('--database <url>', description);
}

/** `--database-schema <schema>`. */
export function databaseSchemaOption(
  description = 'the PostgreSQL schema sluice serve uses (default public)',
): Option {
  return new Option('--database-schema <schema>', description);
}

/** The SQLite store file of `--data-dir`: `<dir>/sluice.db`. */
export function sqliteStoreFile(options: Pick<DataOptions, 'dataDir'>): string {
  return join(options.dataDir ?? DEFAULT_DATA_DIR, 'sluice.db');
}

/**
 * Opens (and migrates) the store `--database` or `--data-dir` names.
 *
 * @throws {SluiceError} `SLUICE_CLI_OPTION` for `--database-schema` without `--database`; `SLUICE_STORE`
 * when the store cannot be opened.
 */
export async function openDataStore(options: DataOptions): Promise<SqlStore> {
  if (options.database === undefined && options.databaseSchema !== undefined) {
    throw new CliError('SLUICE_CLI_OPTION', '--database-schema applies to PostgreSQL only', {
      hint: 'give --database postgres://... too, or drop --database-schema',
    });
  }
  // The engine loads on use: `sluice --help` and the commands without a store do not pay for it.
  const { openStore } = await import('@sluice/engine');
  if (options.database !== undefined) {
    return openStore({
      url: options.database,
      ...(options.databaseSchema === undefined ? {} : { schema: options.databaseSchema }),
    });
  }
  return openStore({ file: sqliteStoreFile(options) });
}
