/**
 * Route discovery: which files under the routes directory are route files, as a plain list (nothing is
 * loaded or mounted here). A route file sits exactly two folders below the routes directory:
 * `routes/<module>/v<N>/route.ts`. Every other `route.*` file found is listed as skipped, with the reason.
 *
 * @module
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/** Route file names, in order of preference when a folder holds more than one. */
export const ROUTE_FILE_NAMES = ['route.ts', 'route.mts', 'route.js', 'route.mjs'] as const;

/**
 * Module folder names: they become the first URL segment, so URL-safe characters only. A leading `_` is
 * allowed (workflows-cdk projects use `_internal`-style module names).
 */
export const MODULE_NAME_PATTERN = /^[A-Za-z0-9_][\w-]*$/;

/** Version folder names: `v`, digits, then optional letters, digits or `_` (`v1`, `v10`, `v1beta`, `v2_preview`). */
export const VERSION_NAME_PATTERN = /^v\d+[A-Za-z0-9_]*$/;

/** The discovery rules, as `GET /routes` and `sluice dev` show them. */
export const DISCOVERY_RULES: readonly string[] = [
  'a route file is <routes_directory>/<module>/<version>/route.ts (or route.mts, route.js, route.mjs)',
  'it is mounted at /<module>/<version><path> for each route() it exports; methods default to POST',
  'module folder names start with a letter, digit or _ and use letters, digits, _ and - (they become part of the URL)',
  'version folder names are v, digits, then optional letters, digits or _: v1, v10, v1beta, v2_preview',
  'a schema.json beside the route file (JSON Schema or a Stacksync module schema) validates the request data and is served at /<module>/<version>/schema',
  'a module_config.yaml beside the route file names the module in /app-config and /modules-list',
  'folders starting with . and node_modules are not searched; other files are ignored',
];

/** A route file to load. */
export interface FoundRoute {
  readonly module: string;
  readonly version: string;
  /** Absolute path of the route file. */
  readonly file: string;
  /** Absolute path of the `schema.json` beside it, when there is one. */
  readonly schemaFile: string | undefined;
  /** Absolute path of the `module_config.yaml` beside it, when there is one. */
  readonly moduleConfigFile: string | undefined;
}

/** A route file that is not loaded, and why. */
export interface SkippedRoute {
  /** Absolute path. */
  readonly file: string;
  readonly reason: string;
}

/** What {@link findRoutes} returns: plain lists. */
export interface RouteDiscovery {
  readonly found: readonly FoundRoute[];
  readonly skipped: readonly SkippedRoute[];
}

/** How deep misplaced route files are still looked for (and reported). */
const SEARCH_DEPTH = 6;

/**
 * Lists the route files under `routesDir`, in module and version order, and the `route.*` files that are
 * not route files (too shallow, too deep, a bad folder name, a second file in the same folder).
 * A missing directory gives empty lists.
 */
export function findRoutes(routesDir: string): RouteDiscovery {
  const found: FoundRoute[] = [];
  const skipped: SkippedRoute[] = [];
  if (!existsSync(routesDir)) return { found, skipped };

  const visit = (dir: string, depth: number): void => {
    const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => compare(a.name, b.name));
    const routeFiles = ROUTE_FILE_NAMES.filter((name) =>
      entries.some((entry) => entry.name === name && isFile(join(dir, name))),
    );
    if (routeFiles.length > 0) classify(dir, routeFiles, depth);
    if (depth >= SEARCH_DEPTH) return;
    for (const entry of entries) {
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory() || (entry.isSymbolicLink() && isDirectory(path))) visit(path, depth + 1);
    }
  };

  const classify = (dir: string, files: readonly string[], depth: number): void => {
    const [chosen, ...others] = files;
    if (chosen === undefined) return;
    const file = join(dir, chosen);
    for (const other of others) {
      skipped.push({ file: join(dir, other), reason: `${chosen} in the same folder is used instead` });
    }
    const parts = relative(routesDir, dir)
      .split(sep)
      .filter((part) => part !== '');
    const [module, version] = parts;
    if (depth < 2 || module === undefined || version === undefined) {
      skipped.push({
        file,
        reason: `too shallow: route files go in <routes_directory>/<module>/v<N>/ (this one is ${depth} folder${depth === 1 ? '' : 's'} below it)`,
      });
      return;
    }
    if (depth > 2) {
      skipped.push({
        file,
        reason: `too deep: route files go exactly two folders below the routes directory (this one is ${depth})`,
      });
      return;
    }
    if (!MODULE_NAME_PATTERN.test(module)) {
      skipped.push({
        file,
        reason: `module folder ${JSON.stringify(module)} must start with a letter, digit or _ and use only letters, digits, _ and - (it becomes part of the URL): rename it, e.g. to ${JSON.stringify(suggestModuleName(module))}`,
      });
      return;
    }
    if (!VERSION_NAME_PATTERN.test(version)) {
      skipped.push({
        file,
        reason: `version folder ${JSON.stringify(version)} must be v, digits, then optional letters, digits or _ (such as v1, v2 or v1beta)`,
      });
      return;
    }
    const schemaFile = join(dir, 'schema.json');
    const moduleConfigFile = join(dir, 'module_config.yaml');
    found.push({
      module,
      version,
      file,
      schemaFile: isFile(schemaFile) ? schemaFile : undefined,
      moduleConfigFile: isFile(moduleConfigFile) ? moduleConfigFile : undefined,
    });
  };

  visit(routesDir, 0);
  found.sort((a, b) => compare(a.module, b.module) || compareVersions(a.version, b.version));
  skipped.sort((a, b) => compare(a.file, b.file));
  return { found, skipped };
}

/** Code-point order, the same on every machine (no locale). */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `v2` before `v10`; `v1` before `v1beta`. */
function compareVersions(a: string, b: string): number {
  const number = (version: string) => Number(/^v(\d+)/.exec(version)?.[1] ?? 0);
  return number(a) - number(b) || compare(a, b);
}

function suggestModuleName(name: string): string {
  const cleaned = name
    .trim()
    .replace(/[^\w-]+/g, '_')
    .replace(/^-+/, '');
  return cleaned === '' ? 'my_module' : cleaned;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
