import { FieldValidationError, isSluiceError, RequestFailedError } from '@sluice/sdk';
import { createConnectorRuntime, createUndiciTransport, type TriggerState } from '@sluice/sdk/internal';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_API_TOKEN, type MyAppApi, type MyAppApiOptions, startMyAppApi } from '../src/api.js';
import connector, { COUNTRIES } from '../src/connector.js';
import { type Customer, seedCustomers } from '../src/customer.js';

const transport = createUndiciTransport();
const opened: MyAppApi[] = [];

afterEach(async () => {
  await Promise.all(opened.splice(0).map((api) => api.close()));
});
afterAll(async () => {
  await transport.close?.();
});

function connect(api: MyAppApi, connection: Record<string, unknown> = {}) {
  return createConnectorRuntime(connector, {
    connection: { api_token: DEFAULT_API_TOKEN, base_url: api.url, ...connection },
    transport,
  });
}

/** Starts the API (closed after the test) and a runtime connected to it. */
async function start(options: MyAppApiOptions = {}) {
  const api = await startMyAppApi(options);
  opened.push(api);
  return { api, runtime: connect(api) };
}

const ids = (events: readonly unknown[]) => events.map((event) => (event as Customer).id);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
/** The state as the engine stores it: through JSON. */
const stored = (state: TriggerState): TriggerState => JSON.parse(JSON.stringify(state)) as TriggerState;

describe('connection', () => {
  it('passes the test with the right token', async () => {
    const { runtime } = await start({ seedCount: 3 });
    await expect(runtime.test()).resolves.toEqual({ customers: [seedCustomers(1)[0]] });
  });

  it('fails with RequestFailedError 401 when the token is wrong', async () => {
    const { api } = await start({ apiToken: 'another-token' });
    const runtime = connect(api, { api_token: 'wrong' });
    const error = await runtime.test().catch((err: unknown) => err);
    expect(error).toBeInstanceOf(RequestFailedError);
    expect(error).toMatchObject({
      status: 401,
      code: 'SLUICE_HTTP_STATUS',
      body: { error: 'invalid api_token' },
    });
    await expect(runtime.runAction('get_customer_by_id', { id: 1 })).rejects.toMatchObject({ status: 401 });
  });

  it('accepts a base_url with a trailing slash', async () => {
    const { api } = await start({ seedCount: 1 });
    const runtime = connect(api, { base_url: `${api.url}/` });
    await expect(runtime.runAction('get_customer_by_id', { id: 1 })).resolves.toMatchObject({ id: 1 });
  });

  it('rejects a connection without api_token before sending anything', async () => {
    const { api } = await start();
    const runtime = createConnectorRuntime(connector, { connection: { base_url: api.url }, transport });
    const error = await runtime.test().catch((err: unknown) => err);
    expect(error).toBeInstanceOf(FieldValidationError);
    expect((error as Error).message).toBe('connection.api_token: is required');
    expect(api.requestCount).toBe(0);
  });

  it('masks the api_token as a secret', async () => {
    const { runtime } = await start();
    expect(runtime.secrets()).toEqual([DEFAULT_API_TOKEN]);
  });
});

describe('actions.get_customer_by_id', () => {
  it('returns the customer with the envelope peeled off', async () => {
    const { runtime } = await start({ seedCount: 50 });
    await expect(runtime.runAction('get_customer_by_id', { id: 42 })).resolves.toEqual(seedCustomers(50)[41]);
  });

  it('coerces the output by the customer fields', async () => {
    const [seed] = seedCustomers(1) as [Customer];
    // The API answers the id as a string here; the output field says integer.
    const { runtime } = await start({ customers: [{ ...seed, id: '1' as unknown as number }] });
    const output = (await runtime.runAction('get_customer_by_id', { id: 1 })) as Customer;
    expect(output.id).toBe(1);
    expect(output.address).toEqual(seed.address);
  });

  it('coerces a numeric string id in the input', async () => {
    const { runtime } = await start({ seedCount: 5 });
    await expect(runtime.runAction('get_customer_by_id', { id: '5' })).resolves.toMatchObject({ id: 5 });
  });

  it('rejects a missing or non-integer id naming input.id, without a request', async () => {
    const { api, runtime } = await start();
    const missing = await runtime.runAction('get_customer_by_id', {}).catch((err: unknown) => err);
    expect(missing).toBeInstanceOf(FieldValidationError);
    expect(missing).toMatchObject({
      code: 'SLUICE_FIELD_REQUIRED',
      path: 'input.id',
      message: 'input.id: is required',
    });
    const wrong = await runtime.runAction('get_customer_by_id', { id: 'abc' }).catch((err: unknown) => err);
    expect(isSluiceError(wrong, 'SLUICE_FIELD_TYPE')).toBe(true);
    expect((wrong as Error).message).toBe('input.id: must be integer (got string)');
    expect(api.requestCount).toBe(0);
  });

  it('fails with RequestFailedError 404 for an unknown id', async () => {
    const { runtime } = await start({ seedCount: 3 });
    await expect(runtime.runAction('get_customer_by_id', { id: 4 })).rejects.toMatchObject({
      name: 'RequestFailedError',
      status: 404,
      body: { error: 'customer not found: 4' },
    });
  });

  it('has customer output fields and a sample output', async () => {
    const { runtime } = await start();
    const fields = await runtime.actionFields('get_customer_by_id', 'outputFields');
    expect(fields.map((f) => f.name)).toEqual(['id', 'name', 'email', 'address', 'created_at', 'updated_at']);
    await expect(runtime.sampleOutput('get_customer_by_id')).resolves.toMatchObject({
      id: 1234,
      name: 'John Smith',
    });
  });
});

describe('actions.create_customer', () => {
  it('creates the customer and returns it', async () => {
    const { api, runtime } = await start({ seedCount: 2, now: () => new Date('2024-06-01T08:00:00Z') });
    const created = await runtime.runAction('create_customer', {
      name: 'Ada Lovelace',
      email: 'ada@example.com',
      address: { city: 'London', country: 'GBR' },
    });
    expect(created).toEqual({
      id: 3,
      name: 'Ada Lovelace',
      email: 'ada@example.com',
      address: { street: '', city: 'London', state: '', zip: '', country: 'GBR' },
      created_at: '2024-06-01T08:00:00Z',
      updated_at: '2024-06-01T08:00:00Z',
    });
    expect(api.customers).toHaveLength(3);
  });

  it('rejects a missing email before sending, and surfaces the API 422 for a bad one', async () => {
    const { api, runtime } = await start({ seedCount: 1 });
    await expect(runtime.runAction('create_customer', { name: 'Ada' })).rejects.toMatchObject({
      code: 'SLUICE_FIELD_REQUIRED',
      path: 'input.email',
    });
    expect(api.requestCount).toBe(0);
    await expect(runtime.runAction('create_customer', { name: 'Ada', email: 'nope' })).rejects.toMatchObject({
      status: 422,
      body: { error: 'customer.email is not an email address: "nope"' },
    });
  });
});

describe('triggers.new_customer (ascending)', () => {
  // These tests only read, so they share one API.
  let shared: { api: MyAppApi; runtime: ReturnType<typeof connect> };
  beforeAll(async () => {
    const api = await startMyAppApi({ seedCount: 250 });
    shared = { api, runtime: connect(api) };
  });
  afterAll(async () => {
    await shared.api.close();
  });

  it('emits all 250 customers once each, oldest first, across ties at page boundaries', async () => {
    const { events, state } = await shared.runtime.pollTrigger('new_customer', { input: {} });
    expect(ids(events)).toEqual(range(1, 250));
    const again = await shared.runtime.pollTrigger('new_customer', { input: {}, state: stored(state) });
    expect(again.events).toEqual([]);
  });

  it('resumes from the stored state one poll at a time without gaps or duplicates', async () => {
    const seen: number[] = [];
    let state: TriggerState | undefined;
    for (let cycle = 0; cycle < 4; cycle += 1) {
      const result = await shared.runtime.pollTrigger('new_customer', { input: {}, state, maxPolls: 1 });
      seen.push(...ids(result.events));
      state = stored(result.state);
    }
    expect(seen).toEqual(range(1, 250));
  });

  it('starts at created_since, inclusive', async () => {
    const since = seedCustomers(250)[99]?.created_at;
    const { events } = await shared.runtime.pollTrigger('new_customer', { input: { created_since: since } });
    expect(ids(events)).toEqual(range(100, 250));
  });
});

describe('triggers.new_customer after the first cycle', () => {
  it('emits exactly the customers added since, including one sharing the last timestamp', async () => {
    const { api, runtime } = await start({ seedCount: 250, now: () => new Date('2024-01-01T00:00:00Z') });
    const first = await runtime.pollTrigger('new_customer', { input: {} });
    const tie = api.addCustomer({ created_at: api.customers[249]?.created_at });
    const later = api.addCustomer({});
    const next = await runtime.pollTrigger('new_customer', { input: {}, state: stored(first.state) });
    expect(ids(next.events)).toEqual([tie.id, later.id]);
    expect(next.events[1]).toEqual(later);
  });
});

describe('triggers.new_customer_descending (paging_desc)', () => {
  it('emits all 250 customers once each, oldest first, across ties at page boundaries', async () => {
    const { runtime } = await start({ seedCount: 250 });
    const { events, state } = await runtime.pollTrigger('new_customer_descending', { input: {} });
    expect(ids(events)).toEqual(range(1, 250));
    const again = await runtime.pollTrigger('new_customer_descending', { input: {}, state: stored(state) });
    expect(again.events).toEqual([]);
  });

  it('emits only new customers on the next cycle, including one sharing the newest timestamp', async () => {
    const { api, runtime } = await start({ seedCount: 250, now: () => new Date('2024-01-01T00:00:00Z') });
    const first = await runtime.pollTrigger('new_customer_descending', { input: {} });
    const added = [
      api.addCustomer({}),
      api.addCustomer({ created_at: api.customers[249]?.created_at }),
      api.addCustomer({}),
    ];
    const next = await runtime.pollTrigger('new_customer_descending', {
      input: {},
      state: stored(first.state),
    });
    // Oldest first: the tie (created with customer 250's timestamp) comes before the two of 2024.
    expect(ids(next.events)).toEqual([added[1]?.id, added[0]?.id, added[2]?.id]);
  });

  it('honours created_since', async () => {
    const { runtime } = await start({ seedCount: 250 });
    const since = seedCustomers(250)[49]?.created_at;
    const { events } = await runtime.pollTrigger('new_customer_descending', {
      input: { created_since: since },
    });
    expect(ids(events)).toEqual(range(50, 250));
  });
});

describe('pick lists and methods', () => {
  it('lists countries', async () => {
    const { runtime } = await start();
    await expect(runtime.pickList('countries')).resolves.toEqual(COUNTRIES);
  });

  it('formats an address on lines, skipping empty parts', async () => {
    const { runtime } = await start();
    const address = { street: '123 Main St', city: 'Anytown', state: 'CA', zip: '94321', country: 'USA' };
    await expect(runtime.callMethod('format_address', [address])).resolves.toBe(
      '123 Main St\nAnytown, CA 94321\nUSA',
    );
    await expect(runtime.callMethod('format_address', [{ city: 'Berlin' }])).resolves.toBe('Berlin');
    await expect(runtime.callMethod('format_address', [])).resolves.toBe('');
  });
});
