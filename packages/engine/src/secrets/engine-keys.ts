/**
 * The keys of an engine, all derived from its one secret key (`SLUICE_SECRET_KEY`, or a random one):
 * the vault of connection values (`vault`), run tokens (`run-tokens`) and sealed run values
 * (`run-values`), and any other purpose (`webhooks`) through {@link EngineKeys.derive}.
 *
 * @internal
 * @module
 */
import { randomBytes } from 'node:crypto';
import { RunTokens } from './run-token.js';
import { RunValues } from './run-values.js';
import { assertSecretKey, deriveSubKey, type SubKeyPurpose } from './secret-key.js';
import { Vault } from './vault.js';

/** The secret key of one engine and what is derived from it. */
export class EngineKeys {
  readonly #secretKey: Buffer;
  readonly runTokens: RunTokens;
  readonly runValues: RunValues;
  readonly vault: Vault;

  /**
   * @param secretKey 32 bytes; a random key when absent (sealed values then do not outlive the process).
   * @throws {EngineError} when `secretKey` is not 32 bytes.
   */
  constructor(secretKey: Buffer | undefined, now: () => number) {
    if (secretKey !== undefined) assertSecretKey(secretKey, 'createEngine({ secretKey })');
    this.#secretKey = Buffer.from(secretKey ?? randomBytes(32));
    this.runTokens = new RunTokens(this.derive('run-tokens'), { now });
    this.runValues = new RunValues(this.derive('run-values'));
    this.vault = new Vault(this.derive('vault'));
  }

  /** The 32-byte key of `purpose` (HKDF-SHA256 of the secret key). */
  derive(purpose: SubKeyPurpose): Buffer {
    return deriveSubKey(this.#secretKey, purpose);
  }
}
