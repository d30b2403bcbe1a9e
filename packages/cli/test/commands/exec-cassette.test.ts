import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { startMyAppApi } from '../../../../examples/my-app/src/api.js';
import { CONNECTOR, expectCleanError, json, scratchDir, TOKEN } from '../cli-fixtures.js';
import { runCli } from '../run-cli.js';

const scratch = scratchDir('exec-cassette');

afterAll(() => scratch.remove());

describe('sluice exec --record and --replay', () => {
  it('records the exchanges without the token, then replays them with the API gone', async () => {
    const api = await startMyAppApi({ port: 0, seedCount: 2 });
    const settings = scratch.write('settings.json', { api_token: TOKEN, base_url: api.url });
    const one = scratch.write('one.json', { id: 1 });
    const cassette = `${scratch.dir}/cassettes/get.cassette.json`;
    let recorded: unknown;
    try {
      recorded = json(
        await runCli([
          'exec',
          CONNECTOR,
          'actions.get_customer_by_id',
          '--settings',
          settings,
          '--input',
          one,
          '--record',
          cassette,
        ]),
      );
    } finally {
      await api.close();
    }
    expect(recorded).toMatchObject({ id: 1 });
    const text = readFileSync(cassette, 'utf8');
    expect(text).not.toContain(TOKEN);
    expect(JSON.parse(text)).toMatchObject({
      version: 1,
      exchanges: [
        { request: { method: 'GET', url: `${api.url}/v1/customers.json?id=1&api_token=[secret]` } },
      ],
    });

    const two = scratch.write('two.json', { id: 2 });
    const [replayed, miss, both, badFile] = await Promise.all([
      runCli([
        'exec',
        CONNECTOR,
        'actions.get_customer_by_id',
        '--settings',
        settings,
        '--input',
        one,
        '--replay',
        cassette,
      ]),
      runCli([
        'exec',
        CONNECTOR,
        'actions.get_customer_by_id',
        '--settings',
        settings,
        '--input',
        two,
        '--replay',
        cassette,
      ]),
      runCli(['exec', CONNECTOR, 'test', '--record', cassette, '--replay', cassette]),
      runCli(['exec', CONNECTOR, 'test', '--settings', settings, '--replay', settings]),
    ]);
    expect(json(replayed)).toEqual(recorded);
    expectCleanError(
      miss,
      /^error SLUICE_CASSETTE_MISS: no recorded exchange for GET http:\/\/127\.0\.0\.1:\d+\/v1\/customers\.json\?id=2&api_token=\[secret\]; recorded: GET .*id=1&api_token=\[secret\]$/,
    );
    expectCleanError(both, /^error SLUICE_CLI_OPTION: --record and --replay cannot be used together$/);
    expectCleanError(
      badFile,
      /^error SLUICE_CASSETTE_FILE: cassette file .*settings\.json: is not a cassette: it has no "version" field$/,
    );
  });
});
