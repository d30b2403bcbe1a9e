/**
 * `npm run build`, after `tsc -b`: bundles the built CLI (`packages/cli/dist/main.js`) with esbuild into
 * `packages/cli/dist/bundle/`, which the `sluice` bin runs. One ESM entry (`main.js`) and the chunks of
 * its dynamic `import()`s, so a command still loads the engine, the server or YAML only when it runs.
 * Node then reads, resolves and compiles a few files instead of several hundred small ones.
 *
 * Inside: the four Sluice packages and the pure-JavaScript packages they load (undici, yaml, commander,
 * Ajv's runtime pieces...). Outside ({@link EXTERNAL}): native modules, the server-side packages, and
 * packages that find files next to their own code. Each of those the bundle imports must be a dependency of
 * the CLI package, with the range of the Sluice package that uses it, so that it resolves from the bundle
 * wherever npm puts it; the build fails otherwise.
 *
 * `import.meta.url` keeps meaning "this module's file": in a bundled module of `@sluice/<name>` it
 * becomes the URL of that module's built file in the installed package (its `dist/` is shipped too), so
 * the precompiled workflow validator, the template worker entry and `createRequire` keep finding their
 * files. Silent on success, like the rest of the build.
 */
import { readFileSync, rmSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const cliDir = join(root, 'packages/cli');
const outdir = join(cliDir, 'dist/bundle');

/**
 * Packages left out of the bundle and imported from `node_modules` at run time: native code, packages
 * that read files beside their own code (minijinja-js' wasm, the Swagger UI's assets, tsx and esbuild
 * binaries, pino's transports in worker threads), and the server side that `sluice run` never loads.
 */
const EXTERNAL = [
  'better-sqlite3',
  'pg',
  'ioredis',
  'bullmq',
  'kysely',
  'fastify',
  '@fastify/*',
  'pino',
  '@sentry/node',
  'minijinja-js',
  // Loaded with import() and used by its named exports (see DEFAULT_ONLY).
  'prom-client',
  'tsx',
  'esbuild',
  'playwright-core',
];

/**
 * The CommonJS packages inside the bundle that some module loads with `import()`. esbuild gives such a
 * chunk only a default export (Node would also give the named ones), so each must be used through
 * `default` alone: `(await import('yaml')).default.parse`. The build fails for any other one; make it
 * external, or load it through a module of ours imported statically.
 */
const DEFAULT_ONLY = ['yaml', 'ajv'];

/** The Sluice packages whose built files are bundled, by folder under `packages/`. */
const PACKAGES: Readonly<Record<string, string>> = {
  sdk: '@sluice/sdk',
  server: '@sluice/server',
  engine: '@sluice/engine',
  cli: 'sluice',
};

/** The expression that gives the URL of `file` (a built module of package `folder`) from the bundle. */
function moduleUrl(folder: string, file: string): string {
  const fromDist = relative(join(root, 'packages', folder, 'dist'), file)
    .split('\\')
    .join('/');
  // The CLI's own files sit one folder above the bundle's chunks.
  if (folder === 'cli') return `new URL(${JSON.stringify(`../${fromDist}`)}, import.meta.url).href`;
  // Another package: beside its entry point (`dist/index.js`), wherever it is installed.
  return `new URL(${JSON.stringify(`./${fromDist}`)}, import.meta.resolve(${JSON.stringify(PACKAGES[folder])})).href`;
}

/** Rewrites `import.meta.url` in the Sluice packages' built modules to the URL of their own file. */
const ownUrls: Plugin = {
  name: 'sluice-module-urls',
  setup(build) {
    build.onLoad({ filter: /[\\/]packages[\\/](sdk|server|engine|cli)[\\/]dist[\\/].*\.js$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return undefined;
      const folder = /[\\/]packages[\\/](sdk|server|engine|cli)[\\/]dist[\\/]/.exec(args.path)?.[1] ?? '';
      return { contents: text.replaceAll('import.meta.url', moduleUrl(folder, args.path)), loader: 'js' };
    });
  },
};

type Dependencies = Record<string, string>;

function dependenciesOf(folder: string): Dependencies {
  const file = join(root, 'packages', folder, 'package.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as { dependencies?: Dependencies }).dependencies ?? {};
}

/**
 * What is wrong with the CLI's dependencies for the packages the bundle imports (`imports`): each missing
 * one, or declared with another range than the Sluice package that uses it.
 */
function dependencyProblems(imports: readonly string[]): string[] {
  const cli = dependenciesOf('cli');
  const others = Object.keys(PACKAGES)
    .filter((folder) => folder !== 'cli')
    .map(dependenciesOf);
  const names = imports
    .filter((path) => !isBuiltin(path) && !path.startsWith('node:') && !path.startsWith('.'))
    .map((path) =>
      path
        .split('/')
        .slice(0, path.startsWith('@') ? 2 : 1)
        .join('/'),
    );
  return [...new Set(names)].sort().flatMap((name) => {
    const wanted = others.find((deps) => deps[name] !== undefined)?.[name];
    if (cli[name] === undefined) return [`${name} is not a dependency (add "${name}": "${wanted ?? '*'}")`];
    if (wanted !== undefined && cli[name] !== wanted) return [`${name} is at ${cli[name]}, not ${wanted}`];
    return [];
  });
}

rmSync(outdir, { recursive: true, force: true });
const result = await build({
  entryPoints: [join(cliDir, 'dist/main.js')],
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: EXTERNAL,
  plugins: [ownUrls],
  // The CommonJS packages inside call `require` for Node's own modules.
  banner: {
    js: "import { createRequire as __sluiceCreateRequire } from 'node:module';\nconst require = __sluiceCreateRequire(import.meta.url);",
  },
  metafile: true,
  logLevel: 'warning',
});
const imported = Object.values(result.metafile.outputs).flatMap((output) =>
  output.imports.filter((entry) => entry.external).map((entry) => entry.path),
);
/** The chunks of CommonJS packages loaded with `import()` that are not in {@link DEFAULT_ONLY}. */
const defaultOnly = Object.values(result.metafile.outputs).flatMap((output) => {
  const name = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(output.entryPoint ?? '')?.[1];
  const onlyDefault = output.exports.length === 1 && output.exports[0] === 'default';
  return name !== undefined && onlyDefault && !DEFAULT_ONLY.includes(name)
    ? [`${name} is loaded with import() and gets only a default export in the bundle (see DEFAULT_ONLY)`]
    : [];
});
const problems = [...dependencyProblems(imported), ...defaultOnly];
if (problems.length > 0) {
  process.stderr.write(
    `${relative(root, outdir)}: ${problems.length} problem(s), each a package to declare in packages/cli/package.json or to keep out:\n${problems.map((p) => `  ${p}\n`).join('')}`,
  );
  process.exit(1);
}
