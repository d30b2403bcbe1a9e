import { describe, expect, it } from 'vitest';
import { frozenCopy } from '../../src/http/request-values.js';

describe('frozenCopy', () => {
  it('copies nested records and arrays deeply and freezes the copies, leaving the original alone', () => {
    const original = { a: 1, nested: { list: [1, { b: 2 }] } };
    const copy = frozenCopy(original);
    expect(copy).toEqual(original);
    expect(copy).not.toBe(original);
    expect(copy.nested).not.toBe(original.nested);
    expect(Object.isFrozen(copy) && Object.isFrozen(copy.nested) && Object.isFrozen(copy.nested.list)).toBe(
      true,
    );
    expect(Object.isFrozen(original.nested)).toBe(false);
  });

  it('keeps a cycle a cycle instead of recursing forever', () => {
    const original: Record<string, unknown> = { name: 'root' };
    original.self = original;
    original.child = { parent: original };
    const copy = frozenCopy(original) as Record<string, Record<string, unknown>>;
    expect(copy.self).toBe(copy);
    expect(copy.child?.parent).toBe(copy);
  });

  it('keeps a __proto__ key as a key, without touching the prototype', () => {
    const original = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as Record<string, unknown>;
    const copy = frozenCopy(original);
    expect(Object.keys(copy)).toEqual(['__proto__', 'a']);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('keeps dates and bytes as they are', () => {
    const when = new Date(0);
    const bytes = new Uint8Array([1, 2]);
    const copy = frozenCopy({ when, bytes });
    expect(copy.when).toBe(when);
    expect(copy.bytes).toBe(bytes);
  });
});
