/**
 * The connection values of `sluice exec`: found (`--settings`, else `settings.yaml.enc` or `settings.yaml`
 * in the working folder, then beside the connector file), read (JSON, YAML, or encrypted YAML), narrowed
 * to one named connection (`--connection`), and written back when authorization refreshed them.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join, relative, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { closest } from './did-you-mean.js';
import { CliError } from './errors.js';
import { parseDataText } from './load-data-file.js';
import { expectObject, isPlainObject, kindOf } from './named-values.js';
import {
  decryptSettings,
  encryptSettings,
  isEncryptedText,
  type KeyLookup,
  requireKey,
  type SettingsKey,
} from './settings-crypto.js';

/** The file names looked for when `--settings` is not given, in this order. */
export const DEFAULT_SETTINGS_FILES = ['settings.yaml.enc', 'settings.yaml'] as const;

/** What {@link loadExecSettings} reads. */
export interface ExecSettingsOptions {
  /** `--settings`: inline JSON, or a JSON, YAML or encrypted file. */
  readonly settings?: string | undefined;
  /** `--connection`: the name of one connection in a file that holds several. */
  readonly connection?: string | undefined;
  /** `--key`: the key file of an encrypted settings file. */
  readonly key?: string | undefined;
  /** The connector file (settings files are also looked for beside it). */
  readonly connectorFile: string;
  /** The names of the connector's connection fields (a file of named connections is told apart by them). */
  readonly connectionFields: readonly string[];
  /** The environment (`SLUICE_MASTER_KEY`). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** @default process.cwd() */
  readonly cwd?: string | undefined;
}

/** The settings file the values came from, to write refreshed values back to. */
export interface SettingsFile {
  /** The path as messages show it (as given, or relative to the working folder). */
  readonly file: string;
  /** The key, when the file is encrypted. */
  readonly key: SettingsKey | undefined;
  /** How the (decrypted) text is written: JSON files stay JSON. */
  readonly format: 'json' | 'yaml';
}

/** The connection values, and where they came from. */
export interface ExecSettings {
  readonly values: Readonly<Record<string, unknown>>;
  /** `undefined` for inline JSON, or when there are no settings. */
  readonly source: SettingsFile | undefined;
  /** The `--connection` name. */
  readonly connection: string | undefined;
}

/**
 * Reads the connection values `sluice exec` runs with.
 *
 * @throws {CliError} `SLUICE_CLI_FILE_READ` / `SLUICE_CLI_FILE_PARSE` for a file that cannot be read or
 * parsed, or that holds no object; `SLUICE_CLI_SETTINGS_KEY` when an encrypted file cannot be decrypted;
 * `SLUICE_CLI_OPTION` for an unknown `--connection`, or a file of named connections without it.
 */
export function loadExecSettings(options: ExecSettingsOptions): ExecSettings {
  const cwd = options.cwd ?? process.cwd();
  const lookup: KeyLookup = { keyFile: options.key, env: options.env };
  const inline = options.settings !== undefined && /^\s*[[{]/.test(options.settings);
  let all: unknown;
  let source: SettingsFile | undefined;
  if (inline) {
    all = parseDataText(options.settings as string, 'json', { option: '--settings' });
  } else {
    const file = options.settings ?? findDefaultSettings(options.connectorFile, cwd);
    if (file === undefined) {
      if (options.connection !== undefined) {
        throw new CliError(
          'SLUICE_CLI_OPTION',
          `--connection ${options.connection}: no settings file (looked for ${defaultCandidates(options.connectorFile, cwd).join(', ')})`,
          { hint: 'name the settings file with --settings <file>' },
        );
      }
      return { values: {}, source: undefined, connection: undefined };
    }
    const read = readSettingsFile(file, lookup);
    all = read.value;
    source = read.source;
  }
  const where = source === undefined ? '--settings value' : `--settings file ${source.file}`;
  const values = chooseConnection(expectObject(all, where, { emptyIsNone: true }), options, where);
  return { values, source, connection: options.connection };
}

/** The default settings file: the first of {@link DEFAULT_SETTINGS_FILES} in `cwd`, then beside the connector. */
function findDefaultSettings(connectorFile: string, cwd: string): string | undefined {
  return defaultCandidates(connectorFile, cwd).find((file) => existsSync(resolve(cwd, file)));
}

function defaultCandidates(connectorFile: string, cwd: string): string[] {
  const folders = [cwd, dirname(resolve(cwd, connectorFile))];
  const files = folders.flatMap((folder) => DEFAULT_SETTINGS_FILES.map((name) => join(folder, name)));
  return [...new Set(files)].map((file) => relative(cwd, file) || file);
}

/** Reads a plain or encrypted settings file (encrypted: by its first line, whatever its name). */
function readSettingsFile(file: string, lookup: KeyLookup): { value: unknown; source: SettingsFile } {
  const text = readText(file);
  if (isEncryptedText(text) || file.endsWith('.enc')) {
    if (!isEncryptedText(text)) {
      throw new CliError(
        'SLUICE_CLI_FILE_PARSE',
        `--settings file ${file} is not a Sluice encrypted settings file`,
        {
          hint: 'Workato settings.yaml.enc files cannot be read: decrypt it with "workato edit", then copy the values into "sluice edit"',
        },
      );
    }
    const key = requireKey(file, lookup);
    const plain = decryptSettings(text, key, file);
    return {
      value: parseDataText(plain, 'yaml', { option: '--settings', file }),
      source: { file, key, format: 'yaml' },
    };
  }
  const ext = extname(file).toLowerCase();
  const format =
    ext === '.json' || (ext !== '.yaml' && ext !== '.yml' && /^\s*[[{]/.test(text)) ? 'json' : 'yaml';
  return {
    value: parseDataText(text, format, { option: '--settings', file }),
    source: { file, key: undefined, format },
  };
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT' ? 'not found' : code === 'EISDIR' ? 'it is a folder' : (err as Error).message;
    throw new CliError('SLUICE_CLI_FILE_READ', `cannot read --settings file ${file}: ${reason}`, {
      cause: err,
      hint: `check the path (relative paths start at ${process.cwd()})`,
    });
  }
}

/**
 * The values of the `--connection` named, or the whole object without it. A file whose top-level values
 * are all objects, none of them a connection field, holds named connections: it needs `--connection`.
 */
function chooseConnection(
  all: Record<string, unknown>,
  options: ExecSettingsOptions,
  where: string,
): Record<string, unknown> {
  const names = Object.keys(all);
  const name = options.connection;
  if (name === undefined) {
    const named =
      names.length > 0 &&
      names.every((key) => isPlainObject(all[key]) && !options.connectionFields.includes(key));
    if (!named) return all;
    throw new CliError(
      'SLUICE_CLI_OPTION',
      `${where} holds named connections (${names.join(', ')}): choose one with --connection`,
      { hint: `e.g. --connection ${names[0]}` },
    );
  }
  if (!Object.hasOwn(all, name)) {
    const close = closest(name, names);
    const named = names.filter((key) => isPlainObject(all[key]));
    throw new CliError(
      'SLUICE_CLI_OPTION',
      `--connection ${name}: ${where} has no connection "${name}"${close === undefined ? '' : `; did you mean "${close}"?`}`,
      {
        hint:
          named.length > 0
            ? `connections in the file: ${named.join(', ')}`
            : 'the settings hold the values of one connection: leave --connection out',
      },
    );
  }
  const values = all[name];
  if (isPlainObject(values)) return values;
  throw new CliError(
    'SLUICE_CLI_OPTION',
    `--connection ${name}: "${name}" in ${where} is ${kindOf(values)}, not a connection's values`,
    { hint: 'a file of named connections maps each name to its values (prod:\\n  api_token: ...)' },
  );
}

/** The keys whose value differs from `before` (compared as JSON), with their new values. */
export function changedValues(
  before: Readonly<Record<string, unknown>>,
  after: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const changed: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(after)) {
    if (JSON.stringify(before[key]) !== JSON.stringify(value)) changed[key] = value;
  }
  return changed;
}

/**
 * Writes `changed` into the settings file: into the named connection only (the others stay as they are),
 * merged over its values; an encrypted file stays encrypted. Comments and layout of YAML are kept. The
 * file is replaced at once (a temporary file renamed over it) and keeps its mode.
 *
 * @throws {CliError} `SLUICE_CLI_FILE_WRITE` when the file cannot be read back or written.
 */
export function writeConnectionValues(
  source: SettingsFile,
  connection: string | undefined,
  changed: Readonly<Record<string, unknown>>,
): void {
  try {
    const mode = statSync(source.file).mode & 0o777;
    const text = readFileSync(source.file, 'utf8');
    const plain = source.key === undefined ? text : decryptSettings(text, source.key, source.file);
    let next: string;
    if (source.format === 'json') {
      const all = JSON.parse(plain) as Record<string, unknown>;
      const target = connection === undefined ? all : (all[connection] as Record<string, unknown>);
      Object.assign(target, changed);
      next = `${JSON.stringify(all, null, 2)}\n`;
    } else {
      const doc = parseDocument(plain);
      for (const [key, value] of Object.entries(changed)) {
        doc.setIn(connection === undefined ? [key] : [connection, key], doc.createNode(value));
      }
      next = doc.toString();
    }
    replaceFile(source.file, source.key === undefined ? next : encryptSettings(next, source.key.key), mode);
  } catch (err) {
    if (err instanceof CliError && err.code === 'SLUICE_CLI_FILE_WRITE') throw err;
    throw new CliError(
      'SLUICE_CLI_FILE_WRITE',
      `cannot update settings file ${source.file}: ${(err as Error).message}`,
      {
        cause: err,
        hint: 'check that the file is writable; copy the new values in by hand otherwise',
      },
    );
  }
}

/**
 * Writes `text` to `file` through a temporary file in the same folder renamed over it, so a reader sees
 * the old or the new content, never a part.
 *
 * @throws {CliError} `SLUICE_CLI_FILE_WRITE` when it cannot be written.
 */
export function replaceFile(file: string, text: string, mode: number): void {
  const temp = join(dirname(file), `.${basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    writeFileSync(temp, text, { mode, flag: 'wx' });
    chmodSync(temp, mode);
    renameSync(temp, file);
  } catch (err) {
    rmSync(temp, { force: true });
    throw new CliError('SLUICE_CLI_FILE_WRITE', `cannot write ${file}: ${(err as Error).message}`, {
      cause: err,
      hint: 'check that the folder exists and is writable',
    });
  }
}

/** Saves what authorization acquires or refreshes into the settings file the values came from. */
export interface ConnectionSaver {
  /** The values as the runtime checked them (defaults, coercions): changes are counted from here. */
  setBaseline(values: Readonly<Record<string, unknown>>): void;
  /** The runtime's `onConnectionChange`. */
  onConnectionChange(connection: Readonly<Record<string, unknown>>): void;
}

/**
 * A {@link ConnectionSaver} for `settings`; `note` prints one line on stderr (key names, never values).
 * With `skip` (a cassette replay: its tokens are placeholders), nothing is written.
 */
export function connectionSaver(
  settings: ExecSettings,
  note: (line: string) => void,
  skip: boolean,
): ConnectionSaver {
  let baseline = settings.values;
  let warnedInline = false;
  return {
    setBaseline(values) {
      baseline = values;
    },
    onConnectionChange(connection) {
      const changed = changedValues(baseline, connection);
      const keys = Object.keys(changed);
      if (keys.length === 0 || skip) return;
      const what = `${keys.join(', ')}${settings.connection === undefined ? '' : ` of connection "${settings.connection}"`}`;
      if (settings.source === undefined) {
        if (!warnedInline)
          note(`note: authorization refreshed ${what}; not saved: the settings are not from a file`);
        warnedInline = true;
        return;
      }
      try {
        writeConnectionValues(settings.source, settings.connection, changed);
        note(`updated ${settings.source.file}: ${what} (refreshed by authorization)`);
      } catch (err) {
        // The run goes on with the new values; only saving them failed.
        note(`warning: ${(err as Error).message}`);
      }
    },
  };
}
