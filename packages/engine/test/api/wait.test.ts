/** `?wait=true` waits only up to the limit, then answers 202 with the run so far. */
import { describe, expect, it } from 'vitest';
import { flow, useApiHarness } from './harness.js';

const h = useApiHarness({ waitLimitMs: 1 });

describe('POST /v1/workflows/{uid}/runs?wait=true', () => {
  it('answers 202 with the run so far when the run outlasts the wait limit', async () => {
    h.server.script('/slow', [{ hang: true }]);
    const published = await h.call(
      h.keys.acmeMember,
      'POST',
      '/v1/workflows',
      flow(h.server, 'slow', ['slow']),
    );
    const res = await h.call(
      h.keys.acmeMember,
      'POST',
      `/v1/workflows/${published.body.uid}/runs?wait=true`,
      {
        input: {},
      },
    );
    expect(res.status).toBe(202);
    expect(['pending', 'running']).toContain(res.body.status);
    const cancelled = await h.call(h.keys.acmeMember, 'POST', `/v1/runs/${res.body.id}/cancel`);
    expect(cancelled.body.status).toBe('cancelled');
  });
});
