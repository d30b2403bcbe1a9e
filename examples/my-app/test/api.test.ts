import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_API_TOKEN, type MyAppApi, type MyAppApiOptions, startMyAppApi } from '../src/api.js';
import { type Customer, seedCustomers } from '../src/customer.js';

const TOKEN = DEFAULT_API_TOKEN;
let api: MyAppApi | undefined;

afterEach(async () => {
  await api?.close();
  api = undefined;
});

async function start(options: MyAppApiOptions = {}): Promise<MyAppApi> {
  api = await startMyAppApi(options);
  return api;
}

async function get(
  path: string,
  params: Record<string, string | number>,
): Promise<{ status: number; body: Record<string, unknown> }> {
  if (api === undefined) throw new Error('start the API first');
  const query = new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)]));
  const res = await fetch(`${api.url}${path}?${query}`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const list = (params: Record<string, string | number>) =>
  get('/v1/customers.json', { api_token: TOKEN, ...params });

async function post(
  body: string,
  { token = TOKEN, type = 'application/json' }: { token?: string; type?: string } = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  if (api === undefined) throw new Error('start the API first');
  const res = await fetch(`${api.url}/v1/customers.json?api_token=${token}`, {
    method: 'POST',
    headers: { 'content-type': type },
    body,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const ids = (body: Record<string, unknown>) => (body.customers as Customer[]).map((c) => c.id);

describe('seedCustomers', () => {
  it('is deterministic and numbers customers from 1', () => {
    expect(seedCustomers(30)).toEqual(seedCustomers(30));
    expect(seedCustomers(3).map((c) => c.id)).toEqual([1, 2, 3]);
    expect(seedCustomers(0)).toEqual([]);
  });

  it('gives several customers the same created_at, with ties across pages of 100', () => {
    const customers = seedCustomers(250);
    const at = (id: number) => customers[id - 1]?.created_at;
    expect(at(100)).toBe(at(101));
    expect(at(200)).toBe(at(201));
    expect(at(50)).toBe(at(51));
    expect(new Set(customers.map((c) => c.created_at)).size).toBeLessThan(150);
    for (const c of customers) expect(c.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('gives ASCII emails and full addresses', () => {
    for (const c of seedCustomers(40)) {
      expect(c.email).toMatch(/^[a-z.0-9]+@example\.com$/);
      expect(Object.keys(c.address)).toEqual(['street', 'city', 'state', 'zip', 'country']);
    }
  });

  it('rejects a negative or fractional count', () => {
    expect(() => seedCustomers(-1)).toThrow(/seedCount must be a non-negative integer, got -1/);
    expect(() => seedCustomers(1.5)).toThrow(RangeError);
  });
});

describe('GET /v1/customers.json authentication', () => {
  it('answers 401 when api_token is missing', async () => {
    await start();
    expect(await get('/v1/customers.json', { id: 1 })).toEqual({
      status: 401,
      body: { error: 'invalid api_token' },
    });
  });

  it('answers 401 when api_token is wrong, also for POST', async () => {
    await start({ apiToken: 'other' });
    expect((await list({ id: 1 })).status).toBe(401);
    expect(await post('{}', { token: TOKEN })).toEqual({ status: 401, body: { error: 'invalid api_token' } });
  });
});

describe('GET /v1/customers.json?id=N', () => {
  it('answers the customer in a customer envelope', async () => {
    await start({ seedCount: 5 });
    const { status, body } = await list({ id: 3 });
    expect(status).toBe(200);
    expect(body).toEqual({ customer: seedCustomers(5)[2] });
  });

  it('answers 404 naming the id when there is no such customer', async () => {
    await start({ seedCount: 5 });
    expect(await list({ id: 6 })).toEqual({ status: 404, body: { error: 'customer not found: 6' } });
  });

  it('answers 400 when the id is not a positive integer', async () => {
    await start();
    for (const id of ['abc', '0', '-1', '1.5']) {
      const { status, body } = await list({ id });
      expect(status).toBe(400);
      expect(body.error).toBe(`invalid id: expected a positive integer, got "${id}"`);
    }
  });
});

describe('GET /v1/customers.json (list)', () => {
  it('lists up to 100 customers oldest first by default', async () => {
    await start({ seedCount: 250 });
    const { status, body } = await list({});
    expect(status).toBe(200);
    expect(ids(body)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
  });

  it('orders by created_at then id, descending with order=desc', async () => {
    const customers = seedCustomers(3).map((c, i) => ({
      ...c,
      created_at: ['2020-01-02T00:00:00Z', '2020-01-01T00:00:00Z', '2020-01-02T00:00:00Z'][i] as string,
    }));
    await start({ customers });
    expect(ids((await list({ order: 'asc' })).body)).toEqual([2, 1, 3]);
    expect(ids((await list({ order: 'desc' })).body)).toEqual([3, 1, 2]);
  });

  it('filters by created_since inclusively and created_before exclusively', async () => {
    await start({ seedCount: 250 });
    const ties = seedCustomers(250).filter((c) => c.created_at === seedCustomers(250)[99]?.created_at);
    const at = ties[0]?.created_at as string;
    expect(ids((await list({ created_since: at, limit: 5 })).body)).toEqual([100, 101, 102, 103, 104]);
    expect(ids((await list({ created_before: at, order: 'desc', limit: 3 })).body)).toEqual([99, 98, 97]);
    const window = await list({ created_since: at, created_before: '2017-01-03T16:00:21Z' });
    expect(ids(window.body)).toEqual(ties.map((c) => c.id));
  });

  it('pages by page number: page N skips N - 1 pages of limit customers; past the end, none', async () => {
    await start({ seedCount: 12 });
    const page = async (n: number) => ids((await list({ limit: 5, page: n })).body);
    expect(await page(1)).toEqual([1, 2, 3, 4, 5]);
    expect(await page(2)).toEqual([6, 7, 8, 9, 10]);
    expect(await page(3)).toEqual([11, 12]);
    expect(await page(4)).toEqual([]);
    for (const bad of ['0', '-1', 'two', '1.5']) {
      const res = await list({ page: bad });
      expect([bad, res.status, res.body]).toEqual([
        bad,
        400,
        { error: `invalid page: expected a positive integer, got "${bad}"` },
      ]);
    }
  });

  it('accepts dates, offsets and fractional seconds', async () => {
    await start({ seedCount: 250 });
    expect(ids((await list({ created_before: '2017-01-02', limit: 100 })).body).length).toBeGreaterThan(0);
    const offset = await list({ created_since: '2017-01-03T15:59:10+01:00', limit: 1 });
    expect(ids(offset.body)).toEqual([100]);
    expect(ids((await list({ created_since: '2017-01-03T14:59:10.000Z', limit: 1 })).body)).toEqual([100]);
  });

  it('honours limit', async () => {
    await start({ seedCount: 10 });
    expect(ids((await list({ limit: 1 })).body)).toEqual([1]);
    expect(ids((await list({ limit: 100 })).body)).toHaveLength(10);
  });

  it('answers an empty list when nothing matches', async () => {
    await start({ seedCount: 10 });
    expect(await list({ created_since: '2030-01-01T00:00:00Z' })).toEqual({
      status: 200,
      body: { customers: [] },
    });
  });

  it('answers 400 naming the parameter for bad values', async () => {
    await start();
    const cases: [Record<string, string>, string][] = [
      [{ limit: '0' }, 'invalid limit: expected an integer from 1 to 100, got "0"'],
      [{ limit: '101' }, 'invalid limit: expected an integer from 1 to 100, got "101"'],
      [{ limit: 'ten' }, 'invalid limit: expected an integer from 1 to 100, got "ten"'],
      [{ limit: '' }, 'invalid limit: expected an integer from 1 to 100, got ""'],
      [{ order: 'up' }, 'invalid order: expected "asc" or "desc", got "up"'],
      [{ sort_by: 'name' }, 'invalid sort_by: expected "created_at" or "updated_at", got "name"'],
      [{ created_since: 'yesterday' }, 'invalid created_since: expected an ISO 8601 date-time'],
      [{ created_before: '2017-13-45T00:00:00Z' }, 'invalid created_before: expected an ISO 8601 date-time'],
      [{ updated_since: '12345' }, 'invalid updated_since: expected an ISO 8601 date-time'],
    ];
    for (const [params, error] of cases) {
      const { status, body } = await list(params);
      expect(status, JSON.stringify(params)).toBe(400);
      expect(body.error).toContain(error);
    }
  });

  it('filters by updated_since and sorts by updated_at with sort_by', async () => {
    const clock = { now: new Date('2024-05-01T10:00:00Z') };
    await start({ seedCount: 5, now: () => clock.now });
    api?.updateCustomer(2, { name: 'Renamed' });
    clock.now = new Date('2024-05-01T11:00:00Z');
    api?.updateCustomer(1, { address: { city: 'Paris' } });
    const { body } = await list({ updated_since: '2024-05-01T10:00:00Z', sort_by: 'updated_at' });
    expect(ids(body)).toEqual([2, 1]);
    const [second, first] = body.customers as Customer[];
    expect(second?.name).toBe('Renamed');
    expect(first?.address.city).toBe('Paris');
    expect(first?.address.street).toBe(seedCustomers(1)[0]?.address.street);
    expect(first?.updated_at).toBe('2024-05-01T11:00:00Z');
  });
});

describe('POST /v1/customers.json', () => {
  it('creates a customer with the next id and the clock time, answering 201', async () => {
    await start({ seedCount: 3, now: () => new Date('2024-02-03T04:05:06.789Z') });
    const { status, body } = await post(
      JSON.stringify({ customer: { name: 'Ada', email: 'ada@example.com', address: { city: 'London' } } }),
    );
    expect(status).toBe(201);
    expect(body.customer).toEqual({
      id: 4,
      name: 'Ada',
      email: 'ada@example.com',
      address: { street: '', city: 'London', state: '', zip: '', country: '' },
      created_at: '2024-02-03T04:05:06Z',
      updated_at: '2024-02-03T04:05:06Z',
    });
    expect(ids((await list({ order: 'desc', limit: 1 })).body)).toEqual([4]);
  });

  it('answers 422 naming the missing or invalid field', async () => {
    await start();
    const cases: [unknown, string][] = [
      [{}, 'customer is required'],
      [{ customer: 'Ada' }, 'customer is required'],
      [{ customer: { email: 'a@b.c' } }, 'customer.name is required'],
      [{ customer: { name: 'Ada' } }, 'customer.email is required'],
      [{ customer: { name: 7, email: 'a@b.c' } }, 'customer.name must be a string, got number'],
      [{ customer: { name: 'Ada', email: 'nope' } }, 'customer.email is not an email address: "nope"'],
      [{ customer: { name: 'Ada', email: 'a@b.c', address: [] } }, 'customer.address must be an object'],
      [
        { customer: { name: 'Ada', email: 'a@b.c', address: { zip: 1 } } },
        'customer.address.zip must be a string',
      ],
    ];
    for (const [payload, error] of cases) {
      const { status, body } = await post(JSON.stringify(payload));
      expect(status, JSON.stringify(payload)).toBe(422);
      expect(body.error).toContain(error);
    }
    expect(api?.customers).toHaveLength(25);
  });

  it('answers 400 for malformed JSON and 415 for another content type', async () => {
    await start();
    const malformed = await post('{"customer": ');
    expect(malformed.status).toBe(400);
    expect(malformed.body.error).toMatch(/^invalid JSON body: /);
    expect(await post('name=Ada', { type: 'application/x-www-form-urlencoded' })).toEqual({
      status: 415,
      body: { error: 'expected Content-Type: application/json, got "application/x-www-form-urlencoded"' },
    });
  });
});

describe('routing', () => {
  it('answers 404 for another path and 405 for another method', async () => {
    await start();
    expect(await get('/v1/orders.json', { api_token: TOKEN })).toEqual({
      status: 404,
      body: { error: 'not found: GET /v1/orders.json' },
    });
    const res = await fetch(`${api?.url}/v1/customers.json?api_token=${TOKEN}`, { method: 'DELETE' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, POST');
  });
});

describe('startMyAppApi', () => {
  it('seeds 25 customers by default and copies given customers', async () => {
    await start();
    expect(api?.customers).toHaveLength(25);
    await api?.close();
    const given = seedCustomers(2);
    await start({ customers: given });
    api?.updateCustomer(1, { name: 'Changed' });
    expect(given[0]?.name).not.toBe('Changed');
    expect(api?.customers.map((c) => c.name)[0]).toBe('Changed');
  });

  it('adds customers from code with defaults and counts requests', async () => {
    await start({ seedCount: 2, now: () => new Date('2030-01-01T00:00:00Z') });
    const added = api?.addCustomer({ name: 'Grace' });
    expect(added).toMatchObject({ id: 3, name: 'Grace', email: 'customer.3@example.com' });
    expect(added?.created_at).toBe('2030-01-01T00:00:00Z');
    expect(api?.customers.at(-1)).toEqual(added);
    await list({ id: 3 });
    await list({ id: 99 });
    expect(api?.requestCount).toBe(2);
  });

  it('rejects updating an unknown customer', async () => {
    await start({ seedCount: 1 });
    expect(() => api?.updateCustomer(9, { name: 'x' })).toThrow('updateCustomer: customer not found: 9');
  });

  it('closes idempotently and stops answering', async () => {
    const started = await start();
    await started.close();
    await started.close();
    await expect(fetch(`${started.url}/v1/customers.json`)).rejects.toThrow();
  });

  it('rejects when the port is taken', async () => {
    const first = await start();
    await expect(startMyAppApi({ port: first.port })).rejects.toThrow(/EADDRINUSE/);
  });
});
