/**
 * Loading one route file and its `schema.json`. A `.ts` file is imported directly when the process can
 * (under `tsx` or vitest), else through tsx's `tsImport`. Any failure is a {@link RouteDiscoveryError}
 * naming the file.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { isSluiceError } from '@sluice/sdk';
import { RouteDiscoveryError } from '../errors.js';
import { isRouteDefinition, type RouteDefinition } from '../route.js';

/** A route a file exports, with its export name. */
export interface ExportedRoute {
  readonly name: string;
  readonly definition: RouteDefinition;
}

/** Imports a module by absolute path; the default loader, replaceable for tests. */
export type ModuleImporter = (file: string) => Promise<Record<string, unknown>>;

/** `import()` first; a `.ts` file that the running Node cannot load goes through tsx. */
export const importModule: ModuleImporter = async (file) => {
  const url = pathToFileURL(file).href;
  try {
    return (await import(url)) as Record<string, unknown>;
  } catch (err) {
    if ((err as { code?: unknown }).code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw err;
    const { tsImport } = await import('tsx/esm/api');
    return (await tsImport(url, import.meta.url)) as Record<string, unknown>;
  }
};

/**
 * Imports a route file and returns the routes it exports (values made with `route()`), in export order.
 * An empty list means the file exports no route; the caller reports and skips it.
 *
 * @throws {RouteDiscoveryError} `SLUICE_ROUTE_LOAD` when the file does not compile or throws while
 *   loading, `SLUICE_ROUTE_INVALID` when a `route()` call in it is malformed.
 */
export async function loadRouteFile(
  file: string,
  shown: string,
  importer: ModuleImporter = importModule,
): Promise<ExportedRoute[]> {
  let module: Record<string, unknown>;
  try {
    module = await importer(file);
  } catch (err) {
    if (isSluiceError(err, 'SLUICE_ROUTE_INVALID')) {
      throw new RouteDiscoveryError('SLUICE_ROUTE_INVALID', shown, `route file ${shown}: ${err.message}`, {
        hint: err.hint,
        cause: err,
      });
    }
    const { where, what } = describeFailure(err, file);
    throw new RouteDiscoveryError(
      'SLUICE_ROUTE_LOAD',
      shown,
      `cannot load route file ${shown}${where}: ${what}`,
      {
        cause: err,
        hint:
          (err as { code?: unknown }).code === 'ERR_MODULE_NOT_FOUND'
            ? 'install the missing package, or fix the import path'
            : 'fix the error in the file; start-up stops until every route file loads',
      },
    );
  }
  const routes: ExportedRoute[] = [];
  for (const [name, value] of Object.entries(module)) {
    if (isRouteDefinition(value)) routes.push({ name, definition: value });
  }
  return routes;
}

/**
 * Reads a `schema.json` (a JSON Schema or a Stacksync module schema; the caller tells them apart).
 *
 * @throws {RouteDiscoveryError} `SLUICE_ROUTE_SCHEMA` when it is not JSON (naming the line) or not an object.
 */
export function readSchemaFile(file: string, shown: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new RouteDiscoveryError(
      'SLUICE_ROUTE_SCHEMA',
      shown,
      `cannot read ${shown}: ${(err as Error).message}`,
      {
        cause: err,
        hint: 'check that the file is readable',
      },
    );
  }
  let schema: unknown;
  try {
    schema = JSON.parse(text);
  } catch (err) {
    const position = /position (\d+)/.exec((err as Error).message);
    const line =
      position?.[1] === undefined ? '' : ` at line ${text.slice(0, Number(position[1])).split('\n').length}`;
    throw new RouteDiscoveryError(
      'SLUICE_ROUTE_SCHEMA',
      shown,
      `${shown} is not valid JSON${line}: ${(err as Error).message}`,
      {
        cause: err,
        hint: 'fix the JSON syntax (a missing comma or quote)',
      },
    );
  }
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
    throw new RouteDiscoveryError(
      'SLUICE_ROUTE_SCHEMA',
      shown,
      `${shown} must hold an object: a JSON Schema or a Stacksync module schema`,
      {
        hint: 'write {"type": "object", "properties": {...}} or {"metadata": {...}, "fields": [...]}',
      },
    );
  }
  return schema as Record<string, unknown>;
}

/** Where in the file it failed (" at line 3, column 7") and what, from tsx/esbuild, vite or a stack. */
function describeFailure(err: unknown, file: string): { where: string; what: string } {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: strips ANSI colour codes.
  const strip = (text: string) => text.replace(/\u001b\[[0-9;]*m/g, '');
  const message = strip(err instanceof Error ? err.message : String(err));
  const stack = strip(err instanceof Error ? (err.stack ?? '') : '');
  // tsx (esbuild): "<file>:<line>:<column>: ERROR: <what>", the column counted from 0.
  const esbuild = /:(\d+):(\d+): ERROR: (.*)/.exec(message);
  if (esbuild !== null) {
    return { where: ` at line ${esbuild[1]}, column ${Number(esbuild[2]) + 1}`, what: esbuild[3] ?? message };
  }
  const tail = file
    .split(/[\\/]/)
    .slice(-3)
    .join('/')
    .replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const at = new RegExp(`${tail}:(\\d+):(\\d+)`).exec(`${message}\n${stack}`);
  // vite: "[PARSE_ERROR] <what>" below "Transform failed with 1 error:".
  const coded = /\[[A-Z_]+\]\s*(.+)/.exec(message)?.[1];
  const what = coded ?? firstLine(message.replace(/^Transform failed with \d+ errors?:\s*/, ''));
  return { where: at === null ? '' : ` at line ${at[1]}, column ${at[2]}`, what: what.trim() };
}
function firstLine(text: string): string {
  return (text.split('\n').find((line) => line.trim() !== '') ?? text).trim();
}
