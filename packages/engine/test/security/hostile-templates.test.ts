/**
 * Hostile templates (issue 12): the escape payloads of the Jinja sandbox-escape literature, runaway
 * work the fuel limit does not count, recursion and huge ranges. Each row states its outcome; after
 * each one a template never rendered before, in another workspace, must still render on the same
 * renderer (a hostile template may only ever fail its own render). To add an attack, add a row.
 */
import {
  type TemplateErrorCode,
  type TemplateLimits,
  TemplateRenderer,
  type TemplateState,
} from '@sluice/engine';
import { afterAll, describe, expect, it } from 'vitest';

type Outcome = { code: TemplateErrorCode; message?: RegExp } | { value: unknown };

interface HostileTemplate {
  name: string;
  template: string;
  expect: Outcome;
  /** Which renderer: `slow` has a long deadline (memory and output rows must not race it), `fast` a short one. */
  renderer?: 'slow' | 'fast' | 'fuel';
}

const undefinedValue = (name: string): Outcome => ({
  code: 'SLUICE_TEMPLATE_RENDER',
  message: new RegExp(`undefined value: ${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`),
});
const memory: Outcome = { code: 'SLUICE_TEMPLATE_MEMORY', message: /needed more than the 64 MB memory cap/ };
const deadline: Outcome = {
  code: 'SLUICE_TEMPLATE_DEADLINE',
  message: /ran longer than the 300 ms deadline/,
};

const HOSTILE_TEMPLATES: readonly HostileTemplate[] = [
  // Sandbox escapes (Python object graph, globals of built-ins, the JavaScript prototype chain).
  {
    name: 'str.__class__.__mro__',
    template: "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    expect: { code: 'SLUICE_TEMPLATE_RENDER', message: /undefined value/ },
  },
  {
    name: 'tuple.__class__.__bases__',
    template: '{{ ().__class__.__bases__[0].__subclasses__() }}',
    expect: { code: 'SLUICE_TEMPLATE_RENDER', message: /undefined value/ },
  },
  {
    name: 'config.items()',
    template: '{{ config.items() }}',
    expect: { code: 'SLUICE_TEMPLATE_RENDER', message: /unknown method|undefined value/ },
  },
  {
    name: 'self.__init__.__globals__',
    template: '{{ self.__init__.__globals__ }}',
    expect: undefinedValue('self.__init__.__globals__'),
  },
  {
    name: 'self._TemplateReference__context',
    template: '{{ self._TemplateReference__context }}',
    expect: undefinedValue('self._TemplateReference__context'),
  },
  {
    name: 'cycler globals os.popen',
    template: "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    expect: undefinedValue('cycler.__init__.__globals__.os'),
  },
  {
    name: 'lipsum globals',
    template: "{{ lipsum.__globals__['os'].popen('id').read() }}",
    expect: { code: 'SLUICE_TEMPLATE_RENDER', message: /undefined value: lipsum/ },
  },
  {
    name: 'namespace globals',
    template: '{{ namespace.__init__.__globals__ }}',
    expect: undefinedValue('namespace.__init__.__globals__'),
  },
  { name: 'range.__call__', template: '{{ range.__call__ }}', expect: undefinedValue('range.__call__') },
  {
    name: 'request object',
    template: '{{ request.application.__globals__ }}',
    expect: { code: 'SLUICE_TEMPLATE_RENDER', message: /undefined value: request/ },
  },
  {
    name: 'JS constructor chain',
    template: "{{ ''.constructor.constructor('return process')() }}",
    expect: { code: 'SLUICE_TEMPLATE_RENDER', message: /unknown method|undefined value/ },
  },
  {
    name: 'JS __proto__ of a string',
    template: "{{ 'abc'.__proto__ }}",
    expect: undefinedValue("'abc'.__proto__"),
  },
  {
    name: 'JS __proto__ of the state',
    template: '{{ INPUT.__proto__ }}',
    expect: undefinedValue('INPUT.__proto__'),
  },
  {
    name: 'JS constructor of the state',
    template: '{{ INPUT.constructor }}',
    expect: undefinedValue('INPUT.constructor'),
  },
  {
    name: 'debug() (lists every compiled template)',
    template: '{{ debug() }}',
    expect: { code: 'SLUICE_TEMPLATE_RENDER', message: /unknown function/ },
  },
  {
    name: 'include a file',
    template: "{% include '/etc/passwd' %}",
    expect: { code: 'SLUICE_TEMPLATE_RENDER', message: /template not found/ },
  },
  {
    name: 'extends a file',
    template: "{% extends '/etc/passwd' %}",
    expect: { code: 'SLUICE_TEMPLATE_RENDER', message: /template not found/ },
  },
  {
    name: 'import a module',
    template: "{% import 'os' as os %}{{ os.system('id') }}",
    expect: { code: 'SLUICE_TEMPLATE_RENDER', message: /template not found/ },
  },
  {
    name: 'include by a guessed name',
    template: "{% include 't1' %}{% include 't-1' %}",
    expect: { code: 'SLUICE_TEMPLATE_RENDER', message: /template not found/ },
  },

  // Huge ranges and numbers: minijinja refuses them.
  {
    name: 'range(10**9)',
    template: '{{ range(10**9)|list|length }}',
    expect: { code: 'SLUICE_TEMPLATE_RENDER', message: /range has too many elements/ },
  },
  {
    name: '10**10**10',
    template: '{{ 10**10**10 }}',
    expect: { code: 'SLUICE_TEMPLATE_RENDER', message: /unable to calculate/ },
  },
  {
    name: '2**64 * 2**64',
    template: '{{ 2**64 * 2**64 }}',
    expect: { code: 'SLUICE_TEMPLATE_RENDER', message: /unable to calculate/ },
  },

  // Memory: one operation the fuel limit counts once (constant folding at compile time included).
  { name: "'a' * 10**9 (folded at compile time)", template: "{{ 'a'*10**9 }}", expect: memory },
  { name: "('a' * 10**9)|length", template: "{{ ('a'*10**9)|length }}", expect: memory },
  { name: 'center(10**8)', template: "{{ 'x'|center(10**8)|length }}", expect: memory },
  {
    name: 'center(10**9) (over the longest JS string)',
    template: "{{ 'x'|center(10**9) }}",
    expect: { code: 'SLUICE_TEMPLATE_RENDER', message: /filter center: Invalid string length/ },
  },
  {
    name: 'indent of a million lines',
    template: "{{ ('a\\n'*10**6)|indent(10**3)|length }}",
    expect: memory,
  },
  { name: 'format of 20 MB', template: "{{ '%s%s'|format('a'*10**7, 'b'*10**7)|length }}", expect: memory },
  {
    name: 'join with a 100 KB separator',
    template: "{{ range(10000)|join('x'*10**5)|length }}",
    expect: memory,
  },
  { name: 'tojson of 100 MB', template: "{{ ([('a'*10**6)]*100)|tojson|length }}", expect: memory },
  { name: 'wordcount of 20 MB', template: "{{ ('a '*10**7)|wordcount }}", expect: memory },
  {
    name: 'string doubling in a loop',
    template:
      "{% set s = namespace(v='a') %}{% for i in range(40) %}{% set s.v = s.v ~ s.v %}{% endfor %}{{ s.v|length }}",
    expect: memory,
  },

  // Recursion.
  {
    name: 'namespace list nested 2,000 deep, then tojson',
    template:
      '{% set ns = namespace(x=[]) %}{% for i in range(2000) %}{% set ns.x = [ns.x] %}{% endfor %}{{ ns.x|tojson|length }}',
    expect: { value: '4002' },
  },
  {
    name: 'namespace list nested 100,000 deep, then tojson',
    template:
      '{% set ns = namespace(x=[]) %}{% for i in range(100000) %}{% set ns.x = [ns.x] %}{% endfor %}{{ ns.x|tojson|length }}',
    expect: { code: 'SLUICE_TEMPLATE_MEMORY', message: /nests too deeply/ },
  },
  {
    name: 'a macro calling itself',
    template: '{% macro f(n) %}{{ f(n+1) }}{% endmacro %}{{ f(0) }}',
    expect: { code: 'SLUICE_TEMPLATE_RENDER', message: /recursion limit exceeded/ },
  },
  {
    name: '5,000 nested list literals',
    template: `{{ ${'['.repeat(5000)}${']'.repeat(5000)} }}`,
    expect: { code: 'SLUICE_TEMPLATE_SYNTAX', message: /maximum recursion limits/ },
  },

  // Output: a result over the output cap (1 Mi characters here).
  {
    name: 'a 2 MB result',
    template: "{{ 'a'*(2*1024*1024) }}",
    expect: { code: 'SLUICE_TEMPLATE_OUTPUT', message: /over the 1,048,576 character output cap/ },
  },
  {
    name: 'a 2 MB text result',
    template: "x{{ 'a'*(2*1024*1024) }}",
    expect: { code: 'SLUICE_TEMPLATE_OUTPUT' },
  },

  // Time: work that allocates little per step, and loops the fuel limit would count only with more fuel.
  {
    name: 'a 10**10-iteration loop',
    template: '{% for i in range(10**5) %}{% for j in range(10**5) %}{% endfor %}{% endfor %}',
    expect: deadline,
    renderer: 'fast',
  },
  {
    name: 'a megabyte string per iteration',
    template: "{% for i in range(100000) %}{{ ('a'*10**6)|length }}{% endfor %}",
    expect: deadline,
    renderer: 'fast',
  },
  {
    name: 'a list of 10**9 items',
    template: '{{ [1]*10**9 }}',
    expect: { code: 'SLUICE_TEMPLATE_DEADLINE' },
    renderer: 'fast',
  },
  {
    name: 'the same loop under the default fuel',
    template: '{% for i in range(10**5) %}{% for j in range(10**5) %}{% endfor %}{% endfor %}',
    expect: { code: 'SLUICE_TEMPLATE_FUEL' },
    renderer: 'fuel',
  },
];

const LIMITS: Record<NonNullable<HostileTemplate['renderer']>, TemplateLimits> = {
  // A long deadline: memory and output rows must fail on their own limit however loaded the machine is.
  slow: { deadlineMs: 30_000, memoryMb: 64, fuel: 2_000_000_000, maxOutputChars: 1024 * 1024 },
  fast: { deadlineMs: 300, memoryMb: 64, fuel: 2_000_000_000, maxOutputChars: 1024 * 1024 },
  fuel: { deadlineMs: 30_000, memoryMb: 64 },
};

describe('hostile templates', () => {
  const renderers = new Map<string, TemplateRenderer>();
  const rendererFor = (kind: keyof typeof LIMITS): TemplateRenderer => {
    let renderer = renderers.get(kind);
    if (renderer === undefined) {
      // One worker: the template after a hostile one runs in the very worker slot it broke or left.
      renderer = new TemplateRenderer({ ...LIMITS[kind], workers: 1 });
      renderers.set(kind, renderer);
    }
    return renderer;
  };
  afterAll(async () => {
    await Promise.all([...renderers.values()].map((r) => r.close()));
  });

  const attacker: TemplateState = {
    USER: { workspace_id: 'attacker', token: 'rt_attacker' },
    INPUT: { a: 1 },
  };
  let fresh = 0;

  it.each(HOSTILE_TEMPLATES)('$name', async (row) => {
    const renderer = rendererFor(row.renderer ?? 'slow');
    const where = { step: 'evil', field: 'apispec.url' };
    const outcome = await renderer.render(row.template, attacker, where).then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
    if ('value' in row.expect) {
      expect(outcome).toEqual({ value: row.expect.value });
    } else {
      expect(outcome).toHaveProperty('error');
      const error = (
        outcome as { error: { code: string; message: string; step: string; field: string; template: string } }
      ).error;
      expect(error.code).toBe(row.expect.code);
      if (row.expect.message !== undefined) expect(error.message).toMatch(row.expect.message);
      // The error names the template and where it sits.
      expect(error).toMatchObject({ step: 'evil', field: 'apispec.url', template: row.template });
      expect(error.message).toMatch(/^steps\.evil\.apispec\.url: /);
    }
    // Another workspace's template, never compiled before, renders on the same renderer.
    fresh++;
    const other: TemplateState = { USER: { workspace_id: 'victim' }, INPUT: { n: fresh } };
    await expect(
      renderer.render(`{{ USER.workspace_id }}-{{ INPUT.n + ${fresh} }}`, other, { field: 'f' }),
    ).resolves.toBe(`victim-${2 * fresh}`);
    await expect(renderer.render({ typed: '{{ INPUT.n * 2 }}' }, other, { field: 'f' })).resolves.toEqual({
      typed: 2 * fresh,
    });
  });

  it('checks the syntax of hostile templates without being broken by them', async () => {
    const renderer = rendererFor('slow');
    const problems = await renderer.checkSyntax([
      "{{ 'a'*10**9 }}",
      '{{ x',
      "{{ ('a'*10**9)|length }}",
      '{{ fine }}',
      `{{ ${'['.repeat(5000)}${']'.repeat(5000)} }}`,
    ]);
    expect(problems.map((p) => p?.message)).toEqual([
      'template stopped: it needed more than the 64 MB memory cap',
      'syntax error: unexpected end of input, expected end of variable block',
      'template stopped: it needed more than the 64 MB memory cap',
      undefined,
      expect.stringMatching(/maximum recursion limits/),
    ]);
  });

  it('cannot read a template another workspace compiled in the same worker', async () => {
    const renderer = rendererFor('slow');
    const victim: TemplateState = { USER: { workspace_id: 'victim', x: 1 } };
    await renderer.render('Bearer sk_live_VICTIM {{ USER.x }}', victim, { field: 'f' });
    // Template names are unguessable and debug() (which would list them) is gone.
    for (const probe of ["{% if USER %}{% endif %}{% include 't1' %}", '{{ debug() }}']) {
      const error = await renderer.render(probe, attacker, { field: 'f' }).catch((e: unknown) => e);
      expect(String(error)).not.toContain('sk_live_VICTIM');
      expect(error).toMatchObject({ code: 'SLUICE_TEMPLATE_RENDER' });
    }
  });

  it('serves other workspaces while a template runs into its deadline', async () => {
    const renderer = new TemplateRenderer({ deadlineMs: 3_000, fuel: 2_000_000_000, workers: 2 });
    try {
      // Both workers booted first, so the order below cannot depend on how long a boot takes.
      const victim = { USER: { workspace_id: 'victim' } };
      await Promise.all([
        renderer.render('{{ 1 + 1 }}', victim, { field: 'f' }),
        renderer.render('{{ 2 + 2 }}', victim, { field: 'f' }),
      ]);
      const order: string[] = [];
      const slow = renderer
        .render('{% for i in range(10**5) %}{% for j in range(10**5) %}{% endfor %}{% endfor %}', attacker, {
          field: 'f',
        })
        .catch((error: { code: string }) => order.push(`attacker ${error.code}`));
      for (let i = 0; i < 5; i++) {
        const value = await renderer.render(
          `{{ ${i} + 1 }}`,
          { USER: { workspace_id: 'victim' } },
          { field: 'f' },
        );
        order.push(`victim ${String(value)}`);
      }
      await slow;
      expect(order).toEqual([
        'victim 1',
        'victim 2',
        'victim 3',
        'victim 4',
        'victim 5',
        'attacker SLUICE_TEMPLATE_DEADLINE',
      ]);
    } finally {
      await renderer.close();
    }
  });

  it('refuses limits that are not positive integers', () => {
    expect(() => new TemplateRenderer({ deadlineMs: 0 })).toThrow(/deadlineMs must be a positive integer/);
    expect(() => new TemplateRenderer({ memoryMb: 1.5 })).toThrow(/memoryMb must be a positive integer/);
    expect(() => new TemplateRenderer({ workers: -1 })).toThrow(/workers must be a positive integer/);
    expect(() => new TemplateRenderer({ memoryMb: 8192 })).toThrow(/memoryMb must be at most 4095/);
    // minijinja-js runs out of fuel at once past 2^31.
    expect(() => new TemplateRenderer({ fuel: 2 ** 31 })).toThrow(/fuel must be a positive integer/);
  });
});
