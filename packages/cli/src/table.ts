/**
 * What the service commands print for people: aligned columns ({@link formatTable}), times with their
 * date ({@link formatTime}), durations ({@link formatDuration}). Pure.
 *
 * @module
 */

/**
 * Columns padded to their widest cell, two spaces apart, the header first; the last column is not
 * padded and no line ends in spaces. A cell's line breaks print as spaces, so a row stays one line.
 *
 * @example
 * formatTable(['NAME', 'STATUS'], [['fetch', 'succeeded']]);
 * // NAME   STATUS
 * // fetch  succeeded
 */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const clean = [header, ...rows].map((row) => header.map((_, i) => oneLine(row[i] ?? '')));
  const widths = header.map((_, i) => Math.max(...clean.map((row) => (row[i] as string).length)));
  const line = (row: readonly string[]) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] as number)))
      .join('  ')
      .trimEnd();
  return `${clean.map(line).join('\n')}\n`;
}

/** `2026-12-07 14:35:01Z`: an ISO time, in UTC, to the second; `-` for none. */
export function formatTime(iso: string | null | undefined): string {
  if (iso === null || iso === undefined || iso === '') return '-';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')}Z`;
}

/** `850ms`, `12.3s`, `4m05s`, `2h10m`; `-` for none. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return '-';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.round(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  const m = Math.round(s / 60);
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** `text` cut to `max` characters, ending in `…` when cut. */
export function truncate(text: string, max: number): string {
  const flat = oneLine(text);
  return flat.length <= max ? flat : `${flat.slice(0, Math.max(0, max - 1))}…`;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ');
}
