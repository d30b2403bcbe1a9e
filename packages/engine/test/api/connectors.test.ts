/**
 * Registered connectors over the API: the catalog (`GET /v1/connectors`), the publish-time check of
 * action steps and poll triggers, and action steps at run time against a loopback API with a stored
 * connection (its test before the run, its secrets masked in the record).
 */
import { randomBytes } from 'node:crypto';
import { type ApiCaller, openStore, runWorkflow, TemplateRenderer, validateWorkflow } from '@sluice/engine';
import { type Connector, defineConnector } from '@sluice/sdk';
import { describe, expect, it } from 'vitest';
import { codeOf, useApiHarness } from './harness.js';

const API_KEY = 'ak-crm-5e1f9a3c7b';

/** A small CRM connector: an API key, a test on `/me`, three actions and one trigger. */
const crm: Connector = defineConnector({
  title: 'Tiny CRM',
  description: 'Contacts of a tiny CRM',
  connection: {
    fields: [
      { name: 'base_url', optional: false },
      { name: 'api_key', controlType: 'password', optional: false },
    ],
    baseUri: ({ connection }) => String(connection.base_url),
    authorization: {
      type: 'api_key',
      apply: ({ connection, request }) => request.headers({ 'x-api-key': String(connection.api_key) }),
    },
  },
  test: async ({ http }) => {
    const me = await http.get<{ active: boolean }>('/me');
    if (!me.active) throw new Error('the account is not active');
    return me;
  },
  actions: {
    get_contact: {
      title: 'Get a contact',
      inputFields: [{ name: 'id', type: 'integer', optional: false, hint: 'the contact id' }],
      outputFields: [
        { name: 'id', type: 'integer' },
        { name: 'email' },
        { name: 'key_seen', optional: true },
      ],
      execute: async ({ http, input }) => http.get(`/contacts/${input.id}`),
    },
    explode: {
      execute: () => {
        throw new Error('the contact is locked');
      },
    },
    search: {
      inputFields: async () => [{ name: 'query' }],
      execute: () => [],
    },
  },
  triggers: {
    new_contacts: {
      title: 'New contacts',
      inputFields: [{ name: 'list', optional: true }],
      poll: () => ({ events: [] }),
    },
  },
});

/** A connector without connection fields. */
const clock: Connector = defineConnector({
  title: 'Clock',
  actions: { now: { execute: () => ({ iso: '2024-05-01T12:00:00.000Z' }) } },
});

const h = useApiHarness({
  waitLimitMs: 10_000,
  engine: {
    connectors: new Map([
      ['crm', crm],
      ['clock', clock],
    ]),
    secretKey: randomBytes(32),
  },
});

const acme: ApiCaller = { workspace_id: 'acme', email: 'bob@acme.test', role: 'member' } as ApiCaller;

const publish = async (body: object) => {
  const res = await h.call(h.keys.acmeMember, 'POST', '/v1/workflows', body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.uid as string;
};

const saveConnection = (name: string, values: Record<string, unknown>) =>
  h.engine.connections.save(acme, { name, connector: 'crm', values });

describe('GET /v1/connectors', () => {
  it('lists the registered connectors by name, with fields as the SDK notation and JSON Schema', async () => {
    const res = await h.call(h.keys.acmeMember, 'GET', '/v1/connectors');
    expect(res.status).toBe(200);
    const connectors = res.body.connectors as { name: string }[];
    expect(connectors.map((c) => c.name)).toEqual(['clock', 'crm']);
    expect(connectors[1]).toEqual({
      name: 'crm',
      title: 'Tiny CRM',
      description: 'Contacts of a tiny CRM',
      connection: {
        fields: {
          dynamic: false,
          fields: [
            { name: 'base_url', optional: false },
            { name: 'api_key', controlType: 'password', optional: false },
          ],
          schema: {
            type: 'object',
            properties: { base_url: { type: 'string' }, api_key: { type: 'string' } },
            required: ['base_url', 'api_key'],
            additionalProperties: true,
          },
        },
        authorization: 'api_key',
        test: true,
      },
      actions: [
        {
          name: 'explode',
          title: 'explode',
          input_fields: {
            dynamic: false,
            fields: [],
            schema: { type: 'object', properties: {}, additionalProperties: true },
          },
          output_fields: {
            dynamic: false,
            fields: [],
            schema: { type: 'object', properties: {}, additionalProperties: true },
          },
        },
        {
          name: 'get_contact',
          title: 'Get a contact',
          input_fields: {
            dynamic: false,
            fields: [{ name: 'id', type: 'integer', optional: false, hint: 'the contact id' }],
            schema: {
              type: 'object',
              properties: { id: { type: 'integer', description: 'the contact id' } },
              required: ['id'],
              additionalProperties: true,
            },
          },
          output_fields: expect.objectContaining({ dynamic: false }),
        },
        {
          name: 'search',
          title: 'search',
          input_fields: { dynamic: true },
          output_fields: expect.objectContaining({ dynamic: false }),
        },
      ],
      triggers: [
        {
          name: 'new_contacts',
          title: 'New contacts',
          type: 'ascending',
          input_fields: expect.objectContaining({
            dynamic: false,
            fields: [{ name: 'list', optional: true }],
          }),
          output_fields: expect.objectContaining({ dynamic: false }),
        },
      ],
    });
  });

  it('answers one connector, the same for every workspace, and 404 for an unknown one', async () => {
    const mine = await h.call(h.keys.acmeMember, 'GET', '/v1/connectors/clock');
    const theirs = await h.call(h.keys.globexMember, 'GET', '/v1/connectors/clock');
    expect(mine.status).toBe(200);
    expect(theirs.body).toEqual(mine.body);
    expect(mine.body).toMatchObject({
      name: 'clock',
      connection: { authorization: 'none', test: false, fields: { dynamic: false, fields: [] } },
      actions: [{ name: 'now' }],
      triggers: [],
    });
    const missing = await h.call(h.keys.acmeMember, 'GET', '/v1/connectors/nope');
    expect([missing.status, codeOf(missing)]).toEqual([404, 'SLUICE_API_NOT_FOUND']);
    expect((missing.body.error as { message: string }).message).toBe(
      'no connector nope (registered: clock, crm)',
    );
  });

  it('needs a key', async () => {
    const res = await h.call(undefined, 'GET', '/v1/connectors');
    expect([res.status, codeOf(res)]).toEqual([401, 'SLUICE_API_UNAUTHORIZED']);
  });
});

describe('publishing a workflow that names connectors', () => {
  const step = (action: string) => ({ name: 'act', action, connection: 'prod' });
  const http = { name: 'first', apispec: { url: 'https://api.test/x' } };

  it('refuses an action of an unregistered connector with 400 naming the path', async () => {
    const res = await h.call(h.keys.acmeMember, 'POST', '/v1/workflows', {
      name: 'w',
      steps: [http, step('hubspot.get_contact')],
    });
    expect([res.status, codeOf(res)]).toEqual([400, 'SLUICE_CONNECTOR_UNKNOWN']);
    expect(res.body.error).toMatchObject({
      message: 'steps[1].action: connector "hubspot" is not registered (registered: clock, crm)',
      details: {
        problems: [
          {
            path: 'steps[1].action',
            message: 'connector "hubspot" is not registered (registered: clock, crm)',
          },
        ],
      },
    });
  });

  it('refuses an unknown action, on POST and on PUT, listing every problem', async () => {
    const post = await h.call(h.keys.acmeMember, 'POST', '/v1/workflows', {
      name: 'w',
      steps: [step('crm.get_contactz'), { ...step('clock.later'), name: 'b' }],
    });
    expect([post.status, codeOf(post)]).toEqual([400, 'SLUICE_CONNECTOR_UNKNOWN']);
    expect((post.body.error as { message: string }).message).toBe(
      'steps[0].action: connector crm has no action "get_contactz" (actions: explode, get_contact, search) (and 1 more)',
    );
    expect((post.body.error as { details: { problems: unknown[] } }).details.problems).toEqual([
      expect.objectContaining({ path: 'steps[0].action' }),
      { path: 'steps[1].action', message: 'connector clock has no action "later" (actions: now)' },
    ]);
    const uid = await publish({ name: 'w', steps: [http] });
    const put = await h.call(h.keys.acmeMember, 'PUT', `/v1/workflows/${uid}`, {
      name: 'w',
      steps: [http, step('crm.nope')],
    });
    expect([put.status, codeOf(put)]).toEqual([400, 'SLUICE_CONNECTOR_UNKNOWN']);
    expect((put.body.error as { message: string }).message).toMatch(
      /^steps\[1\]\.action: connector crm has no action "nope"/,
    );
  });

  it('refuses a poll trigger of an unknown connector or trigger', async () => {
    const unknownConnector = await h.call(h.keys.acmeMember, 'POST', '/v1/workflows', {
      name: 'w',
      trigger: { poll: { connector: 'hubspot', trigger: 'new_contacts', connection: 'prod' } },
      steps: [http],
    });
    expect([unknownConnector.status, codeOf(unknownConnector)]).toEqual([400, 'SLUICE_CONNECTOR_UNKNOWN']);
    expect((unknownConnector.body.error as { message: string }).message).toMatch(
      /^trigger\.poll\.connector: /,
    );
    const unknownTrigger = await h.call(h.keys.acmeMember, 'POST', '/v1/workflows', {
      name: 'w',
      trigger: { poll: { connector: 'crm', trigger: 'new_deals', connection: 'prod' } },
      steps: [http],
    });
    expect((unknownTrigger.body.error as { message: string }).message).toBe(
      'trigger.poll.trigger: connector crm has no trigger "new_deals" (triggers: new_contacts)',
    );
  });

  it('accepts registered actions', async () => {
    await publish({ name: 'w', steps: [http, step('crm.get_contact'), { name: 'c', action: 'clock.now' }] });
  });
});

describe('action steps at run time', () => {
  const run = async (uid: string, input: unknown = {}) =>
    h.call(h.keys.acmeMember, 'POST', `/v1/workflows/${uid}/runs?wait=true`, { input });

  it('runs an HTTP step, then an action with a stored connection; its output is in STEPS and its secret masked', async () => {
    h.server.script('/me', [{ status: 200, body: { active: true } }]);
    h.server.script('/first', [{ status: 200, body: { contact: 7 } }]);
    h.server.script('/contacts/7', [
      { status: 200, body: { id: '7', email: 'ada@example.test', key_seen: API_KEY } },
    ]);
    await saveConnection('crm_prod', { base_url: h.server.origin, api_key: API_KEY });
    const uid = await publish({
      name: 'contact',
      steps: [
        { name: 'first', apispec: { url: h.server.url('/first') } },
        {
          name: 'contact',
          action: 'crm.get_contact',
          connection: 'crm_prod',
          input: { id: '{{ STEPS.first.output.contact }}' },
        },
        {
          name: 'email',
          action: 'crm.get_contact',
          connection: 'crm_prod',
          input: { id: '{{ STEPS.contact.output.id }}' },
          output: '{{ CURRENT_STEP.response.body.email }}',
        },
        { name: 'tick', action: 'clock.now' },
      ],
    });
    const res = await run(uid);
    expect(res.status).toBe(200);
    expect(res.body.status, JSON.stringify(res.body)).toBe('succeeded');
    const steps = res.body.steps as { name: string; output: unknown; attempts: number }[];
    // The output fields coerce "7" to 7; the key the API echoed is masked in the record.
    expect(steps.map((s) => s.output)).toEqual([
      { contact: 7 },
      { id: 7, email: 'ada@example.test', key_seen: '[redacted]' },
      'ada@example.test',
      { iso: '2024-05-01T12:00:00.000Z' },
    ]);
    expect(steps[1]?.attempts).toBe(1);
    expect(h.server.requests('/contacts/7').map((r) => r.headers['x-api-key'])).toEqual([API_KEY, API_KEY]);
    // The connection test ran before the run.
    expect(h.server.count('/me')).toBe(1);
    expect(JSON.stringify(await h.store.runs.listStepItems(res.body.id as string))).not.toContain(API_KEY);
  });

  it('fans out over a list, one action call per item', async () => {
    h.server.script('/me', [{ status: 200, body: { active: true } }]);
    for (const id of [1, 2, 3]) {
      h.server.script(`/contacts/${id}`, [{ status: 200, body: { id, email: `c${id}@example.test` } }]);
    }
    await saveConnection('crm_prod', { base_url: h.server.origin, api_key: API_KEY });
    const uid = await publish({
      name: 'many',
      steps: [
        {
          name: 'emails',
          action: 'crm.get_contact',
          connection: 'crm_prod',
          input: '{{ INPUT.contacts }}',
          output: '{{ CURRENT_STEP.response.body.email }}',
          concurrency: 2,
        },
      ],
    });
    const res = await h.call(h.keys.acmeMember, 'POST', `/v1/workflows/${uid}/runs?wait=true`, {
      input: { contacts: [{ id: 1 }, { id: 2 }, { id: 3 }] },
    });
    expect(res.body.status, JSON.stringify(res.body)).toBe('succeeded');
    expect((res.body.steps as { output: unknown }[])[0]?.output).toEqual([
      'c1@example.test',
      'c2@example.test',
      'c3@example.test',
    ]);
    expect([1, 2, 3].map((id) => h.server.count(`/contacts/${id}`))).toEqual([1, 1, 1]);
  });

  it('fails the step with the message of an action that throws', async () => {
    h.server.script('/me', [{ status: 200, body: { active: true } }]);
    await saveConnection('crm_prod', { base_url: h.server.origin, api_key: API_KEY });
    const uid = await publish({
      name: 'boom',
      steps: [{ name: 'boom', action: 'crm.explode', connection: 'crm_prod' }],
    });
    const res = await run(uid);
    expect(res.body.status).toBe('failed');
    const step = (res.body.steps as { status: string; error: unknown; attempts: number }[])[0];
    expect(step).toMatchObject({
      status: 'failed',
      attempts: 1,
      error: { type: 'other', message: 'crm.explode: the contact is locked' },
    });
  });

  it('records an HTTP error of the action with class status, the status and the start of the body', async () => {
    h.server.script('/me', [{ status: 200, body: { active: true } }]);
    h.server.script('/contacts/404', [{ status: 404, body: { error: 'no such contact' } }]);
    await saveConnection('crm_prod', { base_url: h.server.origin, api_key: API_KEY });
    const uid = await publish({
      name: 'missing',
      steps: [{ name: 'get', action: 'crm.get_contact', connection: 'crm_prod', input: { id: 404 } }],
    });
    const res = await run(uid);
    const step = (res.body.steps as { error: Record<string, unknown> }[])[0];
    expect(step?.error).toMatchObject({
      type: 'status',
      status: 404,
      body: '{"error":"no such contact"}',
      message: expect.stringMatching(
        /^crm\.get_contact: 404 Not Found \(GET http:\/\/127\.0\.0\.1:\d+\/contacts\/404\)/,
      ),
    });
  });

  it('fails the step when the action input breaks its input fields', async () => {
    h.server.script('/me', [{ status: 200, body: { active: true } }]);
    await saveConnection('crm_prod', { base_url: h.server.origin, api_key: API_KEY });
    const uid = await publish({
      name: 'bad-input',
      steps: [{ name: 'get', action: 'crm.get_contact', connection: 'crm_prod', input: { id: 'seven' } }],
    });
    const res = await run(uid);
    const step = (res.body.steps as { error: { type: string; message: string } }[])[0];
    expect(step?.error.type).toBe('other');
    expect(step?.error.message).toMatch(/^crm\.get_contact: .*id/);
  });

  it('refuses the run with 422 when the connection test fails, recording no run', async () => {
    h.server.script('/me', [{ status: 200, body: { active: false } }]);
    await saveConnection('crm_prod', { base_url: h.server.origin, api_key: API_KEY });
    const uid = await publish({
      name: 'refused',
      steps: [{ name: 'get', action: 'crm.get_contact', connection: 'crm_prod', input: { id: 1 } }],
    });
    const res = await run(uid);
    expect([res.status, codeOf(res)]).toEqual([422, 'SLUICE_CONNECTION_TEST']);
    expect((res.body.error as { message: string }).message).toBe(
      'connection crm_prod: the test failed: the account is not active',
    );
    const runs = await h.call(h.keys.acmeMember, 'GET', '/v1/runs');
    expect(runs.body.runs).toEqual([]);
  });

  it("fails the step when the connection is another connector's", async () => {
    h.server.script('/me', [{ status: 200, body: { active: true } }]);
    await saveConnection('crm_prod', { base_url: h.server.origin, api_key: API_KEY });
    const uid = await publish({
      name: 'wrong',
      steps: [{ name: 'now', action: 'clock.now', connection: 'crm_prod' }],
    });
    const res = await run(uid);
    expect((res.body.steps as { error: unknown }[])[0]).toMatchObject({
      error: {
        type: 'other',
        message: 'clock.now: connection crm_prod is a connection of crm, not of clock',
      },
    });
  });
});

describe('runWorkflow without the engine service', () => {
  it('fails an action step, saying action steps need the service', async () => {
    const store = await openStore({ file: ':memory:' });
    try {
      const checked = await validateWorkflow({
        name: 'local',
        steps: [{ name: 'now', action: 'clock.now' }],
      });
      if (!checked.ok) throw new Error(JSON.stringify(checked.problems));
      const outcome = await runWorkflow(checked.workflow, {
        store: store.runs,
        renderer: new TemplateRenderer(),
      });
      expect(outcome).toMatchObject({
        status: 'failed',
        error: {
          type: 'other',
          message:
            'steps.now: clock.now: connector action steps run only in the engine service (sluice serve --connectors <dir>)',
        },
      });
    } finally {
      await store.close();
    }
  });
});
