/**
 * The execution flags of `sluice serve` and `sluice worker`, the two commands that execute runs: the
 * template limits (`--template-*`, docs/service.md "Limits and isolation"), `--concurrency`, `--grace`,
 * `--system-apis`, `--deny-private-networks`, `--connectors` and the hidden lease tuning flags, and how
 * they become `createEngine` options. `sluice validate` takes `--system-apis` too, to check the keys
 * templates name.
 *
 * @module
 */
import type { CreateEngineOptions, TemplateLimits } from '@sluice/engine';
import { type Command, Option } from 'commander';
import { CliError } from '../errors.js';
import { integer } from './integer.js';

/** The execution flags as commander hands them over. */
export interface ExecutionFlags {
  /** How long closing lets executing runs finish, in seconds. @default 10 */
  grace?: string;
  /** Runs executing at once in this process. @default 16 */
  concurrency?: string;
  /** More `SYSTEM_APIS` entries: inline JSON or a JSON or YAML file with an object of base URLs. */
  systemApis?: string;
  /** Folders of connector files to register (repeatable, or comma-separated). @default none */
  connectors?: string[] | string;
  /** Refuse step calls to loopback, private and link-local addresses (checked at connect time). */
  denyPrivateNetworks?: boolean;
  /** A run's lease without a heartbeat, in ms (hidden flag, for tests and tuning). @default 30000 */
  leaseMs?: string;
  /** How often executing runs' leases are renewed, in ms (hidden flag). @default 10000 */
  heartbeatMs?: string;
  /** How often the store is swept for claimable runs, in ms (hidden flag). @default lease / 2 */
  sweepMs?: string;
  /** Wall-clock ms one template may take to compile or render. @default 1000 */
  templateDeadlineMs?: string;
  /** MB of memory a template worker may use. @default 128 */
  templateMemoryMb?: string;
  /** The largest result of one template, in characters. @default 16777216 */
  templateMaxOutput?: string;
  /** Template instructions one render may execute. @default 1000000 */
  templateFuel?: string;
  /** Template worker threads. @default 2 */
  templateWorkers?: string;
}

/** Adds the template limit flags `--template-*` to `command`. */
export function withTemplateOptions(command: Command): Command {
  return command
    .option(
      '--template-deadline-ms <ms>',
      'wall-clock limit of one template compile or render (default 1000)',
    )
    .option('--template-memory-mb <mb>', 'memory cap of each template worker (default 128)')
    .option('--template-max-output <chars>', 'the largest result of one template (default 16777216)')
    .option('--template-fuel <n>', 'template instructions one render may execute (default 1000000)')
    .option('--template-workers <n>', 'template worker threads (default 2)');
}

/**
 * Adds the lease tuning flags `--lease-ms`, `--heartbeat-ms` and `--sweep-ms` to `command`, hidden from
 * `--help`: they are for tests and unusual set-ups (docs/service.md "Durability").
 */
export function withLeaseOptions(command: Command): Command {
  return command
    .addOption(new Option('--lease-ms <ms>', 'a run lease without a heartbeat (default 30000)').hideHelp())
    .addOption(new Option('--heartbeat-ms <ms>', 'how often leases are renewed (default 10000)').hideHelp())
    .addOption(
      new Option('--sweep-ms <ms>', 'how often the store is swept for runs (default lease/2)').hideHelp(),
    );
}

/** `--concurrency <runs>`. */
export function concurrencyOption(): Option {
  return new Option('--concurrency <runs>', 'runs executing at once in this process (default 16)');
}

/** `--grace <seconds>`. */
export function graceOption(): Option {
  return new Option('--grace <seconds>', 'how long closing lets executing runs finish (default 10)');
}

/** `--system-apis <json|file>`, worded for the command. */
export function systemApisOption(description = 'more SYSTEM_APIS entries'): Option {
  return new Option('--system-apis <json|file>', description);
}

/** `--deny-private-networks`. */
export function denyPrivateNetworksOption(): Option {
  return new Option(
    '--deny-private-networks',
    'refuse step calls to addresses that are not globally reachable (loopback, private, link-local, ...)',
  );
}

/** `--connectors <dir>`, repeatable; `connectorDirs` (load-connectors.ts) splits `dir1,dir2`. */
export function connectorsOption(): Option {
  return new Option(
    '--connectors <dir>',
    'register every connector file in the folder (repeatable, or dir1,dir2)',
  ).argParser((dir: string, dirs: string[] = []) => [...dirs, dir]);
}

/**
 * `--system-apis` as an object of base URLs.
 *
 * @throws {CliError} `SLUICE_CLI_OPTION` when it is not one; `SLUICE_CLI_FILE_*` for a file that cannot
 * be read.
 */
export async function systemApis(value: string | undefined): Promise<Record<string, string>> {
  if (value === undefined) return {};
  // YAML loads on use: `sluice --help` does not pay for it.
  const { loadDataOption } = await import('../load-data-file.js');
  const apis = loadDataOption(value, '--system-apis');
  const ok =
    typeof apis === 'object' &&
    apis !== null &&
    !Array.isArray(apis) &&
    Object.values(apis).every((v) => typeof v === 'string');
  if (!ok) {
    throw new CliError('SLUICE_CLI_OPTION', '--system-apis must be an object of base URLs', {
      hint: `for example --system-apis '{"my_app": "http://127.0.0.1:4010"}'`,
    });
  }
  return apis as Record<string, string>;
}

/** `--lease-ms`, `--heartbeat-ms` and `--sweep-ms` as engine options; a heartbeat must beat within the lease. */
export function leaseOptions(options: Pick<ExecutionFlags, 'leaseMs' | 'heartbeatMs' | 'sweepMs'>): {
  leaseMs?: number;
  heartbeatMs?: number;
  sweepMs?: number;
} {
  const leaseMs = integer(options.leaseMs, '--lease-ms', 86_400_000);
  const heartbeatMs = integer(options.heartbeatMs, '--heartbeat-ms', 86_400_000);
  const sweepMs = integer(options.sweepMs, '--sweep-ms', 86_400_000);
  for (const [option, value] of [
    ['--lease-ms', leaseMs],
    ['--heartbeat-ms', heartbeatMs],
    ['--sweep-ms', sweepMs],
  ] as const) {
    if (value === 0) {
      throw new CliError('SLUICE_CLI_OPTION', `${option} must be above 0`, { hint: 'give 1 or more' });
    }
  }
  if ((heartbeatMs ?? 10_000) >= (leaseMs ?? 30_000)) {
    throw new CliError(
      'SLUICE_CLI_OPTION',
      `--heartbeat-ms ${heartbeatMs ?? 10_000} must be below --lease-ms ${leaseMs ?? 30_000}`,
      { hint: 'renew the lease well before it runs out, e.g. a heartbeat of a third of the lease' },
    );
  }
  return {
    ...(leaseMs === undefined ? {} : { leaseMs }),
    ...(heartbeatMs === undefined ? {} : { heartbeatMs }),
    ...(sweepMs === undefined ? {} : { sweepMs }),
  };
}

/** `--template-*` as `createEngine`'s `templateLimits`. @throws {CliError} `SLUICE_CLI_OPTION` naming the flag. */
export function templateLimits(options: ExecutionFlags): TemplateLimits {
  const positive = (value: string | undefined, flag: string, max: number): number | undefined => {
    const n = integer(value, flag, max);
    if (n === 0)
      throw new CliError('SLUICE_CLI_OPTION', `${flag} must be at least 1`, { hint: 'give 1 or more' });
    return n;
  };
  const limits: TemplateLimits = {
    deadlineMs: positive(options.templateDeadlineMs, '--template-deadline-ms', 3_600_000),
    memoryMb: positive(options.templateMemoryMb, '--template-memory-mb', 4095),
    maxOutputChars: positive(options.templateMaxOutput, '--template-max-output', 2 ** 29),
    fuel: positive(options.templateFuel, '--template-fuel', 0x7fff_ffff),
    workers: positive(options.templateWorkers, '--template-workers', 64),
  };
  return Object.fromEntries(Object.entries(limits).filter(([, v]) => v !== undefined));
}

/**
 * Checks the execution flags and turns them into `createEngine` options, with `grace` in seconds for the
 * closing line. @throws {CliError} `SLUICE_CLI_OPTION` naming the flag.
 */
export async function executionOptions(options: ExecutionFlags): Promise<{
  grace: number;
  engine: Partial<
    Pick<
      CreateEngineOptions,
      | 'systemApis'
      | 'closeGraceMs'
      | 'leaseMs'
      | 'heartbeatMs'
      | 'sweepMs'
      | 'maxConcurrentRuns'
      | 'denyPrivateNetworks'
      | 'templateLimits'
    >
  >;
}> {
  const grace = integer(options.grace, '--grace', 3600) ?? 10;
  const concurrency = integer(options.concurrency, '--concurrency', 10_000);
  if (concurrency === 0) {
    throw new CliError('SLUICE_CLI_OPTION', '--concurrency 0 would run nothing', { hint: 'give 1 or more' });
  }
  return {
    grace,
    engine: {
      systemApis: await systemApis(options.systemApis),
      closeGraceMs: grace * 1000,
      ...leaseOptions(options),
      ...(concurrency === undefined ? {} : { maxConcurrentRuns: concurrency }),
      ...(options.denyPrivateNetworks === true ? { denyPrivateNetworks: true } : {}),
      templateLimits: templateLimits(options),
    },
  };
}
