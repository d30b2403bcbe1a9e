import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MyAppApi, startMyAppApi } from '../../../../examples/my-app/src/api.js';
import { CONNECTOR, expectCleanError, json, scratchDir, TOKEN } from '../cli-fixtures.js';
import { runCli } from '../run-cli.js';

let api: MyAppApi;
const scratch = scratchDir('exec-trigger');
let settings: string;

beforeAll(async () => {
  api = await startMyAppApi({ port: 0, seedCount: 3 });
  settings = scratch.write('settings.json', { api_token: TOKEN, base_url: api.url });
});

afterAll(async () => {
  await api?.close();
  scratch.remove();
});

describe('sluice exec triggers.<name>', () => {
  it('continues a trigger from the printed closure: nothing twice, nothing skipped', async () => {
    const first = scratch.dir.concat('/cycle1.json');
    const cycle1 = await runCli([
      'exec',
      CONNECTOR,
      'triggers.new_customer',
      '--settings',
      settings,
      '--output',
      first,
    ]);
    expect(cycle1).toEqual({ code: 0, stdout: '', stderr: '' });
    const printed1 = JSON.parse(readFileSync(first, 'utf8')) as {
      events: { id: number }[];
      closure: unknown;
    };
    expect(printed1.events.map((e) => e.id)).toEqual([1, 2, 3]);

    // --closure takes the whole printed output of the previous cycle, or its `closure` alone.
    const cycle2 = json(
      await runCli(['exec', CONNECTOR, 'triggers.new_customer', '--settings', settings, '--closure', first]),
    ) as { events: unknown[]; closure: unknown };
    expect(cycle2.events).toEqual([]);

    const added = api.addCustomer({ name: 'Zoe New', email: 'zoe@example.com' });
    const closure2 = JSON.stringify(cycle2.closure); // inline JSON works as well as a file
    const since = api.customers[1]?.created_at;
    const [cycle3, rawPoll] = await Promise.all([
      runCli(['exec', CONNECTOR, 'triggers.new_customer', '--settings', settings, '--closure', closure2]),
      runCli([
        'exec',
        CONNECTOR,
        'triggers.new_customer.poll',
        '--settings',
        settings,
        '--closure',
        scratch.write('since.json', JSON.stringify(since)),
      ]),
    ]);
    expect((json(cycle3) as { events: { id: number }[] }).events.map((e) => e.id)).toEqual([added.id]);
    // One raw poll: what the author's poll returned for that closure (the API's created_since is
    // inclusive), without the runtime's deduplication.
    const raw = json(rawPoll) as { events: { id: number }[]; nextPoll: unknown; canPollMore: unknown };
    const expected = api.customers.filter((c) => c.created_at >= (since ?? '')).map((c) => c.id);
    expect(raw.events.map((e) => e.id)).toEqual(expected);
    expect(expected).toContain(2);
    expect(raw).toMatchObject({ nextPoll: added.created_at, canPollMore: false });
  });

  it('names the --closure file when it does not hold a state of this trigger', async () => {
    const closure = scratch.write('not-a-state.json', { since: '2020-01-01T00:00:00Z' });
    const result = await runCli([
      'exec',
      CONNECTOR,
      'triggers.new_customer',
      '--settings',
      settings,
      '--closure',
      closure,
    ]);
    expectCleanError(
      result,
      /^error SLUICE_TRIGGER_STATE: --closure file .*not-a-state\.json: triggers\.new_customer\.state/,
    );
  });
});
