import { describe, expect, it } from 'vitest';
import { loadDataFile, parseDataText } from '../src/load-data-file.js';
import { scratchDir } from './cli-fixtures.js';

const source = { option: '--settings', file: 'settings.json' };

function errorOf(fn: () => unknown): { code?: string; message?: string; hint?: string } {
  try {
    fn();
  } catch (err) {
    return err as { code?: string; message?: string; hint?: string };
  }
  throw new Error('expected an error');
}

describe('parseDataText', () => {
  it('parses JSON and YAML, picking by the first character in auto mode', () => {
    expect(parseDataText('{"a": 1}', 'json', source)).toEqual({ a: 1 });
    expect(parseDataText('a: 1\nb: [x, 2]\n', 'yaml', source)).toEqual({ a: 1, b: ['x', 2] });
    expect(parseDataText('  [1, 2]', 'auto', source)).toEqual([1, 2]);
    expect(parseDataText('a: 1', 'auto', source)).toEqual({ a: 1 });
  });

  it.each([
    [
      '{\n  "a": 1\n  "b": 2\n}',
      'json',
      "is not valid JSON: Expected ',' or '}' after property value at line 3, column 3",
    ],
    ['{\n "a": x\n}', 'json', "is not valid JSON: Unexpected token 'x' at line 2, column 7"],
    ['[1, 2', 'json', "is not valid JSON: Expected ',' or ']' after array element at line 1, column 6"],
    ['', 'json', 'is not valid JSON: it is empty at line 1, column 1'],
    ['a: 1\na: 2\n', 'yaml', 'is not valid YAML: Map keys must be unique at line 2, column 1'],
  ] as const)('names the file, line and column when %j does not parse', (text, format, message) => {
    const err = errorOf(() => parseDataText(text, format, source));
    expect(err.code).toBe('SLUICE_CLI_FILE_PARSE');
    expect(err.message).toBe(`--settings file settings.json ${message}`);
    expect(err.hint).toBe('fix the file there');
  });

  it('names the option for an inline value', () => {
    const err = errorOf(() => parseDataText('[1,', 'json', { option: '--args' }));
    expect(err.message).toMatch(/^--args value is not valid JSON: .* at line 1, column 4$/);
  });
});

describe('loadDataFile', () => {
  it('reads by extension, and reports a missing file by option and name', () => {
    const scratch = scratchDir('data-file');
    try {
      expect(loadDataFile(scratch.write('s.yml', 'token: abc\n'), '--settings')).toEqual({ token: 'abc' });
      // A .json file is JSON even when YAML would accept it.
      const err = errorOf(() => loadDataFile(scratch.write('s.json', 'token: abc'), '--settings'));
      expect(err.code).toBe('SLUICE_CLI_FILE_PARSE');
      const missing = errorOf(() => loadDataFile('nope/input.json', '--input'));
      expect(missing.code).toBe('SLUICE_CLI_FILE_READ');
      expect(missing.message).toBe('cannot read --input file nope/input.json: not found');
    } finally {
      scratch.remove();
    }
  });
});
