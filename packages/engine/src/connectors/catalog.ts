/**
 * The catalog of the connectors registered with the service (`sluice serve --connectors <dir>`): what
 * `GET /v1/connectors` answers, and the publish-time check that a workflow's action steps and poll
 * trigger name registered connectors, actions and triggers.
 *
 * Field lists given as arrays are listed as they are, with their JSON Schema (the SDK's
 * `fieldsToJsonSchema`). Field lists given as functions need a connection (they may call the API), so the
 * catalog does not call them: it marks them `dynamic: true`.
 *
 * @module
 */
import {
  type Connector,
  type Field,
  type FieldJsonSchema,
  fieldsToJsonSchema,
  isWebhookTrigger,
} from '@sluice/sdk';
import { EngineError } from '../errors.js';
import type { Workflow } from '../model/workflow.js';
import { isActionStep } from '../steps/action.js';

/** A field list as the catalog shows it: the fields and their JSON Schema, or `dynamic` when it is a function. */
export type FieldListDescription =
  | { dynamic: false; fields: Field[]; schema: FieldJsonSchema }
  | { dynamic: true };

/** One action of a connector. */
export interface ActionDescription {
  name: string;
  /** The action's title, else its name. */
  title: string;
  description?: string;
  input_fields: FieldListDescription;
  output_fields: FieldListDescription;
}

/** One trigger of a connector: polled (`trigger.poll`) or fed by webhooks (`trigger.connector_webhook`). */
export interface TriggerDescription {
  name: string;
  title: string;
  description?: string;
  /**
   * How its events come: polled from an API that lists records oldest first (`ascending`) or newest
   * first (`paging_desc`), or delivered to a hook URL (`webhook`).
   */
  type: 'ascending' | 'paging_desc' | 'webhook';
  input_fields: FieldListDescription;
  output_fields: FieldListDescription;
}

/** A registered connector, as `GET /v1/connectors/{name}` answers it. */
export interface ConnectorDescription {
  /** The name workflows use: `action: <name>.<action>`, `trigger.poll.connector`. */
  name: string;
  title: string;
  description?: string;
  connection: {
    /** The fields a connection of this connector holds (`POST /v1/connections` `values`). */
    fields: FieldListDescription;
    /** `none`, `basic_auth`, `api_key`, `oauth2` or `custom_auth`. */
    authorization: string;
    /** Whether the connector has a `test`, called before runs and triggers use a connection. */
    test: boolean;
  };
  /** By name. */
  actions: ActionDescription[];
  /** By name. */
  triggers: TriggerDescription[];
}

/** Every registered connector, by name. */
export function describeConnectors(connectors: ReadonlyMap<string, Connector>): ConnectorDescription[] {
  return [...connectors.keys()]
    .sort()
    .map((name) => describeConnector(name, connectors.get(name) as Connector));
}

/** One connector's description under the name it is registered with. */
export function describeConnector(name: string, connector: Connector): ConnectorDescription {
  const actions = Object.entries(connector.actions ?? {}).map(
    ([action, definition]): ActionDescription => ({
      name: action,
      title: definition.title ?? action,
      ...(definition.description === undefined ? {} : { description: definition.description }),
      input_fields: fieldList(definition.inputFields, `actions.${action}.inputFields`),
      output_fields: fieldList(definition.outputFields, `actions.${action}.outputFields`),
    }),
  );
  const triggers = Object.entries(connector.triggers ?? {}).map(
    ([trigger, definition]): TriggerDescription => ({
      name: trigger,
      title: definition.title ?? trigger,
      ...(definition.description === undefined ? {} : { description: definition.description }),
      type: isWebhookTrigger(definition)
        ? 'webhook'
        : definition.type === 'paging_desc'
          ? 'paging_desc'
          : 'ascending',
      input_fields: fieldList(definition.inputFields, `triggers.${trigger}.inputFields`),
      output_fields: fieldList(definition.outputFields, `triggers.${trigger}.outputFields`),
    }),
  );
  return {
    name,
    title: connector.title,
    ...(connector.description === undefined ? {} : { description: connector.description }),
    connection: {
      fields: fieldList(connector.connection?.fields, 'connection.fields'),
      authorization: connector.connection?.authorization?.type ?? 'none',
      test: typeof connector.test === 'function',
    },
    actions: actions.sort(byName),
    triggers: triggers.sort(byName),
  };
}

function fieldList(spec: unknown, path: string): FieldListDescription {
  if (typeof spec === 'function') return { dynamic: true };
  const fields = (Array.isArray(spec) ? spec : []) as readonly Field[];
  // Through JSON: a field list is data; anything else in it (a stray function) is not part of the answer.
  return {
    dynamic: false,
    fields: JSON.parse(JSON.stringify(fields)) as Field[],
    schema: fieldsToJsonSchema(fields, { path }),
  };
}

function byName(a: { name: string }, b: { name: string }): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** A reference to a connector part that is not registered: its document path and why. */
export interface ConnectorProblem {
  /** `steps[1].action`, `trigger.poll.trigger`. */
  path: string;
  message: string;
}

/**
 * The action steps and the poll trigger of `workflow` that name no registered connector, action or
 * trigger, in document order.
 */
export function connectorProblems(
  workflow: Workflow,
  connectors: ReadonlyMap<string, Connector>,
): ConnectorProblem[] {
  const problems: ConnectorProblem[] = [];
  const registered = () => [...connectors.keys()].sort().join(', ') || 'none';
  workflow.steps.forEach((step, index) => {
    if (!isActionStep(step)) return;
    const path = `steps[${index}].action`;
    const dot = step.action.indexOf('.');
    const connectorName = step.action.slice(0, dot);
    const action = step.action.slice(dot + 1);
    const connector = connectors.get(connectorName);
    if (connector === undefined) {
      problems.push({
        path,
        message: `connector ${JSON.stringify(connectorName)} is not registered (registered: ${registered()})`,
      });
    } else if (!Object.hasOwn(connector.actions ?? {}, action)) {
      problems.push({
        path,
        message: `connector ${connectorName} has no action ${JSON.stringify(action)} (actions: ${names(connector.actions)})`,
      });
    }
  });
  const poll = workflow.trigger?.poll;
  if (poll !== undefined) {
    const connector = connectors.get(poll.connector);
    if (connector === undefined) {
      problems.push({
        path: 'trigger.poll.connector',
        message: `connector ${JSON.stringify(poll.connector)} is not registered (registered: ${registered()})`,
      });
    } else if (!Object.hasOwn(connector.triggers ?? {}, poll.trigger)) {
      problems.push({
        path: 'trigger.poll.trigger',
        message: `connector ${poll.connector} has no trigger ${JSON.stringify(poll.trigger)} (triggers: ${names(connector.triggers)})`,
      });
    }
  }
  return problems;
}

/**
 * Checks that every `action` of `workflow` names a registered connector and one of its actions, and
 * that a `trigger.poll` names a registered connector and one of its triggers.
 *
 * @throws {EngineError} `SLUICE_CONNECTOR_UNKNOWN` (400) whose message starts with the first problem's
 * path (`steps[1].action: connector "crm" is not registered ...`); `details.problems` lists them all.
 */
export function checkWorkflowConnectors(
  workflow: Workflow,
  connectors: ReadonlyMap<string, Connector>,
): void {
  const problems = connectorProblems(workflow, connectors);
  const first = problems[0];
  if (first === undefined) return;
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
  const err = new EngineError('SLUICE_CONNECTOR_UNKNOWN', `${first.path}: ${first.message}${more}`, {
    hint: 'GET /v1/connectors lists the registered connectors; register one with sluice serve --connectors <dir>',
  });
  Object.assign(err, { details: { problems } });
  throw err;
}

function names(parts: Readonly<Record<string, unknown>> | undefined): string {
  return (
    Object.keys(parts ?? {})
      .sort()
      .join(', ') || 'none'
  );
}

/** The stored connections the action steps of `workflow` use, once each, in step order. */
export function actionConnections(workflow: Workflow): string[] {
  const names = workflow.steps.flatMap((step) =>
    isActionStep(step) && step.connection !== undefined ? [step.connection] : [],
  );
  return [...new Set(names)];
}
