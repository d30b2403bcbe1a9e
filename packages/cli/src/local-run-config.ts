/**
 * Local run settings: `sluice.yaml` (beside the workflow file or in a folder above it, else in the working
 * directory), and the `--system-apis` / `--user` flags that override it key by key. The file holds `system_apis` (`SYSTEM_APIS`), `user` (`USER`) and
 * `secret_names` (more key names whose values are redacted); every key is optional.
 *
 * ```yaml
 * system_apis:
 *   my_app: http://127.0.0.1:4010
 * user:
 *   email: dev@example.com
 *   token: my-app-secret-token
 * secret_names: [api_token]
 * ```
 *
 * Only `sluice run` reads it, so it lives in the CLI.
 *
 * @module
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { EngineError } from '@sluice/engine';

/** The name of the settings file. */
export const LOCAL_CONFIG_FILE = 'sluice.yaml';

/** Resolved local run settings. */
export interface LocalRunConfig {
  /** `SYSTEM_APIS`. */
  systemApis: Record<string, unknown>;
  /** `USER`. */
  user: Record<string, unknown>;
  /** Key names whose values are secret, beyond the defaults. */
  secretNames: string[];
}

const KEYS = ['system_apis', 'user', 'secret_names'];

/**
 * The `sluice.yaml` a run of `workflowFile` uses: the first one beside the workflow file or in a folder
 * above it, else the one in `cwd`; `undefined` when there is none. Beside the workflow first, so a
 * workflow runs with its own settings from wherever the command is typed.
 */
export function findLocalRunConfig(workflowFile: string, cwd: string): string | undefined {
  let folder = dirname(resolve(cwd, workflowFile));
  for (;;) {
    const candidate = join(folder, LOCAL_CONFIG_FILE);
    if (isFile(candidate)) return candidate;
    const parent = dirname(folder);
    if (parent === folder) break;
    folder = parent;
  }
  const inCwd = join(resolve(cwd), LOCAL_CONFIG_FILE);
  return isFile(inCwd) ? inCwd : undefined;
}

/** Where SYSTEM_APIS and USER come from, for hints: the file used, or where none was found. */
export function describeConfigSources(
  workflowFile: string,
  configName: string,
  configFile: string | undefined,
): string {
  const from =
    configFile === undefined
      ? `no ${LOCAL_CONFIG_FILE} was found beside ${workflowFile}, in a folder above it, or in the working directory`
      : `this run read ${configName}`;
  return `SYSTEM_APIS and USER are read from ${LOCAL_CONFIG_FILE} (system_apis, user), then --system-apis and --user; ${from}`;
}

function isFile(path: string): boolean {
  return existsSync(path) && statSync(path).isFile();
}

/**
 * Checks the content of a `sluice.yaml` (`undefined` when there is none).
 *
 * @throws {EngineError} `SLUICE_RUN_CONFIG` naming the file and the key when a key is unknown or of the
 * wrong type.
 */
export function parseLocalRunConfig(value: unknown, file: string): LocalRunConfig {
  if (value === undefined || value === null) return { systemApis: {}, user: {}, secretNames: [] };
  if (!isRecord(value))
    throw configError(file, '', 'must be a mapping of system_apis, user and secret_names');
  for (const key of Object.keys(value)) {
    if (!KEYS.includes(key)) {
      throw configError(file, key, 'is not a setting', `use ${KEYS.join(', ')}`);
    }
  }
  const names = value.secret_names ?? [];
  if (!Array.isArray(names) || !names.every((n) => typeof n === 'string' && n !== '')) {
    throw configError(file, 'secret_names', 'must be a list of key names');
  }
  return {
    systemApis: mapping(value.system_apis, file, 'system_apis'),
    user: mapping(value.user, file, 'user'),
    secretNames: names as string[],
  };
}

/**
 * Applies the flags over the file's settings: each flag's keys replace the file's same keys.
 *
 * @throws {EngineError} `SLUICE_RUN_CONFIG` when a flag's value is not a mapping.
 */
export function withRunFlags(
  config: LocalRunConfig,
  flags: { systemApis?: unknown; user?: unknown },
): LocalRunConfig {
  return {
    ...config,
    systemApis: { ...config.systemApis, ...mapping(flags.systemApis, '--system-apis', '') },
    user: { ...config.user, ...mapping(flags.user, '--user', '') },
  };
}

function mapping(value: unknown, file: string, key: string): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (!isRecord(value)) throw configError(file, key, 'must be a mapping (an object)');
  return value;
}

function configError(file: string, key: string, message: string, hint?: string): EngineError {
  return new EngineError('SLUICE_RUN_CONFIG', `${file}${key === '' ? '' : ` ${key}`}: ${message}`, {
    hint: hint ?? 'see "sluice.yaml" in docs/engine.md',
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
