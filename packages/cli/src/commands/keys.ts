/**
 * `sluice keys create`: creates an API key for a user (email) of a workspace, with a role, in the
 * store `sluice serve` uses (`--data-dir` or `--database`). The key is printed once, alone on stdout;
 * only its SHA-256 is stored.
 *
 * @module
 */
import { type ApiRole, createApiKey } from '@sluice/engine';
import { CliError } from '../errors.js';
import type { CommandIo } from './exec.js';
import { type DataOptions, openDataStore } from './serve.js';

/** The options of `sluice keys create`, as commander hands them over. */
export interface KeysCreateOptions extends DataOptions {
  workspace: string;
  email: string;
  /** @default member */
  role?: string;
  debug?: boolean;
}

/**
 * Creates the key, prints it on stdout and what it is for on stderr.
 *
 * @throws {SluiceError} `SLUICE_CLI_OPTION` for a role other than admin or member,
 * `SLUICE_API_BAD_REQUEST` for an empty workspace or a bad email, `SLUICE_STORE`.
 */
export async function keysCreateCommand(options: KeysCreateOptions, io: CommandIo): Promise<void> {
  const role = options.role ?? 'member';
  if (role !== 'admin' && role !== 'member') {
    throw new CliError('SLUICE_CLI_OPTION', `--role ${role} is not a role`, { hint: 'give admin or member' });
  }
  const store = await openDataStore(options);
  try {
    const { key, row } = await createApiKey(store, {
      workspace: options.workspace,
      email: options.email,
      role: role as ApiRole,
    });
    io.stderr(
      `created key ${row.id} for ${row.email} in workspace ${row.workspace_id} (${row.role}), in ${store.location}\n` +
        'it is shown once, below; send it as "Authorization: Bearer <key>"\n',
    );
    io.stdout(`${key}\n`);
  } finally {
    await store.close();
  }
}
