/**
 * `sluice login` and `sluice logout`: keep the service's URL and an API key in the profile
 * (`packages/cli/src/profile.ts`, mode 0600) so the service commands need neither `--server` nor
 * `--key`. The key is checked with `GET /v1/me` before it is written, read from `--key`, `SLUICE_KEY`,
 * stdin when it is not a terminal, or a prompt that does not echo it; it is never printed.
 *
 * @module
 */
import type { MeView } from '@sluice/engine/api-types';
import type { Command } from 'commander';
import type { CommandIo } from '../command-io.js';
import { CliError } from '../errors.js';
import { debugOption } from '../options/debug.js';
import { profileFile, readProfile, removeProfile, writeProfile } from '../profile.js';
import { DEFAULT_SERVER, ServiceClient, type SettingSource, serverUrl } from '../service-client.js';
import { type ServiceOptions, serviceAction, withServiceOptions } from '../service-command.js';

const LOGIN_HELP = `
The key is read from --key, else SLUICE_KEY, else stdin when it is not a terminal, else a prompt (not
echoed). It is checked with GET /v1/me, then written with the server to $SLUICE_CONFIG_DIR/profile.json
(default ~/.config/sluice/profile.json), readable by you only (mode 0600). The key is never printed.

Examples:
  $ sluice keys create --workspace acme --email ann@acme.test --role admin > key.txt
  $ sluice login --server http://127.0.0.1:8080 < key.txt
  $ sluice workflows list`;

/** Registers `sluice login` and `sluice logout` on `program`. */
export function registerLogin(program: Command, io: CommandIo): void {
  withServiceOptions(
    program
      .command('login')
      .description(
        'check an API key against a running sluice serve and keep it (with its URL) in your profile',
      ),
    false,
  )
    .addHelpText('after', LOGIN_HELP)
    .action(serviceAction((options: ServiceOptions) => loginCommand(options, io)));
  program
    .command('logout')
    .description('remove the profile "sluice login" wrote')
    .addOption(debugOption())
    .action(serviceAction(() => logoutCommand(io)));
}

/** Reads all of stdin (a key piped in). */
async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Asks for the key on the terminal without echoing it. */
async function prompt(io: CommandIo): Promise<string> {
  io.stderr('API key: ');
  const stdin = process.stdin;
  stdin.setRawMode(true);
  stdin.resume();
  try {
    return await new Promise<string>((resolve, reject) => {
      let typed = '';
      const onData = (data: Buffer) => {
        for (const char of data.toString('utf8')) {
          if (char === '\r' || char === '\n') {
            stdin.off('data', onData);
            io.stderr('\n');
            resolve(typed);
            return;
          }
          if (char === '\u0003') {
            stdin.off('data', onData);
            reject(new CliError('SLUICE_CLI_LOGIN', 'login interrupted: no key was read'));
            return;
          }
          typed = char === '\u007f' ? typed.slice(0, -1) : typed + char;
        }
      };
      stdin.on('data', onData);
    });
  } finally {
    stdin.setRawMode(false);
    stdin.pause();
  }
}

/** The key to log in with, and where it came from. */
async function keyOf(options: ServiceOptions, io: CommandIo): Promise<[string, string]> {
  if (options.key !== undefined && options.key !== '') return [options.key, '--key'];
  const env = process.env.SLUICE_KEY;
  if (env !== undefined && env !== '') return [env, 'SLUICE_KEY'];
  if (process.stdin.isTTY === true) return [(await prompt(io)).trim(), 'the prompt'];
  return [(await readStdin()).trim(), 'stdin'];
}

/**
 * Checks the key with `GET /v1/me` and writes the profile.
 *
 * @throws {CliError} `SLUICE_CLI_LOGIN` for an empty key, `SLUICE_CLI_SERVER` when the service cannot be
 * reached, `SLUICE_CLI_FILE_WRITE`; {@link ServiceError} `SLUICE_API_UNAUTHORIZED` for a refused key.
 */
export async function loginCommand(options: ServiceOptions, io: CommandIo): Promise<void> {
  const file = profileFile(process.env);
  let server: string;
  let serverFrom: SettingSource;
  if (options.server !== undefined && options.server !== '') {
    [server, serverFrom] = [serverUrl(options.server, '--server'), '--server'];
  } else if (process.env.SLUICE_SERVER !== undefined && process.env.SLUICE_SERVER !== '') {
    [server, serverFrom] = [serverUrl(process.env.SLUICE_SERVER, 'SLUICE_SERVER'), 'SLUICE_SERVER'];
  } else {
    const saved = readProfile(file);
    [server, serverFrom] =
      saved === undefined ? [DEFAULT_SERVER, 'default'] : [serverUrl(saved.server, 'profile'), 'profile'];
  }
  const [key, keyFrom] = await keyOf(options, io);
  if (key === '') {
    throw new CliError('SLUICE_CLI_LOGIN', `no API key was read from ${keyFrom}`, {
      hint: 'pipe the key in ("sluice login < key.txt"), or give --key or SLUICE_KEY',
    });
  }
  const client = new ServiceClient({
    server,
    serverFrom,
    key,
    keyFrom,
    profile: file,
  });
  const me = await client.get<MeView>('/v1/me');
  writeProfile(file, { server, key });
  io.stdout(
    `logged in to ${server} as ${me.email} (workspace ${me.workspace_id}, ${me.role}); profile ${file}\n`,
  );
}

/** Removes the profile. */
export async function logoutCommand(io: CommandIo): Promise<void> {
  const file = profileFile(process.env);
  io.stdout(removeProfile(file) ? `removed the profile ${file}\n` : `not logged in: no profile ${file}\n`);
}
