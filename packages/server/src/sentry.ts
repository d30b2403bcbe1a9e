/**
 * Error reporting to Sentry. `@sentry/node` is heavy, so it is imported only when a DSN is configured.
 * The router gets its own Sentry client and scope (nothing global is installed: no process handlers, no
 * HTTP instrumentation), and events never carry request bodies, cookies or headers.
 *
 * @module
 */
import type { Environment } from './config/app-settings.js';

/** Tags of a reported error. */
export interface ErrorTags {
  readonly route: string;
  readonly module: string;
  readonly version: string;
  readonly method: string;
  readonly status_code: string;
}

/** Where the router sends errors. */
export interface ErrorReporter {
  /** Sends `err` with `tags` (plus `environment`); never throws. */
  report(err: unknown, tags: ErrorTags, level: 'error' | 'warning'): void;
  /** Waits until queued events are sent, at most `timeoutMs`. */
  flush(timeoutMs?: number): Promise<boolean>;
  close(timeoutMs?: number): Promise<void>;
}

/** What {@link createSentryReporter} takes. */
export interface SentryReporterOptions {
  readonly dsn: string;
  readonly environment: Environment;
  /** Shown as the event's server name. @default the app name */
  readonly serverName?: string | undefined;
}

/** Loads `@sentry/node` and builds a reporter on a client of its own. */
export async function createSentryReporter(options: SentryReporterOptions): Promise<ErrorReporter> {
  const Sentry = await import('@sentry/node');
  const integrations = [Sentry.linkedErrorsIntegration()];
  const client = new Sentry.NodeClient({
    dsn: options.dsn,
    environment: options.environment,
    serverName: options.serverName,
    transport: Sentry.makeNodeTransport,
    stackParser: Sentry.defaultStackParser,
    integrations,
    sendClientReports: false,
    enableRuntimeChannelInjection: false,
    beforeSend(event) {
      // Request bodies may hold connection secrets: never send them (nor cookies or headers).
      if (event.request !== undefined) {
        const { data: _data, cookies: _cookies, headers: _headers, ...rest } = event.request;
        event.request = rest;
      }
      return event;
    },
  });
  const scope = new Sentry.Scope();
  scope.setClient(client);
  scope.setTag('environment', options.environment);
  client.init();
  return {
    report(err, tags, level) {
      try {
        const local = scope.clone();
        local.setTags({ ...tags, environment: options.environment });
        local.setLevel(level);
        local.addEventProcessor((event) => ({
          ...event,
          request: { method: tags.method, url: tags.route },
        }));
        local.captureException(err);
      } catch {
        // Reporting must never break a response.
      }
    },
    flush: async (timeoutMs = 2000) => client.flush(timeoutMs),
    async close(timeoutMs = 2000) {
      await client.close(timeoutMs);
    },
  };
}
