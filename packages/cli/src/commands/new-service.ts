/**
 * `sluice new service <dir>`: copies the service template (`templates/service/`) into a new or empty
 * folder: `main.ts`, `app_config.yaml`, one route with its `schema.json`, a test, a Dockerfile that builds
 * and runs it, and the project files.
 *
 * @module
 */
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import type { CommandIo } from '../command-io.js';
import { type DebugOptions, debugOption } from '../options/debug.js';
import { scaffold } from '../scaffold.js';

/** The options of `sluice new service`. */
export interface NewServiceOptions extends DebugOptions {
  /** The service name (`app_name`). @default the folder name in title case (`acme-crm` gives `Acme Crm`) */
  name?: string;
}

const NEW_SERVICE_HELP = `
Creates main.ts, app_config.yaml, routes/hello/v1/route.ts with its schema.json, test/hello.test.ts,
a Dockerfile that type-checks, tests and runs the service, package.json, tsconfig.json,
vitest.config.ts, README.md, .gitignore and .dockerignore. The folder must not exist or must be empty.

Examples:
  $ sluice new service ./acme-service
  $ sluice new service ./acme --name "Acme CRM"`;

/** Registers `service` on the `sluice new` command. */
export function registerNewService(create: Command, io: CommandIo): void {
  create
    .command('service')
    .description(
      'scaffold a connector service: main.ts, app_config.yaml, a route, its schema, a test, a Dockerfile',
    )
    .argument('<dir>', 'the folder to create (must not exist, or be empty)')
    .option('--name <name>', 'the service name, app_name (default: from the folder name)')
    .addOption(debugOption())
    .addHelpText('after', NEW_SERVICE_HELP)
    .action((dir: string, options: NewServiceOptions) => newServiceCommand(dir, options, io));
}

/** The template folder; `src/commands/` and `dist/commands/` both sit two levels below the package. */
const TEMPLATE_DIR = fileURLToPath(new URL('../../templates/service/', import.meta.url));

/** Template files, and the path each gets in the new folder. */
export const SERVICE_TEMPLATE_FILES: Readonly<Record<string, string>> = {
  'main.ts': 'main.ts',
  'app_config.yaml': 'app_config.yaml',
  'routes/hello/v1/route.ts': 'routes/hello/v1/route.ts',
  'routes/hello/v1/schema.json': 'routes/hello/v1/schema.json',
  'test/hello.test.ts': 'test/hello.test.ts',
  Dockerfile: 'Dockerfile',
  'dockerignore.template': '.dockerignore',
  'package.json.template': 'package.json',
  'tsconfig.json': 'tsconfig.json',
  'vitest.config.ts': 'vitest.config.ts',
  'README.md': 'README.md',
  'gitignore.template': '.gitignore',
};

/**
 * Scaffolds a connector service in `dir` and lists the files it wrote.
 *
 * @throws {CliError} `SLUICE_CLI_DIR_NOT_EMPTY` when `dir` has files, `SLUICE_CLI_FILE_WRITE` when it
 * cannot be written.
 */
export async function newServiceCommand(
  dir: string,
  options: NewServiceOptions,
  io: CommandIo,
): Promise<void> {
  scaffold({
    dir,
    templateDir: TEMPLATE_DIR,
    files: SERVICE_TEMPLATE_FILES,
    name: options.name,
    what: 'service',
    stdout: (text) => io.stdout(text),
  });
  io.stdout(
    `\nNext:\n  cd ${dir}\n  npm install\n  npx vitest run\n  npx sluice dev      # http://127.0.0.1:2005/docs\n`,
  );
}
