/**
 * Where a scaffolded project gets the Sluice packages from, so that `npm install` works wherever it is
 * created: the npm registry when it has `@sluice/sdk`, else the tarballs of `npm run pack:packages`
 * (`.sluice-packs/` of the checkout this CLI runs from), else `file:` links to the package folders this
 * CLI runs with (the checkout's `packages/*`, or the installed copies beside an installed CLI).
 *
 * @module
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CliError } from './errors.js';

/** The publishable packages: name, folder in the checkout, tarball name prefix, file the build writes. */
const SLUICE_PACKAGES = [
  { name: '@sluice/sdk', folder: 'sdk', tarball: 'sluice-sdk', built: 'dist/index.js' },
  { name: '@sluice/server', folder: 'server', tarball: 'sluice-server', built: 'dist/index.js' },
  { name: '@sluice/engine', folder: 'engine', tarball: 'sluice-engine', built: 'dist/index.js' },
  { name: 'sluice', folder: 'cli', tarball: 'sluice', built: 'dist/main.js' },
] as const;

/** A Sluice package name. */
export type SluicePackageName = (typeof SLUICE_PACKAGES)[number]['name'];

/** Where the packages come from: the registry, tarballs, or links to package folders. */
export type DepsSource = 'registry' | 'tarballs' | 'links';

/** The dependency spec of each Sluice package, and the line that tells the user which source it is. */
export interface SluiceDeps {
  source: DepsSource;
  specs: Readonly<Record<SluicePackageName, string>>;
  /** One line (no newline) saying where the packages come from, and why. */
  summary: string;
}

/** What {@link chooseSluiceDeps} looks at; tests replace the registry look-up. */
export interface ChooseDepsOptions {
  /** `auto`, `registry`, `links`, or the path of a folder of tarballs. @default 'auto' */
  deps?: string | undefined;
  /** The folder of the `sluice` package that runs. @default this CLI's package folder */
  cliDir?: string;
  /** The latest version of `@sluice/sdk` on the registry, or `undefined`. @default {@link registryVersion} */
  lookUp?: () => Promise<string | undefined>;
}

/** The folder of this CLI's package: `src/` and `dist/` both sit one level below it. */
const THIS_CLI_DIR = fileURLToPath(new URL('..', import.meta.url));

/**
 * Chooses the dependency specs of the Sluice packages for a scaffolded project. With `deps` `auto`: the
 * registry when it has `@sluice/sdk`, else the tarballs in the checkout's `.sluice-packs/`, else links.
 *
 * @throws {CliError} `SLUICE_CLI_OPTION` when `deps` names a folder without the four tarballs of this
 * version.
 */
export async function chooseSluiceDeps(options: ChooseDepsOptions = {}): Promise<SluiceDeps> {
  const cliDir = options.cliDir ?? THIS_CLI_DIR;
  const version = readVersion(cliDir);
  const deps = options.deps ?? 'auto';
  if (deps === 'registry') return registryDeps(version, 'as --deps registry asks');
  if (deps === 'links') return linkDeps(cliDir, 'as --deps links asks');
  const packs = resolve(cliDir, '../../.sluice-packs');
  if (deps !== 'auto') {
    const folder = resolve(deps);
    const found = tarballDeps(folder, version, 'as --deps asks');
    if (found === undefined) {
      throw new CliError(
        'SLUICE_CLI_OPTION',
        `--deps ${deps}: ${folder} does not hold the tarballs of Sluice ${version} (${tarballNames(version).join(', ')})`,
        { hint: 'use auto, registry, links, or a folder made by npm run pack:packages in a Sluice checkout' },
      );
    }
    return found;
  }
  const published = await (options.lookUp ?? registryVersion)();
  if (published !== undefined) return registryDeps(published, 'the npm registry has @sluice/sdk');
  const why = 'npm view @sluice/sdk found no version: not published, or no registry';
  return tarballDeps(packs, version, why) ?? linkDeps(cliDir, `${why}, and no tarballs in ${packs}`);
}

/**
 * `package.json` text with the Sluice dependencies set to `deps`. For tarballs and links it adds
 * `overrides`, so that the Sluice packages the direct ones depend on (the CLI's engine and server, the
 * server's SDK) come from the same place instead of the registry.
 */
export function applySluiceDeps(text: string, deps: SluiceDeps): string {
  const manifest = JSON.parse(text) as Record<string, unknown>;
  const direct = new Set<string>();
  for (const field of ['dependencies', 'devDependencies']) {
    const list = manifest[field] as Record<string, string> | undefined;
    if (list === undefined) continue;
    for (const { name } of SLUICE_PACKAGES) {
      if (name in list) {
        list[name] = deps.specs[name];
        direct.add(name);
      }
    }
  }
  if (deps.source !== 'registry') {
    manifest.overrides = Object.fromEntries(
      SLUICE_PACKAGES.map(({ name }) => [name, direct.has(name) ? `$${name}` : deps.specs[name]]),
    );
  }
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

/**
 * The latest version of `@sluice/sdk` on the npm registry (`npm view`), or `undefined` when npm says it
 * is not there, fails, or takes more than a few seconds (offline).
 */
export function registryVersion(): Promise<string | undefined> {
  return new Promise((done) => {
    execFile(
      'npm',
      ['view', '@sluice/sdk', 'version', '--json', '--fetch-retries=0', '--fetch-timeout=4000'],
      { timeout: 8_000, shell: process.platform === 'win32' },
      (error, stdout) => {
        if (error !== null) return done(undefined);
        try {
          const version = JSON.parse(stdout) as unknown;
          done(typeof version === 'string' && version !== '' ? version : undefined);
        } catch {
          done(undefined);
        }
      },
    );
  });
}

function readVersion(cliDir: string): string {
  return (JSON.parse(readFileSync(join(cliDir, 'package.json'), 'utf8')) as { version: string }).version;
}

function specsOf(spec: (pkg: (typeof SLUICE_PACKAGES)[number]) => string): Record<SluicePackageName, string> {
  return Object.fromEntries(SLUICE_PACKAGES.map((pkg) => [pkg.name, spec(pkg)])) as Record<
    SluicePackageName,
    string
  >;
}

function registryDeps(version: string, why: string): SluiceDeps {
  return {
    source: 'registry',
    specs: specsOf(() => `^${version}`),
    summary: `Sluice packages: ^${version} from the npm registry (${why})`,
  };
}

function tarballNames(version: string): string[] {
  return SLUICE_PACKAGES.map((pkg) => `${pkg.tarball}-${version}.tgz`);
}

function tarballDeps(folder: string, version: string, why: string): SluiceDeps | undefined {
  if (!tarballNames(version).every((name) => existsSync(join(folder, name)))) return undefined;
  return {
    source: 'tarballs',
    specs: specsOf((pkg) => `file:${join(folder, `${pkg.tarball}-${version}.tgz`)}`),
    summary: `Sluice packages: the tarballs in ${folder} (${why})`,
  };
}

function linkDeps(cliDir: string, why: string): SluiceDeps {
  const folders = specsOf((pkg) =>
    pkg.name === 'sluice' ? realpathSync(cliDir) : packageFolder(cliDir, pkg.name),
  );
  const unbuilt = SLUICE_PACKAGES.filter((pkg) => !existsSync(join(folders[pkg.name], pkg.built)));
  const build =
    unbuilt.length === 0
      ? ''
      : `; ${unbuilt.map((pkg) => pkg.name).join(', ')} not built: run npm run build in the checkout first`;
  return {
    source: 'links',
    specs: specsOf((pkg) => `file:${folders[pkg.name]}`),
    summary: `Sluice packages: links to the package folders in ${dirname(folders['@sluice/sdk'])} (${why}; npm run pack:packages in a checkout makes tarballs${build})`,
  };
}

/**
 * The real folder of package `name` where Node looks for it from this CLI (a workspace link or an
 * installed copy), found by its `package.json`, so that an unbuilt package is found too.
 */
function packageFolder(cliDir: string, name: string): string {
  const paths = createRequire(join(cliDir, 'package.json')).resolve.paths(name) ?? [];
  const dir = paths
    .map((modules) => join(modules, name))
    .find((candidate) => isPackageNamed(candidate, name));
  if (dir === undefined) throw new Error(`cannot find the folder of ${name} from ${cliDir}`);
  return realpathSync(dir);
}

function isPackageNamed(dir: string, name: string): boolean {
  const file = join(dir, 'package.json');
  return existsSync(file) && (JSON.parse(readFileSync(file, 'utf8')) as { name?: string }).name === name;
}
