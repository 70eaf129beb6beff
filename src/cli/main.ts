/** bin/virtkit's entry: runs the command line on the process's stdio. */
import { run } from './run.js';

export async function main(argv: string[] = process.argv.slice(2)): Promise<number> {
  // `virtkit list | head` closes the pipe early: that is not an error worth a stack trace.
  const quietOnEpipe = (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  };
  process.stdout.on('error', quietOnEpipe);
  // process.stdin and process.stderr are made on first use (node's getters build their streams, and
  // process.stdin loads node's fs streams: ~2 ms of every start); most commands never read stdin,
  // and a command that succeeds writes nothing on stderr.
  let stderr: NodeJS.WriteStream | undefined;
  const errStream = () => {
    if (stderr === undefined) {
      stderr = process.stderr;
      stderr.on('error', quietOnEpipe);
    }
    return stderr;
  };
  return run(argv, {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => errStream().write(t),
    env: process.env,
    cwd: process.cwd(),
    get tty() {
      return process.stdout.isTTY && errStream().isTTY;
    },
    get stdin() {
      return process.stdin;
    },
  });
}
