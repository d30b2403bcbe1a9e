import { DEDUP_WINDOW, initialTriggerState, parseTriggerState } from '@sluice/sdk/internal';
import { describe, expect, it } from 'vitest';
import { rememberSignatures, toJsonValue } from '../../src/trigger/trigger-state.js';

describe('initialTriggerState', () => {
  it('starts each kind with an empty ledger and no cursor', () => {
    expect(initialTriggerState('ascending')).toEqual({ kind: 'ascending', seen: [] });
    expect(initialTriggerState('paging_desc')).toEqual({ kind: 'paging_desc', seen: [] });
  });
});

describe('parseTriggerState', () => {
  it('reads back what JSON made of a state', () => {
    const asc = { kind: 'ascending', closure: { since: '2024-01-01' }, seen: ['1', '2'] };
    expect(parseTriggerState(JSON.parse(JSON.stringify(asc)), 'ascending', 'state')).toEqual(asc);
    const desc = {
      kind: 'paging_desc',
      seen: ['1@5'],
      high: { sortBy: 5, ids: ['1'] },
      backfill: { cursor: 'page-2', top: { sortBy: 9, ids: ['4'] } },
    };
    expect(parseTriggerState(JSON.parse(JSON.stringify(desc)), 'paging_desc', 'state')).toEqual(desc);
  });

  it.each([
    ['a string', 'x', 'ascending', 'state: must be an object (got "x")'],
    [
      'the other kind',
      { kind: 'ascending', seen: [] },
      'paging_desc',
      'state.kind: must be "paging_desc" (got "ascending")',
    ],
    [
      'a seen list of numbers',
      { kind: 'ascending', seen: [1] },
      'ascending',
      'state.seen: must be an array of strings',
    ],
    [
      'a high without ids',
      { kind: 'paging_desc', seen: [], high: { sortBy: 1 } },
      'paging_desc',
      'state.high.ids: must be an array of strings',
    ],
    [
      'a high sortBy that is an object',
      { kind: 'paging_desc', seen: [], high: { sortBy: {}, ids: [] } },
      'paging_desc',
      'state.high.sortBy: must be a string or a number (got an object)',
    ],
    [
      'a backfill without cursor',
      { kind: 'paging_desc', seen: [], backfill: {} },
      'paging_desc',
      'state.backfill: must be { cursor, top? }',
    ],
    [
      'a backfill top that is a number',
      { kind: 'paging_desc', seen: [], backfill: { cursor: 1, top: 3 } },
      'paging_desc',
      'state.backfill.top: must be { sortBy, ids } (got number 3)',
    ],
  ] as const)('rejects %s', (_name, value, kind, message) => {
    expect(() => parseTriggerState(value, kind, 'state')).toThrow(message);
    expect(() => parseTriggerState(value, kind, 'state')).toThrow(
      expect.objectContaining({ code: 'SLUICE_TRIGGER_STATE' }),
    );
  });
});

describe('rememberSignatures', () => {
  it('keeps the newest signatures up to the window', () => {
    expect(rememberSignatures(['a', 'b'], ['c'], 2)).toEqual(['b', 'c']);
    const many = Array.from({ length: DEDUP_WINDOW + 5 }, (_, i) => String(i));
    const kept = rememberSignatures([], many);
    expect(kept).toHaveLength(DEDUP_WINDOW);
    expect(kept[0]).toBe('5');
  });
});

describe('toJsonValue', () => {
  it('turns dates into ISO strings and rejects what JSON cannot hold', () => {
    expect(toJsonValue({ at: new Date(0) }, 'x')).toEqual({ at: '1970-01-01T00:00:00.000Z' });
    expect(toJsonValue(undefined, 'x')).toBeUndefined();
    expect(() => toJsonValue(Symbol('s'), 'triggers.t.poll: nextPoll')).toThrow(
      'triggers.t.poll: nextPoll: must be JSON-serialisable (got symbol Symbol(s))',
    );
  });
});
