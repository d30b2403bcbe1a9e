import { afterAll, describe, expect, it } from 'vitest';
import { CONNECTOR, expectCleanError, scratchDir, TOKEN } from '../cli-fixtures.js';
import { runCli } from '../run-cli.js';

const scratch = scratchDir('exec-errors');

afterAll(() => scratch.remove());

describe('sluice exec on bad input', () => {
  it('names the file, line, field or URL on one line, with a hint and no stack trace', async () => {
    const named = scratch.write('named.ts', 'export const title = "x";\nexport function helper() {}\n');
    const badTs = scratch.write(
      'bad.ts',
      'const connector = {\n  title: "x",\n  actions: ;\n};\nexport default connector;\n',
    );
    const badJs = scratch.write('bad.mjs', 'export default {\n  title: "x",\n  actions: ;\n};\n');
    const badSettings = scratch.write(
      'settings.json',
      `{\n  "api_token": "${TOKEN}"\n  "base_url": "x"\n}\n`,
    );
    const down = scratch.write('down.yaml', `api_token: ${TOKEN}\nbase_url: http://127.0.0.1:1\n`);
    const noId = scratch.write('input.json', {});
    const results = await Promise.all([
      runCli(['exec', 'nope/connector.ts', 'test']),
      runCli(['exec', named, 'test']),
      runCli(['exec', badTs, 'test']),
      runCli(['exec', badJs, 'test']),
      runCli(['exec', CONNECTOR, 'actions.nope']),
      runCli(['exec', CONNECTOR, 'actions.get_customer_by_id', '--input', noId, '--settings', down]),
      runCli(['exec', CONNECTOR, 'test', '--settings', badSettings]),
      runCli(['exec', CONNECTOR, 'test', '--settings', down]),
      runCli(['exec', CONNECTOR, 'methods.format_address', '--args', '[{"city": ']),
      runCli(['exec', CONNECTOR, 'test', '--bogus']),
      runCli(['exec', CONNECTOR, 'actions.get_customer_by_id', '--args', '[1]']),
    ]);
    const [
      missing,
      noDefault,
      syntaxTs,
      syntaxJs,
      path,
      required,
      settings,
      unreachable,
      args,
      usage,
      misplaced,
    ] = results;

    expectCleanError(missing, /^error SLUICE_CONNECTOR_LOAD: connector file nope\/connector\.ts not found$/);
    expectCleanError(
      noDefault,
      /^error SLUICE_CONNECTOR_LOAD: connector file .*named\.ts does not default-export a connector: it has no default export \(it exports helper, title\)$/,
    );
    expectCleanError(
      syntaxTs,
      /^error SLUICE_CONNECTOR_LOAD: syntax error in .*bad\.ts at line 3, column 12: /,
    );
    expectCleanError(
      syntaxJs,
      /^error SLUICE_CONNECTOR_LOAD: syntax error in .*bad\.mjs at line 3, column 12: /,
    );
    expectCleanError(
      path,
      /^error SLUICE_CONNECTOR_PATH: no action "nope" in examples\/my-app\/src\/connector\.ts; valid paths: test, actions\.get_customer_by_id\[\.inputFields\|\.outputFields\|\.sampleOutput\], .*methods\.format_address$/,
    );
    expectCleanError(required, /^error SLUICE_FIELD_REQUIRED: .*input\.id: is required/);
    expectCleanError(
      settings,
      /^error SLUICE_CLI_FILE_PARSE: --settings file .*settings\.json is not valid JSON: Expected ',' or '}' after property value at line 3, column 3$/,
    );
    expectCleanError(
      unreachable,
      /^error SLUICE_HTTP_CONNECT: .*http:\/\/127\.0\.0\.1:1\/v1\/customers\.json/,
    );
    expect(unreachable.stderr).not.toContain(TOKEN);
    expectCleanError(
      args,
      /^error SLUICE_CLI_ARGS: --args value is not valid JSON: .* at line 1, column \d+$/,
    );
    expectCleanError(usage, /^error SLUICE_CLI_USAGE: unknown option '--bogus'/);
    expectCleanError(
      misplaced,
      /^error SLUICE_CLI_OPTION: --args does not apply to actions\.get_customer_by_id$/,
    );
  });

  it('prints the stack trace under --debug', async () => {
    const result = await runCli(['exec', CONNECTOR, 'actions.nope', '--debug']);
    expect(result.code).toBe(1);
    const [first, ...rest] = result.stderr.split('\n');
    expect(first).toMatch(/^error SLUICE_CONNECTOR_PATH: no action "nope"/);
    expect(rest.join('\n')).toMatch(/^\s+at .*exec-path\.ts:\d+/m);
  });
});
