import { checkTemplates } from '@sluice/engine';
import { describe, expect, it } from 'vitest';

describe('checkTemplates', () => {
  it('returns nothing when every template parses', async () => {
    const value = {
      url: '{{ SYSTEM_APIS.x }}/v1',
      headers: { A: 'Bearer {{ USER.token }}' },
      n: 3,
      list: ['x'],
    };
    expect(await checkTemplates(value, 'steps[0].apispec')).toEqual([]);
  });

  it('reports each template that does not parse with its path, message, line and column', async () => {
    const value = {
      url: '{{ SYSTEM_APIS.x }/v1',
      json_body: { ids: ['ok', '{% for x in %}{% endfor %}'], 'X-Y z': 'a\n{{ 1 + }}' },
    };
    expect(await checkTemplates(value, 'steps[1].apispec')).toEqual([
      {
        path: 'steps[1].apispec.url',
        message: 'syntax error: unexpected `}`, expected end of variable block',
        line: 1,
        column: 18,
      },
      {
        path: 'steps[1].apispec.json_body.ids[1]',
        message: 'syntax error: unexpected end of block',
        line: 1,
        column: 13,
      },
      {
        path: 'steps[1].apispec.json_body["X-Y z"]',
        message: 'syntax error: unexpected end of variable block',
        line: 2,
        column: 8,
      },
    ]);
  });

  it('checks a bare string at the base path, and does not render anything', async () => {
    expect(await checkTemplates('{{ NOT_DEFINED.anywhere }}', 'steps[0].input')).toEqual([]);
    expect((await checkTemplates('{{ x', 'steps[0].input'))[0]?.path).toBe('steps[0].input');
    expect((await checkTemplates('{{ }}', ''))[0]?.path).toBe('');
  });
});
