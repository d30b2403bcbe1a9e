/** `GET /v1/templates/reference`: the filter names and `SYSTEM_APIS` keys editors complete (issue 17). */
import { describe, expect, it } from 'vitest';
import { useApiHarness } from './harness.js';

const h = useApiHarness({ engine: { systemApis: { my_app: 'http://127.0.0.1:4010' } } });

describe('GET /v1/templates/reference', () => {
  it('lists the filters and the configured and own SYSTEM_APIS keys, never their URLs', async () => {
    const res = await h.call(h.keys.acmeMember, 'GET', '/v1/templates/reference');
    expect(res.status).toBe(200);
    const filters = res.body.filters as string[];
    expect(filters).toEqual([...filters].sort());
    expect(filters).toEqual(expect.arrayContaining(['default', 'tojson', 'upper', 'truncate']));
    expect(res.body.system_apis).toEqual(['credentials', 'my_app', 'runs', 'sluice', 'workflows']);
    expect(JSON.stringify(res.body)).not.toContain('4010');
  });

  it('needs a key', async () => {
    expect((await h.call(undefined, 'GET', '/v1/templates/reference')).status).toBe(401);
  });
});
