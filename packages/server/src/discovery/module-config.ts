/**
 * Module metadata, as workflows-cdk reports it in `GET /app-config` and `GET /modules-list`: one entry per
 * route folder, named by the `module_config.yaml` beside the route file when there is one
 * (`module_settings: { module_name, module_description, ... }`), else from the folder names.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { isJsonObject, type JsonObject } from '../utils/json-object.js';

/** One module, with workflows-cdk's field names. */
export interface ModuleInfo {
  /** `<app_type>-<module_type>-<version>`, dots of the version as `_`: `acme-create_ticket-1`. */
  readonly module_id: string;
  readonly app_type: string;
  /** `module_settings.module_type`, else the module folder's name. */
  readonly module_type: string;
  /** `module_settings.module_category`. @default 'action' */
  readonly module_category: string;
  /** `module_settings.module_name`, else the module type in title case (`create_ticket` is `Create Ticket`). */
  readonly module_name: string;
  /** `module_settings.module_version`, else the version folder; without its leading `v`. */
  readonly module_version: string;
  /** @default '' */
  readonly module_description: string;
  /** `<module>/<version>`, relative to the routes directory. */
  readonly module_path: string;
}

/** What reading a route folder's module metadata gives: the entry, and a problem with its file if any. */
export interface ModuleInfoResult {
  readonly module: ModuleInfo;
  /** Why `module_config.yaml` was not used (it does not parse, or is not a mapping); the log shows it. */
  readonly problem: string | undefined;
}

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : undefined;

/** Builds the module entry of `<module>/<version>`, reading `configFile` (a `module_config.yaml`) when given. */
export function moduleInfo(
  module: string,
  version: string,
  appType: string,
  configFile: string | undefined,
): ModuleInfoResult {
  let settings: JsonObject = {};
  let problem: string | undefined;
  if (configFile !== undefined) {
    try {
      const parsed: unknown = parse(readFileSync(configFile, 'utf8')) ?? {};
      if (!isJsonObject(parsed)) problem = 'it is not a mapping';
      else if (parsed.module_settings !== undefined && !isJsonObject(parsed.module_settings)) {
        problem = 'module_settings is not a mapping';
      } else settings = (parsed.module_settings as JsonObject | undefined) ?? {};
    } catch (err) {
      problem = `it cannot be read: ${(err as Error).message.split('\n')[0]}`;
    }
  }
  const moduleType = text(settings.module_type) ?? module;
  const moduleVersion = (text(settings.module_version) ?? version).replace(/^v/, '') || 'latest';
  return {
    module: {
      module_id: `${appType}-${moduleType}-${moduleVersion.replaceAll('.', '_')}`,
      app_type: appType,
      module_type: moduleType,
      module_category: text(settings.module_category) ?? 'action',
      module_name: text(settings.module_name) ?? titleCase(moduleType),
      module_version: moduleVersion,
      module_description: text(settings.module_description) ?? '',
      module_path: `${module}/${version}`,
    },
    problem,
  };
}

/** `create_ticket` as `Create Ticket`, like Python's `str.title()` after replacing `_` by spaces. */
function titleCase(name: string): string {
  return name
    .replaceAll('_', ' ')
    .replace(/[A-Za-z]+/g, (word) => word.charAt(0).toUpperCase() + word.slice(1).toLowerCase());
}
