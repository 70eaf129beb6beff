/**
 * Spawning and stopping QEMU processes. QEMU runs in its own process group
 * (a daemon restart, or a ^C in the daemon's terminal, never stops a guest),
 * with stdout and stderr appended to the domain's log file after a header
 * line, as libvirt does. Readiness is "the caller's monitor connect
 * succeeded" (the QMP client negotiates), raced against QEMU exiting.
 *
 * A QEMU's identity, for re-attach and before any signal: pid plus the
 * process start time (/proc/PID/stat field 22), so a recycled pid is never
 * mistaken for our guest. PID 1 here reaps orphans lazily, so an exited QEMU
 * may linger as a zombie: identity() treats a zombie as gone, and callers
 * judge "gone" by the monitor socket closing (or the child's exit event).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { closeSync, fstatSync, openSync, writeSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { VirtkitError } from '../../core/errors.js';
import { procStartTicks, readLogSince } from './process-files.js';

export { procStartTicks, isSameProcess } from './process-files.js';

export interface SpawnQemuOptions {
  readonly binary: string;
  readonly args: readonly string[];
  readonly logFile: string;
  readonly pidFile: string;
  readonly env?: Readonly<Record<string, string>>;
  /** /proc, or a fake tree in tests. */
  readonly procRoot?: string;
  readonly now?: () => Date;
  /** Open fds QEMU gets as 3, 4, ... (macvtap queues: `-netdev tap,fd=3`); the caller closes its copies. */
  readonly passFds?: readonly number[];
}

export interface QemuProcess {
  readonly pid: number;
  /** /proc/PID/stat field 22, as text: with the pid, the process identity. */
  readonly startTicks: string;
  readonly child: ChildProcess;
  /** Resolves once the child has exited and been reaped. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Byte offset in the log where this run's output begins. */
  readonly logOffset: number;
}

/** A shell-readable rendering of the command line, for the log header only. */
export function quoteCommandLine(argv: readonly string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

function logTimestamp(d: Date): string {
  return d.toISOString().replace('T', ' ').replace('Z', '+0000');
}

export function spawnQemu(opts: SpawnQemuOptions): Promise<QemuProcess> {
  const now = opts.now ?? (() => new Date());
  const fd = openSync(opts.logFile, 'a', 0o600);
  let child: ChildProcess;
  let logOffset: number;
  try {
    const env = opts.env ?? { LC_ALL: 'C', PATH: process.env['PATH'] ?? '/usr/bin:/bin' };
    const envText = Object.entries(env).map(([k, v]) => `${k}=${quoteCommandLine([v])}`).join(' ');
    const header = `${logTimestamp(now())}: starting up\n${envText} ${quoteCommandLine([opts.binary, ...opts.args])}\n`;
    writeSync(fd, header);
    // The file is opened for append: its size after the header is where QEMU's output starts.
    logOffset = fstatSync(fd).size;
    child = spawn(opts.binary, [...opts.args], { detached: true, stdio: ['ignore', fd, fd, ...(opts.passFds ?? [])], env: { ...env } });
  } finally {
    closeSync(fd);
  }
  // The child stays referenced while we watch it (so its exit is always seen);
  // whoever lets go of the guest (daemon exit) calls child.unref().
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  return new Promise((resolve, reject) => {
    child.once('error', (err) => {
      reject(new VirtkitError('QEMU_NOT_FOUND', `cannot run ${opts.binary}: ${err.message}; install QEMU (apt install qemu-system-x86)`, { cause: err }));
    });
    child.once('spawn', () => {
      const pid = child.pid;
      if (pid === undefined) {
        reject(new VirtkitError('QEMU_FAILED', `${opts.binary} did not start`));
        return;
      }
      void (async () => {
        // The child may already be gone (a bad option fails in milliseconds): no start time then.
        const startTicks = (await procStartTicks(pid, opts.procRoot)) ?? '';
        await writeFile(opts.pidFile, `${pid}\n`, { mode: 0o600 });
        resolve({ pid, startTicks, child, exited, logOffset });
      })().catch(reject);
    });
  });
}

/**
 * Waits for `connect` (the monitor handshake, which retries while QEMU
 * creates its socket) to succeed; when QEMU exits first, fails with QEMU's
 * own words from the log, and `connect` is told to give up through `signal`.
 */
export async function waitForMonitor<T>(
  proc: QemuProcess,
  logFile: string,
  connect: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const abort = new AbortController();
  const exited = proc.exited.then(async (e) => {
    abort.abort(new Error('QEMU exited'));
    return startFailure(logFile, proc.logOffset, e);
  });
  try {
    return await Promise.race([connect(abort.signal), exited.then((err) => Promise.reject(err))]);
  } catch (err) {
    // The monitor closing during the handshake usually means QEMU is on its way
    // out, a moment before its exit is seen: then QEMU's own words say more.
    let timer: NodeJS.Timeout | undefined;
    const failure = await Promise.race([exited, new Promise<undefined>((r) => { timer = setTimeout(r, 2_000, undefined); })]);
    clearTimeout(timer);
    throw failure ?? err;
  } finally {
    abort.abort(new Error('done'));
  }
}

async function startFailure(logFile: string, offset: number, e: { code: number | null; signal: NodeJS.Signals | null }): Promise<VirtkitError> {
  const tail = await readLogSince(logFile, offset);
  const how = e.signal !== null ? `was killed by ${e.signal}` : `exited with code ${e.code}`;
  return new VirtkitError('QEMU_FAILED', `QEMU ${how} while starting${tail === '' ? ' and printed nothing' : `: ${tail}`}`, {
    details: { logFile, exitCode: e.code, signal: e.signal },
  });
}
