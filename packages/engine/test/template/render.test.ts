import { isSluiceError, type TemplateError, TemplateRenderer, type TemplateState } from '@sluice/engine';
import { afterAll, describe, expect, it } from 'vitest';

const state: TemplateState = {
  SYSTEM_APIS: { my_app: 'https://my.app' },
  USER: { token: 'tok', email: 'a@b.c', nested: {} },
  INPUT: { since: '2024-01-01', id: 7, active: true, tags: ['a', 'b'] },
  STEPS: {
    customers: {
      output: [
        { id: 1, name: 'Ann' },
        { id: 2, name: 'Bob' },
      ],
    },
  },
  CURRENT_STEP: { name: 'notify', input: { id: 42 }, index: 0, attempt: 1 },
  WORKFLOW: { name: 'sync' },
  RUN: { id: 'run-1' },
};
const where = { step: 'notify', field: 'apispec.url' };

async function renderError(
  renderer: TemplateRenderer,
  template: string,
  s: TemplateState = state,
): Promise<TemplateError> {
  try {
    await renderer.render(template, s, where);
  } catch (error) {
    if (isSluiceError(error)) return error as TemplateError;
    throw error;
  }
  throw new Error(`rendered ${template} without an error`);
}

describe('TemplateRenderer.render', () => {
  const renderer = new TemplateRenderer();
  afterAll(() => renderer.close());

  it.each<[string, unknown]>([
    ['{{ CURRENT_STEP.input.id }}', 42],
    ['  {{ INPUT.active }}\n', true],
    ['{{ INPUT.tags }}', ['a', 'b']],
    ['{{ STEPS.customers.output[1] }}', { id: 2, name: 'Bob' }],
    ['{{ STEPS.customers.output | map(attribute="id") | list }}', [1, 2]],
    ['{{ INPUT.id + 1 }}', 8],
    ['{{ 7 / 2 }}', 3.5],
    ['{{ none }}', null],
    ['{{ {"b": [1, none], "a": INPUT.id} }}', { a: 7, b: [1, null] }],
    ['{{ (1, 2) }}', [1, 2]],
    ['{{ USER.token }}', 'tok'],
    ['{{ "42" }}', '42'],
    ['{{ "[1, 2]" }}', '[1, 2]'],
    ['{{ "True" }}', 'True'],
    ['{{ INPUT.id ~ "" }}', '7'],
    ['{{ INPUT.id }}{# a comment #}', 7],
    ['{{- INPUT.id -}}', 7],
  ])('gives %s its typed value', async (template, expected) => {
    expect(await renderer.render(template, state, where)).toEqual(expected);
  });

  it.each<[string, string]>([
    ['{{ SYSTEM_APIS.my_app }}/v1/customers.json', 'https://my.app/v1/customers.json'],
    ['Bearer {{ USER.token }}', 'Bearer tok'],
    ['{{ INPUT.id }}{{ INPUT.id }}', '77'],
    ['[{{ INPUT.id }}]', '[7]'],
    ['{% for c in STEPS.customers.output %}{{ c.name }},{% endfor %}', 'Ann,Bob,'],
    ['{% if INPUT.active %}yes{% endif %}', 'yes'],
    ['{{ USER.items() | list | length }} keys', '3 keys'],
    ['{% raw %}{{ not a template }}{% endraw %}', '{{ not a template }}'],
  ])('renders %s to a string', async (template, expected) => {
    expect(await renderer.render(template, state, where)).toBe(expected);
  });

  it('returns strings without template syntax, and other scalars, as they are', async () => {
    for (const value of ['plain text', '', 'a { b } c', 3, true, null, undefined]) {
      expect(await renderer.render(value, state, where)).toBe(value);
    }
  });

  it('renders recursively through objects and arrays, keeping keys as they are', async () => {
    const value = {
      '{{ not.a.key }}': '{{ CURRENT_STEP.input.id }}',
      list: ['{{ INPUT.since }}', 5, { deep: 'id={{ INPUT.id }}' }],
      flag: false,
    };
    const out = await renderer.render(value, state, where);
    expect(out).toEqual({
      '{{ not.a.key }}': 42,
      list: ['2024-01-01', 5, { deep: 'id=7' }],
      flag: false,
    });
    expect(value.list[0]).toBe('{{ INPUT.since }}');
  });

  it('fails on an undefined variable, naming the field, the missing name and its position', async () => {
    const err = await renderError(renderer, '{{ USER.nope }}');
    expect(err.code).toBe('SLUICE_TEMPLATE_RENDER');
    expect(err.message).toBe(
      'steps.notify.apispec.url: undefined value: USER.nope (line 1, column 4) in template "{{ USER.nope }}"',
    );
    expect([err.step, err.field, err.template, err.line, err.column]).toEqual([
      'notify',
      'apispec.url',
      '{{ USER.nope }}',
      1,
      4,
    ]);
    expect(err.hint).toContain('default');
  });

  it.each<[string, string, number, number]>([
    ['{{ SYSTEM_APIS.my_app }}/x/{{ USER.nested.deep.er }}', 'USER.nested.deep', 1, 31],
    ['a\n  {{ STEPS.customers.output[5].id }}', 'STEPS.customers.output[5]', 2, 6],
    ['{{ STEPS.other.output }}', 'STEPS.other', 1, 4],
    ['{{ NOPE }}', 'NOPE', 1, 4],
    ['{% for c in STEPS.customers.output %}{{ c.nope }}{% endfor %}', 'c.nope', 1, 41],
    ['{{ INPUT.id.x }}', 'INPUT.id.x', 1, 4],
  ])('names what is undefined in %s', async (template, name, line, column) => {
    const err = await renderError(renderer, template);
    expect(err.message).toContain(`undefined value: ${name} (line ${line}, column ${column})`);
  });

  it('reports a nested field path for a value inside an object', async () => {
    const err = await (async () => {
      try {
        await renderer.render({ json_body: { ids: ['{{ NOPE }}'] } }, state, { step: 's', field: 'apispec' });
      } catch (error) {
        return error as TemplateError;
      }
    })();
    expect(err?.field).toBe('apispec.json_body.ids[0]');
    expect(err?.message).toMatch(/^steps\.s\.apispec\.json_body\.ids\[0\]: undefined value: NOPE/);
  });

  it('fails with SLUICE_TEMPLATE_SYNTAX and the position on a template that does not parse', async () => {
    const err = await renderError(renderer, 'x\n{{ INPUT.id }');
    expect(err.code).toBe('SLUICE_TEMPLATE_SYNTAX');
    expect(err.message).toBe(
      'steps.notify.apispec.url: syntax error: unexpected `}`, expected end of variable block (line 2, column 13) in template "x\\n{{ INPUT.id }"',
    );
  });

  it('fails other render errors with minijinja’s message', async () => {
    const err = await renderError(renderer, '{{ INPUT.id + "x" }}');
    expect(err.code).toBe('SLUICE_TEMPLATE_RENDER');
    expect(err.message).toContain(
      'invalid operation: tried to use + operator on unsupported types number and string',
    );
  });

  it('stops a runaway template with SLUICE_TEMPLATE_FUEL', async () => {
    const small = new TemplateRenderer({ fuel: 1_000 });
    try {
      const err = await renderError(small, '{% for i in range(10000) %}{{ i }}{% endfor %}');
      expect(err.code).toBe('SLUICE_TEMPLATE_FUEL');
      expect(await small.render('{% for i in range(10) %}{{ i }}{% endfor %}', state, where)).toBe(
        '0123456789',
      );
    } finally {
      await small.close();
    }
  });

  it('rejects limits that are not positive integers', () => {
    expect(() => new TemplateRenderer({ fuel: 0 })).toThrow(RangeError);
    expect(() => new TemplateRenderer({ cacheSize: 1.5 })).toThrow(RangeError);
  });

  it('keeps rendering correctly when the cache evicts templates', async () => {
    const tiny = new TemplateRenderer({ cacheSize: 2 });
    try {
      for (let round = 0; round < 3; round++) {
        for (const n of [1, 2, 3, 4]) {
          expect(await tiny.render(`{{ ${n} }}-{{ INPUT.id }}`, state, where)).toBe(`${n}-7`);
        }
      }
    } finally {
      await tiny.close();
    }
  });
});

describe('TemplateRenderer sandbox', () => {
  const renderer = new TemplateRenderer();
  afterAll(() => renderer.close());

  it.each([
    "{{ ''.__class__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    '{{ cycler.__init__.__globals__.os }}',
    '{{ joiner.__init__.__globals__ }}',
    '{{ namespace.__init__.__globals__ }}',
    '{{ lipsum.__globals__ }}',
    '{{ self.__init__.__globals__ }}',
    '{{ range.__globals__ }}',
    '{{ process.env }}',
    '{{ globalThis }}',
    "{{ constructor.constructor('return process')() }}",
  ])('fails %s cleanly, without reaching the host runtime', async (template) => {
    const err = await renderError(renderer, template);
    expect(err.code).toBe('SLUICE_TEMPLATE_RENDER');
  });

  it('cannot include, import or extend files', async () => {
    for (const template of [
      "{% include '/etc/passwd' %}",
      "{% import 'os' as os %}",
      "{% extends '/etc/hosts' %}",
    ]) {
      expect((await renderError(renderer, template)).code).toBe('SLUICE_TEMPLATE_RENDER');
    }
  });
});
