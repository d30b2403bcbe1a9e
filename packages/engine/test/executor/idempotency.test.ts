import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { idempotencyKey, pageIdempotencyKey } from '../../src/steps/idempotency.js';

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

  it('gives the keys it always gave: a run resumed after an upgrade sends the same keys again', () => {
    expect(idempotencyKey('run-1', 0, 0)).toBe('093281cd-0601-51b3-a309-0eb8578b2a75');
    expect(idempotencyKey('0192e4e4-771b-7b2c-8cd9-1246e1443aaa', 2, 17)).toBe(
      '68612e95-a399-51da-b64f-8dcb64612992',
    );
    expect(idempotencyKey('ünïcode ✓', 1, 1)).toBe('70c02acd-2b65-5e0d-a9c9-4c95776071fa');
    expect(pageIdempotencyKey(idempotencyKey('run-1', 0, 0), 3)).toBe('181d87c1-006f-57cd-a2f9-88a7350dedf4');
  });

  it('does not confuse items whose numbers run together', () => {
    expect(idempotencyKey('r', 1, 23)).not.toBe(idempotencyKey('r', 12, 3));
  });

  it('is the RFC 4122 version 5 UUID of the name, short, long or not ASCII', () => {
    const reference = (name: string) => {
      const digest = createHash('sha1')
        .update(Buffer.from('5c0b2f4e9a1d4c7b8e2f3a6d1b9c0e57', 'hex'))
        .update(name, 'utf8')
        .digest();
      digest[6] = ((digest[6] as number) & 0x0f) | 0x50;
      digest[8] = ((digest[8] as number) & 0x3f) | 0x80;
      const hex = digest.subarray(0, 16).toString('hex');
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    };
    const runIds = [
      'r',
      'ünïcode ✓',
      '\u{1F600}'.repeat(100),
      'x'.repeat(400),
      'y'.repeat(5_000),
      '😀'.repeat(700),
    ];
    for (const runId of runIds) {
      for (const [step, item] of [
        [0, 0],
        [3, 17],
        [12, 3],
      ] as const) {
        expect(idempotencyKey(runId, step, item)).toBe(reference(`${runId}/${step}/${item}`));
      }
    }
  });
});
