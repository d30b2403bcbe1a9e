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
}

const noop: LogFn = () => {};

/** The default: a logger that writes nothing. */
export const silentLogger: Logger = Object.freeze({
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
  child: () => silentLogger,
});
