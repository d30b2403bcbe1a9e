import { chmodSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { decryptSettings, encryptSettings, generateKey } from '../../src/settings-crypto.js';
import { scratchDir } from '../cli-fixtures.js';
import { runCliInProcess } from '../run-cli.js';

const sluice = runCliInProcess;

/** An oauth2 connector whose `test` asks the API who the token belongs to; `search` has a config field. */
const CONNECTOR_SOURCE = `
import { defineConnector } from '@sluice/sdk';

export default defineConnector({
  title: 'Refreshing',
  connection: {
    fields: [
      { name: 'base_url', optional: false },
      { name: 'client_id' },
      { name: 'client_secret', controlType: 'password' },
    ],
    baseUri: ({ connection }) => String(connection.base_url),
    authorization: {
      type: 'oauth2',
      authorizationUrl: () => 'https://auth.example.test/authorize',
      tokenUrl: ({ connection }) => \`\${connection.base_url}/token\`,
      clientId: ({ connection }) => String(connection.client_id),
      clientSecret: ({ connection }) => String(connection.client_secret),
      refreshOn: 401,
    },
  },
  test: ({ http }) => http.get('/me'),
  actions: {
    search: {
      configFields: [{ name: 'object', optional: false }],
      inputFields: ({ configFields }) => [{ name: \`\${String(configFields.object)}_id\`, type: 'integer' }],
      execute: ({ input }) => ({ got: input }),
    },
  },
});
`;

const scratch = scratchDir('exec-settings');
let server: Server;
let baseUrl: string;
/** The refresh tokens the token endpoint received, in order. */
const refreshes: string[] = [];
const connector = scratch.write('connector.ts', CONNECTOR_SOURCE);

beforeAll(async () => {
  server = createServer((req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method === 'POST' && req.url === '/token') {
      let body = '';
      req.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      req.on('end', () => {
        const form = new URLSearchParams(body);
        refreshes.push(form.get('refresh_token') ?? '');
        send(200, { access_token: 'at-new', refresh_token: `rt-after-${form.get('refresh_token')}` });
      });
      return;
    }
    const who: Record<string, string> = {
      'Bearer at-prod': 'prod',
      'Bearer at-staging': 'staging',
      'Bearer at-new': 'refreshed',
    };
    const found = who[req.headers.authorization ?? ''];
    if (req.url === '/me' && found !== undefined) send(200, { who: found });
    else send(401, { error: 'expired' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  scratch.remove();
});

/** A settings file of two named connections; prod's access token is `prodToken`. */
function twoConnections(prodToken: string): string {
  return [
    '# two connections',
    'prod:',
    `  base_url: ${baseUrl}`,
    '  client_id: cid',
    '  client_secret: prod-secret',
    `  access_token: ${prodToken}`,
    '  refresh_token: rt-prod',
    'staging:',
    `  base_url: ${baseUrl}`,
    '  access_token: at-staging',
    '  refresh_token: rt-staging',
    '',
  ].join('\n');
}

describe('sluice exec --connection', () => {
  it('runs with the named connection of a settings file that holds several', async () => {
    const settings = scratch.write('named.yaml', twoConnections('at-prod'));
    const before = readFileSync(settings, 'utf8');
    const [prod, staging] = await Promise.all([
      sluice(['exec', connector, 'test', '--settings', settings, '--connection', 'prod']),
      sluice(['exec', connector, 'test', '--settings', settings, '--connection', 'staging']),
    ]);
    expect(prod.stderr).toBe('');
    expect(JSON.parse(prod.stdout)).toEqual({ who: 'prod' });
    expect(JSON.parse(staging.stdout)).toEqual({ who: 'staging' });
    // Nothing was refreshed: the file is as it was.
    expect(readFileSync(settings, 'utf8')).toBe(before);
  });

  it('names the connections, with a did-you-mean, for an unknown name or a missing --connection', async () => {
    const settings = scratch.write('named-errors.yaml', twoConnections('at-prod'));
    const [typo, missing, flat] = await Promise.all([
      sluice(['exec', connector, 'test', '--settings', settings, '--connection', 'stagin']),
      sluice(['exec', connector, 'test', '--settings', settings]),
      sluice(['exec', connector, 'test', '--settings', `{"base_url": "${baseUrl}"}`, '--connection', 'prod']),
    ]);
    expect(typo.code).toBe(1);
    expect(typo.stderr).toBe(
      `error SLUICE_CLI_OPTION: --connection stagin: --settings file ${settings} has no connection "stagin"; did you mean "staging"?\nhint: connections in the file: prod, staging\n`,
    );
    expect(missing.stderr).toBe(
      `error SLUICE_CLI_OPTION: --settings file ${settings} holds named connections (prod, staging): choose one with --connection\nhint: e.g. --connection prod\n`,
    );
    expect(flat.stderr).toMatch(
      /^error SLUICE_CLI_OPTION: --connection prod: --settings value has no connection "prod"\nhint: the settings hold the values of one connection: leave --connection out\n$/,
    );
    for (const result of [typo, missing, flat]) expect(result.stdout).toBe('');
  });

  it('reads settings.yaml beside the connector when --settings is not given', async () => {
    const dir = scratchDir('exec-default-settings');
    try {
      const own = dir.write('connector.ts', CONNECTOR_SOURCE);
      dir.write('settings.yaml', `base_url: ${baseUrl}\naccess_token: at-staging\n`);
      const result = await sluice(['exec', own, 'test']);
      expect(result.stderr).toBe('');
      expect(JSON.parse(result.stdout)).toEqual({ who: 'staging' });
      // settings.yaml.enc comes first, opened with master.key beside it.
      const key = generateKey();
      dir.write('master.key', `${key}\n`);
      dir.write(
        'settings.yaml.enc',
        encryptSettings(`base_url: ${baseUrl}\naccess_token: at-prod\n`, Buffer.from(key, 'hex')),
      );
      const encrypted = await sluice(['exec', own, 'test']);
      expect(encrypted.stderr).toBe('');
      expect(JSON.parse(encrypted.stdout)).toEqual({ who: 'prod' });
    } finally {
      dir.remove();
    }
  });
});

describe('sluice exec: refreshed tokens are written back', () => {
  it('updates the named connection of a plain YAML file, keeping the other one, its comments and mode', async () => {
    const settings = scratch.write('refresh.yaml', twoConnections('at-expired'));
    chmodSync(settings, 0o640);
    const result = await sluice(['exec', connector, 'test', '--settings', settings, '--connection', 'prod']);
    expect(JSON.parse(result.stdout)).toEqual({ who: 'refreshed' });
    expect(result.stderr).toBe(
      `updated ${settings}: access_token, refresh_token of connection "prod" (refreshed by authorization)\n`,
    );
    expect(result.stderr).not.toContain('at-new');
    expect(refreshes).toContain('rt-prod');
    const text = readFileSync(settings, 'utf8');
    expect(text.startsWith('# two connections\n')).toBe(true);
    expect(parse(text)).toEqual({
      prod: {
        base_url: baseUrl,
        client_id: 'cid',
        client_secret: 'prod-secret',
        access_token: 'at-new',
        refresh_token: 'rt-after-rt-prod',
      },
      staging: { base_url: baseUrl, access_token: 'at-staging', refresh_token: 'rt-staging' },
    });
    expect(statSync(settings).mode & 0o777).toBe(0o640);
    // The next run uses the saved token: no refresh, no update line.
    const count = refreshes.length;
    const again = await sluice(['exec', connector, 'test', '--settings', settings, '--connection', 'prod']);
    expect(again.stderr).toBe('');
    expect(refreshes.length).toBe(count);
  });

  it('updates an encrypted file, which stays encrypted, with a flat JSON file likewise', async () => {
    const key = generateKey();
    const keyFile = scratch.write('enc.key', key);
    const keyValue = { key: Buffer.from(key, 'hex'), source: 'test key' };
    const settings = scratch.write(
      'refresh.yaml.enc',
      encryptSettings(twoConnections('at-expired'), keyValue.key),
    );
    const flat = scratch.write(
      'flat.json',
      JSON.stringify({ base_url: baseUrl, access_token: 'at-old', refresh_token: 'rt-flat' }),
    );
    const [encrypted, plain] = await Promise.all([
      sluice(['exec', connector, 'test', '--settings', settings, '--key', keyFile, '--connection', 'prod']),
      sluice(['exec', connector, 'test', '--settings', flat]),
    ]);
    expect(JSON.parse(encrypted.stdout)).toEqual({ who: 'refreshed' });
    expect(encrypted.stderr).toContain(
      `updated ${settings}: access_token, refresh_token of connection "prod"`,
    );
    const raw = readFileSync(settings, 'utf8');
    expect(raw).not.toContain('at-new');
    expect(raw).not.toContain('prod-secret');
    const all = parse(decryptSettings(raw, keyValue, settings));
    expect(all.prod).toMatchObject({ access_token: 'at-new', refresh_token: 'rt-after-rt-prod' });
    expect(all.staging).toEqual({
      base_url: baseUrl,
      access_token: 'at-staging',
      refresh_token: 'rt-staging',
    });

    expect(plain.stderr).toBe(`updated ${flat}: access_token, refresh_token (refreshed by authorization)\n`);
    expect(JSON.parse(readFileSync(flat, 'utf8'))).toEqual({
      base_url: baseUrl,
      access_token: 'at-new',
      refresh_token: 'rt-after-rt-flat',
    });
  });

  it('fails with the key file named, and no values, when the key is wrong', async () => {
    const settings = scratch.write(
      'wrong.yaml.enc',
      encryptSettings(twoConnections('at-prod'), Buffer.alloc(32, 7)),
    );
    const wrong = scratch.write('wrong.key', generateKey());
    const short = scratch.write('short.key', 'abc123');
    const [bad, malformed, none] = await Promise.all([
      sluice(['exec', connector, 'test', '--settings', settings, '--key', wrong, '--connection', 'prod']),
      sluice(['exec', connector, 'test', '--settings', settings, '--key', short, '--connection', 'prod']),
      sluice(['exec', connector, 'test', '--settings', settings, '--connection', 'prod']),
    ]);
    expect(bad.stderr).toBe(
      `error SLUICE_CLI_SETTINGS_KEY: cannot decrypt ${settings} with the key file ${wrong}: wrong key, or the file was changed\nhint: use the key the file was written with (--key <file> or SLUICE_MASTER_KEY)\n`,
    );
    expect(malformed.stderr).toMatch(
      new RegExp(
        `^error SLUICE_CLI_SETTINGS_KEY: key file ${short} does not hold a Sluice key: expected 64 hex characters, got 6 characters\\n`,
      ),
    );
    expect(none.stderr).toMatch(
      new RegExp(
        `^error SLUICE_CLI_SETTINGS_KEY: no key to decrypt ${settings}: ${join(scratch.dir, 'master.key')} not found and SLUICE_MASTER_KEY not set\\n`,
      ),
    );
    for (const result of [bad, malformed, none]) {
      expect(result.code).toBe(1);
      expect(result.stderr).not.toMatch(/^\s+at /m);
      expect(result.stderr).not.toContain('abc123');
    }
  });
});

describe('sluice exec --config-fields', () => {
  it('passes the values to inputFields and to the run, and refuses paths without config fields', async () => {
    const settings = scratch.write('config.json', { base_url: baseUrl, access_token: 'at-prod' });
    const configFile = scratch.write('config-fields.yaml', 'object: customer\n');
    const [fields, action, wrong, notObject] = await Promise.all([
      sluice([
        'exec',
        connector,
        'actions.search.inputFields',
        '--settings',
        settings,
        '--config-fields',
        configFile,
      ]),
      sluice([
        'exec',
        connector,
        'actions.search',
        ...['--settings', settings, '--config-fields', '{"object": "order"}', '--input', '{"order_id": "7"}'],
      ]),
      sluice(['exec', connector, 'test', '--settings', settings, '--config-fields', '{}']),
      sluice(['exec', connector, 'actions.search', '--settings', settings, '--config-fields', '[1]']),
    ]);
    expect(fields.stderr).toBe('');
    expect(JSON.parse(fields.stdout)).toEqual([{ name: 'customer_id', type: 'integer' }]);
    expect(action.stderr).toBe('');
    expect(JSON.parse(action.stdout)).toEqual({ got: { object: 'order', order_id: 7 } });
    expect(wrong.stderr).toBe(
      'error SLUICE_CLI_OPTION: --config-fields does not apply to test\nhint: --config-fields applies to actions.<name>, triggers.<name>, triggers.<name>.poll, triggers.<name>.webhookSubscribe and their .inputFields/.outputFields\n',
    );
    expect(notObject.stderr).toMatch(
      /^error SLUICE_CLI_FILE_PARSE: --config-fields value must hold an object of config field values, got an array\n/,
    );
  });
});

describe('settings files written by hand', () => {
  it('refuses a Workato-encrypted file with a hint, not a stack trace', async () => {
    const settings = scratch.write('workato.yaml.enc', 'dGhpcyBpcyBub3Qgb3Vycw==--abc--def');
    const result = await sluice(['exec', connector, 'test', '--settings', settings]);
    expect(result.stderr).toBe(
      `error SLUICE_CLI_FILE_PARSE: --settings file ${settings} is not a Sluice encrypted settings file\nhint: Workato settings.yaml.enc files cannot be read: decrypt it with "workato edit", then copy the values into "sluice edit"\n`,
    );
  });
});
