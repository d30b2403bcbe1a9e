/**
 * The baseline of `bench/service`'s throughput part: a minimal Node server that does what a 3-step
 * workflow run does, without durability, templates or an API layer. `POST /runs` with `{"input": {"n":
 * N}}` makes the same 3 undici calls, one after the other, as the workflow's steps
 * (`GET <api>/step/<i>?run=N`), each body read and parsed, and answers the three outputs as JSON.
 *
 * Usage: `tsx bench/service/baseline-server.ts <api-url> <steps>`; prints `{"url": ...}` when listening.
 *
 * @module
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, request } from 'undici';

const api = process.argv[2] ?? '';
const steps = Number(process.argv[3] ?? 3);
const agent = new Agent({ connections: 256, keepAliveTimeout: 10_000 });

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', async () => {
    try {
      const { input } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { input: { n: number } };
      const outputs: unknown[] = [];
      for (let i = 0; i < steps; i++) {
        const { body } = await request(`${api}/step/${i}?run=${input.n}`, { dispatcher: agent });
        outputs.push(((await body.json()) as { step: unknown }).step);
      }
      const text = JSON.stringify({ status: 'succeeded', outputs });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    } catch (err) {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(err));
    }
  });
});
server.keepAliveTimeout = 10_000;
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}` })}\n`);
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
