/**
 * Workato connector SDK fidelity: `connector.ts` (written the way Workato connectors are) against
 * `api.ts`, a real server on loopback. The reference is the gem's source (workato/workato-connector-sdk,
 * `lib/workato/connector/sdk/request.rb` and `connection.rb`, rest-client 2.1.0, ActiveSupport
 * `to_query.rb`); docs/fidelity.md lists each behaviour.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createConnectorRuntime } from '@sluice/sdk/internal';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { scratchDir } from '../../../packages/cli/test/cli-fixtures.js';
import { runCli } from '../../../packages/cli/test/run-cli.js';
import { type LedgerApi, startLedgerApi } from './api.js';
import connector from './connector.js';

const CONNECTOR = fileURLToPath(new URL('./connector.ts', import.meta.url));
const PASSWORD = 'pw-ann-2026';

let api: LedgerApi;
beforeAll(async () => {
  api = await startLedgerApi();
});
afterAll(async () => {
  await api?.close();
});

const runtime = () =>
  createConnectorRuntime(connector, {
    connection: { base_url: api.url, username: 'ann', password: PASSWORD },
  });

describe('Workato-style connector', () => {
  let start: number;
  beforeEach(() => {
    start = api.log.length;
  });
  const sent = () => api.log.slice(start);

  it('acquires after any failed response without refresh_on (a 500 here), and sends once more', async () => {
    await expect(runtime().test()).resolves.toEqual({ user: 'ann' });
    expect(sent()).toEqual(['GET /me', 'POST /login', 'GET /me']);
  });

  it('form-encodes the login as to_param does: keys sorted, nested keys a[b], arrays a[]', () => {
    expect(api.logins[0]).toBe(
      'client%5Bname%5D=sluice&client%5Bversion%5D=2&pass=pw-ann-2026&scope%5B%5D=read&scope%5B%5D=write&user=ann',
    );
  });

  it('re-acquires when detect_on flags a 200, then follows the GET redirect', async () => {
    await expect(runtime().runAction('latest_entry', {})).resolves.toEqual({ id: 7 });
    expect(sent()).toEqual(['GET /entries/latest', 'POST /login', 'GET /entries/latest', 'GET /entries/7']);
  });

  it('returns the redirect with ignoreRedirects and follows a POST 307 with followRedirects', async () => {
    const r = runtime();
    await r.acquire();
    await expect(r.runAction('latest_entry_location', {})).resolves.toEqual({
      status: 302,
      location: '/entries/7',
    });
    await expect(r.runAction('add_entry', { amount: 5 })).resolves.toEqual({ created: { amount: 5 } });
    expect(sent().slice(-2)).toEqual(['POST /entries', 'POST /v2/entries']);
  });
});

describe('sluice exec on the Workato-style connector', () => {
  const scratch = scratchDir('workato');
  afterAll(() => scratch.remove());

  it('masks the acquired session id in --verbose output and in the cassette', async () => {
    const settings = scratch.write('settings.json', {
      base_url: api.url,
      username: 'ann',
      password: PASSWORD,
    });
    const cassette = `${scratch.dir}/latest.cassette.json`;
    const before = api.sessions.length;
    const result = await runCli([
      'exec',
      CONNECTOR,
      'actions.latest_entry',
      '--settings',
      settings,
      '--verbose',
      '--record',
      cassette,
    ]);
    expect([result.code, JSON.parse(result.stdout)]).toEqual([0, { id: 7 }]);
    expect(result.stderr).toContain('POST /login'.replace('/', `${api.url}/`));
    const sid = api.sessions[before];
    expect(sid).toMatch(/^sid-/);
    const recorded = readFileSync(cassette, 'utf8');
    for (const text of [result.stderr, recorded]) {
      expect(text).not.toContain(sid);
      expect(text).not.toContain(PASSWORD);
      expect(text).toContain('[secret]');
    }
  });
});
