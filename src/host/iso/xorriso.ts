/** Running Debian's xorriso (or its xorrisofs) from an argument array, with its failures as VirtkitErrors. */
import { execFile } from 'node:child_process';
import { VirtkitError } from '../../core/errors.js';

/** xorriso's own lines that say what went wrong (FAILURE, SORRY, FATAL), else its last lines. */
export function quoteXorriso(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  const bad = lines.filter((l) => / : (FAILURE|SORRY|FATAL|ABORT) : /.test(l));
  return (bad.length > 0 ? bad : lines.slice(-3)).join('; ') || '(no message)';
}

/**
 * Runs `bin args` (killed after timeoutMs). Errors, each saying `cannot WHAT`: HOST_UNSUPPORTED when the binary is
 * missing, what `special` makes of xorriso's stderr when it knows better, NO_SPACE, else STORAGE_FAILED quoting it.
 */
export function runXorriso(bin: string, args: readonly string[], timeoutMs: number, what: string,
  special: (stderr: string, cmd: string) => VirtkitError | undefined = () => undefined): Promise<void> {
  return new Promise((res, rej) => {
    execFile(bin, [...args], { encoding: 'utf8', timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 4 << 20, env: { ...process.env, LC_ALL: 'C' } },
      (err, _stdout, stderr) => {
        if (!err) return res();
        const e = err as NodeJS.ErrnoException & { killed?: boolean };
        const cmd = [bin, ...args].join(' ');
        if (e.code === 'ENOENT') {
          return rej(new VirtkitError('HOST_UNSUPPORTED', `cannot ${what}: ${bin} is not installed; install Debian's xorriso package (apt install xorriso)`, {
            details: { command: cmd }, cause: err,
          }));
        }
        const known = special(stderr, cmd);
        if (known !== undefined) return rej(known);
        const why = e.killed === true ? `did not finish within ${timeoutMs / 1000} s` : `failed: ${quoteXorriso(stderr)}`;
        const code = /No space left on device|ENOSPC|Disk quota exceeded/i.test(stderr) ? 'NO_SPACE' : 'STORAGE_FAILED';
        rej(new VirtkitError(code, `cannot ${what}: ${cmd} ${why}`, { details: { command: cmd, stderr }, cause: err }));
      });
  });
}
