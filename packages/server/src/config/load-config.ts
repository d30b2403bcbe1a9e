/**
 * Loads the settings of a connector service, once, at start-up: the defaults, then `app_config.yaml`,
 * then the project's `.env` file, then `SLUICE_*` environment variables, then the router options (the
 * flags of `sluice serve-connector`). Each layer is checked on its own, so an error names the file, line
 * or variable the bad value came from. The result is frozen. This is the only module of the server that
 * reads `process.env`.
 *
 * @module
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, relative, resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { Ajv, type ErrorObject } from 'ajv';
import { type Document, isMap, isScalar, LineCounter, type Node, parseDocument } from 'yaml';
import { ConfigError } from '../errors.js';
import { isJsonObject } from '../utils/json-object.js';
import {
  APP_SETTINGS_SCHEMA,
  type AppSettings,
  CONFIG_FILE_SCHEMA,
  CONFIG_SECTIONS,
  DEFAULT_APP_SETTINGS,
  ENVIRONMENTS,
  type Environment,
  FILE_SETTING_KEYS,
  ROUTES_DIRECTORY_ALIASES,
  SETTING_HINTS,
  SETTING_KEYS,
} from './app-settings.js';
import { convertEnvValue, ENV_PREFIX, type EnvEntry, envLines, settingOfVariable } from './env-values.js';

/** The config file a project has, in its folder. */
export const CONFIG_FILE_NAME = 'app_config.yaml';

/** Options of {@link loadConfig}. */
export interface LoadConfigOptions {
  /** The project folder: `.env` and `routes_directory` are relative to it. @default the config file's folder, else the working directory */
  cwd?: string | undefined;
  /** The config file. Without it, `<cwd>/app_config.yaml` is read when it exists. */
  configPath?: string | undefined;
  /** Where `SLUICE_*` and `ENVIRONMENT` are read. @default process.env */
  env?: Readonly<Record<string, string | undefined>> | undefined;
  /** Settings that win over every other source (command-line flags). */
  settings?: Partial<AppSettings> | undefined;
  /** Read `<project>/.env`. @default true */
  envFile?: boolean | undefined;
}

/** A key of `app_config.yaml` nobody knows: the server starts, and logs it at `warn`. */
export interface ConfigWarning {
  /** The config file. */
  readonly source: string;
  /** The key's path, as `app_settings.prot`. */
  readonly key: string;
  /** 1-based line in the file. */
  readonly line: number | undefined;
  /** `"line 3: app_settings.prot is not a setting (did you mean port?); it is ignored"`. */
  readonly message: string;
}

/** The settings after every source was applied: frozen. */
export interface ResolvedServerConfig {
  readonly settings: Readonly<AppSettings>;
  /** From `ENVIRONMENT`. @default 'dev' */
  readonly environment: Environment;
  /** The project folder (absolute). */
  readonly projectDir: string;
  /** The config file read (absolute), `undefined` when there was none. */
  readonly configFile: string | undefined;
  /** `routes_directory`, absolute. */
  readonly routesDir: string;
  /** Where each value came from: `default`, `app_config.yaml line 7`, `.env line 2`, `SLUICE_PORT`, `options`. */
  readonly sources: Readonly<Record<keyof AppSettings | 'environment', string>>;
  /** Keys of `app_config.yaml` nobody knows (ignored). */
  readonly warnings: readonly ConfigWarning[];
}

type Problem = { code: ConfigError['code']; message: string; key?: string; line?: number | undefined };

let validators: { file: ReturnType<Ajv['compile']>; settings: ReturnType<Ajv['compile']> } | undefined;

function compiled() {
  if (validators === undefined) {
    const ajv = new Ajv({ allErrors: true, strict: true });
    validators = { file: ajv.compile(CONFIG_FILE_SCHEMA), settings: ajv.compile(APP_SETTINGS_SCHEMA) };
  }
  return validators;
}

/**
 * Reads and checks the settings.
 *
 * @throws {ConfigError} `SLUICE_CONFIG_FILE` when a file cannot be read, `SLUICE_CONFIG_PARSE` when the
 *   YAML does not parse, `SLUICE_CONFIG_UNKNOWN_KEY` for a key that is no setting (naming it, the file and
 *   the line), `SLUICE_CONFIG_INVALID` for a value of the wrong type.
 */
export function loadConfig(options: LoadConfigOptions = {}): ResolvedServerConfig {
  const base = resolve(options.cwd ?? '.');
  const explicit = options.configPath === undefined ? undefined : resolve(base, options.configPath);
  const projectDir = options.cwd !== undefined || explicit === undefined ? base : dirname(explicit);
  const configFile = explicit ?? resolve(projectDir, CONFIG_FILE_NAME);
  const shown = (file: string) => relative(process.cwd(), file) || basename(file);

  const merged: Record<string, unknown> = { ...DEFAULT_APP_SETTINGS };
  const sources: Record<string, string> = Object.fromEntries(
    [...SETTING_KEYS, 'environment'].map((key) => [key, 'default']),
  );
  let environment: Environment = 'dev';
  const apply = (values: Record<string, unknown>, source: (key: string) => string) => {
    for (const [key, value] of Object.entries(values)) {
      if (key === 'environment') environment = value as Environment;
      else merged[key] = key === 'cors_origins' && typeof value === 'string' ? [value] : value;
      sources[key] = source(key);
    }
  };

  const read = explicit !== undefined || existsSync(configFile);
  let warnings: readonly ConfigWarning[] = [];
  if (read) {
    const file = readConfigFile(configFile, shown(configFile));
    warnings = file.warnings;
    apply(file.settings, (key) => `${shown(configFile)} line ${file.lines.get(key) ?? '?'}`);
  }

  const envFile = resolve(projectDir, '.env');
  if (options.envFile !== false && existsSync(envFile)) {
    apply(...envFileLayer(envFile, shown(envFile)));
  }
  const env = options.env ?? process.env;
  const variables: EnvEntry[] = Object.entries(env)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .filter(([name]) => name === 'ENVIRONMENT' || settingOfVariable(name) !== undefined)
    .map(([name, value]) => ({ name, value }));
  apply(...envLayer(variables, 'environment', false));

  if (options.settings !== undefined) {
    const given = Object.fromEntries(Object.entries(options.settings).filter(([, v]) => v !== undefined));
    check(compiled().settings, given, 'router options', ['app_settings'], () => undefined);
    apply(given, () => 'options');
  }

  if (sources.log_level === 'default') merged.log_level = merged.debug === true ? 'debug' : 'silent';
  const settings = Object.freeze({
    ...(merged as unknown as AppSettings),
    cors_origins: Object.freeze([...(merged.cors_origins as string[])]) as string[],
  });
  return Object.freeze({
    settings,
    environment,
    projectDir,
    configFile: read ? configFile : undefined,
    routesDir: resolve(projectDir, settings.routes_directory),
    sources: Object.freeze(sources) as ResolvedServerConfig['sources'],
    warnings: Object.freeze([...warnings]),
  });
}

/**
 * Parses and checks `app_config.yaml`; returns its settings (`local_development_settings` over
 * `app_settings`), the line of each, and a warning per key nobody knows.
 */
function readConfigFile(
  file: string,
  shown: string,
): { settings: Record<string, unknown>; lines: Map<string, number>; warnings: ConfigWarning[] } {
  const text = readText(file, shown, 'config file');
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const syntax = doc.errors[0];
  if (syntax !== undefined) {
    const line = lineCounter.linePos(syntax.pos[0]).line;
    throw new ConfigError(
      'SLUICE_CONFIG_PARSE',
      `${shown} line ${line}: not valid YAML: ${syntax.message.split('\n')[0]}`,
      { source: shown, line, hint: 'fix the YAML syntax (indentation, quotes, a missing colon)' },
    );
  }
  const lineAt = (path: readonly string[]) => lineOf(doc, lineCounter, path);
  const warnings: ConfigWarning[] = [];
  const value = setAsideUnknownKeys(
    doc.toJS() ?? {},
    (key, line, message) =>
      warnings.push({
        source: shown,
        key,
        line,
        message: `${line === undefined ? '' : `line ${line}: `}${message}`,
      }),
    lineAt,
  );
  check(compiled().file, value, shown, [], lineAt);
  const settings: Record<string, unknown> = {};
  const lines = new Map<string, number>();
  for (const section of CONFIG_SECTIONS) {
    const values = ((value as Record<string, Record<string, unknown> | null>)[section] ?? {}) as Record<
      string,
      unknown
    >;
    for (const [key, setting] of Object.entries(values)) {
      const name = (ROUTES_DIRECTORY_ALIASES as readonly string[]).includes(key) ? 'routes_directory' : key;
      if (!(SETTING_KEYS as readonly string[]).includes(name)) continue;
      if (name === 'routes_directory' && key !== routesDirectoryKey(values)) continue;
      const keepAppDsn =
        name === 'sentry_dsn' &&
        section !== 'app_settings' &&
        typeof settings.sentry_dsn === 'string' &&
        settings.sentry_dsn !== '';
      if (keepAppDsn) continue;
      settings[name] = setting;
      lines.set(name, lineAt([section, key]) ?? 0);
    }
  }
  return { settings, lines, warnings };
}

/** The key a section's routes directory is read from, in workflows-cdk's order. */
function routesDirectoryKey(values: Record<string, unknown>): string | undefined {
  return ['routes_directory_path', 'routes_directory', 'routes_dir', 'routes_path'].find(
    (key) => key in values,
  );
}

/**
 * A copy of the parsed file without the keys nobody knows (an unknown section, an unknown key in a section),
 * each reported through `warn` with a did-you-mean. Values of the wrong shape are left for the schema.
 */
function setAsideUnknownKeys(
  value: unknown,
  warn: (key: string, line: number | undefined, message: string) => void,
  lineAt: (path: readonly string[]) => number | undefined,
): unknown {
  if (!isJsonObject(value)) return value;
  const kept: Record<string, unknown> = {};
  for (const [section, entries] of Object.entries(value)) {
    if (!(CONFIG_SECTIONS as readonly string[]).includes(section)) {
      warn(
        section,
        lineAt([section]),
        `${section} is not a section${FILE_SETTING_KEYS.includes(section) ? ` (did you mean app_settings.${section}?)` : didYouMean(section, CONFIG_SECTIONS)}; it is ignored`,
      );
      continue;
    }
    if (!isJsonObject(entries)) {
      kept[section] = entries;
      continue;
    }
    const known: Record<string, unknown> = {};
    for (const [key, setting] of Object.entries(entries)) {
      if (FILE_SETTING_KEYS.includes(key)) known[key] = setting;
      else
        warn(
          `${section}.${key}`,
          lineAt([section, key]),
          `${section}.${key} is not a setting${didYouMean(key, FILE_SETTING_KEYS)}; it is ignored`,
        );
    }
    kept[section] = known;
  }
  return kept;
}

/** " (did you mean port?)" when a candidate is within two edits of `name`. */
function didYouMean(
  name: string,
  candidates: readonly string[],
  show: (key: string) => string = (key) => key,
): string {
  let best: { key: string; distance: number } | undefined;
  for (const key of candidates) {
    const distance = editDistance(name, key);
    if (distance <= 2 && (best === undefined || distance < best.distance)) best = { key, distance };
  }
  return best === undefined ? '' : ` (did you mean ${show(best.key)}?)`;
}

/** The `.env` layer: `SLUICE_<KEY>` and `ENVIRONMENT`; any other `SLUICE_*` name is a typo. */
function envFileLayer(file: string, shown: string): [Record<string, unknown>, (key: string) => string] {
  const text = readText(file, shown, '.env file');
  let parsed: Record<string, string>;
  try {
    parsed = parseEnv(text) as Record<string, string>;
  } catch (err) {
    throw new ConfigError('SLUICE_CONFIG_PARSE', `${shown}: cannot parse: ${(err as Error).message}`, {
      source: shown,
      hint: 'write one NAME=value per line',
      cause: err,
    });
  }
  const lines = envLines(text);
  const entries = Object.entries(parsed)
    .filter(([name]) => name === 'ENVIRONMENT' || name.startsWith(ENV_PREFIX))
    .map(([name, value]) => ({ name, value, line: lines.get(name) }));
  return envLayer(entries, shown, true);
}

/** Converts and checks variables; `strict` makes an unknown `SLUICE_*` name an error (in `.env`). */
function envLayer(
  entries: readonly EnvEntry[],
  source: string,
  strict: boolean,
): [Record<string, unknown>, (key: string) => string] {
  const values: Record<string, unknown> = {};
  const origin: Record<string, string> = {};
  const problems: Problem[] = [];
  for (const { name, value, line } of entries) {
    const where = line === undefined ? name : `${source} line ${line}`;
    if (name === 'ENVIRONMENT') {
      const environment = environmentOf(value);
      if (environment === undefined) {
        problems.push({
          code: 'SLUICE_CONFIG_INVALID',
          key: 'ENVIRONMENT',
          line,
          message: `ENVIRONMENT must be one of ${ENVIRONMENTS.join(', ')} or production, staging, development, in any case (got ${JSON.stringify(value)})`,
        });
      } else {
        values.environment = environment;
        origin.environment = where;
      }
      continue;
    }
    const key = settingOfVariable(name);
    if (key === undefined) {
      if (strict) {
        problems.push({
          code: 'SLUICE_CONFIG_UNKNOWN_KEY',
          key: name,
          line,
          message: `${name} is not a setting${suggest(name.slice(ENV_PREFIX.length).toLowerCase(), ENV_PREFIX)}`,
        });
      }
      continue;
    }
    const converted = convertEnvValue(key, value);
    if (converted.problem !== undefined) {
      problems.push({
        code: 'SLUICE_CONFIG_INVALID',
        key: name,
        line,
        message: `${name} ${converted.problem}`,
      });
      continue;
    }
    values[key] = converted.value;
    origin[key] = where;
  }
  const settings = Object.fromEntries(Object.entries(values).filter(([key]) => key !== 'environment'));
  const validate = compiled().settings;
  if (problems.length === 0 && !validate(settings)) {
    for (const error of validate.errors ?? []) {
      const key = error.instancePath.split('/')[1] ?? '';
      const entry = entries.find((e) => settingOfVariable(e.name) === key);
      problems.push({
        code: 'SLUICE_CONFIG_INVALID',
        key: entry?.name ?? key,
        line: entry?.line,
        message: `${entry?.name ?? key} must be ${SETTING_HINTS[key as keyof AppSettings] ?? 'valid'} (got ${display(key, settings[key])})`,
      });
    }
  }
  raise(problems, source);
  return [values, (key) => origin[key] ?? source];
}

/** workflows-cdk's names of the environments, and ours; empty is `dev`. */
const ENVIRONMENT_NAMES: Readonly<Record<string, Environment>> = {
  '': 'dev',
  dev: 'dev',
  development: 'dev',
  stage: 'stage',
  staging: 'stage',
  prod: 'prod',
  production: 'prod',
};

/** The environment an `ENVIRONMENT` value names (any case), or `undefined`. */
export function environmentOf(value: string): Environment | undefined {
  const name = value.trim().toLowerCase();
  return Object.hasOwn(ENVIRONMENT_NAMES, name) ? ENVIRONMENT_NAMES[name] : undefined;
}

/** Validates `value` with `validate`; a failure names each key (with its line) and what it accepts. */
function check(
  validate: ReturnType<Ajv['compile']>,
  value: unknown,
  source: string,
  prefix: readonly string[],
  lineAt: (path: readonly string[]) => number | undefined,
): void {
  if (validate(value)) return;
  const problems: Problem[] = [];
  const seen = new Set<string>();
  for (const error of validate.errors ?? []) {
    const path = [...prefix, ...error.instancePath.split('/').slice(1)];
    if (error.keyword === 'additionalProperties') {
      const extra = String((error as ErrorObject<'additionalProperties'>).params.additionalProperty);
      const keyPath = [...path, extra];
      const where = [...path].join('.');
      problems.push({
        code: 'SLUICE_CONFIG_UNKNOWN_KEY',
        key: keyPath.join('.'),
        line: lineAt(keyPath.slice(prefix.length)),
        message: `${keyPath.join('.')} is not a setting${suggest(extra, where === 'app_settings' ? '' : undefined)}`,
      });
      continue;
    }
    const key = path.join('.');
    if (seen.has(key)) continue;
    seen.add(key);
    const setting = path[path.length - 1] as keyof AppSettings;
    const accepted =
      path.length === 2 &&
      (CONFIG_SECTIONS as readonly string[]).includes(path[0] ?? '') &&
      setting in SETTING_HINTS
        ? SETTING_HINTS[setting]
        : 'a mapping of settings';
    const got = getIn(value, path.slice(prefix.length));
    problems.push({
      code: 'SLUICE_CONFIG_INVALID',
      key: key || '(the document)',
      line: lineAt(path.slice(prefix.length)),
      message: `${key || 'the document'} must be ${accepted} (got ${display(setting, got)})`,
    });
  }
  raise(problems, source);
}

function raise(problems: readonly Problem[], source: string): void {
  const first = problems[0];
  if (first === undefined) return;
  const text = problems
    .map((p) => (p.line === undefined ? p.message : `line ${p.line}: ${p.message}`))
    .join('; ');
  throw new ConfigError(first.code, `${source}: ${text}`, {
    source,
    ...(first.key === undefined ? {} : { key: first.key }),
    ...(first.line === undefined ? {} : { line: first.line }),
    hint:
      first.code === 'SLUICE_CONFIG_UNKNOWN_KEY'
        ? `the settings under app_settings are ${SETTING_KEYS.join(', ')}; set them from the environment as ${ENV_PREFIX}<KEY>`
        : 'fix the value; docs/server.md lists every setting and what it accepts',
  });
}

/** " (did you mean port?)" when a setting is close to `name`; `prefix` goes before it (upper case after one). */
function suggest(name: string, prefix: string | undefined): string {
  if (prefix === undefined) return '';
  return didYouMean(name, SETTING_KEYS, (key) => (prefix === '' ? key : `${prefix}${key.toUpperCase()}`));
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i += 1) {
    let previous = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j += 1) {
      const current = row[j] ?? 0;
      row[j] = Math.min(current + 1, (row[j - 1] ?? 0) + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length] ?? 0;
}

function display(key: string, value: unknown): string {
  if (key === 'sentry_dsn' && typeof value === 'string') return 'a string that is not a DSN';
  return value === undefined ? 'nothing' : JSON.stringify(value);
}

function getIn(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const segment of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

/** The 1-based line of the key at `path` in the YAML document (of the value when it has no key). */
function lineOf(doc: Document, lineCounter: LineCounter, path: readonly string[]): number | undefined {
  let node: unknown = doc.contents;
  let at: Node | undefined = isScalar(node) || isMap(node) ? (node as Node) : undefined;
  for (const segment of path) {
    if (!isMap(node)) break;
    const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === segment);
    if (pair === undefined) break;
    at = pair.key as Node;
    node = pair.value;
  }
  const offset = at?.range?.[0];
  return offset === undefined ? undefined : lineCounter.linePos(offset).line;
}

function readText(file: string, shown: string, what: string): string {
  try {
    if (!statSync(file).isFile()) throw new Error('it is not a file');
    return readFileSync(file, 'utf8');
  } catch (err) {
    const missing = (err as { code?: unknown }).code === 'ENOENT';
    throw new ConfigError(
      'SLUICE_CONFIG_FILE',
      `cannot read ${what} ${shown}: ${missing ? 'it does not exist' : (err as Error).message}`,
      { source: shown, cause: err, hint: missing ? 'check the path' : 'check that it is a readable file' },
    );
  }
}
