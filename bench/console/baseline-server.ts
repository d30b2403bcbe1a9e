/**
 * The console benchmark's baseline: a bare Fastify app serving one tiny HTML page whose inline script
 * fetches a JSON copy of a runs page (`/runs.json`, captured once from the API and served from memory)
 * and renders it as a `<table aria-label="runs">` of the same six columns as the console's runs list.
 * No framework, no bundle, no key check, no database: the floor for "a page that shows 50 runs".
 *
 * @module
 */
import Fastify from 'fastify';

/** The baseline server, listening on 127.0.0.1. */
export interface BaselineServer {
  url: string;
  close(): Promise<void>;
}

const PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>runs</title></head>
<body>
<table aria-label="runs"><thead><tr><th>Status</th><th>Run</th><th>Workflow</th><th>Created</th><th>Duration</th><th>Error</th></tr></thead><tbody></tbody></table>
<script>
fetch('/runs.json', { headers: { accept: 'application/json' } })
  .then((response) => response.json())
  .then((page) => {
    const body = document.querySelector('tbody');
    for (const run of page.runs) {
      const row = document.createElement('tr');
      const took = run.started_at && run.finished_at ? Date.parse(run.finished_at) - Date.parse(run.started_at) : null;
      for (const text of [run.status, run.id.slice(0, 8), run.workflow, new Date(run.created_at).toLocaleString(),
        took === null ? '' : took + ' ms', run.error ? run.error.type + ': ' + run.error.message : '']) {
        const cell = document.createElement('td');
        cell.textContent = String(text);
        row.append(cell);
      }
      body.append(row);
    }
  });
</script>
</body>
</html>
`;

/** Serves the page at `/` and `runsPage` (the API's JSON answer, as it came) at `/runs.json`. */
export async function startBaselineServer(runsPage: string): Promise<BaselineServer> {
  const app = Fastify({ logger: false });
  app.get('/', (_request, reply) =>
    reply.header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-cache').send(PAGE),
  );
  app.get('/runs.json', (_request, reply) =>
    reply.header('content-type', 'application/json; charset=utf-8').send(runsPage),
  );
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return { url, close: () => app.close() };
}
