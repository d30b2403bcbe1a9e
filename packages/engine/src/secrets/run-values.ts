/**
 * Sealed run values: the store keeps a run's values redacted (what run records and the API show), so
 * a run resumed from its rows would see `[redacted]` where a secret was. Where redaction changed a
 * value (`INPUT`, a step's output, an item's output), the unredacted value is also stored sealed with
 * the vault (AES-256-GCM, sub-key `run-values` of the secret key) and opened again when the run
 * resumes. The run id and the column (with the step and item) are bound into each seal, so a sealed
 * value copied into another row or run does not open.
 *
 * @internal
 * @module
 */
import { isSluiceError } from '@sluice/sdk';
import { EngineError } from '../errors.js';
import { Vault } from './vault.js';

/** Where a sealed run value is stored; opening needs the same place. */
export type SealedPlace =
  | { runId: string; column: 'runs.sealed_input' }
  | { runId: string; column: 'run_steps.sealed_output'; step: number }
  | { runId: string; column: 'run_step_items.sealed_output'; step: number; item: number };

/** Seals and opens a run's unredacted values (given to the executor as `seal`). */
export interface RunValueSealer {
  /** `value` (any JSON value) sealed for `where`. */
  seal(value: unknown, where: SealedPlace): string;
  /**
   * The value {@link seal} sealed for `where`.
   * @throws {EngineError} `SLUICE_SECRET_KEY` when it was sealed with another secret key, for another
   * place, or was altered.
   */
  open(sealed: string, where: SealedPlace): unknown;
}

/** The engine's {@link RunValueSealer}: a vault on `key` (`engine.deriveKey('run-values')`). */
export class RunValues implements RunValueSealer {
  readonly #vault: Vault;

  /** @throws {EngineError} `SLUICE_SECRET_KEY` when `key` is not 32 bytes. */
  constructor(key: Buffer) {
    this.#vault = new Vault(key);
  }

  seal(value: unknown, where: SealedPlace): string {
    return this.#vault.seal(value, context(where));
  }

  open(sealed: string, where: SealedPlace): unknown {
    try {
      return this.#vault.open(sealed, context(where));
    } catch (err) {
      if (!isSluiceError(err, 'SLUICE_SECRET_KEY')) throw err;
      throw new EngineError(
        'SLUICE_SECRET_KEY',
        `the sealed ${describePlace(where)} of run ${where.runId} does not open: it was sealed with ` +
          'another secret key, or altered',
        {
          cause: err,
          hint: 'start the service with the secret key it had when the run started, then retry the run',
        },
      );
    }
  }
}

/**
 * `raw` sealed for `where` when redaction changed it (`redacted` is not `raw`: the redactor copies only
 * what it changes), else `null`: most rows hold no secret and pay nothing.
 */
export function sealIfRedacted(
  sealer: RunValueSealer | undefined,
  raw: unknown,
  redacted: unknown,
  where: SealedPlace,
): string | null {
  if (sealer === undefined || raw === undefined || Object.is(raw, redacted)) return null;
  return sealer.seal(raw, where);
}

/** The value at `where` in words, as a run's error names it. */
export function describePlace(where: SealedPlace): string {
  switch (where.column) {
    case 'runs.sealed_input':
      return 'INPUT';
    case 'run_steps.sealed_output':
      return `output of step ${where.step}`;
    case 'run_step_items.sealed_output':
      return `output of item ${where.item} of step ${where.step}`;
  }
}

function context(where: SealedPlace): { workspaceId: string; name: string } {
  const name =
    where.column === 'runs.sealed_input'
      ? where.column
      : where.column === 'run_steps.sealed_output'
        ? `${where.column}/${where.step}`
        : `${where.column}/${where.step}/${where.item}`;
  // The vault binds both strings as additional data; `run:` keeps run ids apart from workspace ids.
  return { workspaceId: `run:${where.runId}`, name };
}
