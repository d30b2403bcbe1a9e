import { RETRY_DEFAULTS } from '@sluice/sdk';
import { describe, expect, it } from 'vitest';
import { mergeRetrySettings, stepRetryPolicy } from '../../src/executor/retry-settings.js';
import type { Workflow } from '../../src/model/workflow.js';

const workflow = (fields: Partial<Workflow>, retry?: Workflow['steps'][number]['retry']): Workflow => ({
  name: 'w',
  scope: 'workspace',
  steps: [
    { name: 's', apispec: { url: 'http://x', method: 'GET' }, ...(retry === undefined ? {} : { retry }) },
  ],
  ...fields,
});

describe('mergeRetrySettings', () => {
  it.each([
    ['neither', undefined, undefined, undefined],
    ['only defaults', { total: 2 }, undefined, { total: 2 }],
    ['only the step', undefined, { read: 1 }, { read: 1 }],
    [
      'both, field by field, the step winning',
      { total: 3, backoff_factor: 0.5, status_forcelist: [502] },
      { total: 5, status_forcelist: [429] },
      { total: 5, backoff_factor: 0.5, status_forcelist: [429] },
    ],
    ['a step null overrides a default counter', { connect: 2 }, { connect: null }, { connect: null }],
  ])('%s', (_name, defaults, step, expected) => {
    expect(mergeRetrySettings(defaults, step)).toEqual(expected);
  });
});

describe('stepRetryPolicy', () => {
  it("is urllib3's Retry(3) when the workflow has no retry settings", () => {
    expect(stepRetryPolicy(workflow({}), 0).options).toEqual({ ...RETRY_DEFAULTS, total: 3 });
  });

  it("starts from Retry()'s defaults when settings are given (as Retry(**settings) does)", () => {
    const options = stepRetryPolicy(workflow({ default_retry: { backoff_factor: 1 } }), 0).options;
    expect(options.total).toBe(10);
    expect(options.backoff_factor).toBe(1);
  });

  it('names the step in errors of merged settings', () => {
    expect(() => stepRetryPolicy(workflow({ default_retry: { total: -1 } }), 0)).toThrow(
      /steps\[0\]\.retry\.total/,
    );
  });
});

describe('stepRetryPolicy of a published (frozen) version', () => {
  it('is made once per step and shared by its runs; an unfrozen workflow gets its own each time', () => {
    const published = Object.freeze({
      ...workflow({ default_retry: { total: 2 } }),
      steps: [
        { name: 'a', apispec: { url: 'http://x', method: 'GET' } },
        { name: 'b', apispec: { url: 'http://x', method: 'GET' }, retry: { total: 5 } },
      ],
    }) as Workflow;
    const first = stepRetryPolicy(published, 1);
    expect(stepRetryPolicy(published, 1)).toBe(first);
    expect(first.options.total).toBe(5);
    expect(stepRetryPolicy(published, 0).options.total).toBe(2);
    const draft = workflow({ default_retry: { total: 2 } });
    expect(stepRetryPolicy(draft, 0)).not.toBe(stepRetryPolicy(draft, 0));
  });
});
