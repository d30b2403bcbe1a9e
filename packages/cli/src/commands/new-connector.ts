/**
 * `sluice new connector <dir>`: copies the connector template (`templates/connector/`) into a new or
 * empty folder, with the title filled in.
 *
 * @module
 */
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import type { CommandIo } from '../command-io.js';
import { type DebugOptions, debugOption } from '../options/debug.js';
import { scaffold } from '../scaffold.js';

/** The options of `sluice new connector`. */
export interface NewConnectorOptions extends DebugOptions {
  /** The connector title. @default the folder name in title case (`acme-crm` gives `Acme Crm`) */
  name?: string;
}

const NEW_CONNECTOR_HELP = `
Creates connector.ts (a connection, a test, one action, one trigger), connector.test.ts (a vitest test
against a tiny local API), settings.example.json, README.md, package.json, vitest.config.ts and
.gitignore.
The folder must not exist or must be empty.

Examples:
  $ sluice new connector ./acme-connector
  $ sluice new connector ./acme --name "Acme CRM"`;

/** Registers `connector` on the `sluice new` command. */
export function registerNewConnector(create: Command, io: CommandIo): void {
  create
    .command('connector')
    .description('scaffold a connector with a test, settings example and README')
    .argument('<dir>', 'the folder to create (must not exist, or be empty)')
    .option('--name <title>', 'the connector title (default: from the folder name)')
    .addOption(debugOption())
    .addHelpText('after', NEW_CONNECTOR_HELP)
    .action((dir: string, options: NewConnectorOptions) => newConnectorCommand(dir, options, io));
}

/** The template folder; `src/commands/` and `dist/commands/` both sit two levels below the package. */
const TEMPLATE_DIR = fileURLToPath(new URL('../../templates/connector/', import.meta.url));

/** Template files, and the name each gets in the new folder. */
const TEMPLATE_FILES: Readonly<Record<string, string>> = {
  'connector.ts': 'connector.ts',
  'connector.test.ts': 'connector.test.ts',
  'settings.example.json': 'settings.example.json',
  'README.md': 'README.md',
  'vitest.config.ts': 'vitest.config.ts',
  'package.json.template': 'package.json',
  'gitignore.template': '.gitignore',
};

/**
 * Scaffolds a connector project in `dir` and lists the files it wrote.
 *
 * @throws {CliError} `SLUICE_CLI_DIR_NOT_EMPTY` when `dir` has files, `SLUICE_CLI_FILE_WRITE` when it
 * cannot be written.
 */
export async function newConnectorCommand(
  dir: string,
  options: NewConnectorOptions,
  io: CommandIo,
): Promise<void> {
  scaffold({
    dir,
    templateDir: TEMPLATE_DIR,
    files: TEMPLATE_FILES,
    name: options.name,
    what: 'connector',
    stdout: (text) => io.stdout(text),
  });
  io.stdout(
    `\nNext:\n  cd ${dir}\n  npm install\n  npx vitest run\n  cp settings.example.json settings.json   # then fill in your API token\n  npx sluice exec connector.ts test --settings settings.json\n`,
  );
}
