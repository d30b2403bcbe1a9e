/**
 * A step's `when` that cannot mean what it says: plain text (`when: "yes"`, `when: "false"`), which is
 * always true, or never when empty; and text around or between `{{ }}` tags (`"{{ INPUT.n }} > 0"`),
 * which renders as text, true unless empty. A `when` with `{% %}` blocks is left alone: it may render
 * nothing on purpose (`{% if INPUT.go %}yes{% endif %}`).
 *
 * @internal
 * @module
 */
import { isTemplate } from '../template/scan.js';
import type { TemplateReferenceScan } from './template-references.js';

const FALSE_WORDS = /^(?:false|no|off|n|0|none|null|nil)$/i;

/**
 * What is wrong with `when`, or `undefined`. `scan` is the template's scan when it holds template
 * syntax (`scanTemplateReferences`).
 */
export function whenProblem(when: unknown, scan: TemplateReferenceScan | undefined): string | undefined {
  if (typeof when !== 'string') return undefined;
  if (!isTemplate(when)) {
    const text = when.trim();
    if (text === '') {
      return 'is empty text, which is false, so the step never runs; leave when out, or write true or false';
    }
    if (FALSE_WORDS.test(text)) {
      return `is the text ${JSON.stringify(when)}, which is true (any non-empty text is), so the step always runs; write false without quotes, or a condition inside {{ }}`;
    }
    return `is plain text, not a condition: any non-empty text is true, so the step always runs; write the condition inside {{ }} (e.g. "{{ INPUT.notify }}"), or true or false`;
  }
  if (scan === undefined || !scan.complete || scan.blocks > 0 || scan.expressions === 0) return undefined;
  if (scan.text) {
    return 'mixes text with {{ }}: it renders as text, which is true unless empty, so the step always runs; write the whole condition inside one {{ }} (e.g. "{{ INPUT.count > 0 }}")';
  }
  if (scan.expressions > 1) {
    return 'joins several {{ }} into text, which is true unless empty; write the whole condition inside one {{ }} (e.g. "{{ INPUT.a and INPUT.b }}")';
  }
  return undefined;
}
