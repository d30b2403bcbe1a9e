/**
 * Loads a connector file (`.ts`, `.mts`, `.js`, `.mjs`) with tsx and returns its default export; a `.ts`
 * file is an ES module whatever the `type` of its `package.json`. Every
 * failure is a `SLUICE_CONNECTOR_LOAD` error that names the file, and the line for syntax errors.
 *
 * @module
 */
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { register } from 'node:module';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Connector, isConnector, SdkError } from '@sluice/sdk';
import { tsImport } from 'tsx/esm/api';

/** The extensions `sluice exec` loads. */
export const CONNECTOR_EXTENSIONS = ['.ts', '.mts', '.js', '.mjs'] as const;

/**
 * Imports `file` and checks that its default export is a connector made with `defineConnector`.
 *
 * @throws {SdkError} `SLUICE_CONNECTOR_LOAD` when the file is missing, has the wrong extension, does not
 * compile (naming the line and column), throws while loading, or has no default-exported connector.
 */
export async function loadConnector(file: string): Promise<Connector> {
  const absolute = resolve(file);
  if (!existsSync(absolute)) {
    throw loadError(
      `connector file ${file} not found`,
      `check the path (relative paths start at ${process.cwd()})`,
    );
  }
  if (!statSync(absolute).isFile())
    throw loadError(`connector file ${file} is not a file`, 'name the .ts file');
  const ext = extname(absolute).toLowerCase();
  if (!(CONNECTOR_EXTENSIONS as readonly string[]).includes(ext)) {
    throw loadError(
      `connector file ${file} has the extension "${ext}"; sluice loads ${CONNECTOR_EXTENSIONS.join(', ')}`,
      'name the TypeScript or JavaScript module that default-exports the connector',
    );
  }
  if (ext === '.ts') loadTypeScriptAsModules();
  let module: Record<string, unknown>;
  try {
    module = (await tsImport(pathToFileURL(absolute).href, import.meta.url)) as Record<string, unknown>;
  } catch (err) {
    throw describeImportFailure(err, file, absolute);
  }
  const connector = module.default;
  if (!isConnector(connector)) {
    const named = Object.keys(module).filter((key) => key !== 'default');
    const exported =
      connector === undefined
        ? `it has no default export${named.length > 0 ? ` (it exports ${named.join(', ')})` : ''}`
        : `its default export is ${describeValue(connector)}, not a connector`;
    throw loadError(
      `connector file ${file} does not default-export a connector: ${exported}`,
      'end the file with `export default defineConnector({ ... })` (defineConnector from @sluice/sdk)',
    );
  }
  return connector;
}

/**
 * A resolve hook that makes Node load every `.ts` file outside `node_modules` as an ES module, whatever
 * the `type` of the nearest `package.json`. Without it a connector in a package without
 * `"type": "module"` is compiled to CommonJS, `require`s `@sluice/sdk` and its undici a second time,
 * and fails (`TypeError: Illegal constructor`). Plain JavaScript in a module-less package keeps
 * Node's rules (a `.js` file there is CommonJS).
 */
const TYPESCRIPT_AS_MODULE_HOOK = `export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  if (result.url.startsWith('file:') && !result.url.includes('/node_modules/') && /\\.ts$/.test(new URL(result.url).pathname)) {
    return { ...result, format: 'module' };
  }
  return result;
}`;

let typeScriptAsModules = false;

/** Registers {@link TYPESCRIPT_AS_MODULE_HOOK} once per process. */
function loadTypeScriptAsModules(): void {
  if (typeScriptAsModules) return;
  typeScriptAsModules = true;
  register(`data:text/javascript,${encodeURIComponent(TYPESCRIPT_AS_MODULE_HOOK)}`);
}

function describeImportFailure(err: unknown, file: string, absolute: string): SdkError {
  const message = err instanceof Error ? err.message : String(err);
  // tsx (esbuild) reports "<file>:<line>:<column>: ERROR: <what>" for TypeScript it cannot transform;
  // its column counts from 0.
  const transform = /:(\d+):(\d+): ERROR: (.*)/.exec(message);
  if (transform !== null) {
    return syntaxError(file, transform[1], Number(transform[2]) + 1, transform[3] ?? message, err);
  }
  if (err instanceof SyntaxError) {
    const where = locateSyntaxError(absolute);
    if (where !== undefined) return syntaxError(file, where.line, where.column, message, err);
    return loadError(`syntax error in ${file}: ${message}`, 'fix the syntax error', err);
  }
  const frame = err instanceof Error ? frameIn(err, absolute) : undefined;
  return loadError(
    `cannot load connector file ${file}${frame === undefined ? '' : ` (line ${frame})`}: ${message}`,
    (err as { code?: unknown }).code === 'ERR_MODULE_NOT_FOUND'
      ? 'install the missing package, or fix the import path'
      : 'fix the error the module throws while loading (run with --debug for the stack)',
    err,
  );
}

function syntaxError(file: string, line: unknown, column: unknown, what: string, cause: unknown): SdkError {
  return loadError(
    `syntax error in ${file} at line ${line}, column ${column}: ${what}`,
    'fix the syntax error',
    cause,
  );
}

/**
 * Node does not put the location of a syntax error in plain JavaScript into the error, so ask
 * `node --check`, whose first line is `<file>:<line>` and whose caret marks the column.
 */
function locateSyntaxError(absolute: string): { line: number; column: number } | undefined {
  try {
    execFileSync(process.execPath, ['--check', absolute], { stdio: 'pipe', timeout: 10_000 });
    return undefined;
  } catch (err) {
    const stderr = String((err as { stderr?: unknown }).stderr ?? '');
    const lines = stderr.split('\n').filter((l) => l !== '');
    const head = new RegExp(`${escapeRegExp(absolute)}:(\\d+)$`).exec(lines[0] ?? '');
    if (head === null) return undefined;
    const caret = (lines[2] ?? '').indexOf('^');
    return { line: Number(head[1]), column: caret >= 0 ? caret + 1 : 1 };
  }
}

/** The `line:column` of the first stack frame inside the connector file. */
function frameIn(err: Error, absolute: string): string | undefined {
  const url = pathToFileURL(absolute).href;
  for (const line of (err.stack ?? '').split('\n')) {
    const match = new RegExp(`(?:${escapeRegExp(absolute)}|${escapeRegExp(url)}):(\\d+):(\\d+)`).exec(line);
    if (match !== null) return `${match[1]}, column ${match[2]}`;
  }
  return undefined;
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'object') return `an object with keys ${Object.keys(value).join(', ') || '(none)'}`;
  return `${typeof value} ${JSON.stringify(value)}`;
}

function loadError(message: string, hint: string, cause?: unknown): SdkError {
  return new SdkError('SLUICE_CONNECTOR_LOAD', message, { hint, cause });
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
