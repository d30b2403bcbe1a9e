/**
 * `sluice runs list|show|start|watch|retry|cancel`: the runs of a running `sluice serve`, through its
 * API (`GET /v1/runs`, `GET /v1/runs/{id}`, `POST /v1/workflows/{uid}/runs`, `POST /v1/runs/{id}/retry`,
 * `POST /v1/runs/{id}/cancel`). `watch` and `--wait` follow a run until it ends and exit with its
 * outcome: 0 succeeded, 1 failed, 3 cancelled (2: the command could not do what it was asked).
 *
 * @module
 */
import type { RunStatus, RunSummaryView, RunView } from '@sluice/engine/api-types';
import { type Command, Option } from 'commander';
import type { CommandIo } from '../command-io.js';
import { integer } from '../options/integer.js';
import { formatRun, RUN_EXIT_CODES, runEnded, runEnding } from '../run-text.js';
import type { ServiceClient } from '../service-client.js';
import {
  clientOf,
  findWorkflow,
  printJson,
  type ServiceOptions,
  serviceAction,
  serviceGroup,
  withServiceOptions,
} from '../service-command.js';
import { formatDuration, formatTable, formatTime, truncate } from '../table.js';
import { WATCH_INTERVAL_MS, watchRun } from '../watch-run.js';

const STATUSES: RunStatus[] = ['pending', 'running', 'succeeded', 'failed', 'cancelled'];

const RUNS_HELP = `"watch", "start --wait" and "retry --wait" exit with the run's
outcome: 0 succeeded, 1 failed, 3 cancelled; 2 when the command could not do what it was asked.

Examples:
  $ sluice runs start hello --input '{"name": "Ann"}' --wait
  $ RUN=$(sluice runs start hello) && sluice runs watch "$RUN"
  $ sluice runs list --workflow hello --status failed
  $ sluice runs show "$RUN" --json
  $ sluice runs retry "$RUN" --wait
  $ sluice runs cancel "$RUN"`;

/** The options of `sluice runs list`. */
export interface RunsListOptions extends ServiceOptions {
  workflow?: string;
  status?: RunStatus;
  limit?: string;
}

/** The options of `sluice runs start`. */
export interface RunsStartOptions extends ServiceOptions {
  /** Inline JSON, or a JSON or YAML file. */
  input?: string;
  wait?: boolean;
  interval?: string;
}

/** The options of `sluice runs watch` and `runs retry`. */
export interface RunsWatchOptions extends ServiceOptions {
  wait?: boolean;
  interval?: string;
}

const intervalOption = () =>
  new Option('--interval <ms>', `between two reads of the run (default ${WATCH_INTERVAL_MS})`);

/** Registers `sluice runs ...` on `program`. */
export function registerRuns(program: Command, io: CommandIo): void {
  const group = serviceGroup(
    program,
    'runs',
    'start, follow, retry and cancel the runs of a running sluice serve',
    RUNS_HELP,
  );
  withServiceOptions(
    group
      .command('list')
      .description("list your workspace's runs, newest first")
      .option('--workflow <workflow>', 'only the runs of this workflow (uid or name)')
      .addOption(new Option('--status <status>', 'only the runs with this status').choices(STATUSES))
      .option('--limit <n>', 'at most this many runs (1 to 100, default 20)'),
  ).action(serviceAction((options: RunsListOptions) => runsListCommand(options, io)));
  withServiceOptions(
    group
      .command('show')
      .description('show a run: its status, input, error and steps')
      .argument('<id>', 'the run id'),
  ).action(serviceAction((id: string, options: ServiceOptions) => runsShowCommand(id, options, io)));
  withServiceOptions(
    group
      .command('start')
      .description('start a run of the latest version of a workflow; prints its id')
      .argument('<workflow>', 'its uid or name')
      .option('--input <json|file>', 'INPUT of the run: inline JSON, or a JSON or YAML file (default null)')
      .option('--wait', 'wait until the run ended, print it, and exit with its outcome (0, 1 or 3)')
      .addOption(intervalOption()),
  ).action(serviceAction((ref: string, options: RunsStartOptions) => runsStartCommand(ref, options, io)));
  withServiceOptions(
    group
      .command('watch')
      .description('follow a run live, step by step, until it ends; exit with its outcome (0, 1 or 3)')
      .argument('<id>', 'the run id')
      .addOption(intervalOption()),
  ).action(serviceAction((id: string, options: RunsWatchOptions) => runsWatchCommand(id, options, io)));
  withServiceOptions(
    group
      .command('retry')
      .description('resume a failed run from its failed step')
      .argument('<id>', 'the run id')
      .option('--wait', 'wait until the run ended, print it, and exit with its outcome (0, 1 or 3)')
      .addOption(intervalOption()),
  ).action(serviceAction((id: string, options: RunsWatchOptions) => runsRetryCommand(id, options, io)));
  withServiceOptions(
    group.command('cancel').description('cancel a pending or running run').argument('<id>', 'the run id'),
  ).action(serviceAction((id: string, options: ServiceOptions) => runsCancelCommand(id, options, io)));
}

const runPath = (id: string) => `/v1/runs/${encodeURIComponent(id)}`;

/** Prints a page of runs, newest first. */
export async function runsListCommand(options: RunsListOptions, io: CommandIo): Promise<void> {
  const client = clientOf(options);
  const limit = integer(options.limit, '--limit', 100);
  const workflow =
    options.workflow === undefined ? undefined : (await findWorkflow(client, options.workflow)).uid;
  const page = await client.get<{ runs: RunSummaryView[]; next_cursor: string | null }>('/v1/runs', {
    workflow,
    status: options.status,
    limit: limit === undefined ? undefined : Math.max(1, limit),
  });
  if (options.json === true) {
    printJson(io, page);
    return;
  }
  io.stdout(
    formatTable(
      ['ID', 'WORKFLOW', 'VERSION', 'STATUS', 'CREATED', 'DURATION', 'ERROR'],
      page.runs.map((run) => [
        run.id,
        run.workflow,
        run.version === null ? '-' : String(run.version),
        run.status,
        formatTime(run.created_at),
        run.started_at === null || run.finished_at === null
          ? '-'
          : formatDuration(Date.parse(run.finished_at) - Date.parse(run.started_at)),
        run.error === null ? '' : truncate(run.error.message, 60),
      ]),
    ),
  );
  if (page.next_cursor !== null)
    io.stderr('more runs: raise --limit (up to 100) or filter with --workflow and --status\n');
}

/** Prints a run. */
export async function runsShowCommand(id: string, options: ServiceOptions, io: CommandIo): Promise<void> {
  const run = await clientOf(options).get<RunView>(runPath(id));
  if (options.json === true) printJson(io, run);
  else io.stdout(formatRun(run));
}

/** Waits (quietly) for `started` to end, prints it and sets the exit code of its outcome. */
async function finish(
  client: ServiceClient,
  started: RunView,
  options: RunsWatchOptions,
  io: CommandIo,
): Promise<void> {
  const run = await watchRun(client, started.id, io, {
    mode: 'quiet',
    first: started,
    ...intervalOf(options),
  });
  if (options.json === true) printJson(io, run);
  else io.stdout(formatRun(run));
  if (runEnded(run.status)) {
    io.stderr(runEnding(run));
    io.setExitCode?.(RUN_EXIT_CODES[run.status]);
  }
}

function intervalOf(options: { interval?: string }): { intervalMs?: number } {
  const ms = integer(options.interval, '--interval', 3_600_000);
  return ms === undefined ? {} : { intervalMs: Math.max(1, ms) };
}

/**
 * Starts a run: prints its id (or the API's JSON); with `--wait`, waits until it ended, prints it and
 * exits with its outcome.
 *
 * @throws {CliError} `SLUICE_CLI_FILE_READ` / `SLUICE_CLI_FILE_PARSE` for `--input`; {@link ServiceError}
 * `SLUICE_RUN_INPUT` when the workflow refuses the input.
 */
export async function runsStartCommand(ref: string, options: RunsStartOptions, io: CommandIo): Promise<void> {
  // Loaded on use (it loads YAML): every command's start-up would pay for it otherwise.
  const { loadDataOption } = await import('../load-data-file.js');
  const input = options.input === undefined ? null : loadDataOption(options.input, '--input');
  const client = clientOf(options);
  const workflow = await findWorkflow(client, ref);
  const answer = await client.request<RunView>(
    'POST',
    `/v1/workflows/${encodeURIComponent(workflow.uid)}/runs`,
    {
      body: { input },
      // The run records that the CLI started it (`origin: cli`).
      headers: { 'x-sluice-origin': 'cli' },
      ...(options.wait === true ? { query: { wait: true } } : {}),
    },
  );
  if (options.wait === true) {
    io.stderr(`started run ${answer.body.id} of ${workflow.name} version ${workflow.version}\n`);
    await finish(client, answer.body, options, io);
    return;
  }
  if (options.json === true) {
    printJson(io, answer.body);
    return;
  }
  io.stderr(
    `started run of ${workflow.name} (uid ${workflow.uid}) version ${workflow.version}: ${answer.body.status}\n`,
  );
  io.stdout(`${answer.body.id}\n`);
}

/** Follows a run until it ends and exits with its outcome. */
export async function runsWatchCommand(id: string, options: RunsWatchOptions, io: CommandIo): Promise<void> {
  const client = clientOf(options);
  const tty = io.isTty ?? process.stdout.isTTY === true;
  const run = await watchRun(client, id, io, {
    mode: options.json === true ? 'quiet' : tty ? 'redraw' : 'lines',
    ...intervalOf(options),
  });
  if (options.json === true) printJson(io, run);
  else io.stdout(runEnding(run));
  if (runEnded(run.status)) io.setExitCode?.(RUN_EXIT_CODES[run.status]);
}

/** Resumes a failed run; with `--wait`, waits until it ended and exits with its outcome. */
export async function runsRetryCommand(id: string, options: RunsWatchOptions, io: CommandIo): Promise<void> {
  const client = clientOf(options);
  const answer = await client.request<RunView>('POST', `${runPath(id)}/retry`, {
    ...(options.wait === true ? { query: { wait: true } } : {}),
  });
  if (options.wait === true) {
    io.stderr(`retrying run ${id}\n`);
    await finish(client, answer.body, options, io);
    return;
  }
  if (options.json === true) printJson(io, answer.body);
  else io.stdout(`retrying run ${id} from its failed step: ${answer.body.status}\n`);
}

/** Cancels a run. */
export async function runsCancelCommand(id: string, options: ServiceOptions, io: CommandIo): Promise<void> {
  const answer = await clientOf(options).request<RunView>('POST', `${runPath(id)}/cancel`);
  if (options.json === true) printJson(io, answer.body);
  else io.stdout(`cancelled run ${id}: ${answer.body.status}\n`);
}
