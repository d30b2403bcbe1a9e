import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { editCommand } from '../../src/commands/edit.js';
import { decryptSettings, ENCRYPTED_HEADER, generateKey } from '../../src/settings-crypto.js';
import { scratchDir } from '../cli-fixtures.js';

const scratch = scratchDir('edit');

/**
 * A stand-in editor: records the path, mode and text of the file it is given (into $SEEN), then writes
 * $NEW_TEXT into it (or exits with $EXIT_CODE).
 */
const editorScript = scratch.write(
  'editor.mjs',
  `import { readFileSync, statSync, writeFileSync } from 'node:fs';
const file = process.argv[2];
writeFileSync(process.env.SEEN, JSON.stringify({ file, mode: statSync(file).mode & 0o777, text: readFileSync(file, 'utf8') }));
if (process.env.EXIT_CODE) process.exit(Number(process.env.EXIT_CODE));
if (process.env.NEW_TEXT !== undefined) writeFileSync(file, process.env.NEW_TEXT);
`,
);
const seenFile = join(scratch.dir, 'seen.json');

afterAll(() => scratch.remove());

interface Seen {
  file: string;
  mode: number;
  text: string;
}

async function edit(
  file: string,
  env: Record<string, string | undefined>,
  options: { key?: string } = {},
): Promise<{ stdout: string; stderr: string; seen: () => Seen }> {
  let stdout = '';
  let stderr = '';
  const io = {
    stdout: (text: string) => {
      stdout += text;
    },
    stderr: (text: string) => {
      stderr += text;
    },
  };
  await editCommand(file, options, io, {
    env: {
      PATH: process.env.PATH,
      EDITOR: `"${process.execPath}" "${editorScript}"`,
      SEEN: seenFile,
      ...env,
    },
  });
  return { stdout, stderr, seen: () => JSON.parse(readFileSync(seenFile, 'utf8')) as Seen };
}

describe('sluice edit', () => {
  it('creates the key and the file, then round-trips edits through a private temporary file', async () => {
    const file = join(scratch.dir, 'config', 'settings.yaml.enc');
    const keyFile = join(scratch.dir, 'config', 'master.key');
    const first = await edit(file, { NEW_TEXT: 'prod:\n  api_token: t-prod-1\n' });
    expect(first.stderr).toMatch(new RegExp(`^created ${keyFile} with a new key \\(mode 0600\\)`));
    expect(first.stdout).toBe(`${file} encrypted and saved (key file ${keyFile})\n`);
    const key = readFileSync(keyFile, 'utf8');
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(`${first.stdout}${first.stderr}`).not.toContain(key);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const tempOfFirst = first.seen();
    expect(tempOfFirst.mode).toBe(0o600);
    expect(existsSync(tempOfFirst.file)).toBe(false);
    const raw = readFileSync(file, 'utf8');
    expect(raw.startsWith(`${ENCRYPTED_HEADER}\n`)).toBe(true);
    expect(raw).not.toContain('t-prod-1');

    const second = await edit(file, {
      NEW_TEXT: 'prod:\n  api_token: t-prod-2\nstaging:\n  api_token: t-st\n',
    });
    // The editor got the decrypted text of the first edit.
    expect(second.seen().text).toBe('prod:\n  api_token: t-prod-1\n');
    expect(second.stderr).toBe('');
    const opened = decryptSettings(
      readFileSync(file, 'utf8'),
      { key: Buffer.from(key, 'hex'), source: 'k' },
      file,
    );
    expect(parse(opened)).toEqual({ prod: { api_token: 't-prod-2' }, staging: { api_token: 't-st' } });

    const unchanged = await edit(file, {});
    expect(unchanged.stdout).toBe(`no changes: ${file} left as it was\n`);
  });

  it('refuses a wrong key, naming where it came from, and leaves the file as it was', async () => {
    const file = join(scratch.dir, 'wrong', 'settings.yaml.enc');
    await edit(file, { NEW_TEXT: 'api_token: secret-value\n' });
    const before = readFileSync(file, 'utf8');
    const other = scratch.write('other.key', generateKey());
    await expect(edit(file, { NEW_TEXT: 'x: 1\n' }, { key: other })).rejects.toMatchObject({
      code: 'SLUICE_CLI_SETTINGS_KEY',
      message: `cannot decrypt ${file} with the key file ${other}: wrong key, or the file was changed`,
    });
    await expect(edit(file, { NEW_TEXT: 'x: 1\n', SLUICE_MASTER_KEY: generateKey() })).rejects.toMatchObject({
      code: 'SLUICE_CLI_SETTINGS_KEY',
      message: `cannot decrypt ${file} with the SLUICE_MASTER_KEY: wrong key, or the file was changed`,
    });
    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  it('saves nothing when the edit is not a YAML mapping, the editor fails, or there is no editor', async () => {
    const file = join(scratch.dir, 'bad', 'settings.yaml.enc');
    await edit(file, { NEW_TEXT: 'api_token: keep-me\n' });
    const before = readFileSync(file, 'utf8');
    await expect(edit(file, { NEW_TEXT: 'a: [1, 2\n' })).rejects.toMatchObject({
      code: 'SLUICE_CLI_FILE_PARSE',
      message: expect.stringMatching(
        /^sluice edit file .*settings\.yaml\.enc \(decrypted\) is not valid YAML: .*: nothing saved, /,
      ),
    });
    const afterBadYaml = (await readSeen()).file;
    expect(existsSync(afterBadYaml)).toBe(false);
    await expect(edit(file, { NEW_TEXT: '- a\n- b\n' })).rejects.toMatchObject({
      code: 'SLUICE_CLI_FILE_PARSE',
      message: `the edited ${file} must be a YAML mapping of values, got a list: nothing saved`,
    });
    await expect(edit(file, { EXIT_CODE: '3' })).rejects.toMatchObject({
      code: 'SLUICE_CLI_EDITOR',
      message: expect.stringMatching(/exited with code 3: nothing saved/),
    });
    await expect(edit(file, { EDITOR: undefined, VISUAL: '' })).rejects.toMatchObject({
      code: 'SLUICE_CLI_EDITOR',
      message: `no editor to open ${file} in: $VISUAL and $EDITOR are not set`,
    });
    expect(readFileSync(file, 'utf8')).toBe(before);
  });
});

async function readSeen(): Promise<Seen> {
  return JSON.parse(readFileSync(seenFile, 'utf8')) as Seen;
}
