import {
  compareSortValues,
  type JsonValue,
  type PagingDescTriggerState,
  parseTriggerState,
  pollPagingDesc,
  type SortValue,
} from '@sluice/sdk/internal';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { at, type CustomersApi, listCustomers, startCustomersApi } from './customers-api.js';

let api: CustomersApi;
beforeEach(async () => {
  api = await startCustomersApi();
});
afterEach(async () => {
  await api.close();
});

type Rec = Readonly<Record<string, unknown>>;

/** The poll a connector author writes: newest first, an inclusive `before` cursor, pages of 100. */
function descPoll(field: 'created_at' | 'updated_at' = 'created_at', limit = 100) {
  return async (cursor: JsonValue | undefined) => {
    const before = typeof cursor === 'string' ? cursor : undefined;
    const customers = await listCustomers(api, { order: 'desc', before, limit, field });
    return {
      events: customers,
      nextPage: customers.length >= limit ? customers[customers.length - 1]?.[field] : undefined,
    };
  };
}

const createdAt = (record: Rec) => record.created_at;
const ids = (events: readonly Rec[]) => events.map((e) => e.id);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

function cycle(state?: PagingDescTriggerState, maxPolls?: number) {
  return pollPagingDesc({ path: 'triggers.t', poll: descPoll(), sortBy: createdAt, state, maxPolls });
}

describe('pollPagingDesc', () => {
  it('pages back through 250 records in pages of 100 and emits each once, oldest first', async () => {
    for (const id of range(1, 250)) api.add(id, id);
    const first = await cycle();
    expect(ids(first.events)).toEqual(range(1, 250));
    expect(first.polls).toBe(3);
    expect(first.state.high).toEqual({ sortBy: at(250), ids: ['250'] });
    expect(first.state.seen).toHaveLength(250);
    expect(first.state.seen[0]).toBe(`1@${at(1)}`);
  });

  it('stops at the first page that reaches records emitted before', async () => {
    for (const id of range(1, 250)) api.add(id, id);
    const first = await cycle();
    const quiet = await cycle(first.state);
    expect(quiet.events).toEqual([]);
    expect(quiet.polls).toBe(1);
    for (const id of range(251, 400)) api.add(id, id);
    const busy = await cycle(quiet.state);
    expect(ids(busy.events)).toEqual(range(251, 400));
    expect(busy.polls).toBe(2);
  });

  it('emits a new record that shares the timestamp of the newest record already emitted', async () => {
    for (const id of range(1, 5)) api.add(id, id);
    const first = await cycle();
    api.add(6, 5);
    api.add(7, 6);
    const second = await cycle(first.state);
    expect(ids(second.events)).toEqual([6, 7]);
    expect(second.state.high).toEqual({ sortBy: at(6), ids: ['7'] });
    api.add(8, 6);
    const third = await cycle(second.state);
    expect(ids(third.events)).toEqual([8]);
    expect(third.state.high).toEqual({ sortBy: at(6), ids: ['7', '8'] });
  });

  it('neither loses nor duplicates records sharing one timestamp across a page boundary', async () => {
    for (const id of range(1, 40)) api.add(id, id);
    for (const id of range(41, 60)) api.add(id, 41);
    for (const id of range(61, 150)) api.add(id, id);
    const first = await cycle();
    expect(ids(first.events)).toEqual(range(1, 150));
    expect(api.requests).toEqual(['desc null', `desc ${at(41)}`]);
  });

  it('emits a record again when an update moves it past the high-water mark', async () => {
    for (const id of range(1, 5)) api.add(id, id);
    const updatedAt = (record: Rec) => record.updated_at;
    const run = (state?: PagingDescTriggerState) =>
      pollPagingDesc({ path: 't', poll: descPoll('updated_at'), sortBy: updatedAt, state });
    const first = await run();
    expect(ids(first.events)).toEqual(range(1, 5));
    api.touch(2, 10);
    const second = await run(first.state);
    expect(ids(second.events)).toEqual([2]);
    expect(second.state.seen.slice(-1)).toEqual([`2@${at(10)}`]);
    const third = await run(second.state);
    expect(third.events).toEqual([]);
  });

  it('goes on from where a cycle hit maxPolls, across a JSON round trip, with no duplicate and no gap', async () => {
    for (const id of range(1, 250)) api.add(id, id);
    const first = await cycle(undefined, 1);
    expect(ids(first.events)).toEqual(range(151, 250));
    expect(first.state.backfill).toEqual({ cursor: at(151), top: { sortBy: at(250), ids: ['250'] } });
    expect(first.state.high).toBeUndefined();
    for (const id of range(251, 260)) api.add(id, id);
    const stored = JSON.parse(JSON.stringify(first.state)) as unknown;
    const resumed = parseTriggerState(stored, 'paging_desc', 'state') as PagingDescTriggerState;
    const second = await cycle(resumed);
    expect(ids(second.events)).toEqual(range(1, 150));
    expect(second.state.backfill).toBeUndefined();
    expect(second.state.high).toEqual({ sortBy: at(250), ids: ['250'] });
    const third = await cycle(JSON.parse(JSON.stringify(second.state)) as PagingDescTriggerState);
    expect(ids(third.events)).toEqual(range(251, 260));
  });

  it('starts empty when the first poll finds nothing, then emits what arrives', async () => {
    const cursors: unknown[] = [];
    const poll = async (cursor: JsonValue | undefined) => {
      cursors.push(cursor);
      return descPoll()(cursor);
    };
    const empty = await pollPagingDesc({ path: 't', poll, sortBy: createdAt });
    expect(empty).toEqual({ events: [], state: { kind: 'paging_desc', seen: [] }, polls: 1 });
    api.add(1, 1);
    const next = await pollPagingDesc({ path: 't', poll, sortBy: createdAt, state: empty.state });
    expect(ids(next.events)).toEqual([1]);
    expect(cursors).toEqual([undefined, undefined]);
  });

  it('finds the document id in an ID field of any case and builds the default dedup from it', async () => {
    const result = await pollPagingDesc({
      path: 't',
      poll: () => ({
        events: [
          { ID: 'B', ts: 2 },
          { Id: 'A', ts: 1 },
        ],
      }),
      sortBy: (record) => record.ts,
    });
    expect(result.state.seen).toEqual(['A@1', 'B@2']);
    expect(result.state.high).toEqual({ sortBy: 2, ids: ['B'] });
  });

  it('stores Date sort values as ISO strings', async () => {
    const result = await pollPagingDesc({
      path: 't',
      poll: () => ({ events: [{ id: 1, ts: new Date(Date.UTC(2024, 0, 1)) }] }),
      sortBy: (record) => record.ts,
    });
    expect(result.state.high?.sortBy).toBe('2024-01-01T00:00:00.000Z');
  });

  it.each([
    ['null', () => null, {}, 'triggers.t.poll: must return { events: [...] } (got null)'],
    [
      'a record without id',
      () => ({ events: [{ name: 'x' }] }),
      {},
      'triggers.t.poll: events[0] has no id field',
    ],
    [
      'a sortBy giving undefined',
      () => ({ events: [{ id: 1 }] }),
      {},
      'triggers.t.sortBy (events[0]): must return a string, a number or a Date (got undefined)',
    ],
    [
      'a documentId giving an object',
      () => ({ events: [{ id: 1, created_at: 'x' }] }),
      { documentId: () => ({}) },
      'triggers.t.documentId (events[0]): must return a non-empty string or a number (got an object)',
    ],
    [
      'a function nextPage',
      () => ({ events: [], nextPage: () => 1 }),
      {},
      'triggers.t.poll: nextPage: must be JSON-serialisable',
    ],
  ])('rejects %s', async (_name, poll, keys, message) => {
    const run = pollPagingDesc({ path: 'triggers.t', poll, sortBy: createdAt, ...keys });
    await expect(run).rejects.toMatchObject({ code: 'SLUICE_TRIGGER_RESULT' });
    await expect(pollPagingDesc({ path: 'triggers.t', poll, sortBy: createdAt, ...keys })).rejects.toThrow(
      message,
    );
  });
});

describe('compareSortValues', () => {
  it.each<[SortValue, SortValue, number]>([
    [1, 2, -1],
    [2, 2, 0],
    ['2024-01-01T10:00:00+02:00', '2024-01-01T09:00:00Z', -1],
    ['2024-01-01T00:00:00Z', '2024-01-01T00:00:00.000Z', 0],
    ['2024-01-02', '2024-01-01T23:59:59Z', 1],
    ['9', '10', -1],
    [9, '10', -1],
    ['abc', 'abd', -1],
  ])('orders %j before, with or after %j (%i)', (a, b, expected) => {
    expect(compareSortValues(a, b)).toBe(expected);
    expect(compareSortValues(b, a)).toBe(expected === 0 ? 0 : -expected);
  });
});
