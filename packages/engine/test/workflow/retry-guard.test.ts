import { parseWorkflow, type WorkflowParseError } from '@sluice/engine';
import { describe, expect, it, vi } from 'vitest';

// Without the schema, only the rules beyond it run: this shows that the SDK's own retry check is one of
// them, so a retry block the SDK rejects can never pass validation, even if the schema drifted.
vi.mock('../../src/workflow/schema-problems.js', () => ({ schemaProblems: () => [] }));

describe('the SDK retry check behind the schema', () => {
  it('reports what RetryPolicy.from rejects, with the option path and its line', async () => {
    const text = [
      'name: w',
      'default_retry: { total: -1 }',
      'steps:',
      '  - name: a',
      '    apispec: { url: "https://x.test" }',
      '    retry:',
      '      backoff_factor: 1',
      '      nope: 1',
      '',
    ].join('\n');
    let problems: WorkflowParseError['problems'] = [];
    try {
      await parseWorkflow(text);
    } catch (err) {
      problems = (err as WorkflowParseError).problems;
    }
    expect(problems).toEqual([
      {
        path: 'default_retry.total',
        message: 'must be a non-negative integer, null or false (got -1)',
        line: 2,
      },
      { path: 'steps[0].retry.nope', message: 'unknown retry option', line: 8 },
    ]);
  });
});
