/**
 * The webhook triggers of `sluice exec` (Workato's `workato exec triggers.<name> --webhook-payload ...`):
 * `triggers.<name>` of a webhook trigger runs `webhookNotification` on the delivery that
 * `--webhook-payload`, `--webhook-headers`, `--webhook-params` and `--webhook-subscribe-output` describe
 * and prints `{"events": [...], "dedup_keys": [...]}`; `triggers.<name>.webhookSubscribe --webhook-url URL`
 * prints what subscribing returned, and `triggers.<name>.webhookUnsubscribe --webhook-subscribe-output
 * s.json` removes that subscription.
 *
 * @module
 */
import { type Connector, isWebhookTrigger } from '@sluice/sdk';
import type { ConnectorRuntime } from '@sluice/sdk/internal';
import { CliError } from '../errors.js';
import type { ExecTarget } from '../exec-path.js';

/** The webhook options of `sluice exec`, as commander hands them over. */
export interface WebhookExecOptions {
  /** The delivery's body: inline JSON or a JSON or YAML file. */
  webhookPayload?: string;
  /** The delivery's headers: an object, inline JSON or a file. */
  webhookHeaders?: string;
  /** The delivery URL's query parameters: an object, inline JSON or a file. */
  webhookParams?: string;
  /** The URL `webhookSubscribe` registers. */
  webhookUrl?: string;
  /** What an earlier `.webhookSubscribe` printed: inline JSON or a file. */
  webhookSubscribeOutput?: string;
}

/** The help lines of the webhook paths, for `EXEC_HELP`. */
export const WEBHOOK_EXEC_HELP = `  triggers.<name>                   of a webhook trigger: runs webhookNotification on --webhook-payload
                                    (--webhook-headers, --webhook-params, --webhook-subscribe-output);
                                    prints {"events": [...], "dedup_keys": [...]}
  triggers.<name>.webhookSubscribe  subscribes --webhook-url; prints the subscription output
  triggers.<name>.webhookUnsubscribe
                                    removes the subscription in --webhook-subscribe-output`;

/** What the webhook options give, read. */
export interface WebhookData {
  payload: unknown;
  headers: Record<string, string>;
  params: Record<string, unknown>;
  url: string | undefined;
  subscribeOutput: unknown;
}

type WebhookOption = keyof WebhookExecOptions;

const FLAGS: Record<WebhookOption, string> = {
  webhookPayload: '--webhook-payload',
  webhookHeaders: '--webhook-headers',
  webhookParams: '--webhook-params',
  webhookUrl: '--webhook-url',
  webhookSubscribeOutput: '--webhook-subscribe-output',
};

/** Which options each kind of webhook path takes. */
const TAKES: Record<'notification' | 'webhookSubscribe' | 'webhookUnsubscribe', readonly WebhookOption[]> = {
  notification: ['webhookPayload', 'webhookHeaders', 'webhookParams', 'webhookSubscribeOutput'],
  webhookSubscribe: ['webhookUrl'],
  webhookUnsubscribe: ['webhookSubscribeOutput'],
};

/**
 * Reads the webhook options for `target`; `undefined` when the path is no webhook path (then no webhook
 * option may be given).
 *
 * @throws {CliError} `SLUICE_CLI_OPTION` for an option the path does not take, or a missing
 *   `--webhook-url` / `--webhook-subscribe-output`; `SLUICE_CLI_FILE_READ` / `SLUICE_CLI_FILE_PARSE` for
 *   a value that does not read, and for headers or params that are not an object.
 */
export async function loadWebhookData(
  options: WebhookExecOptions,
  target: ExecTarget,
  path: string,
  connector: Connector,
): Promise<WebhookData | undefined> {
  const kind = webhookKind(target, connector);
  const given = (Object.keys(FLAGS) as WebhookOption[]).filter((option) => options[option] !== undefined);
  const allowed = kind === undefined ? [] : TAKES[kind];
  for (const option of given) {
    if (!allowed.includes(option)) {
      throw new CliError('SLUICE_CLI_OPTION', `${FLAGS[option]} does not apply to ${path}`, {
        hint: `${FLAGS[option]} applies to ${pathsTaking(option)} of a webhook trigger (webhookNotification)`,
      });
    }
  }
  if (kind === undefined) return undefined;
  if (kind === 'webhookSubscribe' && options.webhookUrl === undefined) {
    throw new CliError('SLUICE_CLI_OPTION', `${path} needs --webhook-url`, {
      hint: 'give the URL the API should send notifications to, e.g. --webhook-url https://example.com/hook',
    });
  }
  if (kind === 'webhookUnsubscribe' && options.webhookSubscribeOutput === undefined) {
    throw new CliError('SLUICE_CLI_OPTION', `${path} needs --webhook-subscribe-output`, {
      hint: 'pass what triggers.<name>.webhookSubscribe printed (a file or inline JSON)',
    });
  }
  const { loadDataOption } = await import('../load-data-file.js');
  const read = (option: WebhookOption): unknown => {
    const value = options[option];
    return value === undefined ? undefined : loadDataOption(value, FLAGS[option]);
  };
  const headers = objectOf(read('webhookHeaders'), '--webhook-headers', options.webhookHeaders);
  return {
    payload: read('webhookPayload') ?? null,
    headers: Object.fromEntries(Object.entries(headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)])),
    params: objectOf(read('webhookParams'), '--webhook-params', options.webhookParams) ?? {},
    url: options.webhookUrl,
    subscribeOutput: read('webhookSubscribeOutput'),
  };
}

/** Runs a webhook path; what it prints. */
export async function runWebhookTarget(
  runtime: ConnectorRuntime,
  target: ExecTarget,
  webhook: WebhookData,
  data: { input: Record<string, unknown> | undefined; configFields?: Record<string, unknown> | undefined },
): Promise<unknown> {
  if (target.kind === 'webhookSubscribe') {
    return runtime.webhookSubscribe(target.name, {
      webhookUrl: webhook.url ?? '',
      input: data.input ?? {},
      configFields: data.configFields,
    });
  }
  if (target.kind === 'webhookUnsubscribe') {
    await runtime.webhookUnsubscribe(target.name, webhook.subscribeOutput);
    return { unsubscribed: true };
  }
  const name = (target as { name: string }).name;
  const events = await runtime.webhookNotification(name, {
    input: data.input ?? {},
    configFields: data.configFields,
    payload: webhook.payload,
    headers: webhook.headers,
    params: webhook.params,
    webhookSubscribeOutput: webhook.subscribeOutput,
  });
  return { events: events.map((e) => e.event), dedup_keys: events.map((e) => e.key) };
}

function webhookKind(target: ExecTarget, connector: Connector): keyof typeof TAKES | undefined {
  if (target.kind === 'webhookSubscribe' || target.kind === 'webhookUnsubscribe') return target.kind;
  if (target.kind !== 'trigger') return undefined;
  const trigger = connector.triggers?.[target.name];
  return trigger !== undefined && isWebhookTrigger(trigger) ? 'notification' : undefined;
}

function pathsTaking(option: WebhookOption): string {
  const paths = {
    notification: 'triggers.<name>',
    webhookSubscribe: 'triggers.<name>.webhookSubscribe',
    webhookUnsubscribe: 'triggers.<name>.webhookUnsubscribe',
  } as const;
  return (Object.keys(TAKES) as (keyof typeof TAKES)[])
    .filter((kind) => TAKES[kind].includes(option))
    .map((kind) => paths[kind])
    .join(' and ');
}

function objectOf(
  value: unknown,
  flag: string,
  given: string | undefined,
): Record<string, unknown> | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'object' && value !== null && !Array.isArray(value))
    return value as Record<string, unknown>;
  throw new CliError('SLUICE_CLI_FILE_PARSE', `${flag} ${given ?? ''} must hold an object of named values`, {
    hint: `write a JSON object, e.g. ${flag} '{"x-event": "created"}'`,
  });
}
