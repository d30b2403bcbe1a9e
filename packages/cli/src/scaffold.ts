/**
 * Scaffolding for `sluice new connector` and `sluice new service`: copies a template folder into a new
 * or empty folder, with `{{title}}` and `{{slug}}` filled in, and never overwrites a file.
 *
 * @module
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { CliError } from './errors.js';

/** What {@link scaffold} copies, and where. */
export interface ScaffoldOptions {
  /** The folder to create (or an empty one), as the user gave it. */
  dir: string;
  /** The template folder. */
  templateDir: string;
  /** Template files, and the path each gets in the new folder. */
  files: Readonly<Record<string, string>>;
  /** The title given with `--name`. @default the folder name in title case (`acme-crm` gives `Acme Crm`) */
  name?: string | undefined;
  /** What is created, for messages: `connector`, `service`. */
  what: string;
  /** Edits of the filled-in text of some files, by their path in the new folder (`package.json`). */
  edit?: Readonly<Record<string, (text: string) => string>>;
  /** Receives one `created <file>` line per file. */
  stdout(text: string): void;
}

/**
 * Copies the template files into `dir` and prints each file it wrote.
 *
 * @throws {CliError} `SLUICE_CLI_DIR_NOT_EMPTY` when `dir` is a file or holds files,
 * `SLUICE_CLI_FILE_WRITE` when it cannot be written.
 */
export function scaffold(options: ScaffoldOptions): void {
  const { dir } = options;
  const target = checkTargetFolder(dir);
  const slug = toSlug(basename(target), options.what);
  const title = options.name?.replace(/\s+/g, ' ').trim() || toTitle(slug);
  try {
    mkdirSync(target, { recursive: true });
    for (const [from, to] of Object.entries(options.files)) {
      const text = fillTemplate(readFileSync(join(options.templateDir, from), 'utf8'), from, { title, slug });
      const file = join(target, to);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, options.edit?.[to]?.(text) ?? text);
      options.stdout(`created ${join(dir, to)}\n`);
    }
  } catch (err) {
    throw new CliError(
      'SLUICE_CLI_FILE_WRITE',
      `cannot create the ${options.what} in ${dir}: ${(err as Error).message}`,
      { cause: err, hint: 'check that the parent folder exists and is writable' },
    );
  }
}

/**
 * Checks that `dir` does not exist or is an empty folder, and returns its absolute path.
 *
 * @throws {CliError} `SLUICE_CLI_DIR_NOT_EMPTY` when `dir` is a file or holds files.
 */
export function checkTargetFolder(dir: string): string {
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
  return target;
}

/**
 * Fills the placeholders `{{title}}` and `{{slug}}` of a template, escaping the title for the file's
 * syntax: TypeScript templates only use it inside single-quoted strings (or comments), JSON and YAML
 * inside double-quoted strings (which take JSON escapes); anything else gets it as is.
 */
export function fillTemplate(text: string, file: string, values: { title: string; slug: string }): string {
  const title = file.endsWith('.ts')
    ? values.title.replaceAll('\\', '\\\\').replaceAll("'", "\\'")
    : /\.(json|yaml|yml)(\.template)?$/.test(file)
      ? JSON.stringify(values.title).slice(1, -1)
      : values.title;
  return text.replaceAll('{{title}}', title).replaceAll('{{slug}}', values.slug);
}

function toSlug(name: string, fallback: string): string {
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return slug === '' ? fallback : slug;
}

function toTitle(slug: string): string {
  return slug
    .split('-')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join(' ');
}
