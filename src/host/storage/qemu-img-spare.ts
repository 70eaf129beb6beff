/**
 * A process started ahead of time that becomes the next quiet qemu-img run (create: stdout not read):
 * a small `perl` waits on its stdin for an argv, then exec(2)s it, keeping its pid. The request that
 * needs qemu-img then writes one line to a pipe instead of forking the daemon.
 *
 * Why: node 20's spawn() forks the whole daemon (libuv has no vfork or posix_spawn on Linux) and
 * blocks its event loop until the child has exec'ed: ~1.1-1.4 ms of a linked clone's ~8 ms on a
 * quiet host here, 2 ms and more under load (docs/bench.md, bench/storage, pass of stop 18). The
 * daemon pays that fork for the spare too, but while it answers nothing.
 *
 * What qemu-img gets is what spawn() gives it: the same environment (less the PERL* variables, which
 * perl would act on), stdin and stdout /dev/null, stderr a pipe node reads, the daemon's working
 * directory, argv[0] the absolute path. Its pid is the spare's: kill() and the exit status reach
 * qemu-img itself. An AbortSignal kills it with SIGTERM and emits an AbortError, as spawn()'s
 * `signal` option does.
 *
 * perl is Debian's Essential perl-base, on every Debian host; where it cannot be found or started,
 * no spare is made and every run is spawned as before. One spare at most: asked for by the first
 * quiet run, by a run that found none and by the end of each run that used one, and made once the
 * daemon has answered no request for QUIET_MS (prepare); used only once perl has said it is ready.
 * A run that finds none ready is spawned the usual way. A spare keeps nothing alive: when the
 * daemon ends, its stdin closes and it exits without running anything.
 */
import type { ChildProcess } from 'node:child_process';
import { whenIdle } from '../idle.js';
import { refUsed, startWaiting, takeLive } from '../waiting-process.js';

/**
 * Says it is ready (one NUL byte on stderr, read by ExecSpare before the spare is used), then reads
 * NUL-terminated fields from stdin: their count, then the file and its argv after argv[0].
 * It execs as soon as the last field is read, not at stdin's end (which node closes on a later turn
 * of its event loop). stdin ended before that (the daemon went away): exit 0, having run nothing.
 * exec failing (the file gone since it was looked up): its reason on stderr, exit 127, as a shell
 * says it.
 */
const STEM = String.raw`syswrite STDERR, "\0"; $/ = "\0"; my $n = <STDIN>;
exit 0 unless defined $n; chomp $n; my @a;
for (1 .. $n) { my $f = <STDIN>; exit 0 unless defined $f; chomp $f; push @a, $f }
open STDIN, '<', '/dev/null' or die "virtkit: /dev/null: $!\n";
exec { $a[0] } @a;
print STDERR "virtkit: cannot run $a[0]: $!\n"; exit 127;`;

function abortError(signal: AbortSignal): Error {
  return Object.assign(new Error('The operation was aborted', { cause: signal.reason }), { name: 'AbortError', code: 'ABORT_ERR' });
}

/** How long the daemon answers no request before it starts a spare (idle.ts). */
const QUIET_MS = 2;

export class ExecSpare {
  #spare: ChildProcess[] = [];
  /** Spares whose perl has started (said so on stderr): only those are used. */
  readonly #ready = new WeakSet<ChildProcess>();
  /** perl's path; null when there is none (no spares, ever, in this process). */
  #perl: string | null | undefined;
  #filling = false;

  /** `findPerl`: perl's absolute path, or undefined when there is none; asked once, at the first spare. */
  constructor(private readonly env: NodeJS.ProcessEnv, private readonly findPerl: () => string | undefined) {}

  #stemEnv(): NodeJS.ProcessEnv {
    return Object.fromEntries(Object.entries(this.env).filter(([k]) => !k.startsWith('PERL')));
  }

  /**
   * Makes the spare once the process has answered no request for QUIET_MS (idle.ts): after the
   * answer of the request whose qemu-img ended, not before it (forking while qemu-img ran cost that
   * request ~1 ms here), and not on the path of a request that follows at once (a loop of clones:
   * it would wait for the fork, then for perl to start; such a loop spawns each qemu-img itself).
   * docs/bench.md, pass of stop 18.
   */
  prepare(): void {
    if (this.#perl === null || this.#filling) return;
    this.#filling = true;
    whenIdle(() => {
      this.#filling = false;
      if (this.#spare.length > 0) return;
      this.#perl ??= this.findPerl() ?? null;
      if (this.#perl === null) return;
      const child = startWaiting(this.#perl, ['-e', STEM], this.#stemEnv(), 'ignore');
      if (child.pid === undefined) {
        this.#perl = null;
        return;
      }
      this.#spare.push(child);
      child.stderr?.once('data', (b: Buffer) => {
        child.stderr?.pause();
        if (b.length === 1 && b[0] === 0) this.#ready.add(child);
        else child.kill('SIGKILL'); // perl said something else (a warning, an error): not used
      });
    }, QUIET_MS);
  }

  /**
   * `file args` run in the spare (stdin and stdout /dev/null, stderr a pipe), or undefined when none
   * is ready (one is made for the next run): the caller spawns it itself. `file` is an absolute path.
   */
  take(file: string, args: readonly string[], signal?: AbortSignal): ChildProcess | undefined {
    if (signal?.aborted === true || [file, ...args].some((a) => a.includes('\0'))) return undefined;
    const child = takeLive(this.#spare);
    if (child === undefined || child.stdin === null) {
      this.prepare();
      return undefined;
    }
    if (!this.#ready.has(child)) {
      // Still starting: kept for a later run.
      this.#spare.unshift(child);
      return undefined;
    }
    child.once('close', () => this.prepare());
    refUsed(child);
    // Paused since the ready byte: the caller's 'data' listener (attached before the next tick) gets the rest.
    child.stderr?.resume();
    child.stdin.end([String(args.length + 1), file, ...args, ''].join('\0'));
    if (signal !== undefined) {
      const onAbort = (): void => {
        child.kill('SIGTERM');
        child.emit('error', abortError(signal));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      child.once('exit', () => signal.removeEventListener('abort', onAbort));
    }
    return child;
  }
}
