/**
 * Parses and validates a workflow document (DESIGN §4) from YAML or JSON text or a file.
 *
 * @module
 */
import { readFile } from 'node:fs/promises';
import { EngineError, WorkflowParseError } from '../errors.js';
import type { Workflow } from '../model/workflow.js';
import { pickFormat, readDocument, type WorkflowFormat } from './read-document.js';
import { checkWorkflow, type ValidateWorkflowOptions } from './validate.js';

/** Options of {@link parseWorkflow}; `renderer` and `tenant` say where templates are checked. */
export interface ParseWorkflowOptions extends ValidateWorkflowOptions {
  /** The file the text came from, named in errors; its extension picks the format when `format` is not given. */
  file?: string | undefined;
  /**
   * How to parse the text. JSON syntax errors are reported as JSON's (JSON is also YAML, but YAML's
   * messages for broken JSON are less clear).
   * @default from the extension of `file` (`.json`, `.yaml`, `.yml`), else `json` when the text starts with `{`, else `yaml`
   */
  format?: WorkflowFormat | undefined;
}

/**
 * Parses and validates a workflow document, and returns it with defaults applied: `scope: workspace`,
 * `method: GET`, methods upper-cased.
 *
 * Every problem is reported at once, each with its path and line:
 * `steps[2].retry.total: must be a non-negative integer, null or false (got "3") (line 31)`; past the
 * first 100 (in document order), a last problem counts the rest (`omitted`).
 *
 * @example
 * ```ts
 * const workflow = await parseWorkflow(readFileSync('sync.yaml', 'utf8'), { file: 'sync.yaml' });
 * workflow.steps[0].apispec.method; // 'GET'
 * ```
 *
 * @throws {WorkflowParseError} `SLUICE_WORKFLOW_PARSE` when the text is not valid YAML or JSON (line and
 * column named); `SLUICE_WORKFLOW_INVALID` when the document breaks the format. `problems` lists them all.
 */
export async function parseWorkflow(text: string, options: ParseWorkflowOptions = {}): Promise<Workflow> {
  const format = pickFormat(text, options.format, options.file);
  const read = readDocument(text, format);
  if (!read.ok) {
    throw new WorkflowParseError('SLUICE_WORKFLOW_PARSE', read.problems, {
      file: options.file,
      omitted: read.omitted,
      hint: `fix the ${format === 'json' ? 'JSON' : 'YAML'} syntax at the line shown`,
    });
  }
  const result = await checkWorkflow(read.value, read.sourceMap, options);
  if (!result.ok) {
    throw new WorkflowParseError('SLUICE_WORKFLOW_INVALID', result.problems, {
      file: options.file,
      omitted: result.omitted,
      hint: 'see docs/workflows.md for the format; "sluice schema workflow" prints its JSON Schema for editors',
    });
  }
  return result.workflow;
}

/**
 * Reads a workflow file (`.json`, `.yaml`, `.yml`; other names are read as JSON when they start with `{`,
 * else YAML) and parses it with {@link parseWorkflow}.
 *
 * @throws {EngineError} `SLUICE_WORKFLOW_FILE` when the file cannot be read.
 * @throws {WorkflowParseError} as {@link parseWorkflow}, naming the file.
 */
export async function loadWorkflowFile(
  path: string,
  options: ValidateWorkflowOptions = {},
): Promise<Workflow> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'it is a folder'
          : code === 'EACCES'
            ? 'permission denied'
            : err instanceof Error
              ? err.message
              : String(err);
    throw new EngineError('SLUICE_WORKFLOW_FILE', `cannot read workflow file ${path}: ${reason}`, {
      cause: err,
      hint: 'check the path (relative paths start at the working directory)',
    });
  }
  return parseWorkflow(text, { ...options, file: path });
}
