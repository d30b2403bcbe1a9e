/**
 * `sluice new connector <dir>`: copies the connector template (`templates/connector/`) into a new or
 * empty folder, with the title filled in.
 *
 * @module
 */
import { fileURLToPath } from 'node:url';
import { scaffold } from '../scaffold.js';
import type { CommandIo } from './exec.js';

/** The options of `sluice new connector`. */
export interface NewConnectorOptions {
  /** The connector title. @default the folder name in title case (`acme-crm` gives `Acme Crm`) */
  name?: string;
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
