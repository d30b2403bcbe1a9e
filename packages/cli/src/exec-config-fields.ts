/**
 * `sluice exec --config-fields <json|file>`: the values of an action's or trigger's config fields
 * (Workato's `--config-fields`), checked against the path they apply to.
 *
 * @module
 */
import { CliError } from './errors.js';
import type { ExecTarget } from './exec-path.js';
import { loadDataOption } from './load-data-file.js';

/** The paths `--config-fields` applies to. */
export const CONFIG_FIELDS_TARGETS: readonly ExecTarget['kind'][] = [
  'action',
  'actionFields',
  'trigger',
  'triggerPoll',
  'triggerFields',
  'webhookSubscribe',
];

/**
 * Reads `--config-fields` for `path` (`undefined` when it is not given).
 *
 * @throws {CliError} `SLUICE_CLI_OPTION` when the path takes no config fields; `SLUICE_CLI_FILE_READ` /
 * `SLUICE_CLI_FILE_PARSE` when the value or file does not parse or holds no object.
 */
export function loadConfigFields(
  value: string | undefined,
  target: ExecTarget,
  path: string,
): Record<string, unknown> | undefined {
  if (value === undefined) return undefined;
  if (!CONFIG_FIELDS_TARGETS.includes(target.kind)) {
    throw new CliError('SLUICE_CLI_OPTION', `--config-fields does not apply to ${path}`, {
      hint: '--config-fields applies to actions.<name>, triggers.<name>, triggers.<name>.poll, triggers.<name>.webhookSubscribe and their .inputFields/.outputFields',
    });
  }
  const values = loadDataOption(value, '--config-fields');
  if (typeof values === 'object' && values !== null && !Array.isArray(values)) {
    return values as Record<string, unknown>;
  }
  const where = /^\s*[[{]/.test(value) ? '--config-fields value' : `--config-fields file ${value}`;
  throw new CliError(
    'SLUICE_CLI_FILE_PARSE',
    `${where} must hold an object of config field values, got ${Array.isArray(values) ? 'an array' : values === null ? 'null' : `a ${typeof values}`}`,
    { hint: `map each config field to its value, e.g. --config-fields '{"object": "customer"}'` },
  );
}
