/**
 * `sluice edit <file>`: edits an encrypted settings file (`settings.yaml.enc`) in `$VISUAL`/`$EDITOR`.
 * The file is decrypted into a private temporary file, the editor opens it, the YAML is checked after it
 * exits, and the file is encrypted again; the temporary file is removed whatever happens. A missing file
 * and key are created (the key file with mode 0600). Values are never printed.
 *
 * @module
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import type { CommandIo } from '../command-io.js';
import { CliError } from '../errors.js';
import { type DebugOptions, debugOption } from '../options/debug.js';

/** The options of `sluice edit`, as commander hands them over. */
export interface EditOptions extends DebugOptions {
  /** The key file. @default SLUICE_MASTER_KEY, else master.key beside the file */
  key?: string;
}

/** What the command reads from its surroundings; tests pass their own. */
export interface EditEnvironment {
  /** `VISUAL`, `EDITOR`, `SLUICE_MASTER_KEY`. */
  readonly env: Readonly<Record<string, string | undefined>>;
}

const EDIT_HELP = `
"settings" stands for settings.yaml.enc in the working folder. The editor is $VISUAL, else $EDITOR
(an editor that returns at once needs its wait flag, e.g. EDITOR="code --wait"). The key is --key,
else SLUICE_MASTER_KEY, else master.key beside the file; when neither the file nor the key exists,
both are created (master.key with mode 0600: keep it out of version control).

A file of named connections, for sluice exec --connection:
  prod:
    api_token: ...
  staging:
    api_token: ...

Examples:
  $ EDITOR="code --wait" sluice edit settings
  $ sluice edit config/settings.yaml.enc --key config/master.key
  $ sluice exec connector.ts test --settings config/settings.yaml.enc --key config/master.key`;

const NEW_FILE_TEXT = `# Connection values for sluice exec: one connection's values (api_token: ...), or several
# named connections (prod:\\n  api_token: ...) chosen with --connection. Saved encrypted.
`;

/** Registers `sluice edit` on `program`. */
export function registerEdit(program: Command, io: CommandIo): void {
  program
    .command('edit')
    .description('edit an encrypted settings file (settings.yaml.enc) in $VISUAL or $EDITOR')
    .argument('<file>', 'the encrypted file; "settings" means settings.yaml.enc')
    .option('--key <file>', 'the key file (default: SLUICE_MASTER_KEY, else master.key beside the file)')
    .addOption(debugOption())
    .addHelpText('after', EDIT_HELP)
    .action((file: string, options: EditOptions) => editCommand(file, options, io, { env: process.env }));
}

/**
 * Opens `file` decrypted in the editor and saves it encrypted again.
 *
 * @throws {CliError} `SLUICE_CLI_EDITOR` without an editor or when it fails; `SLUICE_CLI_SETTINGS_KEY`
 * when the key is missing or wrong; `SLUICE_CLI_FILE_PARSE` when the edited text is not a YAML mapping
 * (nothing is saved); `SLUICE_CLI_FILE_WRITE` when the file or key cannot be written.
 */
export async function editCommand(
  given: string,
  options: EditOptions,
  io: CommandIo,
  environment: EditEnvironment,
): Promise<void> {
  const file = given === 'settings' ? 'settings.yaml.enc' : given;
  const editor = environment.env.VISUAL || environment.env.EDITOR;
  if (editor === undefined || editor.trim() === '') {
    throw new CliError('SLUICE_CLI_EDITOR', `no editor to open ${file} in: $VISUAL and $EDITOR are not set`, {
      hint: `set one, with its wait flag if it forks: EDITOR="code --wait" sluice edit ${given}`,
    });
  }
  const crypto = await import('../settings-crypto.js');
  const { replaceFile } = await import('../exec-settings.js');
  const { parseDataText } = await import('../load-data-file.js');
  const lookup = { keyFile: options.key, env: environment.env };
  const exists = existsSync(file);
  let key = crypto.findKey(file, lookup);
  if (key === undefined) {
    if (exists) key = crypto.requireKey(file, lookup);
    else key = createKeyFile(crypto.keyFileFor(file, lookup), crypto.generateKey(), io, crypto);
  }
  const before = exists ? crypto.decryptSettings(readEncrypted(file), key, file) : NEW_FILE_TEXT;
  const folder = mkdtempSync(join(tmpdir(), 'sluice-edit-'));
  try {
    const temp = join(folder, 'settings.yaml');
    writeFileSync(temp, before, { mode: 0o600 });
    const ran = spawnSync(`${editor} ${shellQuote(temp)}`, {
      shell: true,
      stdio: 'inherit',
      env: environment.env as NodeJS.ProcessEnv,
    });
    if (ran.error !== undefined || ran.status !== 0) {
      const why =
        ran.error?.message ??
        (ran.signal ? `was stopped by ${ran.signal}` : `exited with code ${ran.status}`);
      throw new CliError(
        'SLUICE_CLI_EDITOR',
        `the editor "${editor}" ${why}: nothing saved, ${file} is unchanged`,
        {
          hint: 'check $VISUAL/$EDITOR; it must wait until the file is closed',
        },
      );
    }
    const after = readFileSync(temp, 'utf8');
    let value: unknown;
    try {
      value = parseDataText(after, 'yaml', { option: 'sluice edit', file: `${file} (decrypted)` });
    } catch (err) {
      if (!(err instanceof CliError)) throw err;
      throw new CliError(err.code, `${err.message}: nothing saved, ${file} is unchanged`, {
        cause: err,
        hint: `fix the YAML and run "sluice edit ${given}" again`,
      });
    }
    if (value !== null && (typeof value !== 'object' || Array.isArray(value))) {
      throw new CliError(
        'SLUICE_CLI_FILE_PARSE',
        `the edited ${file} must be a YAML mapping of values, got ${Array.isArray(value) ? 'a list' : `a ${typeof value}`}: nothing saved`,
        { hint: 'write name: value lines, or named connections (prod:\\n  api_token: ...)' },
      );
    }
    if (exists && after === before) {
      io.stdout(`no changes: ${file} left as it was\n`);
      return;
    }
    if (!exists) mkdirSync(dirname(file), { recursive: true });
    const mode = exists ? statSync(file).mode & 0o777 : 0o600;
    replaceFile(file, crypto.encryptSettings(after, key.key), mode);
    io.stdout(`${file} encrypted and saved (${key.source})\n`);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

function readEncrypted(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new CliError('SLUICE_CLI_FILE_READ', `cannot read ${file}: ${(err as Error).message}`, {
      cause: err,
      hint: 'name the encrypted settings file, e.g. settings.yaml.enc',
    });
  }
}

/** Writes a new key file (mode 0600, never overwriting); says where, never what. */
function createKeyFile(
  keyFile: string,
  hex: string,
  io: CommandIo,
  crypto: typeof import('../settings-crypto.js'),
): ReturnType<typeof crypto.requireKey> {
  try {
    mkdirSync(dirname(keyFile), { recursive: true });
    writeFileSync(keyFile, hex, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    throw new CliError(
      'SLUICE_CLI_FILE_WRITE',
      `cannot create key file ${keyFile}: ${(err as Error).message}`,
      {
        cause: err,
        hint: 'check that the folder is writable',
      },
    );
  }
  io.stderr(
    `created ${keyFile} with a new key (mode 0600): keep it out of version control and share it privately; without it nothing encrypted with it can be read\n`,
  );
  return { key: Buffer.from(hex, 'hex'), source: `key file ${keyFile}` };
}

/** Quotes a path for `sh -c` (POSIX) or `cmd` (Windows). */
function shellQuote(path: string): string {
  return process.platform === 'win32' ? `"${path}"` : `'${path.replaceAll("'", "'\\''")}'`;
}
