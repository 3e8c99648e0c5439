import { exitCodes, runCli } from './runCli.js';

const showCursor = '\u001b[?25h';
const interrupt = new AbortController();
let interrupts = 0;

// `… | head` closes the pipe early: stop quietly instead of crashing on EPIPE.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(exitCodes.ok);
  throw error;
});

// The first Ctrl-C cancels the task through the engine; a second one leaves at once.
process.on('SIGINT', () => {
  interrupts += 1;
  if (interrupts === 1) {
    interrupt.abort();
    return;
  }
  if (process.stdout.isTTY) process.stdout.write(showCursor);
  process.stdout.write('\nInterrupted.\n');
  process.exit(exitCodes.interrupted);
});

try {
  const code = await runCli(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
    interruptSignal: interrupt.signal,
  });
  process.exit(code);
} catch (error) {
  if (process.stdout.isTTY) process.stdout.write(showCursor);
  console.error(error);
  process.exit(exitCodes.failed);
}
