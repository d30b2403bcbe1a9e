import { describe, expect, it } from 'vitest';
import { idempotencyKey } from '../../src/steps/idempotency.js';

describe('idempotencyKey', () => {
  it('is a version 5 UUID that depends only on the run, the step and the item', () => {
    const key = idempotencyKey('run-1', 2, 3);
    expect(key).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(idempotencyKey('run-1', 2, 3)).toBe(key);
    const others = [
      idempotencyKey('run-2', 2, 3),
      idempotencyKey('run-1', 1, 3),
      idempotencyKey('run-1', 2, 4),
    ];
    expect(new Set([key, ...others]).size).toBe(4);
  });

  it('does not confuse items whose numbers run together', () => {
    expect(idempotencyKey('r', 1, 23)).not.toBe(idempotencyKey('r', 12, 3));
  });
});
