/**
 * One log line when a dependency (the store, Redis) stops answering and one when it answers again,
 * however many operations fail in between, so an outage of minutes is two lines, not thousands.
 *
 * @internal
 * @module
 */
import type { Logger } from '@sluice/sdk';
import { describe } from '../driver-errors.js';

/** The messages of one dependency. */
export interface OutageMessages {
  /** Logged (warn) on the first failure: `<down>: <reason>`. */
  down: string;
  /** Logged (warn, so it shows wherever the outage did) on the first success after a failure. */
  up: string;
}

/** Tracks whether a dependency is reachable and logs each change once. */
export class OutageLog {
  readonly #logger: Logger;
  readonly #messages: OutageMessages;
  readonly #onChange: (down: boolean) => void;
  #down = false;

  constructor(logger: Logger, messages: OutageMessages, onChange: (down: boolean) => void = () => {}) {
    this.#logger = logger;
    this.#messages = messages;
    this.#onChange = onChange;
  }

  /** True between a failure and the next success. */
  get down(): boolean {
    return this.#down;
  }

  /** An operation failed with `err`: logs and reports the outage if it is the first failure. */
  failed(err: unknown): void {
    if (this.#down) return;
    this.#down = true;
    const reason = describe(err);
    this.#logger.warn({ reason }, `${this.#messages.down}: ${reason}`);
    this.#onChange(true);
  }

  /** An operation succeeded: logs and reports the recovery if an outage was on. */
  succeeded(): void {
    if (!this.#down) return;
    this.#down = false;
    this.#logger.warn({}, this.#messages.up);
    this.#onChange(false);
  }
}
