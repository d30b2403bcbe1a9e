/**
 * `userToken` (issue 14): `USER.token` is made when the run first reads it, once per run; a run whose
 * templates never name it makes none. What a template sees, and what redaction hides, are as with a token
 * given up front.
 */
import { REDACTED, type Workflow } from '@sluice/engine';
import { describe, expect, it } from 'vitest';
import { type Harness, useEngineHarness } from '../helpers/engine-harness.js';
import type { FlakyServer } from '../helpers/flaky-server.js';

let server: FlakyServer;
let engine: Harness;
useEngineHarness((s, e) => {
  server = s;
  engine = e;
});

/** A run token's shape (`rt_<payload>.<43 characters>`): the redactor finds it whatever the list. */
const TOKEN = `rt_${'p'.repeat(20)}.${'s'.repeat(43)}`;

/** A `userToken` that counts the tokens it made. */
function countingIssuer() {
  const made = { count: 0 };
  const issue = (): string => {
    made.count++;
    return TOKEN;
  };
  return { made, issue };
}

const user = { id: 'ann@acme.test', email: 'ann@acme.test', workspace_id: 'acme', role: 'member' };

function steps(...templates: Workflow['steps']): Workflow {
  return { name: 'token', scope: 'workspace', steps: templates };
}

describe('USER.token made on first read', () => {
  it('makes no token for a run that never reads it, USER otherwise as given', async () => {
    server.script('/plain', [{ status: 200, body: { ok: true } }]);
    const { made, issue } = countingIssuer();
    const { outcome } = await engine.run(
      steps({
        name: 'plain',
        apispec: { url: server.url('/plain'), method: 'GET', params: { who: '{{ USER.email }}' } },
      }),
      { user, userToken: issue },
    );
    expect(outcome.status).toBe('succeeded');
    expect(server.requests('/plain')[0]?.query.get('who')).toBe('ann@acme.test');
    expect(made.count).toBe(0);
  });

  it('makes one token for the whole run, however many templates read it, and hides it in the records', async () => {
    server.script('/echo', [{ status: 200, body: { echoed: TOKEN } }]);
    const { made, issue } = countingIssuer();
    const { outcome, record } = await engine.run(
      steps(
        {
          name: 'first',
          apispec: {
            url: server.url('/echo'),
            method: 'GET',
            headers: { Authorization: 'Bearer {{ USER.token }}' },
          },
        },
        {
          name: 'whole',
          apispec: { url: server.url('/echo'), method: 'POST', json_body: '{{ USER | tojson }}' },
        },
      ),
      { user, userToken: issue },
    );
    expect(outcome.status).toBe('succeeded');
    expect(made.count).toBe(1);
    const [first, whole] = server.requests('/echo');
    expect(first?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    // `USER` whole holds the token too, as it did when the token was made up front.
    // (`tojson` renders a string: the body is that JSON text, as a JSON string.)
    expect(JSON.parse(JSON.parse(whole?.body ?? '""') as string)).toEqual({ ...user, token: TOKEN });
    expect(JSON.stringify(record)).not.toContain(TOKEN);
    expect(record.steps[0]?.output).toEqual({ echoed: REDACTED });
  });

  it('keeps a token given in `user` and never calls userToken', async () => {
    server.script('/given', [{ status: 200, body: {} }]);
    const { made, issue } = countingIssuer();
    const given = `rt_${'g'.repeat(20)}.${'h'.repeat(43)}`;
    await engine.run(
      steps({
        name: 'given',
        apispec: { url: server.url('/given'), method: 'GET', headers: { 'X-T': '{{ USER.token }}' } },
      }),
      { user: { ...user, token: given }, userToken: issue },
    );
    expect(server.requests('/given')[0]?.headers['x-t']).toBe(given);
    expect(made.count).toBe(0);
  });
});
