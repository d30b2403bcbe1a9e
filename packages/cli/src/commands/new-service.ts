/**
 * `sluice new service <dir>`: copies the service template (`templates/service/`) into a new or empty
 * folder: `main.ts`, `app_config.yaml`, one route with its `schema.json`, a test, a Dockerfile that builds
 * and runs it, and the project files.
 *
 * @module
 */
import type { Command } from 'commander';
import type { CommandIo } from '../command-io.js';
import { registerScaffoldCommand } from '../scaffold-command.js';

const NEW_SERVICE_HELP = `
Creates main.ts, app_config.yaml, routes/hello/v1/route.ts with its schema.json, test/hello.test.ts,
a Dockerfile that type-checks, tests and runs the service, package.json, tsconfig.json,
vitest.config.ts, README.md, .gitignore and .dockerignore. The folder must not exist or must be empty.
The Sluice dependencies of package.json are what installs here (the npm registry, else this checkout's
.sluice-packs tarballs, else links; see --deps): a line "Sluice packages: ..." says which.

Examples:
  $ sluice new service ./acme-service
  $ sluice new service ./acme --name "Acme CRM"`;

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
 * Registers `service` on the `sluice new` command: it scaffolds a connector service in `<dir>` and lists
 * the files it wrote.
 */
export function registerNewService(create: Command, io: CommandIo): void {
  registerScaffoldCommand(create, io, {
    what: 'service',
    description:
      'scaffold a connector service: main.ts, app_config.yaml, a route, its schema, a test, a Dockerfile',
    nameFlag: '--name <name>',
    nameHelp: 'the service name, app_name (default: from the folder name)',
    help: NEW_SERVICE_HELP,
    files: SERVICE_TEMPLATE_FILES,
    next: (dir) =>
      `\nNext:\n  cd ${dir}\n  npm install\n  npx vitest run\n  npx sluice dev      # http://127.0.0.1:2005/docs\n`,
  });
}
