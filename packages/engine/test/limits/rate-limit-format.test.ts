/**
 * `rate_limit` on a step and `default_rate_limit` on a workflow: parsed as given, and every problem
 * named by its path (`steps[0].rate_limit.requests`).
 */
import { validateWorkflow } from '@sluice/engine';
import { describe, expect, it } from 'vitest';

const step = (rate_limit: unknown) => ({
  name: 'rated',
  steps: [{ name: 'call', apispec: { url: 'https://api.example/v1' }, rate_limit }],
});

describe('rate_limit in the workflow format', () => {
  it('is accepted on a step and as the workflow default', async () => {
    const result = await validateWorkflow({
      ...step({ requests: 10, per_seconds: 1.5 }),
      default_rate_limit: { requests: 100, per_seconds: 60 },
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.workflow.steps[0]?.rate_limit).toEqual({ requests: 10, per_seconds: 1.5 });
    expect(result.workflow.default_rate_limit).toEqual({ requests: 100, per_seconds: 60 });
  });

  it.each([
    [{ per_seconds: 1 }, 'steps[0].rate_limit.requests', 'is required'],
    [{ requests: 0, per_seconds: 1 }, 'steps[0].rate_limit.requests', 'must be a positive integer'],
    [{ requests: 2.5, per_seconds: 1 }, 'steps[0].rate_limit.requests', 'must be a positive integer'],
    [{ requests: 5 }, 'steps[0].rate_limit.per_seconds', 'is required'],
    [{ requests: 5, per_seconds: 0 }, 'steps[0].rate_limit.per_seconds', 'greater than 0'],
    [{ requests: 5, per_seconds: 1, burst: 2 }, 'steps[0].rate_limit.burst', 'unknown key'],
    ['10/s', 'steps[0].rate_limit', 'requests and per_seconds'],
  ])('rejects %j at %s', async (value, path, message) => {
    const result = await validateWorkflow(step(value));
    expect(result.ok).toBe(false);
    const problem = result.problems.find((p) => p.path === path);
    expect(problem, JSON.stringify(result.problems)).toBeDefined();
    expect(problem?.message).toContain(message);
  });

  it('names default_rate_limit problems by their path', async () => {
    const result = await validateWorkflow({
      name: 'rated',
      default_rate_limit: { requests: -1, per_seconds: 1 },
      steps: [{ name: 'call', apispec: { url: 'https://api.example/v1' } }],
    });
    expect(result.problems.map((p) => p.path)).toContain('default_rate_limit.requests');
  });
});
