/**
 * nft processes started ahead of time for a network's firewall: a start and a destroy each list the
 * ruleset and send one transaction, and starting nft from node costs 3-10 ms a process here (and
 * blocks node's event loop meanwhile). Each waiting process is `nft -j -i` (interactive) reading
 * its stdin: `nft -f -` cannot be used, as nft opens /dev/stdin, which fails on node's pipes
 * (sockets; nft-run.ts), while the interactive mode reads them. One JSON line is written to it
 * (a transaction, or `{"list": {"ruleset": null}}`, whose output is what `nft -j list ruleset`
 * prints), then its stdin is closed and it exits: one command per process, as with ip-warm.ts.
 * The interactive mode always exits 0: a failure is told by nft's "Error:" lines on stderr.
 * HOME=/dev/null keeps it from writing its command history (~/.nft.history). When this process
 * dies, the waiting ones read the end of their stdin and exit: nothing is left behind.
 */
import type { ChildProcess } from 'node:child_process';
import { VirtkitError } from '../../core/errors.js';
import type { NftRunner } from './nft-run.js';
import { refUsed, startWaiting, takeLive } from '../waiting-process.js';

const LIST_LINE = JSON.stringify({ nftables: [{ list: { ruleset: null } }] });
const ERROR_RE = /\bError\b/u;
/** A start or a destroy takes two (the listing, then the transaction); four serve a destroy and a start right after it. */
const POOL = 4;
/**
 * Used processes are replaced this much after the last hold ended (spawn() blocks node's event loop
 * for 1-8 ms each on this 2-core host: never while a start or destroy runs).
 */
const REFILL_DELAY_MS = 50;

export class WarmNft {
  readonly #ready: ChildProcess[] = [];
  #refill: NodeJS.Timeout | undefined;
  #closed = false;
  #holds = 0;

  /** `prefix`: runs nft through another program (`['ip', 'netns', 'exec', NS]`), as nftRunner's. */
  constructor(private readonly prefix: readonly string[] = [], private readonly bin = 'nft') {}

  #start(): ChildProcess {
    const [cmd = this.bin, ...rest] = [...this.prefix, this.bin, '-j', '-i'];
    return startWaiting(cmd, rest, { ...process.env, LC_ALL: 'C', HOME: '/dev/null' });
  }

  /** A waiting process that is still there, or undefined (the caller then runs nft as usual). */
  #take(): ChildProcess | undefined {
    const child = takeLive(this.#ready);
    this.#schedule();
    return child;
  }

  #schedule(): void {
    if (this.#refill !== undefined || this.#closed || this.#holds > 0 || this.#ready.length >= POOL) return;
    this.#refill = setTimeout(() => {
      this.#refill = undefined;
      if (this.#holds > 0) return;
      while (this.#ready.length < POOL && !this.#closed) this.#ready.push(this.#start());
    }, REFILL_DELAY_MS);
    this.#refill.unref();
  }

  /**
   * While held (a network's start or destroy runs), no waiting process is started: the pool is
   * filled again REFILL_DELAY_MS after the last hold ends. Back-to-back changes then start their
   * own nft, as without a pool, and changes with a pause between them find theirs waiting.
   */
  hold(): () => void {
    this.#holds++;
    clearTimeout(this.#refill);
    this.#refill = undefined;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#holds--;
      this.#schedule();
    };
  }

  /**
   * An NftRunner that sends JSON transactions (`-j` with a file) and the ruleset's listing
   * (`-j list ruleset`) to a waiting nft, and anything else to `fallback`.
   */
  runner(fallback: NftRunner): NftRunner {
    return (args, file) => {
      const words = args.join(' ');
      const line = file !== undefined && words === '-j' ? file : file === undefined && words === '-j list ruleset' ? LIST_LINE : undefined;
      // None waiting: a fresh `nft -f FILE` is quicker than a fresh interactive nft (measured).
      const child = line === undefined || line.includes('\n') ? undefined : this.#take();
      if (line === undefined || child === undefined) return fallback(args, file);
      return this.#send(child, line, args, file);
    };
  }

  #send(child: ChildProcess, line: string, args: readonly string[], file: string | undefined): Promise<string> {
    const argv = [...this.prefix, this.bin, ...args, ...(file === undefined ? [] : ['-f', '(stdin)'])];
    const details = { command: argv, ...(file === undefined ? {} : { transaction: file }) };
    return new Promise((resolve, reject) => {
      let out = '';
      let err = '';
      refUsed(child);
      child.stdout?.setEncoding('utf8').on('data', (d: string) => { out += d; });
      child.stderr?.setEncoding('utf8').on('data', (d: string) => { err += d; });
      child.once('error', (e: NodeJS.ErrnoException) => {
        const why = e.code === 'ENOENT' ? 'it is not installed (Debian package nftables; scripts/setup.sh installs it)' : e.message;
        reject(new VirtkitError('FIREWALL_ERROR', `cannot run ${this.bin}: ${why}`, { details, cause: e }));
      });
      child.once('close', (code, signal) => {
        if (code === 0 && !ERROR_RE.test(err)) { resolve(out); return; }
        const how = signal === null ? `exit ${code ?? '?'}` : signal;
        reject(new VirtkitError('FIREWALL_ERROR', `${argv.join(' ')} failed (${how}): ${err.trim() || out.trim()}`, { details: { ...details, exitCode: code } }));
      });
      child.stdin?.end(`${line}\n`);
    });
  }

  /** How many processes are waiting now. */
  get waiting(): number {
    return this.#ready.filter((c) => c.exitCode === null && c.signalCode === null).length;
  }

  /** Ends the waiting processes and starts no more (a command after this starts its own). */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#refill);
    for (const c of this.#ready.splice(0)) c.stdin?.end();
  }
}
