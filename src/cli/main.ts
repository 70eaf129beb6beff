/** bin/virtkit's entry: runs the command line on the process's stdio. */
import { run } from './run.js';

export async function main(argv: string[] = process.argv.slice(2)): Promise<number> {
  // `virtkit list | head` closes the pipe early: that is not an error worth a stack trace.
  const quietOnEpipe = (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  };
  process.stdout.on('error', quietOnEpipe);
  process.stderr.on('error', quietOnEpipe);
  return run(argv, {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    env: process.env,
    cwd: process.cwd(),
    tty: process.stdout.isTTY && process.stderr.isTTY,
    stdin: process.stdin,
  });
}
