/**
 * The `sluice new <what>` sub-commands (`connector`, `service`): each copies its template folder,
 * `templates/<what>/`, into a new or empty folder with {@link scaffold}, sets the Sluice dependencies of its
 * `package.json` to what installs here ({@link chooseSluiceDeps}), prints where they come from, then what to
 * run next.
 *
 * @module
 */
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import type { CommandIo } from './command-io.js';
import { type DebugOptions, debugOption } from './options/debug.js';
import { checkTargetFolder, scaffold } from './scaffold.js';

/** The options of a `sluice new` sub-command, as commander hands them over. */
export interface NewProjectOptions extends DebugOptions {
  /** The title. @default the folder name in title case (`acme-crm` gives `Acme Crm`) */
  name?: string;
  /** Where the Sluice packages come from: `auto`, `registry`, `links` or a folder of tarballs. @default 'auto' */
  deps?: string;
}

const DEPS_HELP =
  'where the Sluice packages come from: auto (the npm registry if it has @sluice/sdk, else the tarballs of ' +
  'npm run pack:packages in this checkout, else links to the package folders this CLI runs with), ' +
  'registry, links, or a folder of tarballs';

/** What tells one `sluice new` sub-command from another. */
export interface ScaffoldCommandSpec {
  /** The sub-command, and its template folder under `templates/`: `connector`, `service`. */
  what: string;
  description: string;
  /** The `--name` flag as commander takes it (`--name <title>`), and its help. */
  nameFlag: string;
  nameHelp: string;
  /** The text `--help` shows after the options. */
  help: string;
  /** Template files, and the path each gets in the new folder. */
  files: Readonly<Record<string, string>>;
  /** What to run next, printed after the files written to `dir`. */
  next(dir: string): string;
}

/**
 * Registers `spec.what` on the `sluice new` command. It throws `SLUICE_CLI_DIR_NOT_EMPTY` when the folder
 * has files and `SLUICE_CLI_FILE_WRITE` when it cannot be written (see {@link scaffold}).
 */
export function registerScaffoldCommand(create: Command, io: CommandIo, spec: ScaffoldCommandSpec): void {
  // `src/` and `dist/` both sit one level below the package, next to `templates/`.
  const templateDir = fileURLToPath(new URL(`../templates/${spec.what}/`, import.meta.url));
  create
    .command(spec.what)
    .description(spec.description)
    .argument('<dir>', 'the folder to create (must not exist, or be empty)')
    .option(spec.nameFlag, spec.nameHelp)
    .option('--deps <source>', DEPS_HELP, 'auto')
    .addOption(debugOption())
    .addHelpText('after', spec.help)
    .action(async (dir: string, options: NewProjectOptions) => {
      checkTargetFolder(dir);
      const { chooseSluiceDeps, applySluiceDeps } = await import('./scaffold-deps.js');
      const deps = await chooseSluiceDeps({ deps: options.deps });
      scaffold({
        dir,
        templateDir,
        files: spec.files,
        name: options.name,
        what: spec.what,
        edit: { 'package.json': (text) => applySluiceDeps(text, deps) },
        stdout: (text) => io.stdout(text),
      });
      io.stdout(`${deps.summary}\n`);
      io.stdout(spec.next(dir));
    });
}
