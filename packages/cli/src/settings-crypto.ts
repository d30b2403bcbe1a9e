/**
 * Encrypted settings files (`settings.yaml.enc`) and their key (`master.key`, or `SLUICE_MASTER_KEY`).
 *
 * The format is Sluice's own, not Workato's ActiveSupport `EncryptedFile`: a first line
 * `sluice-encrypted-settings v1 aes-256-gcm`, then one line of base64 holding a random 12-byte IV, the
 * 16-byte GCM tag and the ciphertext of the YAML text, in that order. The first line is the
 * authenticated data, so a changed header fails like a wrong key. A key is 32 random bytes written as 64
 * hex characters.
 *
 * @module
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CliError } from './errors.js';

/** The first line of an encrypted settings file. */
export const ENCRYPTED_HEADER = 'sluice-encrypted-settings v1 aes-256-gcm';

/** The environment variable that holds the key (64 hex characters). */
export const MASTER_KEY_ENV = 'SLUICE_MASTER_KEY';

/** The key file's name, looked for beside the encrypted file. */
export const MASTER_KEY_FILE = 'master.key';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_PATTERN = /^[0-9a-f]{64}$/i;

/** A key, and where it came from for messages: `key file master.key` or `SLUICE_MASTER_KEY`. */
export interface SettingsKey {
  readonly key: Buffer;
  readonly source: string;
}

/** Where to look for the key of `file`. */
export interface KeyLookup {
  /** `--key <file>`: wins over everything else. */
  readonly keyFile?: string | undefined;
  /** The environment (`SLUICE_MASTER_KEY`). */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** A new random key, as the key file holds it (64 hex characters, no newline). */
export function generateKey(): string {
  return randomBytes(32).toString('hex');
}

/** Whether `text` is an encrypted settings file (by its first line). */
export function isEncryptedText(text: string): boolean {
  return text.startsWith(ENCRYPTED_HEADER);
}

/** Where the key of the encrypted file `file` is read from, if it is not in the environment. */
export function keyFileFor(file: string, lookup: KeyLookup): string {
  return lookup.keyFile ?? join(dirname(file), MASTER_KEY_FILE);
}

/**
 * The key for the encrypted file `file`: from `--key`, else `SLUICE_MASTER_KEY`, else `master.key` beside
 * the file. `undefined` when none of them is there (a missing `--key` file is an error).
 *
 * @throws {CliError} `SLUICE_CLI_SETTINGS_KEY` when the key is malformed, or the `--key` file is missing.
 */
export function findKey(file: string, lookup: KeyLookup): SettingsKey | undefined {
  if (lookup.keyFile === undefined) {
    const fromEnv = lookup.env[MASTER_KEY_ENV];
    if (fromEnv !== undefined && fromEnv !== '')
      return { key: parseKey(fromEnv, MASTER_KEY_ENV), source: MASTER_KEY_ENV };
  }
  const keyFile = keyFileFor(file, lookup);
  if (!existsSync(keyFile)) {
    if (lookup.keyFile === undefined) return undefined;
    throw new CliError('SLUICE_CLI_SETTINGS_KEY', `--key file ${keyFile} not found`, {
      hint: `check the path, or leave --key out to use ${MASTER_KEY_ENV} or ${MASTER_KEY_FILE} beside ${file}`,
    });
  }
  let text: string;
  try {
    text = readFileSync(keyFile, 'utf8');
  } catch (err) {
    throw new CliError(
      'SLUICE_CLI_SETTINGS_KEY',
      `cannot read key file ${keyFile}: ${(err as Error).message}`,
      {
        cause: err,
        hint: 'check that it is a file you may read',
      },
    );
  }
  const source = `key file ${keyFile}`;
  return { key: parseKey(text, source), source };
}

/**
 * The key of `file`, which must exist.
 *
 * @throws {CliError} `SLUICE_CLI_SETTINGS_KEY` when there is none, or it is malformed.
 */
export function requireKey(file: string, lookup: KeyLookup): SettingsKey {
  const found = findKey(file, lookup);
  if (found !== undefined) return found;
  throw new CliError(
    'SLUICE_CLI_SETTINGS_KEY',
    `no key to decrypt ${file}: ${keyFileFor(file, lookup)} not found and ${MASTER_KEY_ENV} not set`,
    {
      hint: `put the key in ${keyFileFor(file, lookup)}, set ${MASTER_KEY_ENV}, or name its file with --key`,
    },
  );
}

function parseKey(text: string, source: string): Buffer {
  const hex = text.trim();
  if (!KEY_PATTERN.test(hex)) {
    // The value is never quoted: it may be a real key of another format.
    throw new CliError(
      'SLUICE_CLI_SETTINGS_KEY',
      `${source} does not hold a Sluice key: expected 64 hex characters, got ${hex.length} characters`,
      { hint: 'a key made by "sluice edit" is 32 random bytes in hex; Workato master keys do not fit' },
    );
  }
  return Buffer.from(hex, 'hex');
}

/** Encrypts YAML text into the content of an encrypted settings file. */
export function encryptSettings(plain: string, key: Buffer): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(ENCRYPTED_HEADER));
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  const payload = Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
  return `${ENCRYPTED_HEADER}\n${payload}\n`;
}

/**
 * Decrypts the content of the encrypted settings file `file` into its YAML text.
 *
 * @throws {CliError} `SLUICE_CLI_FILE_PARSE` when the content is not an encrypted settings file,
 * `SLUICE_CLI_SETTINGS_KEY` when the key does not open it (wrong key, or the file was changed).
 */
export function decryptSettings(text: string, key: SettingsKey, file: string): string {
  const [header, payload = '', ...rest] = text.split('\n');
  const trailing = rest.every((line) => line.trim() === '');
  const bytes = Buffer.from(payload.trim(), 'base64');
  if (header !== ENCRYPTED_HEADER || !trailing || bytes.length < IV_BYTES + TAG_BYTES) {
    throw new CliError('SLUICE_CLI_FILE_PARSE', `${file} is not a Sluice encrypted settings file`, {
      hint: `its first line must be "${ENCRYPTED_HEADER}"; write it with "sluice edit ${file}"`,
    });
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', key.key, bytes.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(ENCRYPTED_HEADER));
    decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    const body = bytes.subarray(IV_BYTES + TAG_BYTES);
    return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
  } catch (err) {
    throw new CliError(
      'SLUICE_CLI_SETTINGS_KEY',
      `cannot decrypt ${file} with the ${key.source}: wrong key, or the file was changed`,
      { cause: err, hint: 'use the key the file was written with (--key <file> or SLUICE_MASTER_KEY)' },
    );
  }
}
