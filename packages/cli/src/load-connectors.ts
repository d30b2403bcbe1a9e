/**
 * Loads the connectors of `sluice serve --connectors <dir>`: every connector file in each folder
 * (`*.ts`, `*.mts`, `*.js`, `*.mjs`, and `<name>/connector.ts`), each with {@link loadConnector}. A
 * connector is registered under its file's base name (`my-app.ts` and `my-app/connector.ts` are both
 * `my-app`): connector definitions carry no name of their own.
 *
 * @module
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, extname, join, relative, resolve } from 'node:path';
import { CONNECTOR_NAME_PATTERN } from '@sluice/engine';
import type { Connector } from '@sluice/sdk';
import { CliError } from './errors.js';
import { CONNECTOR_EXTENSIONS, loadConnector } from './load-connector.js';

/** A registered connector and the file it came from. */
export interface LoadedConnector {
  name: string;
  file: string;
  connector: Connector;
}

/** The file a folder holds a connector in: `<dir>/<name>/connector.<ext>`. */
const FOLDER_ENTRY = 'connector';

/**
 * The values of `--connectors`, each repeatable or comma-separated, as folder paths in order, without
 * repeats or empty entries.
 */
export function connectorDirs(values: readonly string[] | string | undefined): string[] {
  const list = values === undefined ? [] : typeof values === 'string' ? [values] : values;
  const dirs = list.flatMap((value) => value.split(',')).map((dir) => dir.trim());
  return [...new Set(dirs.filter((dir) => dir !== ''))];
}

/**
 * Finds and loads every connector in `dirs`, sorted by name.
 *
 * @throws {CliError} `SLUICE_CLI_OPTION` when a folder is missing or not a folder, when a file name is
 * not a connector name, or when two files give the same name (naming both).
 * @throws {SdkError} `SLUICE_CONNECTOR_LOAD` when a file does not load (naming it).
 */
export async function loadConnectors(dirs: readonly string[]): Promise<LoadedConnector[]> {
  const found = new Map<string, string>();
  for (const dir of dirs) {
    for (const [name, file] of connectorFiles(dir)) {
      const earlier = found.get(name);
      if (earlier !== undefined) {
        throw new CliError('SLUICE_CLI_OPTION', `two connectors are named ${name}: ${earlier} and ${file}`, {
          hint: 'rename one of the files: a connector is registered under its file name',
        });
      }
      found.set(name, file);
    }
  }
  const loaded: LoadedConnector[] = [];
  for (const name of [...found.keys()].sort()) {
    const file = found.get(name) as string;
    loaded.push({ name, file, connector: await loadConnector(file) });
  }
  return loaded;
}

/** The connectors registered from `loaded`, by name, as `createEngine({ connectors })` takes them. */
export function connectorMap(loaded: readonly LoadedConnector[]): Map<string, Connector> {
  return new Map(loaded.map((entry) => [entry.name, entry.connector]));
}

/** The connector files of one folder, as [name, file] pairs (files as given, relative to the cwd when possible). */
function connectorFiles(dir: string): [string, string][] {
  const absolute = resolve(dir);
  if (!existsSync(absolute) || !statSync(absolute).isDirectory()) {
    throw new CliError('SLUICE_CLI_OPTION', `--connectors ${dir} is not a folder`, {
      hint: `give a folder of connector files (relative paths start at ${process.cwd()})`,
    });
  }
  const out: [string, string][] = [];
  for (const entry of readdirSync(absolute, { withFileTypes: true }).sort((a, b) => cmp(a.name, b.name))) {
    const path = join(absolute, entry.name);
    if (entry.isFile() && isConnectorFile(entry.name)) {
      out.push([checkedName(basename(entry.name, extname(entry.name)), path), shown(path)]);
    } else if (entry.isDirectory()) {
      const inner = CONNECTOR_EXTENSIONS.map((ext) => join(path, `${FOLDER_ENTRY}${ext}`)).find((f) =>
        existsSync(f),
      );
      if (inner !== undefined) out.push([checkedName(entry.name, inner), shown(inner)]);
    }
  }
  return out;
}

function isConnectorFile(name: string): boolean {
  if (name.endsWith('.d.ts') || name.endsWith('.d.mts')) return false;
  if (/\.(test|spec)\.[cm]?[jt]s$/.test(name)) return false;
  return (CONNECTOR_EXTENSIONS as readonly string[]).includes(extname(name).toLowerCase());
}

function checkedName(name: string, file: string): string {
  if (!new RegExp(CONNECTOR_NAME_PATTERN).test(name)) {
    throw new CliError(
      'SLUICE_CLI_OPTION',
      `connector file ${shown(file)}: ${JSON.stringify(name)} is not a connector name`,
      { hint: 'name the file with ASCII letters, digits, _ and -, not starting with a digit or -' },
    );
  }
  return name;
}

function shown(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel !== '' && !rel.startsWith('..') ? rel : file;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
