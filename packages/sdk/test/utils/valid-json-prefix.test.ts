import { validJsonPrefixLength } from '@sluice/sdk/internal';
import { describe, expect, it } from 'vitest';

describe('validJsonPrefixLength', () => {
  it.each([
    ['an empty text', '', 0],
    ['a whole valid text', '{"a": 1}', 8],
    ['a text cut short', '[1, 2', 5],
    ['a text with a bad token', '{"a": x}', 6],
    ['a text with a missing colon', '{"a" 1}', 5],
    ['a text with trailing garbage', '[1] x', 4],
  ])('measures %s up to where parsing fails', (_, text, length) => {
    expect(validJsonPrefixLength(text)).toBe(length);
  });
});
