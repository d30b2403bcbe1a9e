/**
 * The paths `sluice exec` accepts (`test`, `actions.<name>`, `triggers.<name>.poll`,
 * `triggers.<name>.webhookSubscribe` of a webhook trigger, ...): parsing one
 * against a connector, and listing the valid ones for error messages. Pure.
 *
 * @module
 */
import { SdkError } from '@sluice/sdk';
import { closest } from './did-you-mean.js';

/** What a path asks `sluice exec` to run. */
export type ExecTarget =
  | { kind: 'test' }
  | { kind: 'action'; name: string }
  | { kind: 'actionFields'; name: string; which: 'inputFields' | 'outputFields' }
  | { kind: 'sampleOutput'; name: string; of: 'action' | 'trigger' }
  | { kind: 'trigger'; name: string }
  | { kind: 'triggerPoll'; name: string }
  | { kind: 'webhookSubscribe'; name: string }
  | { kind: 'webhookUnsubscribe'; name: string }
  | { kind: 'triggerFields'; name: string; which: 'inputFields' | 'outputFields' }
  | { kind: 'pickList'; name: string }
  | { kind: 'method'; name: string };

/** The parts of a connector that paths name. */
export interface PathableConnector {
  readonly actions?: Readonly<Record<string, unknown>> | undefined;
  readonly triggers?: Readonly<Record<string, unknown>> | undefined;
  readonly pickLists?: Readonly<Record<string, unknown>> | undefined;
  readonly methods?: Readonly<Record<string, unknown>> | undefined;
}

const ACTION_PARTS = ['inputFields', 'outputFields', 'sampleOutput'] as const;
const TRIGGER_PARTS = ['poll', 'inputFields', 'outputFields', 'sampleOutput'] as const;
const WEBHOOK_TRIGGER_PARTS = [
  'webhookSubscribe',
  'webhookUnsubscribe',
  'inputFields',
  'outputFields',
  'sampleOutput',
] as const;

/** The parts of trigger `name`: a webhook trigger (`webhookNotification`) has no `poll`. */
function triggerParts(connector: PathableConnector, name: string): readonly string[] {
  const trigger = connector.triggers?.[name] as { webhookNotification?: unknown } | undefined;
  return typeof trigger?.webhookNotification === 'function' ? WEBHOOK_TRIGGER_PARTS : TRIGGER_PARTS;
}

/**
 * Parses `path` against `connector`.
 *
 * @throws {SdkError} `SLUICE_CONNECTOR_PATH` naming the path and listing the valid ones.
 */
export function parseExecPath(path: string, connector: PathableConnector, file: string): ExecTarget {
  const parts = path.split('.');
  const [section, name, part, ...rest] = parts;
  const unknown = (why: string): never => {
    const suggestion = closest(path, listExecPaths(connector));
    throw new SdkError(
      'SLUICE_CONNECTOR_PATH',
      `${why} in ${file}; valid paths: ${describeExecPaths(connector)}`,
      {
        hint:
          suggestion === undefined
            ? 'pick one of the valid paths (sluice exec --help explains each kind)'
            : `did you mean ${suggestion}?`,
      },
    );
  };
  if (path === 'test') return { kind: 'test' };
  if (rest.length > 0 || name === undefined || name === '') return unknown(`unknown path "${path}"`);
  const names = (group: Readonly<Record<string, unknown>> | undefined): string[] => Object.keys(group ?? {});
  switch (section) {
    case 'actions': {
      if (!names(connector.actions).includes(name)) return unknown(`no action "${name}"`);
      if (part === undefined) return { kind: 'action', name };
      if (part === 'inputFields' || part === 'outputFields') {
        return { kind: 'actionFields', name, which: part };
      }
      if (part === 'sampleOutput') return { kind: 'sampleOutput', name, of: 'action' };
      return unknown(`unknown part "${part}" of actions.${name} (valid: ${ACTION_PARTS.join(', ')})`);
    }
    case 'triggers': {
      if (!names(connector.triggers).includes(name)) return unknown(`no trigger "${name}"`);
      if (part === undefined) return { kind: 'trigger', name };
      const parts = triggerParts(connector, name);
      if (part === 'poll' && parts.includes(part)) return { kind: 'triggerPoll', name };
      if ((part === 'webhookSubscribe' || part === 'webhookUnsubscribe') && parts.includes(part)) {
        return { kind: part, name };
      }
      if (part === 'inputFields' || part === 'outputFields') {
        return { kind: 'triggerFields', name, which: part };
      }
      if (part === 'sampleOutput') return { kind: 'sampleOutput', name, of: 'trigger' };
      return unknown(`unknown part "${part}" of triggers.${name} (valid: ${parts.join(', ')})`);
    }
    case 'pickLists':
      if (!names(connector.pickLists).includes(name)) return unknown(`no pick list "${name}"`);
      return part === undefined ? { kind: 'pickList', name } : unknown(`unknown path "${path}"`);
    case 'methods':
      if (!names(connector.methods).includes(name)) return unknown(`no method "${name}"`);
      return part === undefined ? { kind: 'method', name } : unknown(`unknown path "${path}"`);
    default:
      return unknown(`unknown path "${path}"`);
  }
}

/** Every valid path of `connector`, one per entry. */
export function listExecPaths(connector: PathableConnector): string[] {
  const out = ['test'];
  for (const name of Object.keys(connector.actions ?? {})) {
    out.push(`actions.${name}`, ...ACTION_PARTS.map((p) => `actions.${name}.${p}`));
  }
  for (const name of Object.keys(connector.triggers ?? {})) {
    out.push(`triggers.${name}`, ...triggerParts(connector, name).map((p) => `triggers.${name}.${p}`));
  }
  for (const name of Object.keys(connector.pickLists ?? {})) out.push(`pickLists.${name}`);
  for (const name of Object.keys(connector.methods ?? {})) out.push(`methods.${name}`);
  return out;
}

/** The valid paths in short form: `test, actions.get_customer[.inputFields|.outputFields|.sampleOutput], ...`. */
export function describeExecPaths(connector: PathableConnector): string {
  const out = ['test'];
  const suffix = (parts: readonly string[]): string => `[${parts.map((p) => `.${p}`).join('|')}]`;
  for (const name of Object.keys(connector.actions ?? {})) out.push(`actions.${name}${suffix(ACTION_PARTS)}`);
  for (const name of Object.keys(connector.triggers ?? {}))
    out.push(`triggers.${name}${suffix(triggerParts(connector, name))}`);
  for (const name of Object.keys(connector.pickLists ?? {})) out.push(`pickLists.${name}`);
  for (const name of Object.keys(connector.methods ?? {})) out.push(`methods.${name}`);
  return out.join(', ');
}
