/**
 * `sluice new connector <dir>`: copies the connector template (`templates/connector/`) into a new or
 * empty folder, with the title filled in.
 *
 * @module
 */
import type { Command } from 'commander';
import type { CommandIo } from '../command-io.js';
import { registerScaffoldCommand } from '../scaffold-command.js';

const NEW_CONNECTOR_HELP = `
Creates connector.ts (a connection, a test, one action, one trigger), connector.test.ts (a vitest test
against a tiny local API), settings.example.json, README.md, package.json, vitest.config.ts and
.gitignore.
The folder must not exist or must be empty. The Sluice dependencies of package.json are what installs
here (the npm registry, else this checkout's .sluice-packs tarballs, else links; see --deps): a line
"Sluice packages: ..." says which.

Examples:
  $ sluice new connector ./acme-connector
  $ sluice new connector ./acme --name "Acme CRM"
  $ sluice new connector ./acme --deps .sluice-packs`;

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
 * Registers `connector` on the `sluice new` command: it scaffolds a connector project in `<dir>` and
 * lists the files it wrote.
 */
export function registerNewConnector(create: Command, io: CommandIo): void {
  registerScaffoldCommand(create, io, {
    what: 'connector',
    description: 'scaffold a connector with a test, settings example and README',
    nameFlag: '--name <title>',
    nameHelp: 'the connector title (default: from the folder name)',
    help: NEW_CONNECTOR_HELP,
    files: TEMPLATE_FILES,
    next: (dir) =>
      `\nNext:\n  cd ${dir}\n  npm install\n  npx vitest run\n  cp settings.example.json settings.json   # then fill in your API token\n  npx sluice exec connector.ts test --settings settings.json\n`,
  });
}
