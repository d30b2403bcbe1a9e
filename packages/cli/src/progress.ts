/**
 * Progress of a workflow run for `sluice run`: on a terminal, one line per step with a spinner while
 * it runs, rewritten in place when it ends; elsewhere, one plain line per step as it ends.
 *
 * @module
 */
import type { RunEvent } from '@sluice/engine';

/** Options of {@link createProgress}. */
export interface ProgressOptions {
  write: (text: string) => void;
  /** Rewrite lines in place with a spinner. */
  tty: boolean;
  /** The settings file the run read (`sluice.yaml`), named in the run's first line. */
  settings?: string;
  /** Spinner frame interval, in ms. @default 80 */
  intervalMs?: number;
}

/** Receives run events; `stop()` ends the spinner. */
export interface Progress {
  onEvent(event: RunEvent): void;
  stop(): void;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** Builds the progress display of one run. */
export function createProgress(options: ProgressOptions): Progress {
  const { write, tty } = options;
  let timer: NodeJS.Timeout | undefined;
  let frame = 0;
  let current: { step: string; items: number; done: number } | undefined;
  /** While the run sleeps through a long wait: when it ends (epoch ms), for the countdown. */
  let waitingUntil: number | undefined;
  const countdown = () => {
    if (waitingUntil === undefined) return '';
    const left = Math.max(0, Math.ceil((waitingUntil - Date.now()) / 1000));
    return `, waiting until ${new Date(waitingUntil).toISOString()}: ${left} s left`;
  };
  const label = () =>
    current === undefined
      ? ''
      : `${current.step}${current.items > 1 || current.done > 0 ? ` (${current.done}/${current.items} items)` : ''}${countdown()}`;
  const draw = () => {
    if (current !== undefined) write(`\r\x1b[2K${FRAMES[frame++ % FRAMES.length]} ${label()}`);
  };
  const stopTimer = () => {
    if (timer !== undefined) clearInterval(timer);
    timer = undefined;
  };

  return {
    onEvent(event) {
      switch (event.type) {
        case 'run-started':
          write(
            `run ${event.runId} of ${event.workflow}: ${event.steps} step(s)${options.settings === undefined ? '' : `, settings from ${options.settings}`}\n`,
          );
          break;
        case 'step-started':
          current = { step: event.step, items: event.fannedOut ? event.items : 1, done: 0 };
          if (tty) {
            draw();
            timer = setInterval(draw, options.intervalMs ?? 80);
            timer.unref();
          }
          break;
        case 'item-finished':
          if (current !== undefined) current.done += 1;
          break;
        case 'step-finished': {
          stopTimer();
          const mark = event.status === 'succeeded' ? (tty ? '✔' : 'ok') : tty ? '✖' : event.status;
          const attempts = `${event.attempts} attempt${event.attempts === 1 ? '' : 's'}`;
          const items = current !== undefined && current.items > 1 ? `, ${current.items} items` : '';
          const why = event.error === null ? '' : `: ${event.error.message.split('\n')[0]}`;
          const line = `${mark} ${event.step} (${attempts}${items}, ${event.durationMs} ms)${why}`;
          write(tty ? `\r\x1b[2K${line}\n` : `${line}\n`);
          current = undefined;
          break;
        }
        case 'run-waiting':
          waitingUntil = event.until === null ? undefined : Date.parse(event.until);
          // Elsewhere than a terminal, one line when the wait starts (none counting down).
          if (!tty && event.until !== null) write(`… waiting until ${event.until}\n`);
          break;
        case 'run-finished':
          stopTimer();
          write(`run ${event.runId} ${event.status} in ${event.durationMs} ms\n`);
          break;
      }
    },
    stop() {
      stopTimer();
      if (tty && current !== undefined) write('\r\x1b[2K');
    },
  };
}
