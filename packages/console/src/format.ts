/** How times, durations and values read on screen. */

/** `1.2 s`, `340 ms`, `2 min 5 s`. */
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || Number.isNaN(ms)) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return minutes < 60 ? `${minutes} min ${seconds} s` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** The time of day for today, else date and time, in the browser's zone. */
export function when(iso: string | null | undefined): string {
  if (iso === null || iso === undefined) return '–';
  const date = new Date(iso);
  const today = new Date().toDateString() === date.toDateString();
  return today
    ? date.toLocaleTimeString(undefined, { hour12: false })
    : date.toLocaleString(undefined, { hour12: false });
}

/**
 * The full time for a hover: date, time and zone in the browser's zone, then the UTC ISO time, like
 * `7 Dec 2026, 14:37:10 CET (Europe/Paris) · 2026-12-07T13:37:10.000Z`.
 */
export function absolute(iso: string | null | undefined): string {
  if (iso === null || iso === undefined) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const local = date.toLocaleString(undefined, {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false,
    timeZoneName: 'short',
  });
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return `${local} (${zone}) · ${date.toISOString()}`;
}

/** `3 s ago`, `5 min ago`, `in 2 min`. */
export function relative(iso: string | null | undefined, now = Date.now()): string {
  if (iso === null || iso === undefined) return '–';
  const delta = new Date(iso).getTime() - now;
  const abs = Math.abs(delta);
  if (abs < 1000) return 'just now';
  // Whole seconds under a minute: "12 s ago", not "12.3 s ago".
  const text = abs < 60_000 ? `${Math.round(abs / 1000)} s` : duration(abs);
  return delta > 0 ? `in ${text}` : `${text} ago`;
}

/** Milliseconds between two ISO times (`to` defaults to now). */
export function between(from: string | null, to: string | null): number | null {
  if (from === null) return null;
  return (to === null ? Date.now() : new Date(to).getTime()) - new Date(from).getTime();
}

/** A value as indented JSON; strings as they are. */
export function pretty(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value;
  return JSON.stringify(value, null, 2);
}

/** The first `max` characters of `text`, with an ellipsis when cut. */
export function cut(text: string, max = 120): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
