import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogPrinter } from '../../src/commands/dev.js';
import { expectCleanError, scratchDir } from '../cli-fixtures.js';
import { CLI_NODE_ARGS, type CliResult } from '../run-cli.js';

const scratch = scratchDir('dev');
let cli: ChildProcess | undefined;

afterAll(async () => {
  if (cli !== undefined && cli.exitCode === null) {
    const exited = once(cli, 'exit');
    cli.kill('SIGTERM');
    await exited;
  }
  scratch.remove();
});

const routeFile = (greeting: string) => `import { route } from '@sluice/server';
export const execute = route({ path: '/execute' }, (request) => ({ message: \`${greeting}, \${request.data.name ?? 'World'}!\` }));
`;

/** Collects the CLI's stdout and resolves when a line matches. */
function watchOutput(child: ChildProcess) {
  let text = '';
  const waiters: { pattern: RegExp; from: number; resolve: (m: RegExpExecArray) => void }[] = [];
  const check = () => {
    for (const waiter of [...waiters]) {
      const match = waiter.pattern.exec(text.slice(waiter.from));
      if (match !== null) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(match);
      }
    }
  };
  child.stdout?.on('data', (chunk: Buffer) => {
    text += String(chunk);
    check();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    text += String(chunk);
  });
  return {
    get text() {
      return text;
    },
    /** Waits for `pattern` in the output printed after `from` (default: everything so far is skipped). */
    next(pattern: RegExp, from = text.length): Promise<RegExpExecArray> {
      return new Promise((resolve) => {
        waiters.push({ pattern, from, resolve });
        check();
      });
    },
  };
}

describe('sluice dev', () => {
  it('runs the service, prints its routes, and restarts it when a route file changes', async () => {
    scratch.write(
      'main.ts',
      "import { Router } from '@sluice/server';\nconst router = new Router();\nawait router.runApp();\n",
    );
    scratch.write('app_config.yaml', 'app_settings:\n  app_name: dev test\n  host: 127.0.0.1\n  port: 0\n');
    mkdirSync(join(scratch.dir, 'routes/hello/v1'), { recursive: true });
    mkdirSync(join(scratch.dir, 'routes/oops'), { recursive: true });
    const route = join(scratch.dir, 'routes/hello/v1/route.ts');
    writeFileSync(route, routeFile('Hello'));
    writeFileSync(join(scratch.dir, 'routes/oops/route.ts'), routeFile('x'));

    cli = spawn(process.execPath, [...CLI_NODE_ARGS, 'dev'], {
      cwd: scratch.dir,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output = watchOutput(cli);
    const first = await output.next(/listening at (http:\/\/127\.0\.0\.1:\d+)/, 0);
    expect(output.text).toContain('POST   /hello/v1/execute  (routes/hello/v1/route.ts)');
    expect(output.text).toMatch(/skipped routes\/oops\/route\.ts: too shallow/);
    expect(output.text).toContain('route discovery:');
    const call = async (base: string) => {
      const res = await fetch(`${base}/hello/v1/execute`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"data": {"name": "Ada"}}',
      });
      return res.json();
    };
    expect(await call(first[1] ?? '')).toEqual({ data: { message: 'Hello, Ada!' } });
    await output.next(/POST \/hello\/v1\/execute 200/, 0);

    const mark = output.text.length;
    writeFileSync(route, routeFile('Bonjour'));
    await output.next(/restarting: routes\/hello\/v1\/route\.ts changed/, mark);
    const second = await output.next(/listening at (http:\/\/127\.0\.0\.1:\d+)/, mark);
    expect(await call(second[1] ?? '')).toEqual({ data: { message: 'Bonjour, Ada!' } });

    const exited = once(cli, 'exit');
    cli.kill('SIGTERM');
    const [code] = await exited;
    expect(code).toBe(0);
  });

  it('fails cleanly without a main.ts', async () => {
    const empty = join(scratch.dir, 'empty');
    mkdirSync(empty, { recursive: true });
    const result = await new Promise<CliResult>((resolve) => {
      execFile(
        process.execPath,
        [...CLI_NODE_ARGS, 'dev'],
        { cwd: empty, timeout: 30_000 },
        (error, stdout, stderr) =>
          resolve({ code: error === null ? 0 : Number(error.code ?? 1), stdout, stderr }),
      );
    });
    expectCleanError(result, /^error SLUICE_CLI_FILE_READ: no main\.ts in /);
  });
});

describe('createLogPrinter', () => {
  it('prints pino lines readably and passes other lines through', () => {
    const out: string[] = [];
    const err: string[] = [];
    const print = createLogPrinter({ stdout: (t) => out.push(t), stderr: (t) => err.push(t) });
    print('{"level":30,"msg":"route mounted","method":"POST","url":"/a/v1/x","file":"routes/a/v1/route.ts"}');
    print('{"level":40,"msg":"route file skipped","file":"routes/b/route.ts","reason":"too shallow"}');
    print('{"level":30,"reqId":"req-1","req":{"method":"POST","url":"/a/v1/x"},"msg":"incoming request"}');
    print(
      '{"level":30,"reqId":"req-1","res":{"statusCode":201},"responseTime":1.234,"msg":"request completed"}',
    );
    print('{"level":50,"msg":"request failed","err":{"message":"boom","stack":"Error: boom"}}');
    print('plain console output');
    expect(out).toEqual([
      '  POST   /a/v1/x  (routes/a/v1/route.ts)\n',
      '  skipped routes/b/route.ts: too shallow\n',
      'POST /a/v1/x 201 1.2 ms\n',
      'plain console output\n',
    ]);
    expect(err).toEqual(['error request failed: boom\nError: boom\n']);
  });
});
