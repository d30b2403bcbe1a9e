/**
 * The profile `sluice login` writes and the service commands read: the service's URL and an API key, in
 * `$SLUICE_CONFIG_DIR/profile.json`, else `~/.config/sluice/profile.json`. The file is written with mode
 * 0600 in a folder of mode 0700: the key in it opens the service.
 *
 * @module
 */
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { CliError } from './errors.js';

/** What the profile holds. */
export interface Profile {
  /** The service's base URL, e.g. `http://127.0.0.1:8080`. */
  server: string;
  /** An API key (`sluice keys create`). */
  key: string;
}

/** The environment variables the profile's place depends on. */
export interface ProfileEnv {
  SLUICE_CONFIG_DIR?: string | undefined;
  HOME?: string | undefined;
}

/** Where the profile is: `$SLUICE_CONFIG_DIR/profile.json`, else `~/.config/sluice/profile.json`. */
export function profileFile(env: ProfileEnv): string {
  const dir = env.SLUICE_CONFIG_DIR;
  if (dir !== undefined && dir !== '') return join(dir, 'profile.json');
  return join(env.HOME ?? homedir(), '.config', 'sluice', 'profile.json');
}

/**
 * Reads the profile at `file`; `undefined` when there is none.
 *
 * @throws {CliError} `SLUICE_CLI_FILE_READ` when it cannot be read, `SLUICE_CLI_LOGIN` when it is not
 * the JSON `sluice login` writes.
 */
export function readProfile(file: string): Profile | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CliError('SLUICE_CLI_FILE_READ', `cannot read the profile ${file}: ${(err as Error).message}`, {
      cause: err,
      hint: 'check its permissions, or run "sluice login" again',
    });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw malformed(file, 'it is not JSON', err);
  }
  const profile = value as Partial<Profile> | null;
  if (typeof profile !== 'object' || profile === null || Array.isArray(profile)) {
    throw malformed(file, 'it is not a JSON object');
  }
  for (const field of ['server', 'key'] as const) {
    if (typeof profile[field] !== 'string' || profile[field] === '') {
      throw malformed(file, `"${field}" is missing or not a string`);
    }
  }
  return { server: profile.server as string, key: profile.key as string };
}

function malformed(file: string, why: string, cause?: unknown): CliError {
  return new CliError('SLUICE_CLI_LOGIN', `the profile ${file} is malformed: ${why}`, {
    ...(cause === undefined ? {} : { cause }),
    hint: 'run "sluice login" to write it again, or "sluice logout" to remove it',
  });
}

/**
 * Writes `profile` to `file`, readable by its owner only (0600, its folder 0700), replacing any.
 *
 * @throws {CliError} `SLUICE_CLI_FILE_WRITE` when it cannot be written.
 */
export function writeProfile(file: string, profile: Profile): void {
  try {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    writeFileSync(file, `${JSON.stringify({ server: profile.server, key: profile.key }, null, 2)}\n`, {
      mode: 0o600,
    });
    // `mode` applies only to a new file: an older one keeps its mode otherwise.
    chmodSync(file, 0o600);
  } catch (err) {
    throw new CliError(
      'SLUICE_CLI_FILE_WRITE',
      `cannot write the profile ${file}: ${(err as Error).message}`,
      {
        cause: err,
        hint: 'set SLUICE_CONFIG_DIR to a folder you can write',
      },
    );
  }
}

/** Removes the profile at `file`; tells whether there was one. */
export function removeProfile(file: string): boolean {
  try {
    readFileSync(file);
  } catch {
    return false;
  }
  rmSync(file, { force: true });
  return true;
}
