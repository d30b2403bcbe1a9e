/**
 * How the router logs: pino at the configured level, a line per request at `debug` (Fastify logs them at
 * `info`), and redaction of the secrets a log line can actually hold.
 *
 * @module
 */
import {
  type FastifyBaseLogger,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
  LogController,
} from 'fastify';
import type { LogLevel } from '../config/app-settings.js';

/**
 * What pino redacts: request headers a handler logs as `{ headers: request.headers }`. Fastify's own
 * request lines never hold headers (its `req` serializer keeps the method, URL, host and remote address),
 * so no path under `req` could ever match; pino runs a redaction only on lines with a `headers` key.
 */
const REDACTED_PATHS: readonly string[] = ['headers.authorization', 'headers.cookie'];

/** The level the per-request lines (`incoming request`, `request completed`) are written at. */
const REQUEST_LOG_LEVEL = 'debug';

type Logger = FastifyBaseLogger & { isLevelEnabled?: (level: string) => boolean };

/** Whether `log` writes `debug` lines (a logger without `isLevelEnabled` is asked each time). */
const logsRequests = (log: Logger): boolean => log.isLevelEnabled?.(REQUEST_LOG_LEVEL) ?? true;

/**
 * Fastify's log lines, with the two per-request lines moved from `info` to `debug`: a service logging at
 * `info` writes its start-up lines, warnings and errors, not two lines per request. The other lines
 * (`request errored`, stream and serializer errors, ...) keep Fastify's levels.
 */
class RequestLogController extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    const log: Logger = request.log;
    if (logsRequests(log)) log.debug({ req: request }, 'incoming request');
  }

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    if (error) {
      super.requestCompleted(error, request, reply);
      return;
    }
    const log: Logger = reply.log;
    if (logsRequests(log)) log.debug({ res: reply, responseTime: reply.elapsedTime }, 'request completed');
  }
}

/**
 * The Fastify options that set up logging. `logger`: `false` for none, `true` for pino at `level` (at
 * `info` when `level` is `silent`), a logger of the caller's own, or `undefined` for pino at `level`
 * (none when `silent`).
 */
export function loggingOptions(
  logger: boolean | FastifyBaseLogger | undefined,
  level: LogLevel,
): Pick<FastifyServerOptions, 'logger' | 'loggerInstance' | 'logController'> {
  if (typeof logger === 'object')
    return { loggerInstance: logger, logController: new RequestLogController() };
  if (logger === false || (logger === undefined && level === 'silent')) {
    return { logger: false, logController: new LogController({ disableRequestLogging: true }) };
  }
  return {
    logger: { level: level === 'silent' ? 'info' : level, redact: [...REDACTED_PATHS] },
    logController: new RequestLogController(),
  };
}
