/**
 * A logger wrapper that redacts every line before it reaches the injected logger: the bindings (deep,
 * secret keys replaced) and the message.
 *
 * A line of a level the logger does not write is dropped before it is redacted: a step logs each request
 * and response at `debug`, and redacting those for a service logging at `info` cost a walk of the
 * headers per call (issue 14). The level is asked at each line, so a level changed at run time applies.
 *
 * @module
 */
import type { LogFn, Logger } from '@sluice/sdk';
import type { Redactor } from './redactor.js';

type Level = 'debug' | 'info' | 'warn' | 'error';

/** Wraps `logger` so that `redactor` runs over every line; `child()` bindings are redacted too. */
export function redactingLogger(logger: Logger, redactor: () => Redactor): Logger {
  const writes =
    logger.isLevelEnabled === undefined
      ? () => true
      : (level: Level) => (logger.isLevelEnabled as (level: Level) => boolean).call(logger, level);
  const wrap = (level: Level): LogFn => {
    const log = logger[level].bind(logger);
    return (first: Record<string, unknown> | string, message?: string) => {
      if (!writes(level)) return;
      const redact = redactor();
      if (typeof first === 'string') log(redact.text(first));
      else if (message === undefined) log(redact.value(first));
      else log(redact.value(first), redact.text(message));
    };
  };
  return {
    debug: wrap('debug'),
    info: wrap('info'),
    warn: wrap('warn'),
    error: wrap('error'),
    child: (bindings) => redactingLogger(logger.child(redactor().value(bindings)), redactor),
    isLevelEnabled: writes,
  };
}
