/**
 * The properties every trigger kind that names a connector's trigger shares (`poll`, `connector_webhook`):
 * the connector, the trigger, the stored connection and the trigger's input.
 *
 * @internal
 * @module
 */
import type { JsonSchemaNode } from '../../model/json-schema-node.js';
import { CONNECTOR_NAME_PATTERN } from '../../steps/action.js';

/** `connector`, `trigger`, `connection` and `input`; `uses` says what the connection is for ("poll with"). */
export function connectorTriggerProperties(options: {
  triggerDescription: string;
  triggerExample: string;
  uses: string;
}): Record<string, JsonSchemaNode> {
  return {
    connector: {
      description: 'The connector, as `GET /v1/connectors` lists it.',
      type: 'string',
      pattern: CONNECTOR_NAME_PATTERN,
      examples: ['my_app'],
      errorMessage: 'must be a connector name (ASCII letters, digits, _ and -)',
    },
    trigger: {
      description: options.triggerDescription,
      type: 'string',
      pattern: CONNECTOR_NAME_PATTERN,
      examples: [options.triggerExample],
      errorMessage: 'must be a trigger name (ASCII letters, digits, _ and -)',
    },
    connection: {
      description: `The name of the stored connection to ${options.uses}. Needed when the connector has connection fields.`,
      type: 'string',
      minLength: 1,
      errorMessage: 'must be a non-empty string: the name of a stored connection',
    },
    input: {
      description: "The trigger's input (any JSON value, not a template). Default: `{}`.",
    },
  };
}
