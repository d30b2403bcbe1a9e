/** Run tokens (`USER.token`): HMAC-signed, scoped to the run's caller, short-lived. */
import { createHmac, randomBytes } from 'node:crypto';
import { isSluiceError } from '@sluice/sdk';
import { describe, expect, it } from 'vitest';
import { RUN_TOKEN_TTL_MS, RunTokens } from '../../src/secrets/run-token.js';

const caller = { id: 'ann@acme.test', email: 'ann@acme.test', workspace_id: 'acme', role: 'admin' as const };
const START = Date.parse('2026-01-01T00:00:00Z');

function rejection(tokens: RunTokens, token: string): string {
  try {
    tokens.verify(token);
  } catch (err) {
    expect(isSluiceError(err, 'SLUICE_API_UNAUTHORIZED')).toBe(true);
    return (err as Error).message;
  }
  throw new Error('expected the token to be refused');
}

describe('RunTokens', () => {
  it('issues rt_<payload>.<sig> that verifies to the run caller with the run id', () => {
    const tokens = new RunTokens(randomBytes(32), { now: () => START });
    const token = tokens.issue(caller, 'run-1');
    expect(token).toMatch(/^rt_[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    const payload = JSON.parse(Buffer.from(token.slice(3).split('.')[0] as string, 'base64url').toString());
    expect(payload).toEqual({
      workspace_id: 'acme',
      email: 'ann@acme.test',
      role: 'admin',
      run_id: 'run-1',
      exp: (START + RUN_TOKEN_TTL_MS) / 1000,
    });
    expect(tokens.verify(token)).toEqual({ ...caller, run_id: 'run-1' });
  });

  it('refuses a token once its hour is over', () => {
    let now = START;
    const tokens = new RunTokens(randomBytes(32), { now: () => now });
    const token = tokens.issue(caller, 'run-1');
    now = START + RUN_TOKEN_TTL_MS - 1000;
    expect(tokens.verify(token).run_id).toBe('run-1');
    now = START + RUN_TOKEN_TTL_MS;
    expect(rejection(tokens, token)).toBe('the run token has expired');
  });

  it('refuses a token signed with another key, an altered payload, and garbage', () => {
    const key = randomBytes(32);
    const tokens = new RunTokens(key);
    const token = tokens.issue(caller, 'run-1');
    expect(rejection(new RunTokens(randomBytes(32)), token)).toBe('the run token is not valid');
    const [body, sig] = token.split('.') as [string, string];
    const forged = Buffer.from(
      JSON.stringify({
        ...JSON.parse(Buffer.from(body.slice(3), 'base64url').toString()),
        workspace_id: 'globex',
      }),
    ).toString('base64url');
    expect(rejection(tokens, `rt_${forged}.${sig}`)).toBe('the run token is not valid');
    for (const garbage of [
      'rt_',
      'rt_abc',
      'rt_abc.def',
      `${token}x`,
      `rt_${'a'.repeat(10)}.${'b'.repeat(43)}`,
    ]) {
      expect(rejection(tokens, garbage)).toBe('the run token is not valid');
    }
    // A payload signed with the right key that is not a run caller is refused too.
    const junk = `rt_${Buffer.from('{"role":"root"}').toString('base64url')}`;
    const junkSig = createHmac('sha256', key).update(junk).digest('base64url');
    expect(rejection(tokens, `${junk}.${junkSig}`)).toBe('the run token is not valid');
  });
});
