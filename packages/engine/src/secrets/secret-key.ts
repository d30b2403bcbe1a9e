/**
 * The service's secret key: 32 bytes from `SLUICE_SECRET_KEY` (base64, base64url or hex), else from
 * `<dataDir>/secret.key`, created with mode 0600 on first start. Everything secret the engine makes
 * (sealed connection values, run tokens, webhook secrets) comes from sub-keys derived from it with HKDF,
 * one per purpose, so a sub-key that leaks reveals neither the key nor the other sub-keys.
 *
 * @module
 */
import { hkdfSync, randomBytes } from 'node:crypto';
import { link, mkdir, open, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { EngineError } from '../errors.js';

/** The length of the secret key and of every sub-key, in bytes. */
export const SECRET_KEY_BYTES = 32;

/** The environment variable `loadSecretKey` reads first. */
export const SECRET_KEY_ENV = 'SLUICE_SECRET_KEY';

/** The key file's name in the data dir. */
export const SECRET_KEY_FILE = 'secret.key';

/** Options of {@link loadSecretKey}. */
export interface LoadSecretKeyOptions {
  /** The environment (`process.env` in `sluice serve`); only `SLUICE_SECRET_KEY` is read. */
  env: Readonly<Record<string, string | undefined>>;
  /** The folder of the key file, created when missing (`.sluice` by default in `sluice serve`). */
  dataDir: string;
}

/** Where the key came from; never the key itself, so it can be printed. */
export type SecretKeySource =
  | { kind: 'env'; variable: typeof SECRET_KEY_ENV }
  | { kind: 'file'; path: string; created: boolean };

/** A loaded secret key and its source. */
export interface LoadedSecretKey {
  key: Buffer;
  source: SecretKeySource;
}

const HEX = /^[0-9a-fA-F]{64}$/;
// 32 bytes are 43 base64 characters plus one `=` of padding; `+/` and `-_` are both accepted.
const BASE64 = /^[A-Za-z0-9+/_-]{43}=?$/;

const ACCEPTED = '32 bytes as base64 or base64url (43 or 44 characters), or as 64 hex characters';
const MAKE_ONE = 'make one with: openssl rand -base64 32';

/**
 * Reads the key from `SLUICE_SECRET_KEY`, else from `<dataDir>/secret.key`, creating that file (mode
 * 0600, base64url text) on first start. Creation is atomic: the key is written to a temporary file and
 * hard-linked into place, so two processes starting at once end up with the same key.
 *
 * @example
 * const { key, source } = await loadSecretKey({ env: process.env, dataDir: '.sluice' });
 * const engine = createEngine({ store, secretKey: key });
 * @throws {EngineError} `SLUICE_SECRET_KEY` when the variable or the file holds anything but a
 * 32-byte key in an accepted form (the message names where, never the value).
 */
export async function loadSecretKey(options: LoadSecretKeyOptions): Promise<LoadedSecretKey> {
  const fromEnv = options.env[SECRET_KEY_ENV];
  if (fromEnv !== undefined) {
    return {
      key: parseSecretKey(fromEnv, SECRET_KEY_ENV),
      source: { kind: 'env', variable: SECRET_KEY_ENV },
    };
  }
  const path = join(options.dataDir, SECRET_KEY_FILE);
  const existing = await readKeyFile(path);
  if (existing !== undefined) return { key: existing, source: { kind: 'file', path, created: false } };
  await mkdir(options.dataDir, { recursive: true, mode: 0o700 });
  const created = await createKeyFile(path);
  if (created !== undefined) return { key: created, source: { kind: 'file', path, created: true } };
  // Another process created it between our read and our link: use its key.
  const raced = await readKeyFile(path);
  if (raced === undefined) {
    throw new EngineError('SLUICE_SECRET_KEY', `the key file ${path} vanished while it was being created`, {
      hint: 'start the service again',
    });
  }
  return { key: raced, source: { kind: 'file', path, created: false } };
}

/**
 * Parses a key in an accepted form (see {@link loadSecretKey}); `where` names the variable or file in
 * the error.
 *
 * @throws {EngineError} `SLUICE_SECRET_KEY` naming `where` and the accepted forms, never the value.
 */
export function parseSecretKey(text: string, where: string): Buffer {
  const value = text.trim();
  if (HEX.test(value)) return Buffer.from(value, 'hex');
  if (BASE64.test(value)) {
    const key = Buffer.from(value.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (key.length === SECRET_KEY_BYTES) return key;
  }
  const what = value === '' ? 'is empty' : `is not a secret key (${value.length} characters)`;
  throw new EngineError('SLUICE_SECRET_KEY', `${where} ${what}: it must be ${ACCEPTED}`, { hint: MAKE_ONE });
}

/** Purposes of the sub-keys the engine derives; each gets an independent key. */
export type SubKeyPurpose = 'vault' | 'run-tokens' | (string & {});

/**
 * The 32-byte sub-key of `key` for `purpose` (HKDF-SHA256, the purpose as `info`). The same key and
 * purpose always give the same sub-key.
 *
 * @throws {EngineError} `SLUICE_SECRET_KEY` when `key` is not 32 bytes.
 */
export function deriveSubKey(key: Buffer, purpose: SubKeyPurpose): Buffer {
  assertSecretKey(key, 'the secret key');
  return Buffer.from(hkdfSync('sha256', key, 'sluice', `sluice/v1/${purpose}`, SECRET_KEY_BYTES));
}

/**
 * Checks that `key` is a 32-byte buffer.
 *
 * @throws {EngineError} `SLUICE_SECRET_KEY` naming `what`.
 */
export function assertSecretKey(key: unknown, what: string): asserts key is Buffer {
  if (!Buffer.isBuffer(key) || key.length !== SECRET_KEY_BYTES) {
    const got = Buffer.isBuffer(key) ? `${key.length} bytes` : typeof key;
    throw new EngineError('SLUICE_SECRET_KEY', `${what} must be ${SECRET_KEY_BYTES} bytes (got ${got})`, {
      hint: MAKE_ONE,
    });
  }
}

async function readKeyFile(path: string): Promise<Buffer | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new EngineError(
      'SLUICE_SECRET_KEY',
      `cannot read the key file ${path}: ${(err as Error).message}`,
      {
        cause: err,
        hint: 'check its permissions, or set SLUICE_SECRET_KEY',
      },
    );
  }
  return parseSecretKey(text, `the key file ${path}`);
}

/** Writes a new key to `path` unless it exists; resolves the key, or `undefined` when another won. */
async function createKeyFile(path: string): Promise<Buffer | undefined> {
  const key = randomBytes(SECRET_KEY_BYTES);
  const temp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const file = await open(temp, 'wx', 0o600);
  try {
    await file.writeFile(`${key.toString('base64url')}\n`);
    await file.sync();
  } finally {
    await file.close();
  }
  try {
    // link(2) fails with EEXIST instead of replacing: a concurrent creator's key is never clobbered,
    // and readers never see a half-written file.
    await link(temp, path);
    return key;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return undefined;
    throw new EngineError(
      'SLUICE_SECRET_KEY',
      `cannot create the key file ${path}: ${(err as Error).message}`,
      {
        cause: err,
        hint: 'check that the data dir is writable, or set SLUICE_SECRET_KEY',
      },
    );
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}
