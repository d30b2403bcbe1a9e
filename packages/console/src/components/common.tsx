/** Small pieces every page uses: status badges, error boxes, JSON blocks, empty states. */
import type { ComponentChildren } from 'preact';
import type { ApiError } from '../api.js';
import { absolute, pretty, relative, when } from '../format.js';

export function Status({ status }: { status: string }) {
  return (
    <span class={`status status-${status}`} data-status={status}>
      {status}
    </span>
  );
}

/** The API's error as the user should read it: message, hint, and each problem on its own line. */
export function ErrorBox({ error, title }: { error: ApiError | undefined; title?: string }) {
  if (error === undefined) return null;
  return (
    <div class="error-box" role="alert">
      <strong>{title ?? 'Error'}</strong>
      <span class="code">{error.code}</span>
      <p>{error.message}</p>
      {error.hint !== undefined && <p class="hint">{error.hint}</p>}
    </div>
  );
}

export function Json({ value, label }: { value: unknown; label?: string }) {
  const text = pretty(value);
  return (
    <figure class="json">
      {label !== undefined && <figcaption>{label}</figcaption>}
      <pre>{text === '' ? '–' : text}</pre>
    </figure>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <p class="empty">{children}</p>;
}

export function Loading() {
  return <p class="loading">Loading…</p>;
}

export function Scope({ scope }: { scope: string }) {
  return <span class={`scope scope-${scope}`}>{scope}</span>;
}

/** The header row of a list table. */
export function Head({ columns }: { columns: readonly string[] }) {
  return (
    <thead>
      <tr>
        {columns.map((column, index) => (
          <th key={`${index}:${column}`}>{column}</th>
        ))}
      </tr>
    </thead>
  );
}

/**
 * A time as the page shows it (`relative`: `3 min ago`; else the time of day, or date and time), with
 * the full date, time and zone on hover.
 */
export function Time({
  iso,
  relative: isRelative = false,
}: {
  iso: string | null | undefined;
  relative?: boolean;
}) {
  if (iso === null || iso === undefined) return <>–</>;
  return (
    <time dateTime={iso} title={absolute(iso)}>
      {isRelative ? relative(iso) : when(iso)}
    </time>
  );
}
