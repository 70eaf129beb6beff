/**
 * `ip` commands that change something (make a tap, set it up, delete it) through an `ip -batch -`
 * process started ahead of time: starting `ip` from node costs 4-5 ms here; writing a line to one
 * that waits, well under one. Each process runs one command and exits (its stdin closed), so a
 * failure is that command's as with a process of its own, and none remembers a name -> ifindex
 * lookup (a long-lived `ip` does, and fails with "No such device" once someone else removed and
 * made again a bridge or tap of that name). The next one is started as one is taken, off the
 * caller's path. Output is not read: for commands whose answer is their exit status. Arguments
 * must be plain words (isBatchWord).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { VirtkitError } from '../../core/errors.js';
import { ipBatchText } from './ip-batch.js';
import { ipFailure, type IpRunner } from './ip-runner.js';

/** The line ip adds after a failed command's own message. */
const FAILED_RE = /^Command failed -:\d+$/mu;

export class WarmIp {
  #next: ChildProcess | undefined;

  /** `prefix`: ip options before -batch (e.g. ['-n', NETNS]). */
  constructor(private readonly prefix: readonly string[] = []) {}

  #start(): ChildProcess {
    const child = spawn('ip', [...this.prefix, '-batch', '-'], { stdio: ['pipe', 'ignore', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
    child.on('error', () => undefined);
    child.stdin?.on('error', () => undefined);
    // A waiting ip keeps nothing alive: when this process ends, its stdin closes and it exits.
    child.unref();
    (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    (child.stderr as unknown as { unref?: () => void } | null)?.unref?.();
    return child;
  }

  /**
   * The waiting process (or a new one when there is none, or it has gone). The next one is started once
   * this turn of the event loop is done: spawn() blocks the loop for a millisecond or more.
   */
  #take(): ChildProcess {
    const ready = this.#next;
    this.#next = undefined;
    setImmediate(() => { this.#next ??= this.#start(); });
    return ready !== undefined && ready.exitCode === null && ready.signalCode === null && ready.pid !== undefined ? ready : this.#start();
  }

  /** Runs `ip ARGS` in the waiting process; resolves to '' (stdout is not read). */
  readonly run: IpRunner = (args) => {
    const text = ipBatchText([['ip', ...args]]);
    const child = this.#take();
    return new Promise((resolve, reject) => {
      let stderr = '';
      child.ref();
      (child.stderr as unknown as { ref?: () => void } | null)?.ref?.();
      child.stderr?.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
      child.on('error', (e) => reject((e as NodeJS.ErrnoException).code === 'ENOENT'
        ? new VirtkitError('HOST_UNSUPPORTED', 'cannot run ip: iproute2 is not installed (or not on PATH)', { cause: e })
        : new VirtkitError('HOST_NET_FAILED', `cannot run ip: ${e.message}`, { cause: e })));
      child.on('close', (code, signal) => {
        if (code === 0) resolve('');
        else reject(ipFailure([...this.prefix, ...args], stderr.replace(FAILED_RE, '').trim() || `ip ended by ${signal ?? `exit status ${code ?? '?'}`}`, undefined, code));
      });
      child.stdin?.end(text);
    });
  };

  /** Ends the waiting process (the daemon stops). */
  close(): void {
    this.#next?.stdin?.end();
    this.#next = undefined;
  }
}
