/**
 * `sluice triggers list|enable|disable`: the triggers of your workspace's workflows on a running
 * `sluice serve` (`GET /v1/triggers`, `POST /v1/workflows/{uid}/trigger/enable|disable`).
 *
 * @module
 */
import type { TriggerListView, TriggerView } from '@sluice/engine/api-types';
import type { Command } from 'commander';
import type { CommandIo } from '../command-io.js';
import {
  clientOf,
  onWorkflow,
  printJson,
  type ServiceOptions,
  serviceAction,
  serviceGroup,
  withServiceOptions,
} from '../service-command.js';
import { formatTable, formatTime, truncate } from '../table.js';

const TRIGGERS_HELP = `A webhook's path holds its secret: the table does not show it
(--json does).

Examples:
  $ sluice triggers list
  $ sluice triggers disable nightly-sync
  $ sluice triggers enable nightly-sync`;

/** Registers `sluice triggers ...` on `program`. */
export function registerTriggers(program: Command, io: CommandIo): void {
  const group = serviceGroup(
    program,
    'triggers',
    "list, enable and disable the triggers of your workspace's workflows",
    TRIGGERS_HELP,
  );
  withServiceOptions(
    group.command('list').description("list the triggers of your workspace's workflows, by workflow name"),
  ).action(serviceAction((options: ServiceOptions) => triggersListCommand(options, io)));
  for (const action of ['enable', 'disable'] as const) {
    withServiceOptions(
      group
        .command(action)
        .description(
          action === 'enable'
            ? "enable a workflow's trigger (a poll's connection is tested first)"
            : "disable a workflow's trigger (new versions keep it disabled)",
        )
        .argument('<workflow>', 'its uid or name'),
    ).action(
      serviceAction((ref: string, options: ServiceOptions) => triggersSetCommand(action, ref, options, io)),
    );
  }
}

/** Prints the triggers. */
export async function triggersListCommand(options: ServiceOptions, io: CommandIo): Promise<void> {
  const answer = await clientOf(options).get<{ triggers: TriggerListView[] }>('/v1/triggers');
  if (options.json === true) {
    printJson(io, answer);
    return;
  }
  io.stdout(
    formatTable(
      ['WORKFLOW', 'UID', 'KIND', 'ENABLED', 'NEXT', 'LAST POLLED', 'EVENTS', 'LAST ERROR'],
      answer.triggers.map((t) => [
        t.workflow_name,
        t.workflow_uid,
        t.kind,
        t.enabled ? 'yes' : 'no',
        formatTime(t.next_at),
        formatTime(t.last_polled_at),
        String(t.events_seen),
        t.last_error === null ? '' : truncate(t.last_error, 60),
      ]),
    ),
  );
  if (answer.triggers.length === 0) io.stderr("no triggers: none of your workspace's workflows has one\n");
}

/** Enables or disables a workflow's trigger. */
export async function triggersSetCommand(
  action: 'enable' | 'disable',
  ref: string,
  options: ServiceOptions,
  io: CommandIo,
): Promise<void> {
  const { workflow, answer: t } = await onWorkflow<TriggerView>(
    ref,
    options,
    io,
    'POST',
    `/trigger/${action}`,
  );
  if (t === undefined) return;
  const next = t.enabled && t.next_at !== null ? `; next at ${formatTime(t.next_at)}` : '';
  io.stdout(`${action}d the ${t.kind} trigger of ${workflow.name} (uid ${workflow.uid})${next}\n`);
}
