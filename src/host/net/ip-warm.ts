/**
 * `ip` commands that change something (make a tap, set it up, delete it) through `ip -batch -`
 * processes started ahead of time: starting `ip` from node costs 4-5 ms here (and blocks node's
 * event loop meanwhile); writing lines to one that waits, well under one. Each process runs one
 * change (one command, or a tap's making and settings) and exits (its stdin closed): none
 * remembers a name -> ifindex lookup, as a long-lived `ip` does, which then fails with "No such
 * device" once someone else removed and made again a bridge or tap of that name. Used ones are
 * replaced once no command ran for a while (or at once when none is left). Arguments must be plain
 * words (isBatchWord).
 */
import type { ChildProcess } from 'node:child_process';
import { VirtkitError } from '../../core/errors.js';
import { ipBatchText } from './ip-batch.js';
import { ipFailure, type IpRunner } from './ip-runner.js';
import { refUsed, startWaiting, takeLive } from '../waiting-process.js';

/** The line ip adds after a failed command's own message. */
const FAILED_RE = /^Command failed -:\d+$/mu;
/** Run after each step: its output says the step before it was done. */
const PROBE = ['link', 'show', 'dev', 'lo'];
const PROBE_OUT_RE = /^\d+: lo: /gmu;

/**
 * Waiting processes kept: a tap is made and set up in one, removed in another; three, so that a
 * detach's `link del` and an attach right after it leave one waiting and neither starts its own.
 */
const POOL = 3;
/** How long no command runs before the used processes are replaced (#refillLater). */
const REFILL_IDLE_MS = 50;

export class WarmIp {
  readonly #ready: ChildProcess[] = [];
  #refill: NodeJS.Timeout | undefined;
  #refillNow: NodeJS.Immediate | undefined;
  /** Commands whose ip has not ended. */
  #running = 0;
  #closed = false;

  /** `prefix`: ip options before -batch (e.g. ['-n', NETNS]). */
  constructor(private readonly prefix: readonly string[] = []) {}

  #start(): ChildProcess {
    return startWaiting('ip', [...this.prefix, '-batch', '-'], { ...process.env, LC_ALL: 'C' });
  }

  /** A waiting process that is still there, else a new one. */
  #take(): ChildProcess {
    return takeLive(this.#ready) ?? this.#start();
  }

  /**
   * Fills the pool again REFILL_IDLE_MS after the last command ended, none running meanwhile: spawn()
   * blocks node's event loop (1-3 ms here, 8 ms at a load of 8 on 2 cores) and the new ip competes
   * for the CPUs, so it is kept out of the change that used the pool and out of the next one that
   * follows within that time (a detach's `link del`, then the next attach: docs/bench.md). When the
   * pool ran empty, the next command would start its own ip on its path: then it is filled at once,
   * once the code that awaited the ended command has run on (check phase).
   */
  #refillLater(): void {
    clearTimeout(this.#refill);
    this.#refill = undefined;
    clearImmediate(this.#refillNow);
    this.#refillNow = undefined;
    if (this.#closed || this.#running > 0) return;
    const fill = (): void => {
      this.#refill = undefined;
      this.#refillNow = undefined;
      while (this.#ready.length < POOL && !this.#closed) this.#ready.push(this.#start());
    };
    if (this.#ready.length === 0) {
      this.#refillNow = setImmediate(fill);
      this.#refillNow.unref();
    } else {
      this.#refill = setTimeout(fill, REFILL_IDLE_MS);
      this.#refill.unref();
    }
  }

  /** Runs `ip ARGS` in a waiting process; resolves to '' (its output is not read). */
  readonly run: IpRunner = async (args) => {
    await this.steps([args]);
    return '';
  };

  /**
   * Runs `steps` in order in one waiting process, stopping at the first that fails. The rejection's
   * details.step is the failed step's index: how many steps were done is counted from the output of a
   * probe (`link show dev lo`, every namespace has lo) run after each, which ip also writes when it
   * exits on an argument without its "Command failed" line. When ip is killed, its unwritten output
   * makes the count low: an earlier step is named, never a later one. Success is the last step's
   * probe: it resolves as soon as that output arrives, not when node has seen ip exit ('close'),
   * which comes about 0.4 ms later here (docs/bench.md, "Pass of stop 17").
   */
  readonly steps = (steps: readonly (readonly string[])[]): Promise<void> => {
    const lines = steps.flatMap((s) => [s, PROBE]);
    const text = ipBatchText(lines.map((l) => ['ip', ...l]));
    const child = this.#take();
    this.#running++;
    clearTimeout(this.#refill);
    this.#refill = undefined;
    return new Promise((resolve, reject) => {
      let stderr = '';
      let stdout = '';
      refUsed(child);
      child.stdout?.setEncoding('utf8').on('data', (d: string) => {
        stdout += d;
        // ip stops at the first step that fails: every probe's output means every step was done.
        if ((stdout.match(PROBE_OUT_RE)?.length ?? 0) >= steps.length) resolve();
      });
      child.stderr?.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
      child.on('error', (e) => reject((e as NodeJS.ErrnoException).code === 'ENOENT'
        ? new VirtkitError('HOST_UNSUPPORTED', 'cannot run ip: iproute2 is not installed (or not on PATH)', { cause: e })
        : new VirtkitError('HOST_NET_FAILED', `cannot run ip: ${e.message}`, { cause: e })));
      child.on('close', (code, signal) => {
        this.#running--;
        this.#refillLater();
        if (code === 0) { resolve(); return; }
        const step = Math.min(stdout.match(PROBE_OUT_RE)?.length ?? 0, steps.length - 1);
        const said = stderr.replace(FAILED_RE, '').trim() || `ip ended by ${signal ?? `exit status ${code ?? '?'}`}`;
        const e = ipFailure([...this.prefix, ...(steps[step] ?? [])], said, undefined, code);
        reject(steps.length === 1 ? e : new VirtkitError(e.code, e.message, { details: { ...e.details, step } }));
      });
      child.stdin?.end(text);
    });
  };

  /** Ends the waiting processes and starts no more (a command after this starts its own). */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#refill);
    clearImmediate(this.#refillNow);
    for (const c of this.#ready.splice(0)) c.stdin?.end();
  }
}
