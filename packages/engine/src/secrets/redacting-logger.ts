/**
 * A logger wrapper that redacts every line before it reaches the injected logger: the bindings (deep,
 * secret keys replaced) and the message.
 *
 * @module
 */
import type { LogFn, Logger } from '@sluice/sdk';
import type { Redactor } from './redactor.js';

/** Wraps `logger` so that `redactor` runs over every line; `child()` bindings are redacted too. */
export function redactingLogger(logger: Logger, redactor: () => Redactor): Logger {
  const wrap =
    (log: LogFn): LogFn =>
    (first: Record<string, unknown> | string, message?: string) => {
      const redact = redactor();
      if (typeof first === 'string') log(redact.text(first));
      else if (message === undefined) log(redact.value(first));
      else log(redact.value(first), redact.text(message));
    };
  return {
    debug: wrap(logger.debug.bind(logger)),
    info: wrap(logger.info.bind(logger)),
    warn: wrap(logger.warn.bind(logger)),
    error: wrap(logger.error.bind(logger)),
    child: (bindings) => redactingLogger(logger.child(redactor().value(bindings)), redactor),
  };
}
