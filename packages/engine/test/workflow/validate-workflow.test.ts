import { validateWorkflow } from '@sluice/engine';
import { describe, expect, it } from 'vitest';

describe('validateWorkflow', () => {
  it('returns the workflow with defaults, without changing its input', () => {
    const doc = { name: 'w', steps: [{ name: 'a', apispec: { url: 'https://x.test', method: 'patch' } }] };
    const copy = structuredClone(doc);
    const result = validateWorkflow(doc);
    expect(result).toEqual({
      ok: true,
      problems: [],
      workflow: {
        name: 'w',
        scope: 'workspace',
        steps: [{ name: 'a', apispec: { url: 'https://x.test', method: 'PATCH' } }],
      },
    });
    expect(doc).toEqual(copy);
  });

  it('reports problems of a value by path, without lines', () => {
    const result = validateWorkflow({
      name: 'w',
      steps: [
        { name: 'a', apispec: { url: 'https://x.test' } },
        { name: 'a', apispec: { url: 'https://x.test', timeout: 'soon' } },
      ],
    });
    expect(result.problems).toEqual([
      { path: 'steps[1].apispec.timeout', message: 'must be a positive number of seconds (got "soon")' },
      {
        path: 'steps[1].name',
        message: 'duplicate step name "a", first used by steps[0]; step names must be unique',
      },
    ]);
  });

  it.each([null, 'text', 42, []])('rejects %j as a document', (value) => {
    expect(validateWorkflow(value).ok).toBe(false);
  });

  it.each([
    ['methd', 'method'],
    ['Method', 'method'],
    ['json-body', 'json_body'],
    ['JSON_BODY', 'json_body'],
    ['timout', 'timeout'],
    ['header', 'headers'],
    ['query', 'params'],
  ])('suggests %s → %s for an unknown apispec key', (key, known) => {
    const result = validateWorkflow({
      name: 'w',
      steps: [{ name: 'a', apispec: { url: 'https://x.test', [key]: 1 } }],
    });
    expect(result.problems[0]?.message).toBe(`unknown key; did you mean "${known}"?`);
  });

  it.each(['GET', 'get', 'Post', 'PROPFIND', 'M-SEARCH', 'X_CUSTOM!'])('accepts the method %s', (method) => {
    const result = validateWorkflow({
      name: 'w',
      steps: [{ name: 'a', apispec: { url: 'https://x.test', method } }],
    });
    expect(result.ok && result.workflow.steps[0]?.apispec.method).toBe(method.toUpperCase());
  });

  it.each(['', 'GE T', 'GET/1', 'GÉT', 'a:b'])('rejects the method %j', (method) => {
    const result = validateWorkflow({
      name: 'w',
      steps: [{ name: 'a', apispec: { url: 'https://x.test', method } }],
    });
    expect(result.problems.map((p) => p.path)).toEqual(['steps[0].apispec.method']);
  });

  it.each(['a', '_x', 'list_customers', 'Step2', 'update', 'items'])('accepts the step name %s', (name) => {
    expect(validateWorkflow({ name: 'w', steps: [{ name, apispec: { url: 'https://x.test' } }] }).ok).toBe(
      true,
    );
  });

  it.each(['', '2fa', 'get-customers', 'a.b', 'a b', 'café'])('rejects the step name %j', (name) => {
    const result = validateWorkflow({ name: 'w', steps: [{ name, apispec: { url: 'https://x.test' } }] });
    expect(result.problems.map((p) => p.path)).toEqual(['steps[0].name']);
  });
});
