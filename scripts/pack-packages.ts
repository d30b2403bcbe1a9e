/**
 * `npm run pack:packages [-- --out <dir>] [-- --no-build]`: builds the four publishable packages
 * (`@sluice/sdk`, `@sluice/server`, `@sluice/engine`, `sluice`) and packs each into a tarball in
 * `.sluice-packs/` (or `--out`), then prints the tarball paths, one a line.
 *
 * Each package is packed from a staging copy of the files its `files` list ships (what `npm pack --dry-run`
 * lists), with a manifest made for publishing: the `development` export conditions, which point at `src/`
 * for the repository's tests and typecheck, are dropped (the tarball has no `src/`), and so are `scripts`
 * and `devDependencies`. The repository's own `package.json` files are never touched. Publish a tarball
 * with `npm publish .sluice-packs/<file>.tgz`; `sluice new` installs them from here when they are not on
 * the registry.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The packages, in dependency order. */
export const PACKED_PACKAGES = ['sdk', 'server', 'engine', 'cli'] as const;

interface Manifest {
  name: string;
  version: string;
  exports?: unknown;
  [key: string]: unknown;
}

/** `exports` without its `development` conditions, at any depth. */
export function dropDevelopmentCondition(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => key !== 'development')
      .map(([key, inner]) => [key, dropDevelopmentCondition(inner)]),
  );
}

/** The manifest the tarball gets: no `development` condition, no scripts, no dev dependencies. */
export function publishManifest(manifest: Manifest): Manifest {
  const { scripts: _scripts, devDependencies: _dev, ...rest } = manifest;
  return { ...rest, exports: dropDevelopmentCondition(manifest.exports) };
}

function npm(args: string[], cwd: string): string {
  return execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
}

/** The files `npm pack` ships from `dir` (its `files` list, README and package.json). */
function shippedFiles(dir: string): string[] {
  const [report] = JSON.parse(npm(['pack', '--dry-run', '--json', '--ignore-scripts'], dir)) as [
    { files: { path: string }[] },
  ];
  return report.files.map((file) => file.path);
}

/**
 * Whether `file` is build output (`dist/x.js`, `dist/x.d.ts`) of a source file that no longer exists.
 * The CLI's bundle (`dist/bundle/`, rebuilt whole by each build) has no source file of its own.
 */
function isStale(dir: string, file: string): boolean {
  if (file.startsWith('dist/bundle/')) return false;
  const built = /^dist\/(.+)\.(?:js|d\.ts)$/.exec(file);
  return built?.[1] !== undefined && !existsSync(join(dir, 'src', `${built[1]}.ts`));
}

/** Packs `packages/<folder>` into `out` from a staging copy; returns the tarball's path. */
function packOne(folder: string, out: string, stage: string): string {
  const dir = join(root, 'packages', folder);
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;
  const staged = join(stage, folder);
  rmSync(staged, { recursive: true, force: true });
  for (const file of shippedFiles(dir)) {
    if (file === 'package.json') continue;
    if (isStale(dir, file)) {
      process.stderr.write(
        `skipped packages/${folder}/${file}: its source file is gone (stale build output)\n`,
      );
      continue;
    }
    mkdirSync(dirname(join(staged, file)), { recursive: true });
    cpSync(join(dir, file), join(staged, file));
  }
  writeFileSync(join(staged, 'package.json'), `${JSON.stringify(publishManifest(manifest), null, 2)}\n`);
  const [report] = JSON.parse(
    npm(['pack', '--json', '--ignore-scripts', '--pack-destination', out], staged),
  ) as [{ filename: string }];
  return join(out, report.filename);
}

function build(): void {
  const run = (args: string[]) =>
    execFileSync(process.execPath, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  run([join(root, 'node_modules/typescript/bin/tsc'), '-b', 'tsconfig.build.json']);
  run(['--import', 'tsx', join(root, 'scripts/build-workflow-validator.ts')]);
  run(['--import', 'tsx', join(root, 'scripts/build-cli-bundle.ts')]);
}

/** Builds (unless `build` is false) and packs the packages into `out`; returns the tarball paths. */
export function packPackages(options: { out: string; build: boolean }): string[] {
  if (options.build) build();
  mkdirSync(options.out, { recursive: true });
  const stage = join(options.out, '.stage');
  try {
    return PACKED_PACKAGES.map((folder) => packOne(folder, options.out, stage));
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: { out: { type: 'string' }, 'no-build': { type: 'boolean', default: false } },
  });
  const out = resolve(values.out ?? join(root, '.sluice-packs'));
  for (const tarball of packPackages({ out, build: !values['no-build'] }))
    process.stdout.write(`${tarball}\n`);
}
