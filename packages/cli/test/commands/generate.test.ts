import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { schemaFromSample } from '../../src/schema-from-sample.js';
import { expectCleanError, scratchDir } from '../cli-fixtures.js';
import { runCli, runCliInProcess } from '../run-cli.js';

const scratch = scratchDir('generate');
afterAll(() => scratch.remove());

const sluice = runCliInProcess;

const SAMPLE = {
  id: 42,
  price: 9.5,
  active: true,
  name: 'Ann',
  born: '1990-02-28',
  created_at: '2026-12-07T10:00:00Z',
  updated_at: '2026-12-07 10:00:00.123+01:00',
  not_a_date: '2026-02-31',
  nickname: null,
  address: { city: 'Oslo', geo: { lat: 59.9, lng: 10 } },
  tags: ['a', 'b'],
  scores: [1, 2.5],
  lines: [
    { sku: 'x', qty: 1 },
    { sku: 'y', qty: 2, note: null, shipped_on: '2026-12-01' },
    { sku: 'z', note: 'gift', shipped_on: '2026-12-02T08:00:00Z' },
  ],
  empty: [],
  matrix: [[1, 2]],
  mixed: [1, 'one'],
};

describe('sluice generate schema --json', () => {
  it('prints field notation: integers, numbers, dates, nested objects, arrays of objects and scalars', async () => {
    const file = scratch.write('sample.json', SAMPLE);
    const result = await sluice(['generate', 'schema', '--json', file]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual([
      { name: 'id', type: 'integer' },
      { name: 'price', type: 'number' },
      { name: 'active', type: 'boolean' },
      { name: 'name', type: 'string' },
      { name: 'born', type: 'date' },
      { name: 'created_at', type: 'date_time' },
      { name: 'updated_at', type: 'date_time' },
      { name: 'not_a_date', type: 'string' },
      { name: 'nickname', type: 'string' },
      {
        name: 'address',
        type: 'object',
        properties: [
          { name: 'city', type: 'string' },
          {
            name: 'geo',
            type: 'object',
            properties: [
              { name: 'lat', type: 'number' },
              { name: 'lng', type: 'integer' },
            ],
          },
        ],
      },
      { name: 'tags', type: 'array', of: 'string' },
      { name: 'scores', type: 'array', of: 'number' },
      {
        name: 'lines',
        type: 'array',
        of: 'object',
        properties: [
          { name: 'sku', type: 'string' },
          { name: 'qty', type: 'integer' },
          { name: 'note', type: 'string' },
          { name: 'shipped_on', type: 'date_time' },
        ],
      },
      { name: 'empty', type: 'array', of: 'string' },
      { name: 'matrix', type: 'array', of: 'string' },
      { name: 'mixed', type: 'array', of: 'string' },
    ]);
    expect(result.stderr).toBe(
      [
        'note: nickname: only null in the sample; typed string',
        'note: empty: no items in the sample; typed an array of strings',
        'note: matrix: arrays of arrays have no field notation; typed an array of strings',
        'note: mixed[]: values of different types in the sample; typed string',
        '',
      ].join('\n'),
    );
  });

  it('merges the records of an array sample and writes --output', async () => {
    const file = scratch.write('records.json', [{ id: 1 }, { id: 2, email: 'a@b.test' }, { id: 3.5 }]);
    const output = `${scratch.dir}/out/fields.json`;
    const result = await sluice(['generate', 'schema', '--json', file, '--output', output]);
    expect(result).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(JSON.parse(readFileSync(output, 'utf8'))).toEqual([
      { name: 'id', type: 'number' },
      { name: 'email', type: 'string' },
    ]);
  });

  it('gives clear errors for hostile samples', async () => {
    let deep: unknown = { leaf: 1 };
    for (let i = 0; i < 40; i += 1) deep = { next: deep };
    const files = {
      notJson: scratch.write('not.json', 'id: 1\n'),
      empty: scratch.write('empty.json', ''),
      scalar: scratch.write('scalar.json', '42'),
      scalars: scratch.write('scalars.json', '[1, 2]'),
      deep: scratch.write('deep.json', deep),
    };
    const results = await Promise.all(
      Object.values(files).map((file) => sluice(['generate', 'schema', '--json', file])),
    );
    const lines = results.map((result) => {
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      return result.stderr.split('\n')[0];
    });
    expect(lines).toEqual([
      `error SLUICE_CLI_FILE_PARSE: --json file ${files.notJson} is not valid JSON: Unexpected token 'i' at line 1, column 1`,
      `error SLUICE_CLI_FILE_PARSE: --json file ${files.empty} is not valid JSON: it is empty at line 1, column 1`,
      `error SLUICE_CLI_FILE_PARSE: --json file ${files.scalar}: the sample must be a JSON object, or an array of objects; it is a number`,
      `error SLUICE_CLI_FILE_PARSE: --json file ${files.scalars}: the sample must be a JSON object, or an array of objects; it is an array of non-objects`,
      `error SLUICE_CLI_FILE_PARSE: --json file ${files.deep}: ${'next.'.repeat(31)}next is nested deeper than 32 levels`,
    ]);
  });

  it('refuses a sample that gives more fields than the limit', () => {
    const wide = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`f${i}`, i]));
    expect(() => schemaFromSample(wide, { maxFields: 10 })).toThrow(
      'the sample gives 11 fields, more than 10',
    );
  });
});

describe('sluice generate schema --csv', () => {
  it('gives a string field per header column, with quoted names and the --col-sep named', async () => {
    const file = scratch.write('sample.csv', 'id;"full ""name""";"a;b"\n1;Ann;x\n');
    const result = await sluice(['generate', 'schema', '--csv', file, '--col-sep', 'semicolon']);
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual([
      { name: 'id', type: 'string' },
      { name: 'full "name"', type: 'string' },
      { name: 'a;b', type: 'string' },
    ]);
  });

  it('refuses a bad separator, both samples at once, and a header with a blank name (spawned: the real bin)', async () => {
    const csv = scratch.write('blank.csv', 'id,,name\n');
    const [badSep, both, blank] = await Promise.all([
      sluice(['generate', 'schema', '--csv', csv, '--col-sep', 'dash']),
      sluice(['generate', 'schema', '--csv', csv, '--json', csv]),
      runCli(['generate', 'schema', '--csv', csv]),
    ]);
    expect(badSep.stderr).toBe(
      'error SLUICE_CLI_OPTION: --col-sep dash is not a separator name\nhint: use one of: comma, space, tab, colon, semicolon, pipe\n',
    );
    expect(both.stderr).toMatch(/^error SLUICE_CLI_OPTION: give one sample: --json <file> or --csv <file>\n/);
    expectCleanError(
      blank,
      /^error SLUICE_CLI_FILE_PARSE: --csv file .*blank\.csv: column 2 of the CSV header has no name$/,
    );
  });
});
