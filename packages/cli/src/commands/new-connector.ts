/**
 * `sluice new connector <dir>`: copies the connector template (`templates/connector/`) into a new or
 * empty folder, with the title filled in.
 *
 * @module
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CliError } from '../errors.js';
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
  const values = { title, slug };
  try {
    mkdirSync(target, { recursive: true });
    for (const [from, to] of Object.entries(TEMPLATE_FILES)) {
      const text = readFileSync(join(TEMPLATE_DIR, from), 'utf8');
      writeFileSync(join(target, to), fillTemplate(text, from, values));
      io.stdout(`created ${join(dir, to)}\n`);
    }
  } catch (err) {
    throw new CliError(
      'SLUICE_CLI_FILE_WRITE',
      `cannot create the connector in ${dir}: ${(err as Error).message}`,
      {
        cause: err,
        hint: 'check that the parent folder exists and is writable',
      },
    );
  }
  io.stdout(
    `\nNext:\n  cd ${dir}\n  npm install\n  npx vitest run\n  cp settings.example.json settings.json   # then fill in your API token\n  npx sluice exec connector.ts test --settings settings.json\n`,
  );
}

/**
 * Fills the placeholders `{{title}}` and `{{slug}}` of a template, escaping the title for the file's
 * syntax: TypeScript templates only use it inside single-quoted strings (or comments), JSON inside
 * double-quoted strings; anything else gets it as is.
 */
export function fillTemplate(text: string, file: string, values: { title: string; slug: string }): string {
  const title = file.endsWith('.ts')
    ? values.title.replaceAll('\\', '\\\\').replaceAll("'", "\\'")
    : file.endsWith('.json') || file.endsWith('.json.template')
      ? JSON.stringify(values.title).slice(1, -1)
      : values.title;
  return text.replaceAll('{{title}}', title).replaceAll('{{slug}}', values.slug);
}

function toSlug(name: string): string {
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return slug === '' ? 'connector' : slug;
}

function toTitle(slug: string): string {
  return slug
    .split('-')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join(' ');
}
