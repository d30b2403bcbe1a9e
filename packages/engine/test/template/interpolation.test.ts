/**
 * Templates of text and plain references (`{{ SYSTEM_APIS.crm }}/v1/people/{{ CURRENT_STEP.input.id }}`)
 * render without a worker when their values are strings or safe integers. The result must be exactly
 * minijinja's: each case is rendered both ways (a trailing comment makes the renderer send it to a
 * worker) and compared.
 */
import { TemplateRenderer, type TemplateState } from '@sluice/engine';
import { InlineJobs } from '@sluice/engine/internal';
import { afterAll, describe, expect, it } from 'vitest';

const renderer = new TemplateRenderer();
// The same renderer over jobs run in this thread, counting them: which templates needed minijinja.
let jobs = 0;
const counting = new TemplateRenderer({}, (settings) => {
  const inline = new InlineJobs(settings);
  return {
    run: (tenant, job) => {
      jobs++;
      return inline.run(tenant, job);
    },
    close: () => inline.close(),
  };
});
afterAll(() => Promise.all([renderer.close(), counting.close()]));

const state: TemplateState = {
  SYSTEM_APIS: { crm: 'https://crm.example/api', odd: 'a {{ b }} {% c %} }} %}' },
  USER: { token: 'tok_ünï©ødé 🚀', id: 'u1' },
  INPUT: {
    id: 42,
    negative: -7,
    big: Number.MAX_SAFE_INTEGER,
    unsafe: 2 ** 60,
    negativeZero: -0,
    float: 1.5,
    whole: 3.0,
    yes: true,
    nothing: null,
    list: [1, 'two'],
    map: { 'odd key': 'v', n: 0 },
    empty: '',
  },
};

const CASES = [
  '{{ SYSTEM_APIS.crm }}/v1/people/{{ INPUT.id }}',
  '{{SYSTEM_APIS.crm}}{{INPUT.id}}',
  'Bearer {{ USER.token }}',
  'x {{ SYSTEM_APIS.odd }} y',
  'a }} b {{ INPUT.negative }} c %}',
  '{{ INPUT.big }}-{{ INPUT.unsafe }}',
  '{{ INPUT.negativeZero }}!',
  '{{ INPUT.float }}/{{ INPUT.whole }}',
  '{{ INPUT.yes }} {{ INPUT.nothing }}',
  '{{ INPUT.list }} {{ INPUT.list[1] }}',
  "{{ INPUT.map['odd key'] }}:{{ INPUT.map.n }}",
  '[{{ INPUT.empty }}]',
  '  {{ USER.id }}  {{ USER.id }}  ',
  'line one\n{{ USER.id }}\nline three',
];

describe('text and plain references', () => {
  it.each(CASES)('%j renders as minijinja renders it', async (template) => {
    const fast = await renderer.render(template, state, { field: 'f' });
    const viaWorker = await renderer.render(`${template}{# through a worker #}`, state, { field: 'f' });
    expect(fast).toBe(viaWorker);
  });

  it('needs no job when every value is a string or a safe integer, and one otherwise', async () => {
    const jobsFor = async (template: string): Promise<number> => {
      const before = jobs;
      await counting.render(template, state, { field: 'f' });
      return jobs - before;
    };
    const plain = [
      CASES[0],
      CASES[1],
      CASES[2],
      CASES[3],
      CASES[4],
      CASES[10],
      CASES[11],
      CASES[12],
      CASES[13],
    ];
    for (const template of plain)
      expect([template, await jobsFor(template as string)]).toEqual([template, 0]);
    const others = [CASES[5], CASES[6], CASES[7], CASES[8], CASES[9]];
    for (const template of others)
      expect([template, await jobsFor(template as string)]).toEqual([template, 1]);
  });

  it('checks their syntax without a job, as minijinja would, and sends only the rest to one', async () => {
    const before = jobs;
    const problems = await counting.checkSyntax([...CASES, 'no template at all']);
    expect([problems.every((problem) => problem === undefined), jobs - before]).toEqual([true, 0]);
    // minijinja agrees: the same templates through a worker (the comment sends them there) are valid.
    const viaWorker = await renderer.checkSyntax(CASES.map((template) => `${template}{# c #}`));
    expect(viaWorker.every((problem) => problem === undefined)).toBe(true);
    const mixed = await counting.checkSyntax([
      '{{ INPUT.id }}',
      '{{ INPUT.id | upper }}',
      '{{ oops ',
      'plain',
    ]);
    expect(jobs - before).toBe(1);
    expect(mixed.map((problem) => problem?.line)).toEqual([undefined, undefined, 1, undefined]);
  });

  it('a missing key fails the same way with or without the comment', async () => {
    const errorOf = (template: string) =>
      renderer.render(template, state, { field: 'f' }).catch((e: { code: string; message: string }) => e);
    const fast = (await errorOf('x/{{ USER.nope }}')) as { code: string; message: string };
    const slow = (await errorOf('x/{{ USER.nope }}{# c #}')) as { code: string; message: string };
    expect(fast.code).toBe('SLUICE_TEMPLATE_RENDER');
    expect(fast.message).toContain('undefined value: USER.nope (line 1, column 6)');
    expect(slow.code).toBe(fast.code);
  });

  it('whitespace control and a trailing newline are left to minijinja', async () => {
    await expect(renderer.render('a {{- USER.id -}} b', state, { field: 'f' })).resolves.toBe('au1b');
    await expect(renderer.render('{{ USER.id }}\n', state, { field: 'f' })).resolves.toBe('u1');
  });
});
