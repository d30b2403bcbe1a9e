/**
 * Step names are any Unicode string (the Mason format), unique, not `__proto__`, without control
 * characters, at most 200 characters; templates read them as `STEPS.<ident>` or `STEPS["any name"]`.
 */
import { validateWorkflow } from '@sluice/engine';
import { describe, expect, it } from 'vitest';

const step = (name: unknown, extra: object = {}) => ({ name, apispec: { url: 'https://x.test' }, ...extra });

describe('step names', () => {
  it('refuses a hostile name with a clear message that does not echo it whole', async () => {
    const long = 'x'.repeat(10_240);
    const result = await validateWorkflow({
      name: 'w',
      steps: [step(long), step('a\u0000b'), step('a\nb'), step('evil\u202egnp')],
    });
    expect(result.problems).toEqual([
      { path: 'steps[0].name', message: 'must be a step name: a string of 1 to 200 characters' },
      {
        path: 'steps[1].name',
        message:
          'must not hold control characters (CR, LF, tab, NUL, ...), line or paragraph separators or bidirectional controls: the name is shown in logs, errors and the console (got "a\\u0000b")',
      },
      {
        path: 'steps[2].name',
        message:
          'must not hold control characters (CR, LF, tab, NUL, ...), line or paragraph separators or bidirectional controls: the name is shown in logs, errors and the console (got "a\\nb")',
      },
      {
        path: 'steps[3].name',
        message:
          'must not hold control characters (CR, LF, tab, NUL, ...), line or paragraph separators or bidirectional controls: the name is shown in logs, errors and the console (got "evil\u202egnp")',
      },
    ]);
  });

  it('accepts 200 characters, astral ones counted once', async () => {
    const result = await validateWorkflow({ name: 'w', steps: [step('🚀'.repeat(200))] });
    expect(result.problems).toEqual([]);
  });

  it('checks STEPS["any name"] references like STEPS.<ident> ones', async () => {
    const result = await validateWorkflow({
      name: 'w',
      steps: [
        step('étape 1'),
        step('get-customers', { output: '{{ STEPS["étape 1"].output }}' }),
        step('b', { input: "{{ STEPS['étape 2'].output }}", output: '{{ STEPS["get-customers"] }}' }),
      ],
    });
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]?.path).toBe('steps[2].input');
    expect(result.problems[0]?.message).toMatch(/names no step; did you mean "étape 1"\?/);
  });

  it('keeps names unique', async () => {
    const result = await validateWorkflow({ name: 'w', steps: [step('étape 1'), step('étape 1')] });
    expect(result.problems.map((p) => p.message)).toEqual([
      'duplicate step name "étape 1", first used by steps[0]; step names must be unique',
    ]);
  });
});
