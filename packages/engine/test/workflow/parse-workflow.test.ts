import { isSluiceError, parseWorkflow, WorkflowParseError, type WorkflowProblem } from '@sluice/engine';
import { describe, expect, it } from 'vitest';

/** The problems `parseWorkflow` reports for `text`; fails when it parses. */
async function problemsOf(text: string, format?: 'yaml' | 'json'): Promise<readonly WorkflowProblem[]> {
  try {
    await parseWorkflow(text, format === undefined ? {} : { format });
  } catch (err) {
    if (err instanceof WorkflowParseError) return err.problems;
    throw err;
  }
  throw new Error('the document parsed');
}

/** A YAML workflow: `name: w` and one step `a` around the given lines. */
const one = (step: string) => `name: w\nsteps:\n  - name: a\n${step}`;
const ok = '    apispec: { url: "https://api.test/v1" }\n';

type Row = [rule: string, text: string, problems: WorkflowProblem[]];

const WORKFLOW_RULES: Row[] = [
  ['name is required', `steps:\n  - name: a\n${ok}`, [{ path: 'name', message: 'is required', line: 1 }]],
  [
    'name is a non-empty string',
    `name: "  "\nsteps:\n  - name: a\n${ok}`,
    [{ path: 'name', message: 'must be a non-empty string (got "  ")', line: 1 }],
  ],
  [
    'scope is workspace or global',
    `name: w\nscope: team\nsteps:\n  - name: a\n${ok}`,
    [{ path: 'scope', message: 'must be workspace or global (got "team")', line: 2 }],
  ],
  ['steps is required', 'name: w\n', [{ path: 'steps', message: 'is required', line: 1 }]],
  [
    'steps is not empty',
    'name: w\nsteps: []\n',
    [{ path: 'steps', message: 'must be a non-empty list of steps', line: 2 }],
  ],
  [
    'steps is a list',
    'name: w\nsteps: { a: 1 }\n',
    [{ path: 'steps', message: 'must be a non-empty list of steps (got an object)', line: 2 }],
  ],
  [
    'the document is an object',
    '- name: a\n',
    [{ path: '', message: 'must be an object (a workflow document) (got a list)', line: 1 }],
  ],
  [
    'unknown top-level keys are rejected, with a did-you-mean',
    `name: w\nflow: []\nretry: { total: 1 }\nstepz: 1\nsteps:\n  - name: a\n${ok}`,
    [
      { path: 'flow', message: 'unknown key; did you mean "steps"?', line: 2 },
      {
        path: 'retry',
        message:
          'unknown key; did you mean "default_retry"? (retry settings for every step go in default_retry)',
        line: 3,
      },
      { path: 'stepz', message: 'unknown key; did you mean "steps"?', line: 4 },
    ],
  ],
  [
    'stored fields are typed',
    `uid: ""\nworkspace_id: 7\nuser_id: ann\ncreated: yesterday\nupdated: 2024-05-01T25:00\ndeleted: "nope"\nversion: 0\nname: w\nsteps:\n  - name: a\n${ok}`,
    [
      { path: 'uid', message: 'must be a non-empty string (got "")', line: 1 },
      { path: 'workspace_id', message: 'must be a non-empty string (got 7)', line: 2 },
      { path: 'user_id', message: 'must be an email address (got "ann")', line: 3 },
      {
        path: 'created',
        message:
          'must be a date-time, e.g. 2024-05-01T12:00:00Z or 2024-05-01T12:00:00.123456 (UTC) (got "yesterday")',
        line: 4,
      },
      {
        path: 'updated',
        message:
          'must be a date-time, e.g. 2024-05-01T12:00:00Z or 2024-05-01T12:00:00.123456 (UTC) (got "2024-05-01T25:00")',
        line: 5,
      },
      { path: 'deleted', message: 'must be true or false (got "nope")', line: 6 },
      { path: 'version', message: 'must be a positive integer (got 0)', line: 7 },
    ],
  ],
];

const STEP_RULES: Row[] = [
  [
    'a step is an object',
    'name: w\nsteps:\n  - just a string\n',
    [
      {
        path: 'steps[0]',
        message:
          'must be an object (a step with a name and an apispec, an action, a wait or a workflow) (got "just a string")',
        line: 3,
      },
    ],
  ],
  [
    'a step name is required',
    `name: w\nsteps:\n  - apispec: { url: "https://api.test" }\n`,
    [{ path: 'steps[0].name', message: 'is required', line: 3 }],
  ],
  [
    'a step name is any Unicode string (Mason), without control characters',
    `name: w\nsteps:\n  - name: get-customers\n${ok}  - name: "étape 1"\n${ok}  - name: "tab\\there"\n${ok}`,
    [
      {
        path: 'steps[2].name',
        message:
          'must not hold control characters (CR, LF, tab, NUL, ...), line or paragraph separators or bidirectional controls: the name is shown in logs, errors and the console (got "tab\\there")',
        line: 7,
      },
    ],
  ],
  [
    'a step name is not __proto__, which STEPS cannot hold (constructor and toString can)',
    `name: w\nsteps:\n  - name: __proto__\n${ok}  - name: constructor\n${ok}  - name: toString\n${ok}`,
    [
      {
        path: 'steps[0].name',
        message:
          'cannot be __proto__: JavaScript objects reserve that key, so STEPS.__proto__ could not hold the step; rename the step',
        line: 3,
      },
    ],
  ],
  [
    'a step name may start with a digit, and is a non-empty string',
    `name: w\nsteps:\n  - name: 2nd\n${ok}  - name: 7\n${ok}  - name: ""\n${ok}`,
    [
      {
        path: 'steps[1].name',
        message: 'must be a step name: a string of 1 to 200 characters (got 7)',
        line: 5,
      },
      {
        path: 'steps[2].name',
        message: 'must be a step name: a string of 1 to 200 characters (got "")',
        line: 7,
      },
    ],
  ],
  [
    'step names are unique, and the duplicate names the first one and its line',
    `name: w\nsteps:\n  - name: auth\n${ok}  - name: list\n${ok}  - name: auth\n${ok}`,
    [
      {
        path: 'steps[2].name',
        message: 'duplicate step name "auth", first used by steps[0] (line 3); step names must be unique',
        line: 7,
      },
    ],
  ],
  [
    'a step has an apispec or an action',
    'name: w\nsteps:\n  - name: a\n',
    [
      {
        path: 'steps[0]',
        message:
          'needs apispec (an HTTP call), action (a connector action, <connector>.<action>), wait (a wait, { seconds: 30 } or { until: "{{ INPUT.not_before }}" }) or workflow (a workflow to run, by name or uid)',
        line: 3,
      },
    ],
  ],
  [
    'a step has an apispec or an action, not both',
    `${one(ok)}    action: my_app.get_customer\n`,
    [
      {
        path: 'steps[0]',
        message: 'apispec and action cannot both be set: a step is either an HTTP call or a connector action',
        line: 3,
      },
    ],
  ],
  [
    'action is <connector>.<action>',
    `name: w\nsteps:\n  - name: a\n    action: get_customer\n  - name: b\n    action: my app.get\n  - name: c\n    action: 7\n`,
    [
      {
        path: 'steps[0].action',
        message: 'must be <connector>.<action>, e.g. my_app.get_customer_by_id (got "get_customer")',
        line: 4,
      },
      {
        path: 'steps[1].action',
        message: 'must be <connector>.<action>, e.g. my_app.get_customer_by_id (got "my app.get")',
        line: 6,
      },
      {
        path: 'steps[2].action',
        message: 'must be <connector>.<action>, e.g. my_app.get_customer_by_id (got 7)',
        line: 8,
      },
    ],
  ],
  [
    'connection goes only with action, and is a non-empty string',
    `${one(ok)}    connection: prod\n  - name: b\n    action: my_app.get\n    connection: ""\n`,
    [
      { path: 'steps[0].connection', message: 'is only allowed on a step with action', line: 5 },
      {
        path: 'steps[1].connection',
        message: 'must be a non-empty string: the name of a stored connection (got "")',
        line: 8,
      },
    ],
  ],
  [
    'retry goes only with apispec: an action retries as its connector says',
    'name: w\nsteps:\n  - name: a\n    action: my_app.get\n    retry: { total: 1 }\n',
    [{ path: 'steps[0].retry', message: 'is only allowed on a step with apispec', line: 5 }],
  ],
  [
    'the input of an action step is checked as a template',
    'name: w\nsteps:\n  - name: a\n    action: my_app.get\n    input: { id: "{{ INPUT.id" }\n',
    [
      {
        path: 'steps[0].input.id',
        message:
          'syntax error: unexpected end of input, expected end of variable block (at column 10 of the template)',
        line: 5,
      },
    ],
  ],
  [
    'apispec.url is required',
    one('    apispec:\n      method: get\n'),
    [{ path: 'steps[0].apispec.url', message: 'is required', line: 4 }],
  ],
  [
    'apispec.url is a string',
    one('    apispec:\n      url: 42\n'),
    [
      {
        path: 'steps[0].apispec.url',
        message: 'must be a non-empty string: an absolute http(s) URL, templates allowed (got 42)',
        line: 5,
      },
    ],
  ],
  [
    'apispec.url without templates is absolute http(s)',
    one('    apispec:\n      url: /v1/customers\n  - name: b\n    apispec: { url: "ftp://files.test/x" }\n'),
    [
      {
        path: 'steps[0].apispec.url',
        message: 'must be an absolute http or https URL, or a template (got "/v1/customers")',
        line: 5,
      },
      {
        path: 'steps[1].apispec.url',
        message: 'must be an absolute http or https URL, or a template (got "ftp://files.test/x")',
        line: 7,
      },
    ],
  ],
  [
    'apispec.method is an HTTP token',
    one('    apispec:\n      url: https://api.test\n      method: "GET ME"\n'),
    [
      {
        path: 'steps[0].apispec.method',
        message:
          'must be an HTTP method (letters, digits and !#$%&\'*+-.^_`|~ only), e.g. GET (got "GET ME")',
        line: 6,
      },
    ],
  ],
  [
    'data and json_body are not both set',
    one('    apispec:\n      url: https://api.test\n      data: { a: 1 }\n      json_body: { a: 1 }\n'),
    [
      {
        path: 'steps[0].apispec',
        message: 'data and json_body cannot both be set: data sends a form or raw body, json_body sends JSON',
        line: 4,
      },
    ],
  ],
  [
    'params, headers and data are objects or strings',
    one(
      '    apispec:\n      url: https://api.test\n      params: 3\n      headers: { X-A: { b: 1 } }\n      data: [1]\n',
    ),
    [
      {
        path: 'steps[0].apispec.params',
        message: 'must be an object of query parameters, or a template string (got 3)',
        line: 6,
      },
      {
        path: 'steps[0].apispec.headers.X-A',
        message: 'must be a string, number or boolean (got an object)',
        line: 7,
      },
      {
        path: 'steps[0].apispec.data',
        message: 'must be an object (sent form-encoded) or a string (sent as it is) (got a list)',
        line: 8,
      },
    ],
  ],
  [
    'header names are HTTP tokens (they are never templates)',
    one(
      '    apispec:\n      url: https://api.test\n      headers: { "X Trace": 1, "{{ INPUT.h }}": 2, X-Ok: 3 }\n',
    ),
    [
      {
        path: 'steps[0].apispec.headers["X Trace"]',
        message:
          'is not an HTTP header name: letters, digits and !#$%&\'*+-.^_`|~ only, e.g. X-Api-Key (got "X Trace")',
        line: 6,
      },
      {
        path: 'steps[0].apispec.headers["{{ INPUT.h }}"]',
        message:
          'is not an HTTP header name: letters, digits and !#$%&\'*+-.^_`|~ only, e.g. X-Api-Key (got "{{ INPUT.h }}")',
        line: 6,
      },
    ],
  ],
  [
    "header values hold no CR, LF, NUL or other control character, in a template's literal text too",
    one(
      [
        '    apispec:',
        '      url: https://api.test',
        '      headers:',
        '        X-Crlf: "a\\r\\nInjected: 1"',
        '        X-Nul: "a\\0"',
        '        X-Bell: "a\\a"',
        '        X-Euro: "\\u20ac"',
        '        X-Tpl: "Bearer {{ INPUT.token }}\\r\\nInjected: 1"',
        '        X-Block: |',
        '          Bearer {{ INPUT.token }}',
        '        X-Trim: "{{ INPUT.a -}}\\n {{ INPUT.b }}"',
        '        X-Latin1: "caf\\u00e9"',
        '        X-In-Tag: "{{ INPUT.a ~ \\"\\n\\" }}"',
        '',
      ].join('\n'),
    ),
    [
      {
        path: 'steps[0].apispec.headers.X-Crlf',
        message: 'contains a line break (CR or LF), which an HTTP header value cannot hold',
        line: 7,
      },
      {
        path: 'steps[0].apispec.headers.X-Nul',
        message: 'contains a NUL character, which an HTTP header value cannot hold',
        line: 8,
      },
      {
        path: 'steps[0].apispec.headers.X-Bell',
        message: 'contains the control character U+0007, which an HTTP header value cannot hold',
        line: 9,
      },
      {
        path: 'steps[0].apispec.headers.X-Euro',
        message: 'contains the character € (U+20AC, beyond Latin-1), which an HTTP header value cannot hold',
        line: 10,
      },
      {
        path: 'steps[0].apispec.headers.X-Tpl',
        message: 'contains a line break (CR or LF) outside {{ }}, which an HTTP header value cannot hold',
        line: 11,
      },
    ],
  ],
  [
    'timeout is a positive number',
    one(
      '    apispec:\n      url: https://api.test\n      timeout: 0\n  - name: b\n    apispec: { url: "https://api.test", timeout: "ten" }\n',
    ),
    [
      { path: 'steps[0].apispec.timeout', message: 'must be a positive number of seconds (got 0)', line: 6 },
      {
        path: 'steps[1].apispec.timeout',
        message: 'must be a positive number of seconds (got "ten")',
        line: 8,
      },
    ],
  ],
  [
    'concurrency is a positive integer',
    `${one(`${ok}    concurrency: 0\n`)}  - name: b\n${ok}    concurrency: 1.5\n`,
    [
      { path: 'steps[0].concurrency', message: 'must be a positive integer (got 0)', line: 5 },
      { path: 'steps[1].concurrency', message: 'must be a positive integer (got 1.5)', line: 8 },
    ],
  ],
  [
    'unknown step and apispec keys are rejected, saying where they belong',
    one(
      '    url: https://api.test\n    apispec:\n      url: https://api.test\n      body: {}\n      jsonBody: {}\n      cookies: {}\n',
    ),
    [
      { path: 'steps[0].url', message: 'unknown key: url belongs inside apispec', line: 4 },
      { path: 'steps[0].apispec.body', message: 'unknown key; did you mean "json_body"?', line: 7 },
      { path: 'steps[0].apispec.jsonBody', message: 'unknown key; did you mean "json_body"?', line: 8 },
      {
        path: 'steps[0].apispec.cookies',
        message: 'unknown key; expected one of: url, method, params, headers, data, json_body, timeout',
        line: 9,
      },
    ],
  ],
  [
    'templates parse',
    one(
      '    apispec:\n      url: "{{ SYSTEM_APIS.x }/v1"\n      json_body:\n        text: |\n          hi\n          {% if x %}\n',
    ),
    [
      {
        path: 'steps[0].apispec.url',
        message:
          'syntax error: unexpected `}`, expected end of variable block (at column 18 of the template)',
        line: 5,
      },
      {
        path: 'steps[0].apispec.json_body.text',
        message:
          'syntax error: unexpected end of input, expected end of block (at line 2, column 9 of the template)',
        line: 7,
      },
    ],
  ],
];

const RETRY_RULES: Row[] = [
  [
    'retry counters are non-negative integers, null or false',
    one(
      `${ok}    retry:\n      total: "three"\n      connect: -1\n      read: 1.5\n      status: false\n      other: true\n`,
    ),
    [
      {
        path: 'steps[0].retry.total',
        message: 'must be a non-negative integer, null or false (got "three")',
        line: 6,
      },
      {
        path: 'steps[0].retry.connect',
        message: 'must be a non-negative integer, null or false (got -1)',
        line: 7,
      },
      {
        path: 'steps[0].retry.read',
        message: 'must be a non-negative integer, null or false (got 1.5)',
        line: 8,
      },
      {
        path: 'steps[0].retry.status',
        message: 'must be a non-negative integer or null (got false)',
        line: 9,
      },
      {
        path: 'steps[0].retry.other',
        message: 'must be a non-negative integer or null (got true)',
        line: 10,
      },
    ],
  ],
  [
    'retry lists, seconds and flags are typed',
    one(
      `${ok}    retry:\n      allowed_methods: GET\n      status_forcelist: [429, 600]\n      backoff_factor: -0.5\n      backoff_max: .inf\n      raise_on_status: "sure"\n      remove_headers_on_redirect: Cookie\n`,
    ),
    [
      {
        path: 'steps[0].retry.allowed_methods',
        message: 'must be a list of method names, or null (got "GET")',
        line: 6,
      },
      {
        path: 'steps[0].retry.status_forcelist[1]',
        message: 'must be an HTTP status from 100 to 599 (got 600)',
        line: 7,
      },
      {
        path: 'steps[0].retry.backoff_factor',
        message: 'must be a non-negative number of seconds (got -0.5)',
        line: 8,
      },
      {
        path: 'steps[0].retry.backoff_max',
        message: 'must be a non-negative number of seconds (got Infinity)',
        line: 9,
      },
      { path: 'steps[0].retry.raise_on_status', message: 'must be true or false (got "sure")', line: 10 },
      {
        path: 'steps[0].retry.remove_headers_on_redirect',
        message: 'must be a list of header names (got "Cookie")',
        line: 11,
      },
    ],
  ],
  [
    'unknown retry keys are rejected, with a did-you-mean',
    `name: w\ndefault_retry:\n  totl: 3\n  max_retries: 2\n  jitter: 1\nsteps:\n  - name: a\n${ok}`,
    [
      { path: 'default_retry.totl', message: 'unknown key; did you mean "total"?', line: 3 },
      { path: 'default_retry.max_retries', message: 'unknown key; did you mean "total"?', line: 4 },
      {
        path: 'default_retry.jitter',
        message:
          'unknown key; expected one of: total, connect, read, redirect, status, other, allowed_methods, status_forcelist, backoff_factor, backoff_max, backoff_jitter, raise_on_redirect, raise_on_status, respect_retry_after_header, remove_headers_on_redirect, retry_after_max',
        line: 5,
      },
    ],
  ],
  [
    'default_retry follows the same rules',
    `name: w\ndefault_retry: { total: 3, backoff_factor: fast }\nsteps:\n  - name: a\n${ok}`,
    [
      {
        path: 'default_retry.backoff_factor',
        message: 'must be a non-negative number of seconds (got "fast")',
        line: 2,
      },
    ],
  ],
  [
    'a retry block is an object',
    one(`${ok}    retry: 3\n`),
    [
      {
        path: 'steps[0].retry',
        message: 'must be an object of retry options (urllib3 Retry fields) (got 3)',
        line: 5,
      },
    ],
  ],
];

/** A YAML workflow with one HTTP step and the given `trigger:` block. */
const triggered = (trigger: string) => `name: w\ntrigger:\n${trigger}steps:\n  - name: a\n${ok}`;

const TRIGGER_RULES: Row[] = [
  [
    'a trigger has exactly one kind',
    triggered('  schedule: { cron: "* * * * *" }\n  webhook: {}\n'),
    [
      {
        path: 'trigger',
        message: 'must hold exactly one of schedule, webhook, poll or connector_webhook',
        line: 2,
      },
    ],
  ],
  [
    'a trigger has no other kinds',
    `name: w\ntrigger: { cron: "* * * * *" }\nsteps:\n  - name: a\n${ok}`,
    [
      {
        path: 'trigger.cron',
        message: 'unknown key; expected one of: schedule, webhook, poll, connector_webhook',
        line: 2,
      },
    ],
  ],
  [
    'an empty trigger is rejected',
    `name: w\ntrigger: {}\nsteps:\n  - name: a\n${ok}`,
    [
      {
        path: 'trigger',
        message: 'must hold exactly one of schedule, webhook, poll or connector_webhook',
        line: 2,
      },
    ],
  ],
  [
    'trigger is an object',
    `name: w\ntrigger: daily\nsteps:\n  - name: a\n${ok}`,
    [
      {
        path: 'trigger',
        message: 'must hold exactly one of schedule, webhook, poll or connector_webhook (got "daily")',
        line: 2,
      },
    ],
  ],
  [
    'schedule.cron is required',
    triggered('  schedule: { timezone: UTC }\n'),
    [{ path: 'trigger.schedule.cron', message: 'is required', line: 3 }],
  ],
  [
    'schedule.cron parses with croner',
    triggered('  schedule:\n    cron: "61 * * * *"\n'),
    [
      {
        path: 'trigger.schedule.cron',
        message: 'is not a valid cron expression: invalid value for minute: 61 (got "61 * * * *")',
        line: 4,
      },
    ],
  ],
  [
    'schedule.cron has five or six fields',
    triggered('  schedule:\n    cron: every day\n'),
    [
      {
        path: 'trigger.schedule.cron',
        message:
          'is not a valid cron expression: invalid configuration format (\'every day\'), exactly five or six space separated parts are required. (got "every day")',
        line: 4,
      },
    ],
  ],
  [
    'schedule.cron matches some time',
    triggered('  schedule:\n    cron: "0 0 31 2 *"\n'),
    [
      {
        path: 'trigger.schedule.cron',
        message: 'never matches a time (got "0 0 31 2 *"); check the day and month fields',
        line: 4,
      },
    ],
  ],
  [
    'schedule.cron is a string',
    triggered('  schedule:\n    cron: 5\n'),
    [
      {
        path: 'trigger.schedule.cron',
        message: 'must be a cron expression string, e.g. "0 9 * * MON-FRI" (got 5)',
        line: 4,
      },
    ],
  ],
  [
    'schedule.timezone is an IANA time zone',
    triggered('  schedule:\n    cron: "0 9 * * *"\n    timezone: Mars/Olympus\n'),
    [
      {
        path: 'trigger.schedule.timezone',
        message: 'is not a known IANA time zone, e.g. UTC or Europe/Paris (got "Mars/Olympus")',
        line: 5,
      },
    ],
  ],
  [
    'unknown schedule keys are rejected, with a did-you-mean',
    triggered('  schedule:\n    cron: "0 9 * * *"\n    tz: UTC\n    timeZone: UTC\n'),
    [
      {
        path: 'trigger.schedule.tz',
        message: 'unknown key; expected one of: cron, timezone, input',
        line: 5,
      },
      { path: 'trigger.schedule.timeZone', message: 'unknown key; did you mean "timezone"?', line: 6 },
    ],
  ],
  [
    'webhook.hmac_header is a header name',
    triggered('  webhook:\n    hmac_header: "X Signature"\n'),
    [
      {
        path: 'trigger.webhook.hmac_header',
        message:
          'must be a header name (letters, digits and !#$%&\'*+-.^_`|~ only), e.g. X-Signature (got "X Signature")',
        line: 4,
      },
    ],
  ],
  [
    'webhook takes options or nothing',
    triggered('  webhook: true\n'),
    [
      {
        path: 'trigger.webhook',
        message: 'must be an object of webhook options (hmac_header), or {} for none (got true)',
        line: 3,
      },
    ],
  ],
  [
    'poll names a connector and a trigger',
    triggered('  poll:\n    connection: prod\n'),
    [
      { path: 'trigger.poll.connector', message: 'is required', line: 3 },
      { path: 'trigger.poll.trigger', message: 'is required', line: 3 },
    ],
  ],
  [
    'poll.connector and poll.trigger are names',
    triggered('  poll:\n    connector: my app\n    trigger: new.customers\n'),
    [
      {
        path: 'trigger.poll.connector',
        message: 'must be a connector name (ASCII letters, digits, _ and -) (got "my app")',
        line: 4,
      },
      {
        path: 'trigger.poll.trigger',
        message: 'must be a trigger name (ASCII letters, digits, _ and -) (got "new.customers")',
        line: 5,
      },
    ],
  ],
  [
    'poll.interval is at least 1 second',
    triggered('  poll:\n    connector: my_app\n    trigger: new_customers\n    interval: 0.5\n'),
    [
      {
        path: 'trigger.poll.interval',
        message: 'must be a number of seconds, at least 1 (got 0.5)',
        line: 6,
      },
    ],
  ],
];

describe('parseWorkflow', () => {
  describe.each([
    ['the workflow', WORKFLOW_RULES],
    ['a step', STEP_RULES],
    ['retry settings', RETRY_RULES],
    ['the trigger', TRIGGER_RULES],
  ])('rules of %s', (_group, rows) => {
    it.each(rows)('%s', async (_rule, text, problems) => {
      expect(await problemsOf(text)).toEqual(problems);
    });
  });

  it('collects every problem of a document at once, sorted by line', async () => {
    const text = [
      'name: w',
      'scope: everyone',
      'steps:',
      '  - name: a',
      '    apispec: { url: /x, method: "G T" }',
      '    retry: { total: -1 }',
      '  - name: a',
      '    apispec: { url: "https://api.test" }',
      '',
    ].join('\n');
    const problems = await problemsOf(text);
    expect(problems.map((p) => `${p.line} ${p.path}`)).toEqual([
      '2 scope',
      '5 steps[0].apispec.method',
      '5 steps[0].apispec.url',
      '6 steps[0].retry.total',
      '7 steps[1].name',
    ]);
  });

  it('prints each problem as path: message (line N), after the file name', async () => {
    const text = one(`${ok}    retry: { total: "three" }\n`);
    const err = await (async () => {
      try {
        await parseWorkflow(text, { file: 'flow.yaml' });
      } catch (e) {
        return e;
      }
    })();
    expect(isSluiceError(err, 'SLUICE_WORKFLOW_INVALID')).toBe(true);
    expect((err as WorkflowParseError).message).toBe(
      'flow.yaml: steps[0].retry.total: must be a non-negative integer, null or false (got "three") (line 5)',
    );
    expect((err as WorkflowParseError).hint).toMatch(/docs\/workflows\.md/);
    expect((err as WorkflowParseError).file).toBe('flow.yaml');
  });
});
