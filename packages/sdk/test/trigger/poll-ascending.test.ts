import {
  type AscendingTriggerState,
  applyAscendingPoll,
  type JsonValue,
  parseTriggerState,
  pollAscending,
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

/** The poll a connector author writes: an inclusive `since` cursor, pages of 100, more while full. */
function customersPoll(field: 'created_at' | 'updated_at' = 'created_at', limit = 100) {
  return async (closure: JsonValue | undefined) => {
    const since = typeof closure === 'string' ? closure : at(0);
    const customers = await listCustomers(api, { order: 'asc', since, limit, field });
    return {
      events: customers,
      nextPoll: customers.length > 0 ? customers[customers.length - 1]?.[field] : undefined,
      canPollMore: customers.length >= limit,
    };
  };
}

const byId = (record: Readonly<Record<string, unknown>>) => String(record.id);
const ids = (events: readonly Readonly<Record<string, unknown>>[]) => events.map((e) => e.id);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('pollAscending', () => {
  it('emits 250 records over pages of 100 once each, oldest first, in one cycle', async () => {
    for (const id of range(1, 250)) api.add(id, id);
    const cycle = await pollAscending({ path: 'triggers.new_customer', poll: customersPoll(), dedup: byId });
    expect(ids(cycle.events)).toEqual(range(1, 250));
    expect(cycle.polls).toBe(3);
    expect(cycle.state.closure).toBe(at(250));
    expect(api.requests).toEqual([`asc ${at(0)}`, `asc ${at(100)}`, `asc ${at(199)}`]);
  });

  it('emits nothing on the next cycle when no record was added, though the API repeats the last one', async () => {
    for (const id of range(1, 5)) api.add(id, id);
    const first = await pollAscending({ path: 't', poll: customersPoll(), dedup: byId });
    const second = await pollAscending({ path: 't', poll: customersPoll(), dedup: byId, state: first.state });
    expect(second.events).toEqual([]);
    expect(second.state).toEqual(first.state);
  });

  it('neither loses nor duplicates records sharing one timestamp across a page boundary', async () => {
    for (const id of range(1, 90)) api.add(id, id);
    for (const id of range(91, 110)) api.add(id, 91);
    for (const id of range(111, 150)) api.add(id, id);
    const first = await pollAscending({ path: 't', poll: customersPoll(), dedup: byId });
    expect(ids(first.events)).toEqual(range(1, 150));
    api.add(151, 150);
    const second = await pollAscending({ path: 't', poll: customersPoll(), dedup: byId, state: first.state });
    expect(ids(second.events)).toEqual([151]);
  });

  it('emits a record again once it is updated when dedup includes the update time', async () => {
    for (const id of range(1, 3)) api.add(id, id);
    const dedup = (r: Readonly<Record<string, unknown>>) => `${String(r.id)}@${String(r.updated_at)}`;
    const poll = customersPoll('updated_at');
    const first = await pollAscending({ path: 't', poll, dedup });
    api.touch(2, 10);
    const second = await pollAscending({ path: 't', poll, dedup, state: first.state });
    expect(ids(second.events)).toEqual([2]);
    const third = await pollAscending({ path: 't', poll, dedup, state: second.state });
    expect(third.events).toEqual([]);
  });

  it('resumes from a state that went through JSON with no duplicate and no gap', async () => {
    for (const id of range(1, 120)) api.add(id, id);
    const first = await pollAscending({ path: 't', poll: customersPoll(), dedup: byId, maxPolls: 1 });
    expect(ids(first.events)).toEqual(range(1, 100));
    for (const id of range(121, 130)) api.add(id, id);
    const stored = JSON.parse(JSON.stringify(first.state)) as unknown;
    const state = parseTriggerState(stored, 'ascending', 'state') as AscendingTriggerState;
    const second = await pollAscending({ path: 't', poll: customersPoll(), dedup: byId, state });
    expect(ids(second.events)).toEqual(range(101, 130));
  });

  it('passes closure undefined to the first poll and keeps it while polls give no nextPoll', async () => {
    const closures: unknown[] = [];
    const poll = async (closure: JsonValue | undefined) => {
      closures.push(closure);
      return customersPoll()(closure);
    };
    const empty = await pollAscending({ path: 't', poll, dedup: byId });
    expect(empty.events).toEqual([]);
    expect(empty.state).toEqual({ kind: 'ascending', seen: [] });
    api.add(1, 1);
    const next = await pollAscending({ path: 't', poll, dedup: byId, state: empty.state });
    expect(ids(next.events)).toEqual([1]);
    expect(closures).toEqual([undefined, undefined]);
  });

  it('stops a cycle after maxPolls even when the poll keeps saying canPollMore', async () => {
    for (const id of range(1, 30)) api.add(id, id);
    const cycle = await pollAscending({
      path: 't',
      poll: customersPoll('created_at', 10),
      dedup: byId,
      maxPolls: 2,
    });
    expect(ids(cycle.events)).toEqual(range(1, 19));
    expect(cycle.polls).toBe(2);
  });

  it('dedups by the record id field (any case) when no dedup is given', async () => {
    const cycle = await pollAscending({
      path: 't',
      poll: () => ({ events: [{ ID: 7 }, { ID: 7 }, { name: 'no id' }, { name: 'no id' }] }),
    });
    expect(cycle.events).toEqual([{ ID: 7 }, { name: 'no id' }]);
    expect(cycle.state.seen).toEqual(['7', '{"name":"no id"}']);
  });

  it('stores a Date cursor as its ISO string, as it would be after storage', async () => {
    const cycle = await pollAscending({
      path: 't',
      poll: () => ({ events: [], nextPoll: new Date(Date.UTC(2024, 0, 2)) }),
    });
    expect(cycle.state.closure).toBe('2024-01-02T00:00:00.000Z');
  });

  it.each([
    ['undefined', undefined, 'triggers.new_customer.poll: must return { events: [...] } (got undefined)'],
    ['an array', [], 'triggers.new_customer.poll: must return { events: [...] } (got an array of 0)'],
    [
      'events as a string',
      { events: 'x' },
      'triggers.new_customer.poll: must return { events: [...] } (got events: "x")',
    ],
    [
      'a number event',
      { events: [{ id: 1 }, 5] },
      'triggers.new_customer.poll: events[1] must be an object (got number 5)',
    ],
    [
      'a string canPollMore',
      { events: [], canPollMore: 'yes' },
      'triggers.new_customer.poll: canPollMore must be a boolean (got "yes")',
    ],
    [
      'a BigInt nextPoll',
      { events: [], nextPoll: 10n },
      'triggers.new_customer.poll: nextPoll: must be JSON-serialisable',
    ],
  ])('rejects a poll result with %s', async (_name, result, message) => {
    const cycle = pollAscending({ path: 'triggers.new_customer', poll: () => result });
    await expect(cycle).rejects.toMatchObject({ code: 'SLUICE_TRIGGER_RESULT' });
    await expect(pollAscending({ path: 'triggers.new_customer', poll: () => result })).rejects.toThrow(
      message,
    );
  });

  it('rejects a dedup that returns nothing usable, naming the event', async () => {
    const cycle = pollAscending({
      path: 'triggers.new_customer',
      poll: () => ({ events: [{ id: 1 }] }),
      dedup: () => undefined,
    });
    await expect(cycle).rejects.toThrow(
      'triggers.new_customer.dedup (events[0]): must return a non-empty string or a number (got undefined)',
    );
  });

  it('rejects a maxPolls that is not a positive integer', async () => {
    await expect(pollAscending({ path: 't', poll: () => ({ events: [] }), maxPolls: 0 })).rejects.toThrow(
      'maxPolls: must be a positive integer (got 0)',
    );
  });
});

describe('applyAscendingPoll', () => {
  it('keeps only the newest signatures of the window', () => {
    const state: AscendingTriggerState = { kind: 'ascending', seen: ['1', '2', '3'] };
    const step = applyAscendingPoll(
      state,
      { events: [{ id: 3 }, { id: 4 }, { id: 5 }], nextPoll: null, canPollMore: false },
      { path: 't', window: 4 },
    );
    expect(ids(step.events)).toEqual([4, 5]);
    expect(step.state).toEqual({ kind: 'ascending', seen: ['2', '3', '4', '5'] });
    expect(step.more).toBe(false);
    expect(state.seen).toEqual(['1', '2', '3']);
  });
});
