import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type HttpStep, isSluiceError, loadWorkflowFile, WorkflowParseError } from '@sluice/engine';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'sluice-workflow-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const write = (name: string, text: string): string => {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
};

const YAML = 'name: w\nsteps:\n  - name: a\n    apispec: { url: "https://x.test", method: delete }\n';
const JSON_TEXT =
  '{"name": "w", "steps": [{"name": "a", "apispec": {"url": "https://x.test", "method": "delete"}}]}';

describe('loadWorkflowFile', () => {
  it.each([
    ['flow.yaml', YAML],
    ['flow.yml', YAML],
    ['flow.json', JSON_TEXT],
    ['flow.workflow', JSON_TEXT],
    ['flow', YAML],
  ])('reads %s', async (name, text) => {
    const workflow = await loadWorkflowFile(write(name, text));
    expect((workflow.steps[0] as HttpStep | undefined)?.apispec.method).toBe('DELETE');
  });

  it('names the file in a parse error', async () => {
    const file = write('broken.json', '{"name": "w",\n "steps": [}');
    const err = await loadWorkflowFile(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowParseError);
    expect((err as WorkflowParseError).message).toBe(
      `${file}: invalid JSON: Unexpected token '}' (line 2, column 12)`,
    );
  });

  it('raises SLUICE_WORKFLOW_FILE for a missing file or a folder', async () => {
    const missing = await loadWorkflowFile(join(dir, 'nope.yaml')).catch((e: unknown) => e);
    expect(isSluiceError(missing, 'SLUICE_WORKFLOW_FILE')).toBe(true);
    expect((missing as Error).message).toBe(
      `cannot read workflow file ${join(dir, 'nope.yaml')}: no such file`,
    );
    const folder = await loadWorkflowFile(dir).catch((e: unknown) => e);
    expect((folder as Error).message).toBe(`cannot read workflow file ${dir}: it is a folder`);
  });
});
