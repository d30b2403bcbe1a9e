/**
 * Runs the example my-app API in its own process for the benchmark, so the server's work does not share
 * the client's event loop. Prints one JSON line `{"url": ...}` once it listens; stops on SIGTERM or
 * when stdin closes (the parent exited).
 *
 * @module
 */
import { startMyAppApi } from '@sluice/example-my-app/api';

const api = await startMyAppApi({ seedCount: Number(process.argv[2] ?? 1000) });
process.stdout.write(`${JSON.stringify({ url: api.url })}\n`);

const stop = (): void => {
  void api.close().then(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.stdin.on('end', stop).resume();
