/**
 * `sluice new service <dir>`: copies the service template (`templates/service/`) into a new or empty
 * folder: `main.ts`, `app_config.yaml`, one route with its `schema.json`, a test, a Dockerfile that builds
 * and runs it, and the project files.
 *
 * @module
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CliError } from '../errors.js';
import type { CommandIo } from './exec.js';
import { fillTemplate } from './new-connector.js';

/** The options of `sluice new service`. */
export interface NewServiceOptions {
  /** The service name (`app_name`). @default the folder name in title case (`acme-crm` gives `Acme Crm`) */
  name?: string;
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
  const target = resolve(dir);
  if (existsSync(target)) {
    if (!statSync(target).isDirectory()) {
      throw new CliError('SLUICE_CLI_DIR_NOT_EMPTY', `${dir} exists and is not a folder`, {
        hint: 'choose a new folder name',
      });
    }
    const entries = readdirSync(target);
    if (entries.length > 0) {
      const shown = entries.slice(0, 5).join(', ') + (entries.length > 5 ? ', ...' : '');
      throw new CliError('SLUICE_CLI_DIR_NOT_EMPTY', `folder ${dir} is not empty (it holds ${shown})`, {
        hint: 'choose a new folder, or empty this one first; sluice never overwrites files',
      });
    }
  }
  const slug = toSlug(basename(target));
  const title = options.name?.replace(/\s+/g, ' ').trim() || toTitle(slug);
  try {
    for (const [from, to] of Object.entries(SERVICE_TEMPLATE_FILES)) {
      const text = readFileSync(join(TEMPLATE_DIR, from), 'utf8');
      // YAML double-quoted strings take JSON escapes.
      const syntax = from.endsWith('.yaml') ? `${from}.json` : from;
      const file = join(target, to);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, fillTemplate(text, syntax, { title, slug }));
      io.stdout(`created ${join(dir, to)}\n`);
    }
  } catch (err) {
    throw new CliError(
      'SLUICE_CLI_FILE_WRITE',
      `cannot create the service in ${dir}: ${(err as Error).message}`,
      {
        cause: err,
        hint: 'check that the parent folder exists and is writable',
      },
    );
  }
  io.stdout(
    `\nNext:\n  cd ${dir}\n  npm install\n  npx vitest run\n  npx sluice dev      # http://127.0.0.1:2005/docs\n`,
  );
}

function toSlug(name: string): string {
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return slug === '' ? 'service' : slug;
}

function toTitle(slug: string): string {
  return slug
    .split('-')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join(' ');
}
