/**
 * The vault: seals JSON values (connection values) with AES-256-GCM before they reach the store, and
 * opens them again. A sealed value is `v1.<iv>.<tag>.<ciphertext>` in base64url, with a random 96-bit
 * IV per seal. The workspace id and the connection name are bound in as additional authenticated data,
 * so a sealed value copied into another row does not open.
 *
 * @module
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { EngineError } from '../errors.js';
import { documentJson, textOf } from '../store/runs/document-json.js';
import { assertSecretKey } from './secret-key.js';

/** What a sealed value belongs to; it must be the same to open it. */
export interface SealContext {
  workspaceId: string;
  name: string;
}

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const PART = /^[A-Za-z0-9_-]*$/;

/** Seals and opens JSON values with one 256-bit key (a sub-key of the service's secret key). */
export class Vault {
  readonly #key: Buffer;

  /** @throws {EngineError} `SLUICE_SECRET_KEY` when `key` is not 32 bytes. */
  constructor(key: Buffer) {
    assertSecretKey(key, 'the vault key');
    this.#key = Buffer.from(key);
  }

  /** Seals `value` (any JSON value) for `context`. */
  seal(value: unknown, context: SealContext): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(aad(context));
    // `documentJson` is `JSON.stringify`'s text, made faster for large strings (a run's input sealed whole).
    const text = documentJson(value);
    const body = cipher.update(text === undefined ? 'null' : textOf(text), 'utf8');
    // GCM is a stream mode: `final` holds nothing back, so the ciphertext is not copied into a new buffer.
    const rest = cipher.final();
    const sealed = rest.length === 0 ? body : Buffer.concat([body, rest]);
    return `${VERSION}.${encode(iv)}.${encode(cipher.getAuthTag())}.${encode(sealed)}`;
  }

  /**
   * Opens a value {@link seal} made for the same `context`.
   *
   * @throws {EngineError} `SLUICE_SECRET_KEY` when it is malformed, was tampered with, belongs to
   * another workspace or name, or was sealed with another key.
   */
  open(sealed: string, context: SealContext): unknown {
    const parts = sealed.split('.');
    const [version, iv, tag, body] = parts.map((part, i) => (i === 0 ? part : decode(part)));
    if (
      parts.length !== 4 ||
      version !== VERSION ||
      !Buffer.isBuffer(iv) ||
      iv.length !== IV_BYTES ||
      !Buffer.isBuffer(tag) ||
      tag.length !== TAG_BYTES ||
      !Buffer.isBuffer(body)
    ) {
      throw cannotOpen(context, 'it is not a sealed value of this version');
    }
    let text: string;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(aad(context));
      decipher.setAuthTag(tag);
      text = Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
    } catch (err) {
      throw cannotOpen(context, 'the secret key is not the one it was sealed with, or it was altered', err);
    }
    return JSON.parse(text) as unknown;
  }
}

function aad(context: SealContext): Buffer {
  // JSON keeps the two strings apart: ("a.b", "c") and ("a", "b.c") give different data.
  return Buffer.from(JSON.stringify([VERSION, context.workspaceId, context.name]), 'utf8');
}

function encode(part: Buffer): string {
  return part.toString('base64url');
}

function decode(part: string): Buffer | undefined {
  return PART.test(part) ? Buffer.from(part, 'base64url') : undefined;
}

function cannotOpen(context: SealContext, why: string, cause?: unknown): EngineError {
  return new EngineError(
    'SLUICE_SECRET_KEY',
    `the sealed values of ${context.workspaceId}/${context.name} do not open: ${why}`,
    {
      ...(cause === undefined ? {} : { cause }),
      hint: 'start the service with the secret key it had when they were saved, or save them again',
    },
  );
}
