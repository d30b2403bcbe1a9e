/**
 * Checks a connector definition when it is defined, so mistakes show up when the module loads rather
 * than on the first run: every error names the path of the problem (`actions.get_customer.execute`)
 * and says what is accepted. Static field lists are checked with the field notation rules.
 *
 * @module
 */
import { SdkError } from '../errors.js';
import type { Field } from '../fields/field.js';
import { fieldsToJsonSchema } from '../fields/to-json-schema.js';
import { validateMatcher } from '../http/error-matcher.js';

type Obj = Readonly<Record<string, unknown>>;

const TOP_KEYS = [
  'title',
  'description',
  'connection',
  'test',
  'actions',
  'triggers',
  'pickLists',
  'methods',
  'objectDefinitions',
  'webhookKeys',
];
const CONNECTION_KEYS = ['fields', 'baseUri', 'authorization'];
/** Keys of actions and triggers that only shape a recipe editor (Workato's). */
const UI_KEYS = ['subtitle', 'help', 'displayPriority', 'deprecated'];
const ACTION_KEYS = [
  'title',
  'description',
  ...UI_KEYS,
  'configFields',
  'inputFields',
  'outputFields',
  'execute',
  'sampleOutput',
];
const TRIGGER_KEYS = [
  'title',
  'description',
  ...UI_KEYS,
  'configFields',
  'type',
  'inputFields',
  'outputFields',
  'sampleOutput',
  'poll',
  'dedup',
  'documentId',
  'sortBy',
  'webhookSubscribe',
  'webhookUnsubscribe',
  'webhookNotification',
  'webhookKey',
  'webhookPayloadType',
];

/** The keys each authorization type takes. */
const AUTHORIZATION_KEYS: Readonly<Record<string, readonly string[]>> = {
  none: ['type', 'detectOn'],
  basic_auth: ['type', 'apply', 'detectOn'],
  api_key: ['type', 'acquire', 'apply', 'refreshOn', 'detectOn'],
  oauth2: [
    'type',
    'authorizationUrl',
    'tokenUrl',
    'clientId',
    'clientSecret',
    'apply',
    'refresh',
    'refreshOn',
    'detectOn',
  ],
  custom_auth: ['type', 'acquire', 'apply', 'refreshOn', 'detectOn'],
};

function fail(path: string, message: string, hint: string): never {
  throw new SdkError('SLUICE_CONNECTOR_INVALID', `${path}: ${message}`, { hint });
}

function kind(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value);
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function isObject(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function object(value: unknown, path: string, hint: string): Obj {
  if (!isObject(value)) fail(path, `must be an object (got ${kind(value)})`, hint);
  return value;
}

function fn(value: unknown, path: string, hint: string, required = true): void {
  if (value === undefined && !required) return;
  if (typeof value !== 'function') fail(path, `must be a function (got ${kind(value)})`, hint);
}

function text(value: unknown, path: string, required = false): void {
  if (value === undefined && !required) return;
  if (typeof value !== 'string' || (required && value.trim() === '')) {
    fail(
      path,
      `must be a ${required ? 'non-empty ' : ''}string (got ${kind(value)})`,
      'give a short human-readable text',
    );
  }
}

function stringOrFunction(value: unknown, path: string): void {
  if (typeof value === 'function' || (typeof value === 'string' && value !== '')) return;
  fail(
    path,
    `must be a string or a function of { connection } (got ${kind(value)})`,
    'give the value, or read it from the connection',
  );
}

/** Rejects keys outside `allowed`, suggesting the camelCase spelling of a snake_case key. */
function knownKeys(value: Obj, allowed: readonly string[], path: string): void {
  for (const key of Object.keys(value)) {
    if (allowed.includes(key)) continue;
    const camel = key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
    const hint = allowed.includes(camel)
      ? `did you mean ${camel}?`
      : `the keys here are ${allowed.join(', ')}`;
    fail(`${path}${path === '' ? '' : '.'}${key}`, 'unknown key', hint);
  }
}

/** Checks every entry of a named map (`actions`, `pickLists`, ...) with `check`. */
function entries(value: unknown, path: string, check: (entry: unknown, path: string) => void): void {
  if (value === undefined) return;
  const map = object(value, path, `give an object of ${path} by name`);
  for (const [name, entry] of Object.entries(map)) check(entry, `${path}.${name}`);
}

function fieldsSpec(value: unknown, path: string, pickLists: readonly string[]): void {
  if (value === undefined || typeof value === 'function') return;
  if (!Array.isArray(value)) {
    fail(
      path,
      `must be a list of fields or a function returning one (got ${kind(value)})`,
      "e.g. [{ name: 'id', type: 'integer' }]",
    );
  }
  fieldsToJsonSchema(value as readonly Field[], { path });
  checkPickListNames(value as readonly Field[], path, pickLists);
}

function checkPickListNames(fields: readonly Field[], path: string, pickLists: readonly string[]): void {
  fields.forEach((field, index) => {
    const at = `${path}[${index}]`;
    if (typeof field.pickList === 'string' && !pickLists.includes(field.pickList)) {
      fail(
        `${at}.pickList`,
        `no pick list ${JSON.stringify(field.pickList)} (available: ${pickLists.join(', ') || 'none'})`,
        'add it under pickLists, or fix the name',
      );
    }
    if (field.properties) checkPickListNames(field.properties, `${at}.properties`, pickLists);
  });
}

function matcher(value: unknown, path: string): void {
  if (value === undefined) return;
  try {
    validateMatcher(value, path);
  } catch (err) {
    fail(
      path,
      (err as Error).message.replace(`${path}: `, ''),
      'e.g. 401, "expired", /invalid token/i or [401, /expired/]',
    );
  }
}

function authorization(value: unknown, path: string): void {
  const auth = object(
    value,
    path,
    "e.g. { type: 'api_key', apply: ({ connection, request }) => request.params(...) }",
  );
  const types = Object.keys(AUTHORIZATION_KEYS);
  if (typeof auth.type !== 'string' || !types.includes(auth.type)) {
    fail(
      `${path}.type`,
      `must be one of ${types.join(', ')} (got ${kind(auth.type)})`,
      'pick the scheme the API uses',
    );
  }
  const type = auth.type;
  knownKeys(auth, AUTHORIZATION_KEYS[type] ?? [], path);
  const applyHint = 'apply({ connection, request }) returns request.headers(...) or request.params(...)';
  fn(auth.apply, `${path}.apply`, applyHint, type === 'api_key' || type === 'custom_auth');
  if (type === 'oauth2') {
    fn(
      auth.authorizationUrl,
      `${path}.authorizationUrl`,
      "authorizationUrl({ connection }) returns the provider's consent URL",
    );
    stringOrFunction(auth.tokenUrl, `${path}.tokenUrl`);
    stringOrFunction(auth.clientId, `${path}.clientId`);
    stringOrFunction(auth.clientSecret, `${path}.clientSecret`);
    fn(
      auth.refresh,
      `${path}.refresh`,
      'refresh({ connection, refreshToken, http }) returns the new tokens',
      false,
    );
  }
  if (type === 'custom_auth' || type === 'api_key') {
    // Optional, as in Workato: without it the credentials come from the connection as they are.
    fn(
      auth.acquire,
      `${path}.acquire`,
      'acquire({ connection, http }) returns values to merge into the connection',
      false,
    );
    if (auth.acquire === undefined && auth.refreshOn !== undefined) {
      fail(
        `${path}.refreshOn`,
        'has no effect without acquire',
        'add acquire({ connection, http }), which refreshOn calls, or remove refreshOn',
      );
    }
  }
  matcher(auth.refreshOn, `${path}.refreshOn`);
  matcher(auth.detectOn, `${path}.detectOn`);
}

/** The UI keys and config fields that actions and triggers share. */
function operationCommon(def: Obj, path: string, pickLists: readonly string[]): void {
  text(def.title, `${path}.title`);
  text(def.description, `${path}.description`);
  text(def.subtitle, `${path}.subtitle`);
  if (
    def.help === null ||
    (def.help !== undefined && !['string', 'function', 'object'].includes(typeof def.help))
  ) {
    fail(
      `${path}.help`,
      `must be a string, an object or a function (got ${kind(def.help)})`,
      'give help text',
    );
  }
  if (def.displayPriority !== undefined && typeof def.displayPriority !== 'number') {
    fail(`${path}.displayPriority`, `must be a number (got ${kind(def.displayPriority)})`, 'e.g. 10');
  }
  if (def.deprecated !== undefined && typeof def.deprecated !== 'boolean') {
    fail(`${path}.deprecated`, `must be true or false (got ${kind(def.deprecated)})`, 'e.g. true');
  }
  if (def.configFields !== undefined && !Array.isArray(def.configFields)) {
    fail(
      `${path}.configFields`,
      `must be a list of fields (got ${kind(def.configFields)})`,
      "config fields are static, e.g. [{ name: 'object', optional: false, pickList: 'objects' }]",
    );
  }
  fieldsSpec(def.configFields, `${path}.configFields`, pickLists);
}

function action(value: unknown, path: string, pickLists: readonly string[]): void {
  const def = object(value, path, 'an action is { title, inputFields, outputFields, execute }');
  knownKeys(def, ACTION_KEYS, path);
  operationCommon(def, path, pickLists);
  fieldsSpec(def.inputFields, `${path}.inputFields`, pickLists);
  fieldsSpec(def.outputFields, `${path}.outputFields`, pickLists);
  fn(
    def.execute,
    `${path}.execute`,
    'execute({ connection, input, http }) runs the action and returns its output',
  );
}

function trigger(value: unknown, path: string, pickLists: readonly string[]): void {
  const def = object(value, path, 'a trigger is { inputFields, outputFields, poll, dedup }');
  knownKeys(def, TRIGGER_KEYS, path);
  operationCommon(def, path, pickLists);
  if (def.type !== undefined && def.type !== 'paging_desc') {
    fail(
      `${path}.type`,
      `must be "paging_desc" or absent (got ${kind(def.type)})`,
      'leave type out for ascending triggers',
    );
  }
  fieldsSpec(def.inputFields, `${path}.inputFields`, pickLists);
  fieldsSpec(def.outputFields, `${path}.outputFields`, pickLists);
  if (def.webhookNotification !== undefined) {
    webhookTrigger(def, path);
    return;
  }
  for (const key of WEBHOOK_KEYS) {
    if (def[key] !== undefined)
      fail(`${path}.${key}`, 'only webhook triggers take it', 'add webhookNotification, or remove it');
  }
  fn(def.poll, `${path}.poll`, 'poll({ connection, input, closure, http }) returns { events, ... }');
  fn(def.dedup, `${path}.dedup`, 'dedup(record) returns a string that identifies the event', false);
  if (def.type === 'paging_desc') {
    fn(def.sortBy, `${path}.sortBy`, 'sortBy(record) returns the value the API sorts by, such as created_at');
    fn(def.documentId, `${path}.documentId`, 'documentId(record) returns the record id', false);
  } else {
    for (const key of ['sortBy', 'documentId'] as const) {
      if (def[key] !== undefined)
        fail(`${path}.${key}`, 'only paging_desc triggers take it', "add type: 'paging_desc'");
    }
  }
}

/** The keys only webhook triggers take. */
const WEBHOOK_KEYS = [
  'webhookSubscribe',
  'webhookUnsubscribe',
  'webhookNotification',
  'webhookKey',
  'webhookPayloadType',
] as const;

/** A webhook trigger: `webhookNotification`, and either subscribe + unsubscribe or a static `webhookKey`. */
function webhookTrigger(def: Obj, path: string): void {
  fn(
    def.webhookNotification,
    `${path}.webhookNotification`,
    'a trigger needs poll({ connection, input, closure, http }), or webhookNotification({ payload, headers, params, input }) for a webhook trigger',
  );
  if (def.poll !== undefined || def.type !== undefined) {
    fail(
      `${path}.${def.poll !== undefined ? 'poll' : 'type'}`,
      'a webhook trigger (webhookNotification) does not poll',
      'keep either poll or webhookNotification',
    );
  }
  for (const key of ['sortBy', 'documentId'] as const) {
    if (def[key] !== undefined) fail(`${path}.${key}`, 'only paging_desc triggers take it', 'remove it');
  }
  fn(
    def.webhookSubscribe,
    `${path}.webhookSubscribe`,
    'webhookSubscribe({ webhookUrl, connection, input, http }) registers the URL and returns the subscription',
    false,
  );
  fn(
    def.webhookUnsubscribe,
    `${path}.webhookUnsubscribe`,
    'webhookUnsubscribe({ webhookSubscribeOutput, connection, http }) removes the subscription',
    false,
  );
  fn(
    def.webhookKey,
    `${path}.webhookKey`,
    'webhookKey({ connection, input }) returns the key of the deliveries this trigger wants',
    false,
  );
  fn(def.dedup, `${path}.dedup`, 'dedup(record) returns a string that identifies the event', false);
  const subscribes = def.webhookSubscribe !== undefined;
  if (subscribes !== (def.webhookUnsubscribe !== undefined)) {
    const missing = subscribes ? 'webhookUnsubscribe' : 'webhookSubscribe';
    fail(
      `${path}.${missing}`,
      `is required with ${subscribes ? 'webhookSubscribe' : 'webhookUnsubscribe'}`,
      'a subscribing webhook trigger needs both webhookSubscribe and webhookUnsubscribe',
    );
  }
  if (!subscribes && def.webhookKey === undefined) {
    fail(
      path,
      'a webhook trigger needs webhookSubscribe and webhookUnsubscribe, or webhookKey (a static webhook)',
      "add webhookSubscribe/webhookUnsubscribe to register a URL per workflow, or webhookKey with the connector's webhookKeys",
    );
  }
  if (
    def.webhookPayloadType !== undefined &&
    def.webhookPayloadType !== 'parsed' &&
    def.webhookPayloadType !== 'raw'
  ) {
    fail(
      `${path}.webhookPayloadType`,
      `must be "parsed" or "raw" (got ${kind(def.webhookPayloadType)})`,
      'leave it out for parsed payloads',
    );
  }
}

/**
 * Checks a connector definition.
 *
 * @throws {SdkError} `SLUICE_CONNECTOR_INVALID` naming the path of the first problem.
 * @throws {FieldValidationError} `SLUICE_FIELD_NOTATION` when a static field list is malformed.
 */
export function validateConnector(definition: unknown): void {
  const def = object(definition, 'defineConnector(definition)', 'pass an object with at least a title');
  knownKeys(def, TOP_KEYS, '');
  text(def.title, 'title', true);
  text(def.description, 'description');
  const pickLists = isObject(def.pickLists) ? Object.keys(def.pickLists) : [];
  if (def.connection !== undefined) {
    const connection = object(
      def.connection,
      'connection',
      'connection is { fields, baseUri, authorization }',
    );
    knownKeys(connection, CONNECTION_KEYS, 'connection');
    fieldsSpec(connection.fields, 'connection.fields', pickLists);
    if (connection.fields !== undefined && !Array.isArray(connection.fields)) {
      fail('connection.fields', 'must be a list of fields (got a function)', 'connection fields are static');
    }
    if (connection.baseUri !== undefined) stringOrFunction(connection.baseUri, 'connection.baseUri');
    if (connection.authorization !== undefined)
      authorization(connection.authorization, 'connection.authorization');
  }
  fn(
    def.test,
    'test',
    'test({ connection, http }) makes a cheap request that needs valid credentials',
    false,
  );
  entries(def.actions, 'actions', (entry, path) => action(entry, path, pickLists));
  entries(def.triggers, 'triggers', (entry, path) => trigger(entry, path, pickLists));
  fn(
    def.webhookKeys,
    'webhookKeys',
    'webhookKeys({ params, headers, payload }) returns the key of a delivery to the static webhook URL',
    false,
  );
  const keyed = Object.entries(isObject(def.triggers) ? def.triggers : {}).find(
    ([, entry]) => isObject(entry) && entry.webhookKey !== undefined,
  );
  if (keyed !== undefined && def.webhookKeys === undefined) {
    fail(
      `triggers.${keyed[0]}.webhookKey`,
      'needs the connector-level webhookKeys',
      'add webhookKeys({ params, headers, payload }) to the connector: it gives the key each delivery is routed by',
    );
  }
  entries(def.pickLists, 'pickLists', (entry, path) =>
    fn(entry, path, 'a pick list is ({ connection, http, args }) => [[label, value], ...]'),
  );
  entries(def.methods, 'methods', (entry, path) =>
    fn(entry, path, 'a method is ({ connection, http, call, args }) => ...'),
  );
  entries(def.objectDefinitions, 'objectDefinitions', (entry, path) => {
    const objectDefinition = object(entry, path, 'an object definition is { fields }');
    knownKeys(objectDefinition, ['fields'], path);
    if (objectDefinition.fields === undefined)
      fail(`${path}.fields`, 'is required', 'give a list of fields or a function returning one');
    fieldsSpec(objectDefinition.fields, `${path}.fields`, pickLists);
  });
}
