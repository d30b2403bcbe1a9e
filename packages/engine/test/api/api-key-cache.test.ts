/**
 * The API keeps a found API key for `apiKeyCacheMs` (default 1 s) instead of reading the store on
 * every request: a key revoked meanwhile is refused once that time has passed on the API's clock, a key
 * created a moment ago works at once (keys not found are never kept), and a cached key reads nothing.
 */
import { createApiKey } from '@sluice/engine';
import { describe, expect, it } from 'vitest';
import { useApiHarness } from './harness.js';

let clock = Date.parse('2026-01-01T00:00:00.000Z');
const h = useApiHarness({ now: () => clock });

async function status(key: string): Promise<number> {
  return (await h.call(key, 'GET', '/v1/me')).status;
}

describe('the API-key cache', () => {
  it('refuses a revoked key once the cache time has passed, and reads the store once within it', async () => {
    const { key, row } = await createApiKey(h.store, {
      workspace: 'acme',
      email: 'old@acme.test',
      role: 'member',
    });
    expect(await status(key)).toBe(200);
    const reads = h.store.statements().reads;
    expect(await status(key)).toBe(200);
    expect(h.store.statements().reads).toBe(reads);

    expect(await h.store.apiKeys.revoke(row.id, new Date(clock).toISOString())).toBe(true);
    clock += 999;
    expect(await status(key)).toBe(200);
    clock += 2;
    expect(await status(key)).toBe(401);
    expect(await status(key)).toBe(401);
  });

  it('takes a key created after a refusal at once: refusals are not kept', async () => {
    const unknown = `sk_${'A'.repeat(43)}`;
    expect(await status(unknown)).toBe(401);
    const { key } = await createApiKey(h.store, {
      workspace: 'acme',
      email: 'new@acme.test',
      role: 'member',
    });
    expect(await status(key)).toBe(200);
  });
});
