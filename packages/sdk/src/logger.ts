/**
 * The logger the SDK accepts: pino-compatible, object first and message second. The SDK is silent
 * unless a logger is passed in.
 *
 * @module
 */

/** One log method: `log({ url }, 'sending')` or `log('message')`. */
export interface LogFn {
  (bindings: Record<string, unknown>, message?: string): void;
  (message: string): void;
}

/** A pino-compatible logger. */
export interface Logger {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  /** A logger that adds `bindings` to every line. */
  child(bindings: Record<string, unknown>): Logger;
  /** Whether lines of `level` are written (pino has it); lets callers skip building costly log lines. */
  isLevelEnabled?(level: 'debug' | 'info' | 'warn' | 'error'): boolean;
}

/** Whether `logger` writes debug lines: false for {@link silentLogger}, else as `isLevelEnabled` says. */
export function logsDebug(logger: Logger): boolean {
  return logger !== silentLogger && (logger.isLevelEnabled?.('debug') ?? true);
}

const noop: LogFn = () => {};

/** The default: a logger that writes nothing. */
export const silentLogger: Logger = Object.freeze({
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
  child: () => silentLogger,
  isLevelEnabled: () => false,
});
