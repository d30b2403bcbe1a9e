/**
 * Holds the log lines of the requests `acquire` and `refresh` send until they finish. Their responses
 * carry the credentials being acquired (a session id in a login response), which become secrets only
 * once merged into the connection; released afterwards, the lines reach a logger that masks at write
 * time (`sluice exec --verbose`) with those values already known.
 *
 * @module
 */
import type { LogFn, Logger } from '../logger.js';

/** A logger whose lines wait for {@link HeldLogger.release}. */
export interface HeldLogger {
  readonly logger: Logger | undefined;
  /** Writes the held lines to the target, in order. */
  release(): void;
}

/** Wraps `target` (none: nothing to hold). */
export function holdLogger(target: Logger | undefined): HeldLogger {
  if (target === undefined) return { logger: undefined, release: () => {} };
  let held: (() => void)[] = [];
  const wrap = (to: () => Logger): Logger => {
    const level = (name: 'debug' | 'info' | 'warn' | 'error'): LogFn =>
      ((...args: unknown[]) => {
        held.push(() => (to()[name] as (...a: unknown[]) => void)(...args));
      }) as LogFn;
    return {
      debug: level('debug'),
      info: level('info'),
      warn: level('warn'),
      error: level('error'),
      child: (bindings) => wrap(() => to().child(bindings)),
      isLevelEnabled: (name) => to().isLevelEnabled?.(name) ?? true,
    };
  };
  return {
    logger: wrap(() => target),
    release() {
      const lines = held;
      held = [];
      for (const line of lines) line();
    },
  };
}
