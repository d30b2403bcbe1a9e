/**
 * `resumePolicy`: the committed attempts of an item that resumes after a stored wait count against its
 * retry policy again, counter by counter, through the SDK's own `increment`.
 */
import { MaxRetryError, RetryPolicy } from '@sluice/sdk';
import { describe, expect, it } from 'vitest';
import { resumePolicy } from '../../src/steps/http/resume-policy.js';
import type { AttemptEntry } from '../../src/store/store.js';

const at = '2026-01-01T00:00:00.000Z';
const status = (code: number): AttemptEntry => ({ started_at: at, duration_ms: 1, wait_ms: 0, status: code });
const failed = (error: string): AttemptEntry => ({ started_at: at, duration_ms: 1, wait_ms: 0, error });

describe('resumePolicy', () => {
  it.each([
    ['two 503s', { total: 3, status: 5 }, 'GET', [status(503), status(503)], { total: 1, status: 3 }],
    ['a followed redirect', { total: 5, redirect: 2 }, 'GET', [status(302)], { total: 4, redirect: 1 }],
    [
      'connect errors',
      { total: 4, connect: 3 },
      'POST',
      [failed('connect'), failed('connect')],
      { total: 2, connect: 1 },
    ],
    ['a read error', { total: 4, read: 2 }, 'GET', [failed('read')], { total: 3, read: 1 }],
    [
      'a timeout of a GET, as a read error',
      { total: 4, read: 2, connect: 2 },
      'GET',
      [failed('timeout')],
      { read: 1, connect: 2 },
    ],
    [
      'a timeout of a POST, as a connect error',
      { total: 4, read: 2, connect: 2 },
      'POST',
      [failed('timeout')],
      { read: 2, connect: 1 },
    ],
    ['an other error', { total: 4, other: 1 }, 'GET', [failed('other')], { total: 3, other: 0 }],
  ])('counts %s', (_name, options, method, attempts, expected) => {
    const policy = resumePolicy(RetryPolicy.from(options), attempts, method, 'http://127.0.0.1/x');
    expect(policy.options).toMatchObject(expected);
    expect(policy.history).toHaveLength(attempts.length);
  });

  it('keeps the backoff progression of the attempts before the wait', () => {
    const fresh = RetryPolicy.from({ total: 5, backoff_factor: 1 });
    const resumed = resumePolicy(fresh, [failed('connect'), failed('connect')], 'GET', 'http://127.0.0.1/x');
    expect(resumed.getBackoffTime()).toBe(2);
  });

  it('leaves the policy as it is without attempts, and never changes the policy it was given', () => {
    const policy = RetryPolicy.from({ total: 2 });
    expect(resumePolicy(policy, [], 'GET', 'http://127.0.0.1/x')).toBe(policy);
    resumePolicy(policy, [status(503)], 'GET', 'http://127.0.0.1/x');
    expect(policy.options.total).toBe(2);
  });

  it('throws MaxRetryError when the attempts already use up the policy', () => {
    expect(() =>
      resumePolicy(RetryPolicy.from({ total: 1 }), [status(503), status(503)], 'GET', 'http://127.0.0.1/x'),
    ).toThrow(MaxRetryError);
  });
});
