import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MyAppApi, startMyAppApi } from '../../../../examples/my-app/src/api.js';
import { CONNECTOR, json, scratchDir, TOKEN } from '../cli-fixtures.js';
import { runCli } from '../run-cli.js';

let api: MyAppApi;
const scratch = scratchDir('exec');
let settings: string;

beforeAll(async () => {
  api = await startMyAppApi({ port: 0, seedCount: 3 });
  settings = scratch.write('settings.json', { api_token: TOKEN, base_url: api.url });
});

afterAll(async () => {
  await api?.close();
  scratch.remove();
});

describe('sluice exec', () => {
  it('runs every kind of path and prints the result as pretty JSON', async () => {
    const input = scratch.write('input.yaml', 'id: 2\n');
    const address =
      '[{"street": "1 Main St", "city": "Anytown", "state": "CA", "zip": "94321", "country": "USA"}]';
    const run = (path: string, ...more: string[]) =>
      runCli(['exec', CONNECTOR, path, '--settings', settings, ...more]);
    const [test, action, inputFields, outputFields, sample, pickList, method] = await Promise.all([
      run('test'),
      run('actions.get_customer_by_id', '--input', input),
      run('actions.get_customer_by_id.inputFields'),
      run('triggers.new_customer.outputFields'),
      run('actions.create_customer.sampleOutput'),
      run('pickLists.countries', '--args', '{}'),
      run('methods.format_address', '--args', address),
    ]);

    expect(json(test)).toMatchObject({ customers: [{ id: 1 }] });
    const customer = api.customers[1];
    expect(json(action)).toEqual(JSON.parse(JSON.stringify(customer)));
    expect(action.stdout).toBe(`${JSON.stringify(json(action), null, 2)}\n`);
    expect(json(inputFields)).toEqual([{ name: 'id', type: 'integer', optional: false }]);
    expect((json(outputFields) as { name: string }[]).map((f) => f.name)).toEqual([
      'id',
      'name',
      'email',
      'address',
      'created_at',
      'updated_at',
    ]);
    expect(json(sample)).toMatchObject({ id: 1234, name: 'John Smith' });
    expect(json(pickList)).toContainEqual(['Germany', 'DEU']);
    expect(json(method)).toBe('1 Main St\nAnytown, CA 94321\nUSA');
  });

  it('writes --output instead of stdout, and logs requests with the token masked under --verbose', async () => {
    const input = scratch.write('input.json', { id: 1 });
    const output = `${scratch.dir}/out/nested/result.json`;
    const result = await runCli([
      'exec',
      CONNECTOR,
      'actions.get_customer_by_id',
      ...['--settings', settings, '--input', input, '--output', output, '--verbose'],
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('');
    expect(JSON.parse(readFileSync(output, 'utf8'))).toMatchObject({ id: 1 });
    expect(result.stderr).toContain(`> GET ${api.url}/v1/customers.json?id=1&api_token=[secret]\n`);
    expect(result.stderr).toMatch(/^< 200 GET .*api_token=\[secret\] \(\d+ ms\)$/m);
    expect(result.stderr).toContain('"name":"');
    expect(result.stderr).not.toContain(TOKEN);
  });
});
