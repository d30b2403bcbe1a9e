import { TemplateRenderer, type TemplateState } from '@sluice/engine';
import { afterAll, describe, expect, it } from 'vitest';
import { pickState } from '../../src/template/pick-state.js';
import { scanTemplate } from '../../src/template/scan.js';

/** An object that throws when anything reads it: a stand-in for 10 MB of unrelated output. */
function untouchable(label: string): Record<string, unknown> {
  return new Proxy({} as Record<string, unknown>, {
    get: () => {
      throw new Error(`${label} was read`);
    },
    ownKeys: () => {
      throw new Error(`${label} was listed`);
    },
    getOwnPropertyDescriptor: () => {
      throw new Error(`${label} was inspected`);
    },
    has: () => {
      throw new Error(`${label} was probed`);
    },
  });
}

const state = (): TemplateState => ({
  SYSTEM_APIS: { my_app: 'https://my.app', other: untouchable('SYSTEM_APIS.other') },
  USER: { token: 'tok', profile: untouchable('USER.profile') },
  INPUT: { id: 7 },
  STEPS: { big: { output: untouchable('STEPS.big.output') }, small: { output: { id: 3 } } },
  CURRENT_STEP: untouchable('CURRENT_STEP'),
  WORKFLOW: untouchable('WORKFLOW'),
  RUN: untouchable('RUN'),
});

describe('rendering reads only the state a template references', () => {
  const renderer = new TemplateRenderer();
  afterAll(() => renderer.close());

  it.each([
    [
      '{{ SYSTEM_APIS.my_app }}/v1/customers/{{ INPUT.id }}?token={{ USER.token }}',
      'https://my.app/v1/customers/7?token=tok',
    ],
    ['{{ STEPS.small.output.id }}', 3],
    ['{{ STEPS.small.output }}', { id: 3 }],
    ['{{ STEPS.small.output | tojson }}', '{"id": 3}'],
    ["{% for k, v in STEPS['small'].output.items() %}{{ k }}={{ v }}{% endfor %}", 'id=3'],
    ['{{ INPUT.id if INPUT.id > 1 else USER.token }}', 7],
  ])('renders %s without touching unrelated branches', async (template, expected) => {
    expect(await renderer.render(template, state(), { field: 'f' })).toEqual(expected);
  });

  it('does touch a branch the template uses whole (the proxy throws)', async () => {
    await expect(
      renderer.render('{{ STEPS.big.output | length }}', state(), { field: 'f' }),
    ).rejects.toThrow();
  });
});

describe('pickState', () => {
  const full = {
    A: { x: 1, y: { z: [1, 2, 3] }, w: 'w' },
    B: [{ id: 1 }, { id: 2 }],
    C: 'c',
  };

  it.each([
    ['{{ A.x }}', { A: { x: 1 } }],
    ['{{ A.y.z[0] }}-{{ A.w }}', { A: { y: { z: [1, 2, 3] }, w: 'w' } }],
    ['{{ A }} {{ A.x }}', { A: full.A }],
    ['{{ A.keys() }}', { A: full.A }],
    ['{{ A[C] }}', { A: full.A, C: 'c' }],
    ['{{ B[0].id }}', { B: full.B }],
    ["{{ A['y']['z'] }}", { A: { y: { z: [1, 2, 3] } } }],
    ['{{ A.missing }} {{ D }}', { A: {} }],
    ["{{ 'A.x' }}", {}],
    ['{% set q = A %}{{ q.x }}', { A: full.A }],
  ])('keeps %s its referenced sub-tree', (template, expected) => {
    const { references } = scanTemplate(template);
    expect(references).toBeDefined();
    expect(pickState(full, references ?? [])).toEqual(expected);
  });

  // The same template must render the same from the picked state as from the whole state.
  const corpus = [
    '{{ A.x }}/{{ A.w }}',
    '{{ A | tojson }}',
    '{{ A.y.z | sum }}',
    '{{ A.items() | list }}',
    '{{ A | length }}:{{ A.y | length }}',
    '{% for k in A %}{{ k }}{% endfor %}',
    '{{ A.y.z[1:] }}',
    '{{ B | map(attribute="id") | join(",") }}',
    '{{ A["y"].z[-1] }}',
    '{{ (A).x }}',
    '{{ A . x }}',
    '{{ A.y is mapping }} {{ A.y.z is sequence }}',
    '{% with v = A.y %}{{ v.z }}{% endwith %}',
    '{% macro m(p) %}{{ p.x }}{{ C }}{% endmacro %}{{ m(A) }}',
    '{{ {"k": A.x}.k }}',
    '{{ A.x ~ "}}" ~ C }}',
  ];
  const whole = new TemplateRenderer();
  afterAll(() => whole.close());
  it.each(corpus)('renders %s the same from the picked and the whole state', async (template) => {
    const { references } = scanTemplate(template);
    const picked = references === undefined ? full : pickState(full, references);
    const plain = await whole.render(`${template}!`, picked as TemplateState, { field: 'f' });
    expect(plain).toBe(await whole.render(`${template}!`, full as TemplateState, { field: 'f' }));
  });
});

describe('pickState with a key named __proto__', () => {
  it('keeps it as an own key, not as the prototype', () => {
    const input = JSON.parse('{"__proto__": {"x": 1}, "y": 2}') as Record<string, unknown>;
    const picked = pickState({ INPUT: input }, [
      ['INPUT', '__proto__'],
      ['INPUT', 'y'],
    ]) as {
      INPUT: Record<string, unknown>;
    };
    expect(Object.getPrototypeOf(picked.INPUT)).toBe(Object.prototype);
    expect(Object.hasOwn(picked.INPUT, '__proto__')).toBe(true);
    expect(Object.keys(picked.INPUT)).toEqual(['__proto__', 'y']);
  });
});
