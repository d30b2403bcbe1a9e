import { describe, expect, it } from 'vitest';
import { fillTemplate } from '../src/scaffold.js';

describe('fillTemplate', () => {
  const values = { title: `Bob's "CRM" \\ co`, slug: 'bobs-crm' };

  it('escapes the title for single-quoted TypeScript strings, JSON strings, and leaves it as is elsewhere', () => {
    expect(fillTemplate("title: '{{title}}', // {{slug}}", 'connector.ts', values)).toBe(
      `title: 'Bob\\'s "CRM" \\\\ co', // bobs-crm`,
    );
    expect(
      JSON.parse(fillTemplate('{"d": "The {{title}}", "n": "{{slug}}"}', 'package.json.template', values)),
    ).toEqual({
      d: `The Bob's "CRM" \\ co`,
      n: 'bobs-crm',
    });
    expect(fillTemplate('app_name: "{{title}}"', 'app_config.yaml', values)).toBe(
      'app_name: "Bob\'s \\"CRM\\" \\\\ co"',
    );
    expect(fillTemplate('# {{title}} connector', 'README.md', values)).toBe(`# Bob's "CRM" \\ co connector`);
  });
});
