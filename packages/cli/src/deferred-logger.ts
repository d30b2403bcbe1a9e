/**
 * A logger whose target is set later: `sluice serve` hands it to `createEngine` before the API (and
 * Fastify's pino, which the engine's lines should share) exists. Lines before the target is set are
 * dropped; children made before then bind their fields once it is.
 *
 * @module
 */
import { type LogFn, type Logger, silentLogger } from '@sluice/sdk';

type Level = 'debug' | 'info' | 'warn' | 'error';

/** The logger to hand over now, and `use` to point it (and its children) at the real one. */
export interface DeferredLogger {
  logger: Logger;
  use(target: Logger): void;
}

/** Creates a {@link DeferredLogger}, silent until `use` is called. */
export function createDeferredLogger(): DeferredLogger {
  let target: Logger | undefined;
  const make = (bindings: readonly Record<string, unknown>[]): Logger => {
    let bound: { from: Logger; to: Logger } | undefined;
    const current = (): Logger => {
      if (target === undefined) return silentLogger;
      if (bound?.from !== target) {
        bound = { from: target, to: bindings.reduce((logger, b) => logger.child(b), target) };
      }
      return bound.to;
    };
    const method =
      (level: Level): LogFn =>
      (first: Record<string, unknown> | string, message?: string) => {
        if (typeof first === 'string') current()[level](first);
        else current()[level](first, message);
      };
    return {
      debug: method('debug'),
      info: method('info'),
      warn: method('warn'),
      error: method('error'),
      child: (more) => make([...bindings, more]),
      isLevelEnabled: (level) => target !== undefined && (current().isLevelEnabled?.(level) ?? true),
    };
  };
  return {
    logger: make([]),
    use(logger) {
      target = logger;
    },
  };
}
