/**
 * Settings from environment variables: `SLUICE_<KEY>` names a setting (`SLUICE_PORT` is `port`) and
 * `ENVIRONMENT` the environment. Values are strings; this turns them into the setting's type. Pure.
 *
 * @module
 */
import { type AppSettings, SETTING_HINTS, SETTING_KEYS } from './app-settings.js';

/** The prefix of the variables that set a setting. */
export const ENV_PREFIX = 'SLUICE_';

/** One variable and the line it is on (in a `.env` file). */
export interface EnvEntry {
  readonly name: string;
  readonly value: string;
  readonly line?: number | undefined;
}

/** The setting a variable name sets, or `undefined` when it is not `SLUICE_<known key>`. */
export function settingOfVariable(name: string): keyof AppSettings | undefined {
  if (!name.startsWith(ENV_PREFIX)) return undefined;
  const key = name.slice(ENV_PREFIX.length).toLowerCase();
  return (SETTING_KEYS as readonly string[]).includes(key) ? (key as keyof AppSettings) : undefined;
}

/** The line each variable of a `.env` text is defined on (the last definition wins, as in parseEnv). */
export function envLines(text: string): Map<string, number> {
  const lines = new Map<string, number>();
  text.split(/\r?\n/).forEach((line, index) => {
    const match = /^\s*(?:export\s+)?([\w.-]+)\s*=/.exec(line);
    if (match?.[1] !== undefined) lines.set(match[1], index + 1);
  });
  return lines;
}

/**
 * Turns the string of a variable into the setting's value. Returns `{ problem }` when it does not convert
 * (`SLUICE_PORT=abc`); range checks are left to the settings schema.
 */
export function convertEnvValue(
  key: keyof AppSettings,
  value: string,
): { value: unknown; problem?: undefined } | { problem: string } {
  const text = value.trim();
  switch (key) {
    case 'port':
      return /^\d+$/.test(text)
        ? { value: Number(text) }
        : { problem: `must be ${SETTING_HINTS.port} (got ${JSON.stringify(value)})` };
    case 'debug': {
      const lower = text.toLowerCase();
      if (['true', '1', 'yes', 'on'].includes(lower)) return { value: true };
      if (['false', '0', 'no', 'off', ''].includes(lower)) return { value: false };
      return { problem: `must be true or false (got ${JSON.stringify(value)})` };
    }
    case 'cors_origins':
      if (text.startsWith('[')) {
        try {
          return { value: JSON.parse(text) as unknown };
        } catch {
          return { problem: `is not a JSON list (got ${JSON.stringify(value)})` };
        }
      }
      return {
        value: text
          .split(',')
          .map((origin) => origin.trim())
          .filter((origin) => origin !== ''),
      };
    case 'sentry_dsn':
      return { value: text === '' ? null : text };
    default:
      return { value: text };
  }
}
