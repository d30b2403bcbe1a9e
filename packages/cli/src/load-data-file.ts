/**
 * Reads the JSON or YAML files named by options (`--settings`, `--input`, `--closure`, `--args`). Errors
 * name the option, the file, and the line and column where parsing stopped.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { validJsonPrefixLength } from '@sluice/sdk/internal';
import { parseDocument } from 'yaml';
import { unreadable } from './cli-files.js';
import { CliError } from './errors.js';

/** How a text is parsed. `auto` picks JSON when the text starts with `{` or `[`, else YAML. */
export type DataFormat = 'json' | 'yaml' | 'auto';

/** Where a text came from, for messages: `--settings file settings.yaml`. */
export interface DataSource {
  /** The option that named it, e.g. `--settings`. */
  option: string;
  /** The file, as the user wrote it; absent for inline values. */
  file?: string;
}

/**
 * Reads and parses a data file; the format follows the extension (`.json`, `.yaml`, `.yml`), else the content.
 *
 * @throws {CliError} `SLUICE_CLI_FILE_READ` when the file cannot be read, `SLUICE_CLI_FILE_PARSE` when it
 * does not parse (naming the line and column).
 */
export function loadDataFile(file: string, option: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw unreadable(file, option, err);
  }
  const ext = extname(file).toLowerCase();
  const format: DataFormat = ext === '.json' ? 'json' : ext === '.yaml' || ext === '.yml' ? 'yaml' : 'auto';
  return parseDataText(text, format, { option, file });
}

/**
 * Reads an option's value: inline JSON when it starts with `{` or `[` (`--input '{"id": 1}'`), else a
 * JSON or YAML file.
 *
 * @throws {CliError} as {@link loadDataFile}, or `SLUICE_CLI_FILE_PARSE` for inline JSON that does not parse.
 */
export function loadDataOption(value: string, option: string): unknown {
  return /^\s*[[{]/.test(value) ? parseDataText(value, 'json', { option }) : loadDataFile(value, option);
}

/**
 * Parses JSON or YAML text.
 *
 * @throws {CliError} `SLUICE_CLI_FILE_PARSE` naming the source, line and column.
 */
export function parseDataText(text: string, format: DataFormat, source: DataSource): unknown {
  const chosen = format === 'auto' ? (/^\s*[[{]/.test(text) ? 'json' : 'yaml') : format;
  return chosen === 'json' ? parseJson(text, source) : parseYaml(text, source);
}

function parseJson(text: string, source: DataSource): unknown {
  if (text.trim() === '') throw parseError(source, 'JSON', 1, 1, 'it is empty', undefined);
  try {
    return JSON.parse(text);
  } catch (err) {
    const message = errorText(err)
      .replace(/ in JSON at position \d+.*$/s, '')
      .replace(/, ".*" is not valid JSON$/s, '');
    const offset = jsonErrorOffset(text, errorText(err));
    const { line, column } = lineAndColumn(text, offset);
    throw parseError(source, 'JSON', line, column, message, err, jsonHint(text, offset, source));
  }
}

function parseYaml(text: string, source: DataSource): unknown {
  const doc = parseDocument(text, { prettyErrors: true });
  const first = doc.errors[0];
  if (first === undefined) return doc.toJS();
  const message = (first.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
  const pos = first.linePos?.[0] ?? { line: 1, col: 1 };
  throw parseError(source, 'YAML', pos.line, pos.col, message, first);
}

function parseError(
  source: DataSource,
  format: string,
  line: number,
  column: number,
  message: string,
  cause: unknown,
  hint?: string,
): CliError {
  const where = source.file === undefined ? `${source.option} value` : `${source.option} file ${source.file}`;
  return new CliError(
    'SLUICE_CLI_FILE_PARSE',
    `${where} is not valid ${format}: ${message} at line ${line}, column ${column}`,
    {
      cause,
      hint:
        hint ??
        (source.file === undefined ? `quote the ${source.option} value for the shell` : 'fix the file there'),
    },
  );
}

/**
 * What most likely went wrong with JSON that stopped parsing at `offset`: a comma before `}` or `]`,
 * single-quoted strings, or keys without quotes (what is left when the shell ate the double quotes of an
 * unquoted value); `undefined` when none of them.
 */
function jsonHint(text: string, offset: number, source: DataSource): string | undefined {
  const fix = source.file === undefined ? '' : ' in the file';
  if (/,\s*$/.test(text.slice(0, offset)) && /^\s*[}\]]/.test(text.slice(offset))) {
    return `remove the comma before ${text.slice(offset).trim()[0]}${fix}: JSON allows no trailing comma`;
  }
  if (/[{,]\s*'[^']*'\s*:|:\s*'[^']*'/.test(text)) {
    return `JSON strings and keys take double quotes, not single ones${fix}`;
  }
  if (source.file === undefined && !text.includes('"') && /[{,]\s*[A-Za-z_$][\w$]*\s*:/.test(text)) {
    return `the shell removed the double quotes: wrap the whole value in single quotes, e.g. ${source.option} '{"id": 1}'`;
  }
  return undefined;
}

/**
 * Where JSON parsing stopped, as an offset. V8 names the position in most messages; otherwise it is the
 * end of the longest prefix that is still the start of valid JSON.
 */
function jsonErrorOffset(text: string, message: string): number {
  const position = /at position (\d+)/.exec(message);
  return position === null ? validJsonPrefixLength(text) : Number(position[1]);
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
