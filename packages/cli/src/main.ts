/**
 * The `sluice` bin: runs the program on the command line and exits with its code (0 on success, 1 on
 * any error).
 *
 * @module
 */
import { run } from './program.js';

const code = await run(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});
// Exit once stdout and stderr are flushed, even if a connector left timers or sockets open.
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
