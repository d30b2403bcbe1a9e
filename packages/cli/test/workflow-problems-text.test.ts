import { WorkflowParseError } from '@sluice/engine';
import { describe, expect, it } from 'vitest';
import { workflowProblemsText } from '../src/workflow-problems-text.js';

describe('workflowProblemsText', () => {
  it('prints the verdict, each problem at its line and column, then the hint', () => {
    const err = new WorkflowParseError(
      'SLUICE_WORKFLOW_INVALID',
      [
        { path: 'steps[0].url', message: 'must be\n  an absolute URL', line: 4 },
        { path: '', message: 'bad indentation', line: 7, column: 3 },
        { path: 'name', message: 'is required' },
      ],
      { hint: 'see docs/workflows.md' },
    );
    expect(workflowProblemsText(err, 'flow.yaml', 'is not a valid workflow')).toBe(
      [
        'error SLUICE_WORKFLOW_INVALID: flow.yaml is not a valid workflow (3 problems)',
        'flow.yaml:4: steps[0].url: must be an absolute URL',
        'flow.yaml:7:3: bad indentation',
        'flow.yaml: name: is required',
        'hint: see docs/workflows.md',
        '',
      ].join('\n'),
    );
  });

  it('counts the problems left out of a capped list, and prints no hint line without a hint', () => {
    const err = new WorkflowParseError(
      'SLUICE_WORKFLOW_PARSE',
      [
        { path: '', message: 'duplicate key "a"', line: 2, column: 1 },
        { path: '', message: '4,999 more problems not listed' },
      ],
      { omitted: 4999 },
    );
    expect(workflowProblemsText(err, 'flow.yaml', 'does not parse')).toBe(
      'error SLUICE_WORKFLOW_PARSE: flow.yaml does not parse (5,000 problems, the first 1 listed)\n' +
        'flow.yaml:2:1: duplicate key "a"\n' +
        'flow.yaml: 4,999 more problems not listed\n',
    );
  });
});
