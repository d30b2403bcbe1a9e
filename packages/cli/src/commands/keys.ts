/**
 * `sluice keys create|list|revoke`: the API keys of the store `sluice serve` uses (`--data-dir` or
 * `--database`). `create` makes a key for a user (email) of a workspace, with a role, and prints it
 * once, alone on stdout; only its SHA-256 is stored. `list` shows the keys without the key or its hash;
 * `revoke` makes a key answer 401 from then on.
 *
 * @module
 */
import type { ApiKeyRow, ApiRole } from '@sluice/engine';
import type { Command } from 'commander';
import type { CommandIo } from '../command-io.js';
import { CliError } from '../errors.js';
import {
  type DataOptions,
  databaseOption,
  databaseSchemaOption,
  dataDirOption,
  openDataStore,
} from '../options/database.js';
import { type DebugOptions, debugOption } from '../options/debug.js';

const KEYS_HELP = `
Prints the key alone on stdout (shown once: only its SHA-256 is stored) and what it is for on stderr.

Example:
  $ KEY=$(sluice keys create --workspace acme --email ann@acme.test --role admin)
  $ curl -s localhost:8080/v1/workflows -H "authorization: Bearer $KEY"`;

const KEYS_LIST_HELP = `
The key itself is never shown again (only its SHA-256 is stored), nor its hash. A revoked key stays
listed, with the time it was revoked; requests with it answer 401 SLUICE_API_UNAUTHORIZED.

Examples:
  $ sluice keys list --workspace acme
  $ sluice keys list --json
  $ sluice keys revoke key_3f9a1c0d5e7b2a64`;

/** Adds the store flags (`--data-dir`, `--database`, `--database-schema`) and `--debug` to `command`. */
function withStoreOptions(command: Command): Command {
  return command
    .addOption(dataDirOption())
    .addOption(databaseOption())
    .addOption(databaseSchemaOption())
    .addOption(debugOption());
}

/** Registers `sluice keys create|list|revoke` on `program`. */
export function registerKeys(program: Command, io: CommandIo): void {
  const keys = program.command('keys').description('manage the API keys of sluice serve');
  withStoreOptions(
    keys
      .command('create')
      .description('create an API key for a user of a workspace and print it (once)')
      .requiredOption('--workspace <name>', 'the workspace the key belongs to')
      .requiredOption('--email <email>', 'the user the key belongs to')
      .option('--role <role>', 'admin or member (admins also write global workflows)', 'member'),
  )
    .addHelpText('after', KEYS_HELP)
    .action((options: KeysCreateOptions) => keysCreateCommand(options, io));
  withStoreOptions(
    keys
      .command('list')
      .description('list the API keys (id, workspace, email, role, created, revoked), never the keys')
      .option('--workspace <name>', 'only the keys of this workspace')
      .option('--json', 'print a JSON array instead of a table'),
  )
    .addHelpText('after', KEYS_LIST_HELP)
    .action((options: KeysListOptions) => keysListCommand(options, io));
  withStoreOptions(
    keys
      .command('revoke')
      .description('revoke an API key: requests with it answer 401 from then on')
      .argument('<id>', 'the key id, as "sluice keys list" shows it (key_...)'),
  )
    .addHelpText('after', KEYS_LIST_HELP)
    .action((id: string, options: KeysRevokeOptions) => keysRevokeCommand(id, options, io));
}

/** The options of `sluice keys create`, as commander hands them over. */
export interface KeysCreateOptions extends DataOptions, DebugOptions {
  workspace: string;
  email: string;
  /** @default member */
  role?: string;
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
  // The engine loads on use, as every command's dependencies do: `sluice --help` does not pay for it.
  const { createApiKey } = await import('@sluice/engine');
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

/** The options of `sluice keys list`. */
export interface KeysListOptions extends DataOptions, DebugOptions {
  /** Only this workspace's keys. */
  workspace?: string;
  /** JSON (an array of objects) instead of a table. */
  json?: boolean;
}

/** What `keys list` shows of a key: never the key, never its hash. */
function keyView(row: ApiKeyRow) {
  return {
    id: row.id,
    workspace: row.workspace_id,
    email: row.email,
    role: row.role,
    created: row.created_at,
    revoked: row.revoked_at,
  };
}

/** Columns padded to their widest cell; a live key shows `-` as revoked. */
function table(rows: ReturnType<typeof keyView>[]): string {
  const header = ['ID', 'WORKSPACE', 'EMAIL', 'ROLE', 'CREATED', 'REVOKED'];
  const cells = rows.map((r) => [r.id, r.workspace, r.email, r.role, r.created, r.revoked ?? '-']);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] as string).length)));
  const line = (cols: string[]) =>
    cols
      .map((col, i) => (i === cols.length - 1 ? col : col.padEnd(widths[i] as number)))
      .join('  ')
      .trimEnd();
  return `${[header, ...cells].map(line).join('\n')}\n`;
}

/**
 * Prints the keys (of `--workspace`, or all), oldest first, revoked ones too: a table, or JSON with
 * `--json`. With no key, the table is only its header and stderr says so.
 *
 * @throws {SluiceError} `SLUICE_STORE` when the store cannot be opened.
 */
export async function keysListCommand(options: KeysListOptions, io: CommandIo): Promise<void> {
  const store = await openDataStore(options);
  try {
    const rows = (await store.apiKeys.list(options.workspace)).map(keyView);
    if (options.json === true) {
      io.stdout(`${JSON.stringify(rows, null, 2)}\n`);
      return;
    }
    io.stdout(table(rows));
    if (rows.length === 0) {
      const where = options.workspace === undefined ? '' : ` of workspace ${options.workspace}`;
      io.stderr(`no keys${where} in ${store.location}\n`);
    }
  } finally {
    await store.close();
  }
}

/** The options of `sluice keys revoke`. */
export interface KeysRevokeOptions extends DataOptions, DebugOptions {}

/**
 * Revokes key `id`: requests with it answer 401 from then on. Revoking a revoked key changes nothing
 * and says when it was revoked.
 *
 * @throws {EngineError} `SLUICE_API_NOT_FOUND` when the store has no key `id`; `SLUICE_STORE`.
 */
export async function keysRevokeCommand(
  id: string,
  options: KeysRevokeOptions,
  io: CommandIo,
): Promise<void> {
  const { EngineError } = await import('@sluice/engine');
  const store = await openDataStore(options);
  try {
    const row = (await store.apiKeys.list()).find((key) => key.id === id);
    if (row === undefined) {
      throw new EngineError('SLUICE_API_NOT_FOUND', `no key ${id} in ${store.location}`, {
        hint: 'run "sluice keys list" for the ids (key_ and 16 hex digits)',
      });
    }
    const what = `key ${row.id} of ${row.email} in workspace ${row.workspace_id}`;
    if (row.revoked_at !== null) {
      io.stdout(`${what} was already revoked at ${row.revoked_at}\n`);
      return;
    }
    const at = new Date().toISOString();
    await store.apiKeys.revoke(row.id, at);
    io.stdout(`revoked ${what} at ${at}\n`);
  } finally {
    await store.close();
  }
}
