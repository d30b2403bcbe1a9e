import { readFileSync } from 'node:fs';
import {
  ENGINE_ERROR_CODES,
  isSluiceError,
  StepFailedError,
  TemplateError,
  WorkflowParseError,
} from '@sluice/engine';
import { describe, expect, it } from 'vitest';

// Like fastify's errors test: the registry and docs/errors.md must list the same codes.
const doc = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
const start = doc.indexOf('## @sluice/engine');
const section = doc.slice(start, doc.indexOf('\n## ', start + 1) >>> 0);
const documented = [...section.matchAll(/^\|\s*`(SLUICE_[A-Z_]+)`\s*\|/gm)].map((m) => m[1]);

describe('docs/errors.md', () => {
  it('documents every engine error code, and no code that does not exist', () => {
    expect([...documented].sort()).toEqual(Object.keys(ENGINE_ERROR_CODES).sort());
  });
});

describe('WorkflowParseError', () => {
  it('names the file, the path and the line of each problem', () => {
    const err = new WorkflowParseError(
      'SLUICE_WORKFLOW_INVALID',
      [
        { path: 'steps[2].retry.total', message: 'must be an integer', line: 31 },
        { path: 'name', message: 'is required' },
      ],
      { file: 'flow.yaml' },
    );
    expect(err.message).toBe(
      'flow.yaml: 2 problems\nsteps[2].retry.total: must be an integer (line 31)\nname: is required',
    );
    expect(isSluiceError(err, 'SLUICE_WORKFLOW_INVALID')).toBe(true);
  });
});

describe('TemplateError and StepFailedError', () => {
  it('say which step and field failed', () => {
    const t = new TemplateError({
      code: 'SLUICE_TEMPLATE_RENDER',
      step: 'notify',
      field: 'apispec.url',
      template: '{{ USER.nope }}',
      message: 'undefined value USER.nope',
      line: 1,
      column: 4,
    });
    expect(t.message).toBe(
      'steps.notify.apispec.url: undefined value USER.nope (line 1, column 4) in template "{{ USER.nope }}"',
    );
    const s = new StepFailedError({
      step: 'auth',
      errorClass: 'status',
      message: '503 Service Unavailable',
      status: 503,
      attempts: 4,
    });
    expect(s.message).toBe('steps.auth: 503 Service Unavailable');
    expect([s.errorClass, s.status, s.attempts]).toEqual(['status', 503, 4]);
  });
});
