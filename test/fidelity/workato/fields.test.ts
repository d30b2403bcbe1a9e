/**
 * Workato connector SDK fidelity of the field notation and `config_fields`: a connector written the way
 * Workato connectors are (config fields that pick an object, object definitions and input/output fields
 * that read them, pick lists of every shape), in Sluice's notation, run through the SDK runtime against
 * a real loopback server. The reference is the gem's source (workato/workato-connector-sdk):
 * `lib/workato/connector/sdk/schema.rb` (`optional` defaults to true; `enforce_required` checks the top
 * level only, and a blank value counts as missing; `timestamp` is a date_time field),
 * `operation.rb` and `action.rb` (`invoke` passes the input as `config_fields` to `input_fields`,
 * `output_fields` and `object_definitions`, and applies `config_fields` + `input_fields` to the input),
 * `object_definitions.rb` (`fields` lambdas get `config_fields`), `connector.rb` and
 * `spec/examples/pick_lists` (pick list lambdas with keyword arguments; a single pair as the result).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { defineConnector, type Field, FieldValidationError } from '@sluice/sdk';
import { createConnectorRuntime } from '@sluice/sdk/internal';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { listenLoopback } from './api.js';

/** The schema of each object, as the API describes it. */
const SCHEMAS: Record<string, Field[]> = {
  customer: [
    { name: 'name', optional: false },
    { name: 'email', hint: 'work address' },
  ],
  order: [
    { name: 'total', type: 'number', optional: false },
    { name: 'placed_at', type: 'timestamp' },
    { name: 'lines', type: 'array', of: 'object', properties: [{ name: 'sku', optional: false }] },
  ],
};

interface RecordsApi {
  readonly url: string;
  /** `METHOD /path` of every request, in order. */
  readonly log: string[];
  readonly bodies: unknown[];
  close(): Promise<void>;
}

async function startRecordsApi(): Promise<RecordsApi> {
  const log: string[] = [];
  const bodies: unknown[] = [];
  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const handle = (req: IncomingMessage, res: ServerResponse, body: string) => {
    const url = new URL(req.url ?? '/', 'http://x');
    log.push(`${req.method} ${url.pathname}`);
    if (req.headers['x-api-key'] !== 'key-1') return json(res, 401, { error: 'bad key' });
    const [, head, object] = url.pathname.split('/');
    if (head === 'objects')
      return json(res, 200, {
        objects: [
          { label: 'Customer', name: 'customer' },
          { label: 'Order', name: 'order' },
        ],
      });
    if (head === 'schema' && object !== undefined && SCHEMAS[object])
      return json(res, 200, { fields: SCHEMAS[object] });
    if (head === 'records' && req.method === 'POST') {
      const created = JSON.parse(body) as Record<string, unknown>;
      bodies.push(created);
      // Numbers come back as strings, the way some APIs answer: the output fields coerce them.
      return json(res, 201, {
        id: '41',
        ...created,
        total: created.total === undefined ? undefined : String(created.total),
      });
    }
    if (head === 'records' && req.method === 'GET') {
      const since = url.searchParams.get('since') ?? '';
      const all = [
        { id: 1, name: 'Ann', created_at: '2026-01-01T00:00:00Z' },
        { id: 2, name: 'Bob', created_at: '2026-02-01T00:00:00Z' },
      ];
      return json(res, 200, { records: all.filter((r) => r.created_at > since), object });
    }
    return json(res, 404, {});
  };
  return { ...(await listenLoopback(handle)), log, bodies };
}

let api: RecordsApi;
beforeAll(async () => {
  api = await startRecordsApi();
});
afterAll(async () => {
  await api.close();
});
beforeEach(() => {
  api.log.length = 0;
  api.bodies.length = 0;
});

const OBJECTS = [
  ['Customer', 'customer'],
  ['Order', 'order'],
] as const;

/** The `object` config field: Workato's `config_fields: [{ name: 'object', optional: false, pick_list: ... }]`. */
const objectField = {
  name: 'object',
  optional: false,
  controlType: 'select',
  pickList: 'objects',
  extendsSchema: true,
  sticky: true,
  hint: 'What kind of record',
} as const satisfies Field;

const connector = defineConnector({
  title: 'Records (Workato-style)',
  connection: {
    fields: [
      { name: 'api_key', label: 'API key', controlType: 'password', optional: false },
      { name: 'base_url', hint: 'leave empty for the default' },
    ],
    baseUri: ({ connection }) => String(connection.base_url ?? api.url),
    authorization: {
      type: 'api_key',
      apply: ({ connection, request }) => request.headers({ 'x-api-key': String(connection.api_key) }),
    },
  },
  actions: {
    create_record: {
      title: 'Create record',
      subtitle: 'Create a record of any object',
      help: { body: 'Pick the object first: its fields follow.', learnMoreUrl: 'https://example.com' },
      displayPriority: 10,
      configFields: [objectField],
      inputFields: ({ objectDefinitions }) => objectDefinitions.record,
      outputFields: ({ objectDefinitions }) => [{ name: 'id', type: 'integer' }, ...objectDefinitions.record],
      execute: async ({ input, http }) => {
        const { object, ...values } = input;
        return http.post(`/records/${object}`, values);
      },
    },
    get_record: {
      title: 'Get record',
      help: 'Reads one record',
      deprecated: false,
      inputFields: [
        { name: 'object', optional: false, pickList: [...OBJECTS] },
        { name: 'id', type: 'integer', optional: false },
        { name: 'note' },
        { name: 'filter', type: 'object', properties: [{ name: 'status', optional: false }] },
      ],
      execute: ({ input }) => ({ echo: input }),
    },
  },
  triggers: {
    new_record: {
      title: 'New record',
      configFields: [objectField],
      inputFields: [{ name: 'since', type: 'timestamp', sticky: true, hint: 'when to start' }],
      outputFields: ({ configFields }) => [
        { name: 'id', type: 'integer' },
        { name: configFields.object === 'customer' ? 'name' : 'total' },
        { name: 'created_at', type: 'timestamp' },
      ],
      poll: async ({ input, closure, http }) => {
        const since = typeof closure === 'string' ? closure : String(input.since ?? '');
        const { records } = await http.get<{ records: { created_at: string }[] }>(
          `/records/${input.object}`,
          { since },
        );
        return { events: records, nextPoll: records.at(-1)?.created_at ?? since };
      },
    },
  },
  pickLists: {
    // lambda do |connection| ... end: a list of [label, value] pairs from the API.
    objects: async ({ http }) =>
      (await http.get<{ objects: { label: string; name: string }[] }>('/objects')).objects.map((o) => [
        o.label,
        o.name,
      ]),
    // lambda do |_connection, index:| [...][index] end: one pair.
    object_at: ({ args }) => OBJECTS[Number(args.index)] ?? [],
    // lambda do |_connection, index:, **args| ... end: a tree list, `__parent_id` for the children.
    tree: ({ args }) =>
      args.__parent_id === undefined
        ? [['Root', 'root', 0, true]]
        : [[...(OBJECTS[Number(args.index)] ?? ['?', '?']), Number(args.index), false]],
  },
  objectDefinitions: {
    // object_definitions: { record: { fields: lambda do |connection, config_fields| ... end } }
    record: {
      fields: async ({ configFields, http }) =>
        (await http.get<{ fields: Field[] }>(`/schema/${String(configFields.object)}`)).fields,
    },
  },
});

const runtime = () => createConnectorRuntime(connector, { connection: { api_key: 'key-1' } });

async function fieldError(promise: Promise<unknown>): Promise<FieldValidationError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof FieldValidationError) return err;
    throw err;
  }
  throw new Error('expected a FieldValidationError');
}

describe('Workato fields: optional unless optional: false (schema.rb, enforce_required)', () => {
  it('runs with only the optional: false fields given, and reports a missing one before any request', async () => {
    const rt = runtime();
    await expect(rt.runAction('get_record', { object: 'order', id: '7' })).resolves.toEqual({
      echo: { object: 'order', id: 7 },
    });
    const err = await fieldError(rt.runAction('get_record', { object: 'order', note: 'x' }));
    expect(err.message).toBe('input.id: is required');
    expect(err.code).toBe('SLUICE_FIELD_REQUIRED');
    expect(err.hint).toContain('optional: false');
    expect(api.log).toEqual([]);
  });

  it('counts a blank value of a required field as missing, but not false, and checks nested fields only for type', async () => {
    const rt = runtime();
    const err = await fieldError(rt.runAction('get_record', { object: '', id: 7 }));
    expect(err.message).toBe('input.object: is required');
    // filter.status is optional: false, but the gem enforces presence at the top level only.
    await expect(rt.runAction('get_record', { object: 'order', id: 7, filter: {} })).resolves.toEqual({
      echo: { object: 'order', id: 7, filter: {} },
    });
    const typed = await fieldError(
      rt.runAction('get_record', { object: 'order', id: 7, filter: { status: 3 } }),
    );
    expect(typed.message).toBe('input.filter.status: must be string (got integer)');
  });

  it('checks the connection fields the same way: api_key is required, base_url is not', async () => {
    const err = await fieldError(
      createConnectorRuntime(connector, { connection: {} }).runAction('get_record', {}),
    );
    expect(err.message).toBe('connection.api_key: is required');
  });
});

describe('Workato config_fields (operation.rb, action.rb, object_definitions.rb)', () => {
  it('resolves input and output fields from the config field values, through object definitions', async () => {
    const rt = runtime();
    const customer = await rt.actionFields('create_record', 'inputFields', {
      configFields: { object: 'customer' },
    });
    expect(customer.map((f) => f.name)).toEqual(['name', 'email']);
    const order = await rt.actionFields('create_record', 'outputFields', {
      configFields: { object: 'order' },
    });
    expect(order.map((f) => f.name)).toEqual(['id', 'total', 'placed_at', 'lines']);
    await expect(rt.actionFields('create_record', 'configFields')).resolves.toEqual([objectField]);
    // Each object definition is fetched once per set of config field values.
    await rt.actionFields('create_record', 'inputFields', { configFields: { object: 'customer' } });
    expect(api.log).toEqual(['GET /schema/customer', 'GET /schema/order']);
  });

  it('reads the config field values from the input when it runs, checks both lists, and coerces the output', async () => {
    const rt = runtime();
    const output = await rt.runAction('create_record', {
      object: 'order',
      total: '12.5',
      placed_at: new Date(Date.UTC(2026, 0, 2, 3, 4, 5)),
      lines: [{ sku: 'A-1' }],
    });
    expect(api.bodies).toEqual([
      { total: 12.5, placed_at: '2026-01-02T03:04:05.000Z', lines: [{ sku: 'A-1' }] },
    ]);
    expect(output).toEqual({
      id: 41,
      total: 12.5,
      placed_at: '2026-01-02T03:04:05.000Z',
      lines: [{ sku: 'A-1' }],
    });
    expect(api.log).toEqual(['GET /schema/order', 'POST /records/order']);
  });

  it('reports a missing config field before resolving anything, then the object fields it selects', async () => {
    const rt = runtime();
    const missing = await fieldError(rt.runAction('create_record', { name: 'Ann' }));
    expect(missing.message).toBe('input.object: is required');
    expect(api.log).toEqual([]);
    const err = await fieldError(rt.runAction('create_record', { object: 'customer', email: 'a@b.c' }));
    expect(err.message).toBe('input.name: is required');
    expect(api.log).toEqual(['GET /schema/customer']);
  });

  it('takes config field values given apart (sluice exec --config-fields), under the input', async () => {
    const rt = runtime();
    await expect(
      rt.runAction('create_record', { name: 'Ann' }, { configFields: { object: 'customer' } }),
    ).resolves.toEqual({ id: 41, name: 'Ann' });
    expect(api.log).toEqual(['GET /schema/customer', 'POST /records/customer']);
  });

  it('gives a trigger its config field values too, and reads timestamp fields as date_time', async () => {
    const rt = runtime();
    const { events } = await rt.pollTrigger('new_record', {
      input: { object: 'customer', since: new Date(Date.UTC(2026, 0, 15)) },
    });
    expect(events).toEqual([{ id: 2, name: 'Bob', created_at: '2026-02-01T00:00:00Z' }]);
    expect(api.log).toEqual(['GET /records/customer']);
    const fields = await rt.triggerFields('new_record', 'outputFields', {
      configFields: { object: 'customer' },
    });
    expect(fields.map((f) => f.name)).toEqual(['id', 'name', 'created_at']);
    const err = await fieldError(rt.pollTrigger('new_record', { input: { since: 'yesterday' } }));
    expect(err.message).toBe('input.object: is required');
    const bad = await fieldError(
      rt.pollTrigger('new_record', { input: { object: 'customer', since: 'yesterday' } }),
    );
    expect(bad.message).toBe('input.since: must be a date-time like 2024-01-31T09:30:00Z (got "yesterday")');
  });
});

describe('Workato pick lists (connector.rb, spec/examples/pick_lists)', () => {
  it('returns a list of pairs, a single pair, and tree entries, with keyword-like args', async () => {
    const rt = runtime();
    await expect(rt.pickList('objects')).resolves.toEqual([
      ['Customer', 'customer'],
      ['Order', 'order'],
    ]);
    await expect(rt.pickList('object_at', { index: 1 })).resolves.toEqual(['Order', 'order']);
    await expect(rt.pickList('tree', { index: 1 })).resolves.toEqual([['Root', 'root', 0, true]]);
    await expect(rt.pickList('tree', { index: 1, __parent_id: 0 })).resolves.toEqual([
      ['Order', 'order', 1, false],
    ]);
  });
});
