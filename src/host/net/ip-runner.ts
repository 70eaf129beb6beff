/**
 * Runs iproute2's `ip` with an argument array (never a shell), as JSON where it
 * answers (`ip -j`). A failure becomes a VirtkitError quoting ip's stderr:
 * IFACE_EXISTS when the name is taken, HOST_NET_FAILED otherwise.
 */
import { execFile } from 'node:child_process';
import { VirtkitError } from '../../core/errors.js';

/** Runs `ip ARGS` and returns its stdout. */
export type IpRunner = (args: readonly string[]) => Promise<string>;

const EXISTS_RE = /File exists|already exists/u;

export function ipFailure(args: readonly string[], stderr: string, cause?: unknown, exitCode: number | null = null): VirtkitError {
  const cmd = ['ip', ...args].join(' ');
  const said = stderr.trim();
  return new VirtkitError(EXISTS_RE.test(said) ? 'IFACE_EXISTS' : 'HOST_NET_FAILED', `${cmd} failed: ${said}`, {
    details: { command: ['ip', ...args], stderr: said, exitCode }, cause,
  });
}

export const runIp: IpRunner = (args) => new Promise((resolve, reject) => {
  execFile('ip', [...args], { encoding: 'utf8', maxBuffer: 16 << 20, env: { ...process.env, LC_ALL: 'C' } }, (err, stdout, stderr) => {
    if (!err) { resolve(stdout); return; }
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      reject(new VirtkitError('HOST_UNSUPPORTED', 'cannot run ip: iproute2 is not installed (or not on PATH)', { cause: err }));
      return;
    }
    reject(ipFailure(args, stderr || err.message, err, typeof code === 'number' ? code : null));
  });
});
