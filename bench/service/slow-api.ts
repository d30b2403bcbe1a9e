/**
 * The API `bench/service` runs against, in a child process (see `../child-server.ts`):
 * - `GET|POST /step/<n>` answers `{"ok": true, "step": n}` after `delayMs` (default 20 ms);
 * - `POST /fast` answers `{"ok": true}` at once;
 * - `GET /records?after=<id>&limit=<n>` lists records `{id, name}` with `id > after`, ascending, from a
 *   fixed set of `records` (argument 2, default 10,000), at once.
 *
 * Usage: `tsx bench/service/slow-api.ts [delayMs] [records]`; prints `{"url": ...}` when listening.
 *
 * @module
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const delayMs = Number(process.argv[2] ?? 20);
const recordCount = Number(process.argv[3] ?? 10_000);

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://bench');
  const send = (status: number, body: unknown): void => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };
  req.resume();
  req.on('end', () => {
    if (url.pathname.startsWith('/step/')) {
      setTimeout(() => send(200, { ok: true, step: Number(url.pathname.slice(6)) }), delayMs);
      return;
    }
    if (url.pathname === '/fast') {
      send(200, { ok: true });
      return;
    }
    if (url.pathname === '/records') {
      const after = Number(url.searchParams.get('after') ?? 0);
      const limit = Math.min(Number(url.searchParams.get('limit') ?? 100), 1000);
      const records = [];
      for (let id = after + 1; id <= Math.min(after + limit, recordCount); id++) {
        records.push({ id, name: `record ${id}` });
      }
      send(200, { records });
      return;
    }
    send(404, { error: `no route ${req.method} ${url.pathname}` });
  });
});
server.keepAliveTimeout = 10_000;
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}` })}\n`);
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
