import { defineConnector, type Fields, FieldValidationError } from '@sluice/sdk';
import { createConnectorRuntime, type TriggerState } from '@sluice/sdk/internal';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type CustomersApi, startCustomersApi } from '../trigger/customers-api.js';
import { startTestServer, type TestServer } from './test-server.js';

let server: TestServer;
let customers: CustomersApi;
beforeEach(async () => {
  server = await startTestServer();
  customers = await startCustomersApi();
});
afterEach(async () => {
  await server.close();
  await customers.close();
});

interface Customer {
  id: number;
  name: string;
  created_at: string;
}

function myApp() {
  return defineConnector({
    title: 'My App',
    connection: {
      fields: [
        { name: 'api_token', controlType: 'password', optional: false },
        { name: 'base_url', optional: true },
      ],
      baseUri: ({ connection }) => String(connection.base_url ?? server.url),
      authorization: {
        type: 'api_key',
        apply: ({ connection, request }) => request.params({ api_token: connection.api_token }),
      },
    },
    test: ({ http }) => http.get('/v1/customers.json', { limit: 1 }),
    actions: {
      get_customer_by_id: {
        title: 'Get customer',
        inputFields: [
          { name: 'id', type: 'integer', optional: false },
          { name: 'expand', type: 'boolean', optional: true, default: false },
        ],
        outputFields: ({ objectDefinitions }) => objectDefinitions.customer,
        execute: async ({ input, http, call }) => {
          const body = await http.get<{ customer: Record<string, unknown> }>('/v1/customers.json', {
            id: input.id,
          });
          return { ...body.customer, label: await call('label', body.customer.name, input.expand) };
        },
        sampleOutput: { id: 1, name: 'John' },
      },
      raw: {
        execute: ({ input }) => input,
        sampleOutput: ({ connection }) => ({ token_length: String(connection.api_token).length }),
      },
    },
    triggers: {
      new_customer: {
        inputFields: [{ name: 'since', type: 'date_time', optional: false }],
        poll: async ({ input, closure, http }) => {
          const since = typeof closure === 'string' ? closure : input.since;
          const { customers: list } = await http.get<{ customers: Customer[] }>(
            `${customers.url}/customers`,
            {
              order: 'asc',
              since,
              limit: 100,
            },
          );
          return { events: list, nextPoll: list.at(-1)?.created_at, canPollMore: list.length >= 100 };
        },
        dedup: (record) => String(record.id),
      },
      new_customer_descending: {
        type: 'paging_desc',
        poll: async ({ closure, http }) => {
          const before = typeof closure === 'string' ? closure : undefined;
          const { customers: list } = await http.get<{ customers: Customer[] }>(
            `${customers.url}/customers`,
            {
              order: 'desc',
              before,
              limit: 100,
            },
          );
          return { events: list, nextPage: list.length >= 100 ? list.at(-1)?.created_at : undefined };
        },
        sortBy: (record) => record.created_at,
      },
      broken: {
        poll: (() => undefined) as unknown as () => { events: object[] },
      },
    },
    pickLists: {
      statuses: () => [
        ['Active', 'active'],
        ['Closed', 'closed'],
      ],
      by_region: ({ args }) => [[`In ${String(args.region)}`, String(args.region)]],
      bad: () => ['active'] as unknown as [string, string][],
    },
    methods: {
      label: ({ args }) => `${String(args[0])}${args[1] === true ? ' (expanded)' : ''}`,
      token: ({ connection }) => connection.api_token,
    },
    objectDefinitions: {
      customer: {
        fields: () => [
          { name: 'id', type: 'integer' },
          { name: 'name' },
          { name: 'created_at', type: 'date_time' },
        ],
      },
      order: {
        fields: async ({ objectDefinitions }) => [
          { name: 'id', type: 'integer' },
          { name: 'customer', type: 'object', properties: objectDefinitions.customer },
        ],
      },
    },
  });
}

const runtimeOf = (connection: Record<string, unknown> = { api_token: 'tok-123' }) =>
  createConnectorRuntime(myApp(), { connection });

describe('createConnectorRuntime: actions', () => {
  beforeEach(() => {
    server.handle((request) => ({
      body: {
        customer: { id: String(request.query.id), name: 'John Smith', created_at: '2024-01-01T00:00:00Z' },
      },
    }));
  });

  it('runs an action: validates the input, applies authorization, coerces the output', async () => {
    const output = await runtimeOf().runAction('get_customer_by_id', { id: '1234' });
    expect(output).toEqual({
      id: 1234,
      name: 'John Smith',
      created_at: '2024-01-01T00:00:00Z',
      label: 'John Smith',
    });
    expect(server.requests[0]?.query).toEqual({ id: '1234', api_token: 'tok-123' });
  });

  it('passes validated input with defaults applied, and calls methods through call()', async () => {
    const output = await runtimeOf().runAction('get_customer_by_id', { id: 1, expand: 'true' });
    expect(output).toMatchObject({ label: 'John Smith (expanded)' });
    await expect(runtimeOf().runAction('raw', { any: 'thing' })).resolves.toEqual({ any: 'thing' });
  });

  it('reports input errors with paths under input.', async () => {
    const failure = await runtimeOf()
      .runAction('get_customer_by_id', {})
      .catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(FieldValidationError);
    expect(failure).toMatchObject({
      code: 'SLUICE_FIELD_REQUIRED',
      path: 'input.id',
      message: 'input.id: is required',
    });
    await expect(runtimeOf().runAction('get_customer_by_id', { id: 'abc' })).rejects.toMatchObject({
      code: 'SLUICE_FIELD_TYPE',
      path: 'input.id',
    });
    expect(server.requests).toHaveLength(0);
  });

  it('names the unknown action and lists the available ones', async () => {
    await expect(runtimeOf().runAction('nope', {})).rejects.toMatchObject({
      code: 'SLUICE_CONNECTOR_PATH',
      message: 'actions.nope: no such action (available: get_customer_by_id, raw)',
    });
  });

  it('checks the connection against its fields on first use', async () => {
    await expect(runtimeOf({}).runAction('raw', {})).rejects.toMatchObject({
      code: 'SLUICE_FIELD_REQUIRED',
      message: 'connection.api_token: is required',
    });
  });

  it('runs the connection test with the connection authorization', async () => {
    await expect(runtimeOf().test()).resolves.toMatchObject({ customer: { name: 'John Smith' } });
    expect(server.requests[0]?.query).toEqual({ limit: '1', api_token: 'tok-123' });
  });

  it('reports a base URI that is not a string', async () => {
    const runtime = createConnectorRuntime(
      defineConnector({
        title: 't',
        connection: { baseUri: () => 42 as unknown as string },
        test: ({ http }) => http.get('/x'),
      }),
    );
    await expect(runtime.test()).rejects.toMatchObject({
      code: 'SLUICE_CONNECTOR_INVALID',
      message: 'connection.baseUri: must give a URL string (got number 42)',
    });
  });
});

describe('createConnectorRuntime: fields, samples, pick lists, methods', () => {
  it('resolves fields, including object definitions that use other ones', async () => {
    const runtime = runtimeOf();
    await expect(runtime.actionFields('get_customer_by_id', 'inputFields')).resolves.toHaveLength(2);
    const output = await runtime.actionFields('get_customer_by_id', 'outputFields');
    expect(output.map((f) => f.name)).toEqual(['id', 'name', 'created_at']);
    await expect(runtime.actionFields('raw', 'inputFields')).resolves.toEqual([]);
    await expect(runtime.triggerFields('new_customer', 'inputFields')).resolves.toEqual([
      { name: 'since', type: 'date_time', optional: false },
    ]);
  });

  it('resolves an async object definition that another one reads, and reports cycles and unknown names', async () => {
    const connector = defineConnector({
      title: 't',
      actions: {
        a: { outputFields: ({ objectDefinitions }) => objectDefinitions.outer, execute: () => ({}) },
        cyclic: { outputFields: ({ objectDefinitions }) => objectDefinitions.ping, execute: () => ({}) },
        unknown: {
          outputFields: ({ objectDefinitions }) =>
            (objectDefinitions as unknown as Record<string, Fields | undefined>).nope ?? [],
          execute: () => ({}),
        },
      },
      objectDefinitions: {
        outer: {
          fields: ({ objectDefinitions }) => [
            { name: 'inner', type: 'object', properties: objectDefinitions.inner },
          ],
        },
        inner: { fields: async () => [{ name: 'x', type: 'integer' }] },
        ping: { fields: ({ objectDefinitions }) => objectDefinitions.pong },
        pong: { fields: async ({ objectDefinitions }) => objectDefinitions.ping },
      },
    });
    const runtime = createConnectorRuntime(connector);
    await expect(runtime.actionFields('a', 'outputFields')).resolves.toEqual([
      { name: 'inner', type: 'object', properties: [{ name: 'x', type: 'integer' }] },
    ]);
    await expect(runtime.actionFields('cyclic', 'outputFields')).rejects.toMatchObject({
      code: 'SLUICE_CONNECTOR_INVALID',
      message: 'objectDefinitions.pong.fields: refers back to itself (ping -> pong -> ping)',
    });
    await expect(runtime.actionFields('unknown', 'outputFields')).rejects.toMatchObject({
      code: 'SLUICE_CONNECTOR_PATH',
      message: 'objectDefinitions.nope: no such object definition (available: outer, inner, ping, pong)',
    });
  });

  it('calls a field function once per resolution, and again once an async definition it read is resolved', async () => {
    const calls = { direct: 0, pending: 0, async: 0, builder: 0 };
    server.handle(() => ({ body: [{ name: 'remote', type: 'integer' }] }));
    const connector = defineConnector({
      title: 't',
      connection: { baseUri: () => server.url },
      actions: {
        direct: {
          outputFields: ({ objectDefinitions }) => {
            calls.direct += 1;
            return objectDefinitions.plain;
          },
          execute: () => ({ n: '1' }),
        },
        pending: {
          outputFields: ({ objectDefinitions }) => {
            calls.pending += 1;
            return objectDefinitions.later;
          },
          execute: () => ({ n: '2' }),
        },
        async: {
          outputFields: async () => {
            calls.async += 1;
            return [{ name: 'n', type: 'integer' }];
          },
          execute: () => ({ n: '3' }),
        },
        builder: {
          // A builder is a thenable: returning one sends it, as awaiting it would.
          outputFields: ({ http }) => {
            calls.builder += 1;
            return http.get('/fields') as unknown as Promise<Fields>;
          },
          execute: () => ({ remote: '4' }),
        },
      },
      objectDefinitions: {
        plain: { fields: [{ name: 'n', type: 'integer' }] },
        later: { fields: async () => [{ name: 'n', type: 'integer' }] },
      },
    });
    const runtime = createConnectorRuntime(connector);
    for (let i = 0; i < 2; i += 1) {
      await expect(runtime.runAction('direct', {})).resolves.toEqual({ n: 1 });
      await expect(runtime.runAction('pending', {})).resolves.toEqual({ n: 2 });
      await expect(runtime.runAction('async', {})).resolves.toEqual({ n: 3 });
      await expect(runtime.runAction('builder', {})).resolves.toEqual({ remote: 4 });
    }
    // pending: the first call found `later` unresolved, the second ran once it was; later calls once each.
    expect(calls).toEqual({ direct: 2, pending: 3, async: 2, builder: 2 });
    expect(server.requests.map((r) => r.path)).toEqual(['/fields', '/fields']);
  });

  it('gives each field function and execute a context of their own, with a live connection', async () => {
    const seen: Record<string, unknown>[] = [];
    const fieldKeys: string[][] = [];
    const connector = defineConnector({
      title: 't',
      connection: { fields: [{ name: 'token', optional: true }] },
      actions: {
        a: {
          inputFields: (context) => {
            seen.push(context as unknown as Record<string, unknown>);
            fieldKeys.push(Object.keys(context));
            (context as unknown as Record<string, unknown>).stash = 'left by an earlier call';
            return [];
          },
          execute: (context) => {
            seen.push(context as unknown as Record<string, unknown>);
            return { keys: Object.keys(context), token: { ...context }.connection.token };
          },
        },
      },
    });
    const runtime = createConnectorRuntime(connector, { connection: { token: 't-1' } });
    await expect(runtime.runAction('a', {})).resolves.toEqual({
      keys: ['connection', 'http', 'call', 'input'],
      token: 't-1',
    });
    await runtime.runAction('a', {});
    expect(seen).toHaveLength(4);
    expect(new Set(seen).size).toBe(4);
    expect(fieldKeys).toEqual([
      ['connection', 'http', 'call', 'objectDefinitions', 'configFields'],
      ['connection', 'http', 'call', 'objectDefinitions', 'configFields'],
    ]);
    expect(Object.getOwnPropertyDescriptor(seen[2], 'connection')).toMatchObject({
      enumerable: true,
      configurable: true,
      set: undefined,
    });
  });

  it('reports a fields function that returns no list', async () => {
    const connector = defineConnector({
      title: 't',
      actions: { a: { inputFields: () => undefined as unknown as [], execute: () => ({}) } },
    });
    await expect(createConnectorRuntime(connector).runAction('a', {})).rejects.toMatchObject({
      code: 'SLUICE_CONNECTOR_INVALID',
      message: 'actions.a.inputFields: must return a list of fields (got undefined)',
    });
  });

  it('gives sample outputs, from a value or a function of the context', async () => {
    const runtime = runtimeOf();
    await expect(runtime.sampleOutput('get_customer_by_id')).resolves.toEqual({ id: 1, name: 'John' });
    await expect(runtime.sampleOutput('raw')).resolves.toEqual({ token_length: 7 });
    await expect(runtime.sampleOutput('new_customer', 'trigger')).resolves.toBeUndefined();
  });

  it('lists pick list options, passing args, and checks their shape', async () => {
    const runtime = runtimeOf();
    await expect(runtime.pickList('statuses')).resolves.toEqual([
      ['Active', 'active'],
      ['Closed', 'closed'],
    ]);
    await expect(runtime.pickList('by_region', { region: 'EU' })).resolves.toEqual([['In EU', 'EU']]);
    await expect(runtime.pickList('bad')).rejects.toMatchObject({
      code: 'SLUICE_CONNECTOR_INVALID',
      message: 'pickLists.bad: must return a list of [label, value] pairs, or one pair',
    });
    await expect(runtime.pickList('nope')).rejects.toThrow(
      'pickLists.nope: no such pick list (available: statuses, by_region, bad)',
    );
  });

  it('calls methods with their arguments and the connection', async () => {
    const runtime = runtimeOf();
    await expect(runtime.callMethod('label', ['Ann', true])).resolves.toBe('Ann (expanded)');
    await expect(runtime.callMethod('token', [])).resolves.toBe('tok-123');
    await expect(runtime.callMethod('nope', [])).rejects.toThrow(
      'methods.nope: no such method (available: label, token)',
    );
  });

  it('runs a method that needs no connection without one, and checks the connection when it reads it', async () => {
    const runtime = createConnectorRuntime(myApp(), { connection: {} });
    await expect(runtime.callMethod('label', ['Ann', false])).resolves.toBe('Ann');
    await expect(runtime.callMethod('token', [])).rejects.toThrow('connection.api_token: is required');
  });

  it('lists the secrets of the connection', () => {
    const runtime = createConnectorRuntime(myApp(), {
      connection: {
        api_token: 'tok-123',
        base_url: 'http://x',
        access_token: 'at',
        token_type: 'bearer',
        expires_in: 30,
        client_secret: 's',
      },
    });
    expect(runtime.secrets().sort()).toEqual(['at', 's', 'tok-123']);
  });
});

describe('createConnectorRuntime: triggers', () => {
  const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
  const ids = (events: unknown[]) => events.map((e) => (e as { id: number }).id);
  const since = '2024-01-01T00:00:00.000Z';

  it('runs ascending cycles over 250 records and resumes from JSON with no duplicate and no gap', async () => {
    for (const id of range(1, 250)) customers.add(id, id);
    const runtime = runtimeOf();
    const first = await runtime.pollTrigger('new_customer', { input: { since }, maxPolls: 2 });
    expect(ids(first.events)).toEqual(range(1, 199));
    customers.add(251, 300);
    const state = JSON.parse(JSON.stringify(first.state)) as TriggerState;
    const second = await runtime.pollTrigger('new_customer', { input: { since }, state });
    expect(ids(second.events)).toEqual([...range(200, 250), 251]);
    const third = await runtime.pollTrigger('new_customer', { input: { since }, state: second.state });
    expect(third.events).toEqual([]);
    expect(customers.requests.every((r) => r.startsWith('asc'))).toBe(true);
  });

  it('runs paging_desc cycles over 250 records, emitting oldest first', async () => {
    for (const id of range(1, 250)) customers.add(id, id);
    const runtime = runtimeOf();
    const first = await runtime.pollTrigger('new_customer_descending');
    expect(ids(first.events)).toEqual(range(1, 250));
    customers.add(251, 251);
    const second = await runtime.pollTrigger('new_customer_descending', {
      state: JSON.parse(JSON.stringify(first.state)) as TriggerState,
    });
    expect(ids(second.events)).toEqual([251]);
  });

  it('returns the raw result of one poll', async () => {
    customers.add(1, 1);
    const result = await runtimeOf().pollTriggerOnce('new_customer', { input: { since } });
    expect(result).toMatchObject({ events: [{ id: 1 }], canPollMore: false });
  });

  it('validates trigger input, poll results and states', async () => {
    const runtime = runtimeOf();
    await expect(runtime.pollTrigger('new_customer', { input: {} })).rejects.toThrow(
      'input.since: is required',
    );
    await expect(runtime.pollTrigger('broken')).rejects.toMatchObject({
      code: 'SLUICE_TRIGGER_RESULT',
      message: 'triggers.broken.poll: must return { events: [...] } (got undefined)',
    });
    await expect(runtime.pollTriggerOnce('broken')).rejects.toMatchObject({ code: 'SLUICE_TRIGGER_RESULT' });
    await expect(
      runtime.pollTrigger('new_customer_descending', { state: { kind: 'ascending', seen: [] } }),
    ).rejects.toMatchObject({
      code: 'SLUICE_TRIGGER_STATE',
      message: 'triggers.new_customer_descending.state.kind: must be "paging_desc" (got "ascending")',
    });
    await expect(runtime.pollTrigger('nope')).rejects.toThrow(
      'triggers.nope: no such trigger (available: new_customer, new_customer_descending, broken)',
    );
  });
});
