import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectCleanError, scratchDir } from '../cli-fixtures.js';
import { runCli as runSluice } from '../run-cli.js';

const scratch = scratchDir('run-deleted');
let requests = 0;
let server: Server;

const runCli = (args: readonly string[]) => runSluice(['run', ...args], { cwd: scratch.dir });

beforeAll(async () => {
  server = createServer((_req, res) => {
    requests += 1;
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  scratch.write('sluice.yaml', `system_apis:\n  mock: ${origin}\n`);
  const doc = (deleted: string) =>
    `name: old sync\ndeleted: ${deleted}\nsteps:\n  - name: ping\n    apispec: { url: "{{ SYSTEM_APIS.mock }}/ping" }\n`;
  scratch.write('deleted.yaml', doc('true'));
  scratch.write('deleted-string.yaml', doc('"True"'));
  scratch.write('live.yaml', doc('"false"'));
});
afterAll(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  scratch.remove();
});

describe('sluice run on a deleted workflow', () => {
  it.each(['deleted.yaml', 'deleted-string.yaml'])(
    'refuses %s with SLUICE_RUN_STATE and sends nothing',
    async (file) => {
      const result = await runCli([file]);
      expectCleanError(
        result,
        /^error SLUICE_RUN_STATE: workflow "old sync" is deleted \(deleted: true\): a deleted workflow does not run$/,
      );
      expect(requests).toBe(0);
    },
  );

  it('runs the same document with deleted: "false"', async () => {
    const result = await runCli(['live.yaml']);
    expect(result.code, result.stderr).toBe(0);
    expect(requests).toBe(1);
  });
});
