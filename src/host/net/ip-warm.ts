/**
 * `ip` commands that change something (make a tap, set it up, delete it) through an `ip -batch -`
 * process started ahead of time: starting `ip` from node costs 4-5 ms here; writing a line to one
 * that waits, well under one. Each process runs one command and exits (its stdin closed), so a
 * failure is that command's as with a process of its own, and none remembers a name -> ifindex
 * lookup (a long-lived `ip` does, and fails with "No such device" once someone else removed and
 * made again a bridge or tap of that name). Used ones are replaced a little later, off the
 * caller's path. Output is not read: for commands whose answer is their exit status. Arguments
 * must be plain words (isBatchWord).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { VirtkitError } from '../../core/errors.js';
import { ipBatchText } from './ip-batch.js';
import { ipFailure, type IpRunner } from './ip-runner.js';

/** The line ip adds after a failed command's own message. */
const FAILED_RE = /^Command failed -:\d+$/mu;

/** Waiting processes kept: a tap's making and its settings take one each. */
const POOL = 2;
/**
 * How long after a command the used processes are replaced. spawn() blocks node's event loop (3 ms
 * here, 8 ms at a load of 8 on 2 cores), so it waits until the change that used them (an attach
 * takes 15-30 ms) is likely done, rather than hold up its QMP replies and status write.
 */
const REFILL_DELAY_MS = 50;

export class WarmIp {
  readonly #ready: ChildProcess[] = [];
  #refill: NodeJS.Timeout | undefined;
  #closed = false;

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

  /** A waiting process that is still there, else a new one; the pool is filled again a little later. */
  #take(): ChildProcess {
    let child: ChildProcess | undefined;
    while (child === undefined && this.#ready.length > 0) {
      const c = this.#ready.shift();
      if (c !== undefined && c.exitCode === null && c.signalCode === null && c.pid !== undefined) child = c;
    }
    if (this.#refill === undefined && !this.#closed) {
      this.#refill = setTimeout(() => {
        this.#refill = undefined;
        while (this.#ready.length < POOL && !this.#closed) this.#ready.push(this.#start());
      }, REFILL_DELAY_MS);
      this.#refill.unref();
    }
    return child ?? this.#start();
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

  /** Ends the waiting processes and starts no more (a command after this starts its own). */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#refill);
    for (const c of this.#ready.splice(0)) c.stdin?.end();
  }
}
