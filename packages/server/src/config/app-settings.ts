/**
 * The settings of a connector service (`app_settings` in `app_config.yaml`): their types, their defaults,
 * and the JSON Schema that checks them (unknown keys are errors, so a typo is caught).
 *
 * @module
 */

/** How much the server logs (pino levels). */
export type LogLevel = 'silent' | 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/** Where the service runs: `stack_trace` is sent in error responses in `dev` only. */
export type Environment = 'dev' | 'stage' | 'prod';

/** The environments `ENVIRONMENT` accepts. */
export const ENVIRONMENTS: readonly Environment[] = ['dev', 'stage', 'prod'];

/** The levels `log_level` accepts. */
export const LOG_LEVELS: readonly LogLevel[] = ['silent', 'fatal', 'error', 'warn', 'info', 'debug', 'trace'];

/** `app_settings` of `app_config.yaml`, after defaults. Names are the file's (snake_case). */
export interface AppSettings {
  /** A free-form kind of service, shown by `GET /app-config`. @default 'connector' */
  app_type: string;
  /** The service name: the OpenAPI title. @default 'Sluice service' */
  app_name: string;
  /** The OpenAPI description. @default '' */
  app_description: string;
  /** The app's icon, as workflows-cdk projects set it; shown by `GET /app-config`. @default null */
  app_icon_svg_url: string | null;
  /** Errors are reported to Sentry when set. A secret: `GET /app-config` leaves it out. @default null */
  sentry_dsn: string | null;
  /** Origins allowed by CORS (`["*"]` for any). Empty turns CORS off. @default [] */
  cors_origins: string[];
  /** The folder of the route files, relative to the project. @default 'routes' */
  routes_directory: string;
  /** Log at `debug` level when `log_level` is not set. @default false */
  debug: boolean;
  /** @default '127.0.0.1' */
  host: string;
  /** `0` picks a free port. @default 2005 */
  port: number;
  /** @default 'debug' when `debug` is true, else 'silent' */
  log_level: LogLevel;
}

/** The setting names, in the order they are documented. */
export const SETTING_KEYS = [
  'app_type',
  'app_name',
  'app_description',
  'app_icon_svg_url',
  'sentry_dsn',
  'cors_origins',
  'routes_directory',
  'debug',
  'host',
  'port',
  'log_level',
] as const satisfies readonly (keyof AppSettings)[];

/** The defaults of every setting but `log_level`, which follows `debug`. */
export const DEFAULT_APP_SETTINGS: Readonly<Omit<AppSettings, 'log_level'>> = Object.freeze({
  app_type: 'connector',
  app_name: 'Sluice service',
  app_description: '',
  app_icon_svg_url: null,
  sentry_dsn: null,
  cors_origins: [],
  routes_directory: 'routes',
  debug: false,
  host: '127.0.0.1',
  port: 2005,
});

/** JSON Schema of `app_settings` (values as YAML gives them; `cors_origins` may be one string). */
export const APP_SETTINGS_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    app_type: { type: 'string' },
    app_name: { type: 'string' },
    app_description: { type: 'string' },
    app_icon_svg_url: { anyOf: [{ type: 'null' }, { type: 'string' }] },
    sentry_dsn: {
      anyOf: [
        { type: 'null' },
        { type: 'string', maxLength: 0 },
        { type: 'string', pattern: '^https?://[^@/\\s]+@[^/\\s]+/\\S*[^/\\s]$' },
      ],
    },
    cors_origins: {
      anyOf: [{ type: 'array', items: { type: 'string', minLength: 1 } }, { type: 'string' }],
    },
    routes_directory: { type: 'string', minLength: 1 },
    debug: { type: 'boolean' },
    host: { type: 'string', minLength: 1 },
    port: { type: 'integer', minimum: 0, maximum: 65535 },
    log_level: { enum: LOG_LEVELS },
  },
} as const;

/**
 * Keys workflows-cdk reads in `app_config.yaml` that are not settings here: the other names of
 * `routes_directory` (`routes_directory_path` wins over `routes_directory`, then `routes_dir`, then
 * `routes_path`, as there), and `automatically_register_schema_routes`, accepted and not acted on (the
 * schema routes are always served).
 */
export const ROUTES_DIRECTORY_ALIASES = ['routes_directory_path', 'routes_dir', 'routes_path'] as const;

/** The keys accepted in each section of `app_config.yaml`. */
export const FILE_SETTING_KEYS: readonly string[] = [
  ...SETTING_KEYS,
  ...ROUTES_DIRECTORY_ALIASES,
  'automatically_register_schema_routes',
];

/**
 * The sections of `app_config.yaml`: `app_settings` describes the app; `local_development_settings`
 * (workflows-cdk's) holds what running it needs, and its values win over `app_settings` (but a non-empty
 * `sentry_dsn` of `app_settings` wins, as in workflows-cdk).
 */
export const CONFIG_SECTIONS = ['app_settings', 'local_development_settings'] as const;

const FILE_SECTION_SCHEMA = {
  type: ['object', 'null'],
  additionalProperties: false,
  properties: {
    ...APP_SETTINGS_SCHEMA.properties,
    routes_directory_path: { type: 'string', minLength: 1 },
    routes_dir: { type: 'string', minLength: 1 },
    routes_path: { type: 'string', minLength: 1 },
    automatically_register_schema_routes: { type: 'boolean' },
  },
} as const;

/** JSON Schema of the whole `app_config.yaml`, once keys nobody knows are set aside (they are warnings). */
export const CONFIG_FILE_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: { app_settings: FILE_SECTION_SCHEMA, local_development_settings: FILE_SECTION_SCHEMA },
} as const;

/** What each setting accepts, for hints. */
export const SETTING_HINTS: Readonly<Record<keyof AppSettings, string>> = {
  app_type: 'a string',
  app_name: 'a string',
  app_description: 'a string',
  app_icon_svg_url: 'a URL',
  sentry_dsn: 'a Sentry DSN such as https://<key>@o0.ingest.sentry.io/<project>, or empty',
  cors_origins: 'a list of origins such as ["https://app.example.com"], or ["*"]',
  routes_directory: 'a folder name, relative to the project',
  debug: 'true or false',
  host: 'a host name or IP address, such as 127.0.0.1 or 0.0.0.0',
  port: 'an integer from 0 to 65535',
  log_level: LOG_LEVELS.join(', '),
};
