/**
 * `RunValues`: the sealed copies of run values open only for the run and the place they were sealed
 * for, and only with the key they were sealed with; `sealIfRedacted` seals only what redaction changed.
 */
import { randomBytes } from 'node:crypto';
import { isSluiceError } from '@sluice/engine';
import { describe, expect, it } from 'vitest';
import { createRedactor } from '../../src/secrets/redactor.js';
import { RunValues, type SealedPlace, sealIfRedacted } from '../../src/secrets/run-values.js';

const KEY = randomBytes(32);
const input: SealedPlace = { runId: 'run-1', column: 'runs.sealed_input' };
const stepOutput: SealedPlace = { runId: 'run-1', column: 'run_steps.sealed_output', step: 1 };
const itemOutput: SealedPlace = { runId: 'run-1', column: 'run_step_items.sealed_output', step: 1, item: 0 };

function openError(run: () => unknown): Error {
  try {
    run();
  } catch (err) {
    expect(isSluiceError(err, 'SLUICE_SECRET_KEY')).toBe(true);
    return err as Error;
  }
  throw new Error('expected the sealed value not to open');
}

describe('RunValues', () => {
  it('opens what it sealed, for the same run and place, without the value in clear', () => {
    const values = new RunValues(KEY);
    const value = { token: 'tok-4f9a2c7e', nested: [1, 'two', null] };
    const sealed = values.seal(value, itemOutput);
    expect(sealed).toMatch(/^v1\./);
    expect(sealed).not.toContain('tok-4f9a2c7e');
    expect(new RunValues(Buffer.from(KEY)).open(sealed, itemOutput)).toEqual(value);
  });

  it('does not open a value copied to another run, column, step or item', () => {
    const values = new RunValues(KEY);
    const sealed = values.seal('secret', stepOutput);
    for (const where of [
      { ...stepOutput, runId: 'run-2' },
      { ...stepOutput, step: 2 },
      input,
      { runId: 'run-1', column: 'run_step_items.sealed_output', step: 1, item: 0 },
    ] as SealedPlace[]) {
      openError(() => values.open(sealed, where));
    }
  });

  it('fails with SLUICE_SECRET_KEY naming the run and the value when the key changed', () => {
    const sealed = new RunValues(KEY).seal({ token: 'x' }, input);
    const err = openError(() => new RunValues(randomBytes(32)).open(sealed, input));
    expect(err.message).toBe(
      'the sealed INPUT of run run-1 does not open: it was sealed with another secret key, or altered',
    );
    expect((err as { hint?: string }).hint).toMatch(/secret key it had when the run started/);
    const item = openError(() => new RunValues(KEY).open('v1.garbage', itemOutput));
    expect(item.message).toMatch(/^the sealed output of item 0 of step 1 of run run-1 does not open/);
  });

  it('refuses a key that is not 32 bytes', () => {
    openError(() => new RunValues(randomBytes(16)));
  });
});

describe('sealIfRedacted', () => {
  const redact = createRedactor({ names: ['token'] });
  const values = new RunValues(KEY);

  it('seals the unredacted value when redaction changed it', () => {
    const raw = { token: 'tok-4f9a2c7e', id: 1 };
    const sealed = sealIfRedacted(values, raw, redact.value(raw), input);
    expect(sealed).not.toBeNull();
    expect(values.open(sealed as string, input)).toEqual(raw);
  });

  it('stores nothing when redaction changed nothing, for absent values, and without a sealer', () => {
    const plain = { id: 1, items: ['a'] };
    expect(sealIfRedacted(values, plain, redact.value(plain), input)).toBeNull();
    expect(sealIfRedacted(values, 'text', redact.value('text'), input)).toBeNull();
    expect(sealIfRedacted(values, undefined, undefined, input)).toBeNull();
    const secret = { token: 't' };
    expect(sealIfRedacted(undefined, secret, redact.value(secret), input)).toBeNull();
  });
});
