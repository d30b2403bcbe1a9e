import { afterAll, describe, expect, it } from 'vitest';
import { CONNECTOR, expectCleanError, scratchDir, TOKEN } from '../cli-fixtures.js';
import { runCli } from '../run-cli.js';

const scratch = scratchDir('exec-errors');

afterAll(() => scratch.remove());

const named = scratch.write('named.ts', 'export const title = "x";\nexport function helper() {}\n');
const badTs = scratch.write(
  'bad.ts',
  'const connector = {\n  title: "x",\n  actions: ;\n};\nexport default connector;\n',
);
const badJs = scratch.write('bad.mjs', 'export default {\n  title: "x",\n  actions: ;\n};\n');
const badSettings = scratch.write('settings.json', `{\n  "api_token": "${TOKEN}"\n  "base_url": "x"\n}\n`);
const down = scratch.write('down.yaml', `api_token: ${TOKEN}\nbase_url: http://127.0.0.1:1\n`);
const noId = scratch.write('input.json', {});

/** Each bad input, and the one line it must give (with at most a hint after it, and no stack trace). */
const CASES: [string, string[], RegExp][] = [
  [
    'a missing file',
    ['exec', 'nope/connector.ts', 'test'],
    /^error SLUICE_CONNECTOR_LOAD: connector file nope\/connector\.ts not found$/,
  ],
  [
    'a file without a default export',
    ['exec', named, 'test'],
    /^error SLUICE_CONNECTOR_LOAD: connector file .*named\.ts does not default-export a connector: it has no default export \(it exports helper, title\)$/,
  ],
  [
    'a TypeScript syntax error',
    ['exec', badTs, 'test'],
    /^error SLUICE_CONNECTOR_LOAD: syntax error in .*bad\.ts at line 3, column 12: /,
  ],
  [
    'a JavaScript syntax error',
    ['exec', badJs, 'test'],
    /^error SLUICE_CONNECTOR_LOAD: syntax error in .*bad\.mjs at line 3, column 12: /,
  ],
  [
    'an unknown action',
    ['exec', CONNECTOR, 'actions.nope'],
    /^error SLUICE_CONNECTOR_PATH: no action "nope" in examples\/my-app\/src\/connector\.ts; valid paths: test, actions\.get_customer_by_id\[\.inputFields\|\.outputFields\|\.sampleOutput\], .*methods\.format_address$/,
  ],
  [
    'a missing required input field',
    ['exec', CONNECTOR, 'actions.get_customer_by_id', '--input', noId, '--settings', down],
    /^error SLUICE_FIELD_REQUIRED: .*input\.id: is required/,
  ],
  [
    'a settings file that is not JSON',
    ['exec', CONNECTOR, 'test', '--settings', badSettings],
    /^error SLUICE_CLI_FILE_PARSE: --settings file .*settings\.json is not valid JSON: Expected ',' or '}' after property value at line 3, column 3$/,
  ],
  [
    'an API that does not answer',
    ['exec', CONNECTOR, 'test', '--settings', down],
    /^error SLUICE_HTTP_CONNECT: .*http:\/\/127\.0\.0\.1:1\/v1\/customers\.json/,
  ],
  [
    '--args that are not JSON',
    ['exec', CONNECTOR, 'methods.format_address', '--args', '[{"city": '],
    /^error SLUICE_CLI_ARGS: --args value is not valid JSON: .* at line 1, column \d+$/,
  ],
  [
    'an unknown option',
    ['exec', CONNECTOR, 'test', '--bogus'],
    /^error SLUICE_CLI_USAGE: unknown option '--bogus'/,
  ],
  [
    'an option the path does not take',
    ['exec', CONNECTOR, 'actions.get_customer_by_id', '--args', '[1]'],
    /^error SLUICE_CLI_OPTION: --args does not apply to actions\.get_customer_by_id$/,
  ],
];

describe('sluice exec on bad input', () => {
  // One process per test: each has its own timeout, however many files run beside this one.
  it.each(CASES)(
    'names what is wrong with %s on one line, with a hint and no stack trace',
    async (_, args, first) => {
      const result = await runCli(args);
      expectCleanError(result, first);
      expect(result.stderr).not.toContain(TOKEN);
    },
  );

  it.each([
    [['actions.get_customer_by_idd'], 'hint: did you mean actions.get_customer_by_id?'],
    [['triggers.new_customers'], 'hint: did you mean triggers.new_customer?'],
    [
      ['actions.get_customer_by_id', '--input', '{"id": 1,}'],
      'hint: remove the comma before }: JSON allows no trailing comma',
    ],
    [
      ['actions.get_customer_by_id', '--input', '{id: 1}'],
      `hint: the shell removed the double quotes: wrap the whole value in single quotes, e.g. --input '{"id": 1}'`,
    ],
  ])('gives a hint for %j that says what to change', async (args, hint) => {
    const result = await runCli(['exec', CONNECTOR, ...args]);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n').at(-1)).toBe(hint);
  });

  it('runs a method that needs no connection without settings', async () => {
    const result = await runCli([
      'exec',
      CONNECTOR,
      'methods.format_address',
      '--args',
      '[{"street": "Main St 1", "city": "Berlin", "zip": "10115"}]',
    ]);
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toBe('Main St 1\nBerlin, 10115');
  });

  it('prints the stack trace under --debug', async () => {
    const result = await runCli(['exec', CONNECTOR, 'actions.nope', '--debug']);
    expect(result.code).toBe(1);
    const [first, ...rest] = result.stderr.split('\n');
    expect(first).toMatch(/^error SLUICE_CONNECTOR_PATH: no action "nope"/);
    // The frame of the function that threw: its file from source, its name in the bundle of the bin.
    expect(rest.join('\n')).toMatch(/^\s+at (?:.*exec-path\.ts:\d+|parseExecPath \(.*bundle\/main\.js:\d+)/m);
  });
});
